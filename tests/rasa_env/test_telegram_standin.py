"""The Bot API stand-in (``tests/telegram_standin.py``) against the real python-telegram-bot.

If these pass, a connector built on python-telegram-bot 22.8 can be tested against the
stand-in: the client parses every answer, and each rejection the real API makes surfaces
as the same ``telegram.error`` type. Raw-HTTP checks cover the other parameter encodings.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

telegram = pytest.importorskip("telegram", reason="needs python-telegram-bot (.venv/rasa)")

from telegram import (  # noqa: E402
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
)
from telegram.error import BadRequest, EndPointNotFound, InvalidToken  # noqa: E402

from tests.telegram_standin import BotApiStandIn  # noqa: E402

pytestmark = pytest.mark.rasa_env

TOKEN = "123456:TEST-token_standin"
CHAT_ID = 111111111
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
T = TypeVar("T")


@pytest.fixture
def api() -> Iterator[BotApiStandIn]:
    with BotApiStandIn(TOKEN) as standin:
        yield standin


def with_bot(api: BotApiStandIn, scenario: Callable[[Bot], Awaitable[T]], token: str = TOKEN) -> T:
    """Run ``scenario`` with an initialised Bot pointed at the stand-in."""

    async def run() -> T:
        bot = Bot(token, base_url=f"{api.url}/bot", base_file_url=f"{api.url}/file/bot")
        async with bot:
            return await scenario(bot)

    return asyncio.run(run())


def keyboard(*callback_data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(f"option {i}", callback_data=d)]
            for i, d in enumerate(callback_data)
        ]
    )


# ----------------------------------------------------------------------------- accepted calls


def test_get_me_identifies_the_bot(api: BotApiStandIn) -> None:
    me = with_bot(api, lambda bot: bot.get_me())
    assert me.is_bot
    assert me.id == 999999999
    assert {call.method for call in api.calls} == {"getMe"}  # Bot.initialize() calls it too


def test_send_message_returns_a_parsed_message_with_increasing_ids(api: BotApiStandIn) -> None:
    async def two_messages(bot: Bot) -> list[Any]:
        return [await bot.send_message(CHAT_ID, "hello"), await bot.send_message(CHAT_ID, "again")]

    first, second = with_bot(api, two_messages)
    assert (first.text, first.chat.id, first.chat.type) == ("hello", CHAT_ID, "private")
    assert second.message_id == first.message_id + 1
    assert first.date is not None
    assert api.calls_to("sendMessage")[0].params["text"] == "hello"


def test_inline_keyboard_arrives_decoded_and_is_echoed(api: BotApiStandIn) -> None:
    markup = keyboard("pain:medial", "pain:other")
    message = with_bot(api, lambda bot: bot.send_message(CHAT_ID, "where?", reply_markup=markup))
    recorded = api.calls_to("sendMessage")[0].params["reply_markup"]
    assert recorded["inline_keyboard"][1][0]["callback_data"] == "pain:other"
    assert message.reply_markup.inline_keyboard[0][0].callback_data == "pain:medial"


def test_send_photo_with_bytes_is_uploaded_as_multipart(api: BotApiStandIn) -> None:
    markup = keyboard("video:again")
    message = with_bot(
        api,
        lambda bot: bot.send_photo(CHAT_ID, PNG_BYTES, caption="your knee", reply_markup=markup),
    )
    call = api.calls_to("sendPhoto")[0]
    assert call.files == {"photo": PNG_BYTES}
    assert call.params["caption"] == "your knee"
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "video:again"
    assert message.caption == "your knee"
    assert message.photo[-1].file_size == len(PNG_BYTES)


def test_send_media_group_resolves_attach_references(api: BotApiStandIn) -> None:
    media = [InputMediaPhoto(PNG_BYTES, caption="left"), InputMediaPhoto(PNG_BYTES + b"2")]
    messages = with_bot(api, lambda bot: bot.send_media_group(CHAT_ID, media))
    call = api.calls_to("sendMediaGroup")[0]
    attach_names = [item["media"].removeprefix("attach://") for item in call.params["media"]]
    assert sorted(call.files[name] for name in attach_names) == [PNG_BYTES, PNG_BYTES + b"2"]
    assert len(messages) == 2
    assert messages[0].media_group_id == messages[1].media_group_id
    assert messages[0].caption == "left"


def test_send_document_with_bytes(api: BotApiStandIn) -> None:
    message = with_bot(
        api, lambda bot: bot.send_document(CHAT_ID, b"report", filename="report.pdf")
    )
    assert api.calls_to("sendDocument")[0].files == {"document": b"report"}
    assert message.document.file_name == "report.pdf"
    assert message.document.file_size == len(b"report")


def test_chat_action_callback_answer_and_markup_edit(api: BotApiStandIn) -> None:
    async def scenario(bot: Bot) -> tuple[Any, Any, Any, Any]:
        sent = await bot.send_message(CHAT_ID, "pick", reply_markup=keyboard("a"))
        return (
            sent,
            await bot.send_chat_action(CHAT_ID, "typing"),
            await bot.answer_callback_query("cbq-1", text="noted"),
            await bot.edit_message_reply_markup(CHAT_ID, sent.message_id, reply_markup=None),
        )

    sent, action, answered, edited = with_bot(api, scenario)
    assert action is True
    assert answered is True
    assert edited.message_id == sent.message_id
    assert edited.reply_markup is None
    assert api.calls_to("answerCallbackQuery")[0].params["callback_query_id"] == "cbq-1"


def test_get_file_and_download_through_the_file_url(api: BotApiStandIn, tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 600)
    registered = api.add_file("video-file-1", clip)

    async def fetch(bot: Bot) -> tuple[Any, bytearray]:
        telegram_file = await bot.get_file("video-file-1")
        return telegram_file, await telegram_file.download_as_bytearray()

    telegram_file, content = with_bot(api, fetch)
    assert registered["file_path"].startswith("videos/")
    assert telegram_file.file_path == f"{api.url}/file/bot{TOKEN}/{registered['file_path']}"
    assert bytes(content) == clip.read_bytes()
    assert api.downloads == [registered["file_path"]]


def test_uploaded_photo_can_be_fetched_again(api: BotApiStandIn) -> None:
    async def round_trip(bot: Bot) -> bytearray:
        sent = await bot.send_photo(CHAT_ID, PNG_BYTES)
        telegram_file = await bot.get_file(sent.photo[-1].file_id)
        return await telegram_file.download_as_bytearray()

    assert bytes(with_bot(api, round_trip)) == PNG_BYTES


def test_webhook_is_recorded_and_reported(api: BotApiStandIn) -> None:
    async def scenario(bot: Bot) -> tuple[Any, Any]:
        await bot.set_webhook(
            "https://example.invalid/webhooks/telegram/webhook",
            secret_token="s3cret_Token-1",
            allowed_updates=["message", "callback_query"],
        )
        info = await bot.get_webhook_info()
        await bot.delete_webhook()
        return info, await bot.get_webhook_info()

    info, after_delete = with_bot(api, scenario)
    assert info.url == "https://example.invalid/webhooks/telegram/webhook"
    assert info.allowed_updates == ("message", "callback_query")
    assert info.pending_update_count == 0
    assert info.has_custom_certificate is False
    assert api.calls_to("setWebhook")[0].params["secret_token"] == "s3cret_Token-1"
    assert after_delete.url == ""
    assert api.webhook["secret_token"] is None


def test_wait_for_returns_the_call_or_lists_what_was_seen(api: BotApiStandIn) -> None:
    with_bot(api, lambda bot: bot.send_message(CHAT_ID, "found me"))
    call = api.wait_for(lambda c: c.params.get("text") == "found me", timeout_s=1)
    assert call.method == "sendMessage"
    with pytest.raises(AssertionError, match="sendMessage ok=True"):
        api.wait_for(lambda c: c.method == "sendPhoto", timeout_s=0.1)
    api.clear()
    assert api.calls == []


# ----------------------------------------------------------------------------- rejections


def rejected(api: BotApiStandIn, scenario: Callable[[Bot], Awaitable[Any]]) -> BadRequest:
    with pytest.raises(BadRequest) as caught:
        with_bot(api, scenario)
    assert api.calls[-1].ok is False
    return caught.value


def test_too_long_text_is_rejected(api: BotApiStandIn) -> None:
    error = rejected(api, lambda bot: bot.send_message(CHAT_ID, "x" * 4097))
    assert error.message == "Message is too long"


def test_text_of_exactly_4096_characters_passes(api: BotApiStandIn) -> None:
    message = with_bot(api, lambda bot: bot.send_message(CHAT_ID, "x" * 4096))
    assert len(message.text) == 4096


def test_too_long_caption_is_rejected(api: BotApiStandIn) -> None:
    error = rejected(api, lambda bot: bot.send_photo(CHAT_ID, PNG_BYTES, caption="c" * 1025))
    assert error.message == "Message caption is too long"


def test_too_long_caption_in_a_media_group_is_rejected(api: BotApiStandIn) -> None:
    media = [InputMediaPhoto(PNG_BYTES, caption="c" * 1025), InputMediaPhoto(PNG_BYTES)]
    error = rejected(api, lambda bot: bot.send_media_group(CHAT_ID, media))
    assert error.message == "Message caption is too long"


def test_callback_data_over_64_bytes_is_rejected(api: BotApiStandIn) -> None:
    markup = keyboard("ok", "é" * 33)  # 66 bytes in UTF-8, 33 characters
    error = rejected(api, lambda bot: bot.send_message(CHAT_ID, "pick", reply_markup=markup))
    assert error.message.upper() == "BUTTON_DATA_INVALID"  # the client capitalises it


def test_empty_text_is_rejected(api: BotApiStandIn) -> None:
    error = rejected(api, lambda bot: bot.send_message(CHAT_ID, ""))
    assert error.message == "Message text is empty"


def test_missing_chat_id_is_rejected(api: BotApiStandIn) -> None:
    error = rejected(api, lambda bot: bot.send_message(chat_id=None, text="hi"))
    assert error.message == "Chat_id is empty"


def test_file_over_20_mb_is_refused_by_the_cloud_api(api: BotApiStandIn, tmp_path: Path) -> None:
    clip = tmp_path / "big.mp4"
    clip.write_bytes(b"tiny")
    api.add_file("big-video", clip, file_size=52_428_800)
    error = rejected(api, lambda bot: bot.get_file("big-video"))
    assert error.message == "File is too big"


def test_local_mode_serves_files_over_20_mb(tmp_path: Path) -> None:
    clip = tmp_path / "big.mp4"
    clip.write_bytes(b"tiny")
    with BotApiStandIn(TOKEN, local_mode=True) as local_api:
        local_api.add_file("big-video", clip, file_size=52_428_800)
        telegram_file = with_bot(local_api, lambda bot: bot.get_file("big-video"))
    assert telegram_file.file_size == 52_428_800


def test_wrong_token_is_unauthorized(api: BotApiStandIn) -> None:
    with pytest.raises(InvalidToken):
        with_bot(api, lambda bot: bot.get_me(), token="654321:WRONG")
    assert api.calls == []


def test_unknown_method_is_not_found(api: BotApiStandIn) -> None:
    with pytest.raises(EndPointNotFound):
        with_bot(api, lambda bot: bot.do_api_request("sendTelepathy", {"chat_id": CHAT_ID}))


# ----------------------------------------------------------------------------- raw HTTP


def raw_call(url: str, data: bytes | None = None, content_type: str = "") -> tuple[int, dict]:
    request = urllib.request.Request(url, data=data)
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_json_form_and_query_string_parameters_are_all_read(api: BotApiStandIn) -> None:
    base = f"{api.url}/bot{TOKEN}/sendMessage"
    markup = {"inline_keyboard": [[{"text": "a", "callback_data": "a"}]]}
    as_json = json.dumps({"chat_id": CHAT_ID, "text": "json", "reply_markup": markup}).encode()
    as_form = urllib.parse.urlencode(
        {"chat_id": CHAT_ID, "text": "form", "reply_markup": json.dumps(markup)}
    ).encode()
    assert raw_call(base, as_json, "application/json")[0] == 200
    assert raw_call(base, as_form, "application/x-www-form-urlencoded")[0] == 200
    assert raw_call(f"{base}?chat_id={CHAT_ID}&text=query")[0] == 200
    params = [call.params for call in api.calls_to("sendMessage")]
    assert [p["text"] for p in params] == ["json", "form", "query"]
    assert params[0]["reply_markup"] == params[1]["reply_markup"] == markup


def test_error_envelopes_have_telegrams_shape(api: BotApiStandIn) -> None:
    assert raw_call(f"{api.url}/bot1:wrong/getMe") == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    assert raw_call(f"{api.url}/bot{TOKEN}/noSuchMethod") == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )
    assert raw_call(f"{api.url}/bot{TOKEN}/sendMessage?chat_id={CHAT_ID}&text=") == (
        400,
        {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"},
    )


# ----------------------------------------------------------------------------- fixtures

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "telegram"
FIXTURE_CONTENT = {
    "text": lambda u: u.message.text,
    "start": lambda u: u.message.entities[0].type == "bot_command",
    "callback": lambda u: u.callback_query.data and u.callback_query.message.message_id,
    "video": lambda u: u.message.video.mime_type == "video/mp4",
    "video_note": lambda u: u.message.video_note.length,
    "document_video": lambda u: u.message.document.mime_type == "video/quicktime",
    "oversize_video": lambda u: u.message.video.file_size == 52_428_800,
    "edited_message": lambda u: u.edited_message.edit_date,
    "group_text": lambda u: u.effective_chat.type == "group",
    "photo": lambda u: len(u.message.photo) == 3,
    "voice": lambda u: u.message.voice.mime_type == "audio/ogg",
    "sticker": lambda u: u.message.sticker.type == "regular",
}


@pytest.mark.parametrize("name", sorted(FIXTURE_CONTENT))
def test_update_fixture_parses_with_no_unknown_fields(name: str) -> None:
    fixture = json.loads((FIXTURES / f"{name}.json").read_text())
    update = telegram.Update.de_json(fixture["update"], None)
    assert fixture["source"]
    assert FIXTURE_CONTENT[name](update)
    assert update.effective_user.id == 111111111
    assert not unknown_fields(update), unknown_fields(update)


def unknown_fields(obj: Any) -> list[str]:
    """Keys python-telegram-bot did not recognise (``api_kwargs``), anywhere in the tree."""
    if isinstance(obj, (list, tuple)):
        return [key for item in obj for key in unknown_fields(item)]
    if not isinstance(obj, telegram.TelegramObject):
        return []
    found = [f"{type(obj).__name__}.{key}" for key in obj.api_kwargs]
    slots = {name for cls in type(obj).__mro__ for name in getattr(cls, "__slots__", ())}
    for attribute in sorted(name for name in slots if not name.startswith("_")):
        found += unknown_fields(getattr(obj, attribute, None))
    return found


def test_every_fixture_file_is_checked() -> None:
    assert sorted(path.stem for path in FIXTURES.glob("*.json")) == sorted(FIXTURE_CONTENT)
