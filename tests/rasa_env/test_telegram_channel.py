"""The Telegram channel's parts against the Bot API stand-in: replies that fit Telegram's
limits, pictures and the summary as files, the settings it refuses, the webhook helper.

The whole flow through real servers is in tests/e2e/test_telegram_channel.py.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("telegram", reason="needs python-telegram-bot (.venv/rasa)")

from connectors import chat_links, telegram_setup
from connectors.chat_app import channel_texts
from connectors.telegram_channel import TelegramInput
from connectors.telegram_updates import MAX_CALLBACK_BYTES, MAX_TEXT

from kneeapp import settings
from tests.rasa_env.channel_tables import create_channel_tables
from tests.rasa_env.summary_documents import clinic_summary, pdf_pictures, pdf_text, write_png
from tests.telegram_standin import BotApiStandIn

pytestmark = pytest.mark.rasa_env

TOKEN = "123456:TEST-token_channel"
SECRET = "channel-test_secret"
JOB = "a" * 32
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[BotApiStandIn]:
    """A stand-in Bot API, a private database with the chat table, and a media folder."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    create_channel_tables(url)
    (tmp_path / "media" / "results" / JOB).mkdir(parents=True)
    (tmp_path / "media" / "results" / JOB / "keyframe_1.png").write_bytes(PNG)
    with BotApiStandIn(TOKEN) as api:
        for name, value in {"DATABASE_URL": url, "MEDIA_DIR": str(tmp_path / "media"),
                            "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET,
                            "TELEGRAM_API_URL": api.url}.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("APP_ENV", raising=False)
        yield api
    chat_links.dispose()


def _send(message: dict[str, Any], chat: str = "555000111") -> str:
    """Links a conversation to ``chat`` and sends ``message`` through the channel's output."""
    channel = TelegramInput(settings.current())
    conversation = chat_links.conversation_for("telegram", chat)
    output = channel.get_output_channel()
    assert output is not None

    async def run() -> None:
        await output.send_response(conversation, message)
        await channel.bot.shutdown()

    asyncio.run(run())
    return conversation


def test_a_chat_gets_one_random_conversation_id(env: BotApiStandIn) -> None:
    first = chat_links.conversation_for("telegram", "555000111")
    assert chat_links.conversation_for("telegram", "555000111") == first
    assert "555000111" not in first and first.startswith("te-")
    assert chat_links.chat_for("telegram", first) == "555000111"
    assert chat_links.conversation_for("telegram", "555000222") != first


def test_a_long_text_arrives_in_pieces_telegram_accepts(env: BotApiStandIn) -> None:
    _send({"text": ("My knee hurts on the inner side after long runs. " * 200).strip()})
    texts = [c.params["text"] for c in env.calls_to("sendMessage")]
    assert len(texts) > 1 and all(len(t) <= MAX_TEXT for t in texts)
    assert all(c.ok for c in env.calls)


def test_buttons_with_long_payloads_fit_in_64_bytes(env: BotApiStandIn) -> None:
    long_payload = '/inform{"location": "inner_joint_line", "side": "left", "onset": "gradual"}'
    _send({"text": "Where exactly?", "buttons": [
        {"title": "Inner joint line", "payload": long_payload},
        {"title": "Not sure", "payload": "/dont_know"}]})
    (call,) = env.calls_to("sendMessage")
    markup = call.params["reply_markup"]
    markup = json.loads(markup) if isinstance(markup, str) else markup
    data = [row[0]["callback_data"] for row in markup["inline_keyboard"]]
    assert data[1] == "/dont_know" and data[0] != long_payload
    assert all(len(d.encode()) <= MAX_CALLBACK_BYTES for d in data) and call.ok


def test_a_findings_picture_is_sent_as_a_file_with_its_caption(env: BotApiStandIn) -> None:
    _send({"image": f"/webhooks/video/media/{JOB}/keyframe_1.png",
           "text": "Mid-stance on the left leg: knee angle seen from behind"})
    (call,) = env.calls_to("sendPhoto")
    assert list(call.files.values()) == [PNG]
    assert call.params["caption"].startswith("Mid-stance on the left leg")


def test_a_picture_outside_the_results_is_never_sent(env: BotApiStandIn) -> None:
    _send({"image": "/webhooks/video/media/../../etc/passwd", "text": "caption only"})
    assert not env.calls_to("sendPhoto")
    assert [c.params["text"] for c in env.calls_to("sendMessage")] == ["caption only"]


def test_the_clinic_summary_arrives_as_the_clinician_pdf(env: BotApiStandIn,
                                                        tmp_path: Path) -> None:
    write_png(tmp_path / "media" / "results" / JOB / "keyframe_2_knee_fppa_deg_left.png")
    _send({"custom": clinic_summary(JOB)})
    (call,) = env.calls_to("sendDocument")
    (document,) = call.files.values()
    assert document.startswith(b"%PDF-")
    assert call.params["caption"] == channel_texts().summary_caption
    text = pdf_text(document)
    assert "Advice given: Self-care" in text and "Clamshell" in text and "{" not in text
    assert pdf_pictures(document) == 1
    _send({"custom": {"upload": {"url": "/webhooks/video/upload"}}})
    assert len(env.calls_to("sendDocument")) == 1  # web-widget payloads are not sent


def test_the_output_channel_is_built_without_touching_the_network(env: BotApiStandIn) -> None:
    channel = TelegramInput(settings.current())
    assert channel.get_output_channel() is channel.output is not None
    assert env.calls == []  # Rasa 3.6's connector called setWebhook here


@pytest.mark.parametrize("environ, problem", [
    ({"APP_ENV": "production", "TELEGRAM_WEBHOOK_SECRET": ""}, "TELEGRAM_WEBHOOK_SECRET is req"),
    ({"TELEGRAM_WEBHOOK_SECRET": "has spaces in it"}, "1-256 characters"),
])
def test_settings_telegram_would_refuse_stop_the_channel(
        env: BotApiStandIn, monkeypatch: pytest.MonkeyPatch, environ: dict[str, str],
        problem: str) -> None:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(settings.SettingsError, match=problem):
        TelegramInput(settings.current())


def test_without_a_token_the_channel_is_off(env: BotApiStandIn,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN")
    channel = TelegramInput(settings.current())
    assert not channel.active and channel.get_output_channel() is None


def test_the_webhook_helper_registers_url_secret_and_updates(
        env: BotApiStandIn, capsys: pytest.CaptureFixture[str]) -> None:
    assert telegram_setup.main(["register", "https://chat.example-clinic.org/"]) == 0
    (call,) = env.calls_to("setWebhook")
    assert call.params["url"] == "https://chat.example-clinic.org/webhooks/telegram/webhook"
    assert call.params["secret_token"] == SECRET
    assert set(call.params["allowed_updates"]) == {"message", "callback_query"}
    assert json.loads(capsys.readouterr().out)["url"].endswith("/webhooks/telegram/webhook")
    assert telegram_setup.main(["register", "http://plain.example.org"]) == 2
    assert telegram_setup.main(["info"]) == 0
