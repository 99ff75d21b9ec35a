"""What every messaging-app channel shares (connectors/chat_app.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from connectors import chat_app, upload_store

from tests.paths import TESTDATA

pytestmark = [pytest.mark.rasa_env, pytest.mark.usefixtures("upload_db")]
CLIP = TESTDATA / "squat_side_gym.mp4"


def test_a_video_over_the_conversations_bound_is_refused_before_it_is_fetched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram, WhatsApp and Twilio all store a fetched video through ``store_video``."""
    monkeypatch.setenv("CONVERSATION_MAX_UPLOADS", "2")
    video = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00isommp42" + b"\x00" * 100
    for _ in range(2):
        asyncio.run(chat_app.store_video(_chunks(video), tmp_path, 10_000, "wa-busy"))
    fetched: list[bytes] = []

    async def download():
        fetched.append(b"started")
        yield video

    with pytest.raises(upload_store.UploadRejected) as rejected:
        asyncio.run(chat_app.store_video(download(), tmp_path, 10_000, "wa-busy"))

    assert (rejected.value.status, rejected.value.error) == (429, "conversation_limit")
    assert fetched == []  # the app's file was not even downloaded
    said = chat_app.rejection_text(chat_app.channel_texts(), rejected.value, 10_000)
    assert said == rejected.value.message
    assert "already sent me 2 videos in the last 24 hours" in said
    assert len(list(tmp_path.glob("*.mp4"))) == 2
    asyncio.run(chat_app.store_video(_chunks(video), tmp_path, 10_000, "wa-other"))


def test_a_video_that_is_not_kept_does_not_count(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONVERSATION_MAX_UPLOADS", "1")
    with pytest.raises(upload_store.UploadRejected):
        asyncio.run(chat_app.store_video(_chunks(b"notes " * 50), tmp_path, 10_000, "te-x"))
    video = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00isommp42" + b"\x00" * 100
    asyncio.run(chat_app.store_video(_chunks(video), tmp_path, 10_000, "te-x"))


def test_an_id_delivered_twice_is_seen_once() -> None:
    seen = chat_app.SeenIds(capacity=2)
    assert seen.first_time(1) and not seen.first_time(1)
    assert seen.first_time("wamid.A") and not seen.first_time("wamid.A")
    assert seen.first_time(3) and seen.first_time(1)  # 1 was forgotten
    assert seen.first_time(None) and seen.first_time(None)


async def _chunks(data: bytes, size: int = 65_536):
    for start in range(0, len(data), size):
        yield data[start:start + size]


def test_a_fetched_video_is_stored_with_a_sidecar_for_its_conversation(tmp_path: Path) -> None:
    if not CLIP.is_file():
        pytest.skip(f"shared test footage not found at {TESTDATA}")
    data = CLIP.read_bytes()
    video = asyncio.run(chat_app.store_video(_chunks(data), tmp_path, len(data), "te-conv"))
    assert video.path.read_bytes() == data and video.container == "mp4"
    assert '"conversation_id": "te-conv"' in video.sidecar.read_text()
    assert chat_app.share_video_text(video.video_id) == (
        f'/share_video{{"video_id": "{video.video_id}"}}')


@pytest.mark.parametrize("data, limit, error", [
    (b"x" * 100, 50, "too_large"), (b"these are notes, not a video" * 20, 10_000, "not_a_video")])
def test_a_file_that_cannot_be_stored_leaves_nothing(tmp_path: Path, data: bytes, limit: int,
                                                      error: str) -> None:
    with pytest.raises(upload_store.UploadRejected) as rejected:
        asyncio.run(chat_app.store_video(_chunks(data, 16), tmp_path / "up", limit, "te-conv"))
    assert rejected.value.error == error
    assert list((tmp_path / "up").glob("*")) == []
    texts = chat_app.channel_texts()
    told = chat_app.rejection_text(texts, rejected.value, 20_000_000)
    assert told == (texts.video_too_big.format(limit_mb="20") if error == "too_large"
                    else texts.video_not_video)
