"""What every messaging-app channel (Telegram, WhatsApp) does the same way.

- A video fetched from the app goes into the media store through the web upload's own
  checks (sniffing, size limit, SHA-256, sidecar) and reaches the conversation as the same
  ``/share_video`` message the web upload sends.
- An update or message delivered twice is handled once (:class:`SeenIds`).
- Work triggered by a webhook runs in the background, so the app gets its 200 at once
  (:class:`BackgroundTasks`).
- What the bot says about the app itself comes from ``data/channels.yml``.
- The clinic summary goes to the runner as the clinician PDF (:func:`summary_document`).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Hashable
from pathlib import Path
from typing import Any

import httpx
from connectors import upload_store
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage

from content_schema import load
from content_schema.schemas import ChannelsFile
from kneeapp import settings
from kneeapp.clinic.pictures import summary_pictures
from kneeapp.clinic.summary_pdf import render_pdf
from kneeapp.store import upload_quota

logger = logging.getLogger(__name__)

CHANNELS_TEXTS = Path(__file__).resolve().parents[2] / "data" / "channels.yml"
#: The clinic summary as a file in a messaging app: the clinician PDF.
SUMMARY_FILENAME = "knee-summary.pdf"
SUMMARY_MEDIA_TYPE = "application/pdf"
DOWNLOAD_CHUNK_BYTES = 256 * 1024
OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def channel_texts() -> ChannelsFile:
    """``data/channels.yml``, checked against its schema."""
    return load(CHANNELS_TEXTS, ChannelsFile)


def share_video_text(video_id: str) -> str:
    """The message that hands a stored video to the conversation (as the web upload does)."""
    return f'/share_video{{"video_id": "{video_id}"}}'


async def summary_document(summary: dict[str, Any], results_dir: Path) -> bytes:
    """The clinic summary as the PDF a messaging app sends as a file: the clinician summary
    with the analysis's key pictures and the clinic's name, made off the event loop.

    Args:
        summary: The clinic summary (``{"triage": {...}}``, docs/clinic_summary.md).
        results_dir: ``MEDIA_DIR/results``, where the pictures it names are.
    """
    video = summary.get("triage", {}).get("video")
    pictures = summary_pictures(video, results_dir)
    return await asyncio.to_thread(render_pdf, summary, pictures,
                                   clinic_name=settings.current().clinic_name)


async def download(url: str, **request: Any) -> AsyncIterator[bytes]:
    """The bytes at ``url``, chunk by chunk (never the whole file in memory).

    Args:
        url: Where the app serves the file.
        **request: ``headers`` or ``auth`` the app requires.
    """
    async with httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=10.0),
                                 follow_redirects=True) as client, \
            client.stream("GET", url, **request) as answer:
        answer.raise_for_status()
        async for chunk in answer.aiter_bytes(DOWNLOAD_CHUNK_BYTES):
            yield chunk


def upload_limit_text(texts: ChannelsFile, reason: str) -> str:
    """Why a video over a bound was refused (``token_used_up`` or ``conversation_limit``)."""
    config = settings.current()
    template = getattr(texts.upload_limits, reason)
    return template.format(max_uses=str(config.upload_token_max_uses),
                           max_uploads=str(config.conversation_max_uploads),
                           window_hours=f"{config.conversation_upload_window_s / 3600:g}")


async def reserve_upload(conversation_id: str, token: str | None = None) -> int:
    """Counts one video against the upload bounds (:mod:`kneeapp.store.upload_quota`).

    Returns:
        The reservation, to give back with :func:`release_upload` if the video is not kept.

    Raises:
        upload_store.UploadRejected: 429 ``token_used_up`` or ``conversation_limit``, with
            the runner's sentence from ``data/channels.yml``.
    """
    try:
        return await asyncio.to_thread(upload_quota.reserve, conversation_id, token)
    except upload_quota.QuotaExceeded as exceeded:
        raise upload_store.UploadRejected(
            429, exceeded.reason, upload_limit_text(channel_texts(), exceeded.reason)
        ) from exceeded


async def release_upload(reservation: int) -> None:
    """Gives back a reservation of :func:`reserve_upload` (the video was not kept)."""
    await asyncio.to_thread(upload_quota.release, reservation)


async def store_video(chunks: AsyncIterator[bytes], uploads_dir: Path, limit_bytes: int,
                      conversation_id: str) -> upload_store.StoredVideo:
    """Streams a video into the media store for ``conversation_id``, counted against
    ``CONVERSATION_MAX_UPLOADS`` before the first byte is fetched.

    Raises:
        upload_store.UploadRejected: over the conversation's bound (``conversation_limit``),
            too large (``too_large``), empty or not a video.
    """
    reservation = await reserve_upload(conversation_id)
    try:
        sink = await upload_store.receive_stream(chunks, uploads_dir, limit_bytes)
        video = upload_store.store(sink, conversation_id)
    except BaseException:
        await release_upload(reservation)
        raise
    logger.info("Video stored from a messaging app: id=%s container=%s bytes=%d",
                video.video_id, video.container, video.size_bytes)
    return video


def rejection_text(texts: ChannelsFile, rejected: upload_store.UploadRejected,
                   limit_bytes: int) -> str:
    """What the runner reads when a fetched file could not be stored."""
    if rejected.error == "too_large":
        return too_big_text(texts, limit_bytes)
    if rejected.status == 429:
        return rejected.message
    return texts.video_not_video


def too_big_text(texts: ChannelsFile, limit_bytes: int) -> str:
    """The video is over what the channel may fetch."""
    return texts.video_too_big.format(limit_mb=str(settings.megabytes(limit_bytes)))


async def hand_over(on_new_message: OnNewMessage, output: OutputChannel | None,
                    conversation_id: str, text: str, channel: str,
                    metadata: dict[str, Any] | None = None) -> None:
    """Passes one message of the runner to Rasa, answering through ``output``."""
    await on_new_message(UserMessage(text, output, sender_id=conversation_id,
                                     input_channel=channel, metadata=metadata))


class ChatAppInput(InputChannel):
    """A messaging app's input channel: configured by the settings alone (credentials.yml
    holds none, docs/settings.md), with its output channel built once, so that the worker's
    ``trigger_intent?output_channel=latest`` reaches the app without side effects."""

    #: The channel's name in the trackers, and its webhook's URL prefix.
    CHANNEL = ""
    output: OutputChannel | None = None

    def _set_up_intake(self, config: settings.Settings) -> None:
        """What every app's channel keeps: where videos go and how big, its texts, the ids
        it has seen and its background work."""
        self.download_limit = config.in_app_video_limit_bytes(self.CHANNEL) or 0
        self.uploads_dir = config.media_dir / "uploads"
        self.texts = channel_texts()
        self.seen = SeenIds()
        self.background = BackgroundTasks()

    @classmethod
    def name(cls) -> str:
        """Channel name, as recorded in the trackers; also the webhook's URL prefix."""
        return cls.CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Reads the settings."""
        return cls(settings.current())  # type: ignore[call-arg]

    def get_output_channel(self) -> OutputChannel | None:
        """The output built at start (None while the channel is not configured)."""
        return self.output


class SeenIds:
    """The most recent update or message ids, so that one delivered twice is handled once."""

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._ids: OrderedDict[Hashable, None] = OrderedDict()

    def first_time(self, item_id: Hashable | None) -> bool:
        """True the first time an id is seen (and for deliveries without an id)."""
        if item_id is None:
            return True
        if item_id in self._ids:
            return False
        self._ids[item_id] = None
        while len(self._ids) > self.capacity:
            self._ids.popitem(last=False)
        return True


class BackgroundTasks:
    """Runs webhook work after the answer is sent, keeping each task alive until it ends."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, work: Coroutine[Any, Any, None], label: str) -> None:
        """Schedules ``work``; a failure is logged with ``label`` (no message text)."""
        task = asyncio.create_task(self._logged(work, label))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _logged(work: Coroutine[Any, Any, None], label: str) -> None:
        try:
            await work
        except Exception:
            logger.exception("%s could not be handled", label)
