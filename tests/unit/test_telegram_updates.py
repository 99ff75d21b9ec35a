"""Reading Telegram updates and fitting replies into Telegram's limits (no network)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rasa_project.connectors.telegram_updates import (
    MAX_CALLBACK_BYTES,
    MAX_CAPTION,
    MAX_TEXT,
    CallbackKeys,
    caption,
    command_as_words,
    read_update,
    split_text,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "telegram"


def _update(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))["update"]


def test_a_private_text_is_handed_over_as_it_is() -> None:
    incoming = read_update(_update("text"))
    assert (incoming.kind, incoming.chat_id) == ("text", 111111111)
    assert incoming.text == _update("text")["message"]["text"]


def test_commands_become_words_rasa_understands() -> None:
    assert read_update(_update("start")).text == "hi"
    assert command_as_words("/start@KneeClinicBot") == "hi"
    assert command_as_words("/delete") == "delete my data"
    assert command_as_words("my knee / shin") == "my knee / shin"


def test_a_button_press_carries_its_payload_and_its_id() -> None:
    incoming = read_update(_update("callback"))
    assert incoming.kind == "button" and incoming.callback_id
    assert incoming.text == _update("callback")["callback_query"]["data"]


@pytest.mark.parametrize("name", ["video", "video_note", "document_video", "oversize_video"])
def test_every_form_of_video_is_read_with_its_size(name: str) -> None:
    incoming = read_update(_update(name))
    assert incoming.kind == "video"
    assert incoming.video["file_id"]
    assert isinstance(incoming.video["file_size"], int)


def test_group_chats_and_edits_are_not_conversations() -> None:
    assert read_update(_update("group_text")).kind == "group"
    assert read_update(_update("edited_message")).kind == "ignore"


@pytest.mark.parametrize("name, what", [("photo", "photo"), ("voice", "voice"),
                                        ("sticker", "sticker")])
def test_what_the_bot_cannot_read_is_named(name: str, what: str) -> None:
    incoming = read_update(_update(name))
    assert (incoming.kind, incoming.what) == ("unreadable", what)


def test_long_texts_are_split_at_paragraphs_under_the_limit() -> None:
    paragraph = "The knee felt sore on the inner side after long runs. " * 20
    text = "\n\n".join([paragraph.strip()] * 8)
    pieces = split_text(text)
    assert len(pieces) > 1 and all(len(p) <= MAX_TEXT for p in pieces)
    assert all(p.endswith(".") for p in pieces)
    assert " ".join(pieces).split() == text.split()


def test_a_word_longer_than_the_limit_is_still_cut() -> None:
    pieces = split_text("x" * (MAX_TEXT + 10))
    assert [len(p) for p in pieces] == [MAX_TEXT, 10]


def test_captions_are_cut_at_a_word_under_the_limit() -> None:
    short = "Mid-stance on the left leg"
    assert caption(short) == short
    cut = caption("word " * 400)
    assert len(cut) <= MAX_CAPTION and cut.endswith("…")


def test_long_button_payloads_become_keys_that_map_back() -> None:
    keys = CallbackKeys(capacity=2)
    short = "/affirm"
    long_payload = '/inform{"location": "inner_joint_line", "side": "left", "onset": "gradual"}'
    assert keys.data_for(short) == short
    key = keys.data_for(long_payload)
    assert len(key.encode()) <= MAX_CALLBACK_BYTES < len(long_payload.encode())
    assert keys.payload_of(key) == long_payload and keys.payload_of(short) == short
    keys.data_for(long_payload + "1")
    keys.data_for(long_payload + "2")
    assert keys.payload_of(key) is None  # forgotten: the runner is asked to type instead
