"""Rasa input channel for video uploads from the web widget (see ``docs/video_flow.md``).

Routes (mounted under ``/webhooks/video``):

- ``POST /webhooks/video/upload`` — header ``X-Upload-Token``, multipart body with one
  file field ``video``. Streams the file into ``MEDIA_DIR/uploads``, then injects
  ``/share_video{"video_id": "<id>"}`` into the token's conversation and answers with the
  bot's replies.
- ``GET /webhooks/video/media/<job_id>/<filename>`` — read-only analysis results from
  ``MEDIA_DIR/results/<job_id>/``, served ``Cache-Control: private, no-store`` (pictures
  of a runner's body: no shared or disk cache keeps them). Job ids are 128-bit random and
  nothing lists a folder: any other path is a 404.

An upload link accepts ``UPLOAD_TOKEN_MAX_USES`` videos and a conversation
``CONVERSATION_MAX_UPLOADS`` within ``CONVERSATION_UPLOAD_WINDOW_S``: the next one is refused
with 429 (``token_used_up`` / ``conversation_limit``) before its bytes are read.

CORS is not handled here: Rasa wraps the whole Sanic app (channel blueprints included)
with ``sanic_cors`` using its ``--cors`` option, which also answers preflight requests.

Never logged: tokens, file names, message texts, conversation ids.
"""

from __future__ import annotations

import logging
import os
from collections import ChainMap
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from connectors import chat_app, upload_store, upload_token
from connectors.multipart import MultipartError, boundary_from_content_type
from connectors.result_files import MEDIA_TYPES, result_file
from connectors.upload_store import UploadRejected
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.exceptions import ContentRangeError, HeaderNotFound
from sanic.handlers import ContentRangeHandler
from sanic.request import Request
from sanic.response import HTTPResponse

from kneeapp import settings

logger = logging.getLogger(__name__)

TOKEN_HEADER = "X-Upload-Token"
TOKEN_MESSAGES = {
    "token_invalid": "This upload link isn't valid. Please ask me again for a new "
    "upload link in the chat.",
    "token_expired": "This upload link has expired. Please ask me again in the chat and "
    "I'll give you a fresh one.",
}


def _error(status: int, error: str, message: str) -> HTTPResponse:
    return response.json({"error": error, "message": message}, status=status)


def _conversation_from_token(request: Request, secret: bytes) -> str:
    """Returns the token's conversation or raises a 401 ``UploadRejected``."""
    try:
        return upload_token.verify(request.headers.get(TOKEN_HEADER, ""), secret)
    except upload_token.TokenExpired as error:
        raise UploadRejected(401, "token_expired", TOKEN_MESSAGES["token_expired"]) from error
    except upload_token.TokenError as error:
        raise UploadRejected(401, "token_invalid", TOKEN_MESSAGES["token_invalid"]) from error


def _check_declared_length(request: Request, max_bytes: int) -> None:
    declared = request.headers.get("content-length")
    if declared is None:
        return
    if not declared.isdigit():
        raise upload_store.bad_request("Invalid Content-Length.")
    if int(declared) > max_bytes + upload_store.MULTIPART_OVERHEAD_BYTES:
        raise upload_store.too_large(max_bytes)


def _boundary(request: Request) -> bytes:
    try:
        return boundary_from_content_type(request.headers.get("content-type"))
    except MultipartError as error:
        raise upload_store.bad_request("Send the video as multipart/form-data.") from error


async def _conversation_channel(request: Request, conversation_id: str) -> str | None:
    """Name of the channel the conversation last spoke through (e.g. ``socketio``).

    The injected message is recorded under that channel so that the worker's later
    ``trigger_intent?output_channel=latest`` still pushes to the runner's browser: were it
    recorded as ``video_upload``, Rasa would look for this channel's output (there is none)
    and the analysis result would never be shown.
    """
    agent = getattr(request.app.ctx, "agent", None)
    tracker_store = getattr(agent, "tracker_store", None)
    if tracker_store is None:
        return None
    try:
        tracker = await tracker_store.retrieve(conversation_id)
    except Exception:
        logger.warning("Could not read the conversation's latest channel", exc_info=True)
        return None
    return tracker.get_latest_input_channel() if tracker else None


async def _body_chunks(request: Request) -> AsyncIterator[bytes]:
    while True:
        chunk = await request.stream.read()
        if chunk is None:
            return
        yield chunk


class VideoUploadInput(InputChannel):
    """Receives videos over HTTP and hands them to the conversation named by a token.

    Args:
        max_bytes: largest accepted video in bytes.
        media_dir: media store root (``uploads/`` and ``results/`` below it).
        secret: upload token secret; read with ``upload_token.secret_from_env`` if None.
    """

    @classmethod
    def name(cls) -> str:
        """Channel name, as recorded in the trackers."""
        return "video_upload"

    def url_prefix(self) -> str:
        """Mounts the routes under ``/webhooks/video``."""
        return "video"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Reads ``max_bytes`` and ``media_dir``; ``UPLOAD_MAX_BYTES`` / ``MEDIA_DIR`` win."""
        credentials = credentials or {}
        configured = {"UPLOAD_MAX_BYTES": str(credentials.get("max_bytes") or ""),
                      "MEDIA_DIR": str(credentials.get("media_dir") or "")}
        config = settings.current(ChainMap(dict(os.environ), configured))
        return cls(max_bytes=config.upload_max_bytes, media_dir=config.media_dir)

    def __init__(
        self,
        max_bytes: int = settings.DEFAULTS.upload_max_bytes,
        media_dir: Path = settings.DEFAULTS.media_dir,
        secret: bytes | None = None,
    ) -> None:
        """Creates the channel (the secret is resolved now so a bad set-up fails fast)."""
        self.max_bytes = max_bytes
        self.media_dir = Path(media_dir).resolve()
        self.secret = secret if secret is not None else upload_token.secret_from_env()

    @property
    def uploads_dir(self) -> Path:
        """Where raw uploads and their sidecars go."""
        return self.media_dir / "uploads"

    @property
    def results_dir(self) -> Path:
        """Where analysis results are read from."""
        return self.media_dir / "results"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Creates the Sanic blueprint with the upload and media routes."""
        blueprint = Blueprint("video_upload_webhook", __name__)
        removed = upload_store.remove_stale_temp_files(self.uploads_dir)
        if removed:
            logger.info("Removed %d stale partial uploads", removed)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/upload", methods=["POST"], stream=True)
        async def upload(request: Request) -> HTTPResponse:
            try:
                return await self._upload(request, on_new_message)
            except UploadRejected as rejected:
                logger.info("Video upload rejected: %s", rejected.error)
                return _error(rejected.status, rejected.error, rejected.message)

        @blueprint.route("/media/<job_id>/<filename>", methods=["GET", "HEAD"])
        async def media(request: Request, job_id: str, filename: str) -> HTTPResponse:
            return await self._media(request, job_id, filename)

        return blueprint

    async def _upload(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        conversation_id = _conversation_from_token(request, self.secret)
        _check_declared_length(request, self.max_bytes)
        boundary = _boundary(request)
        reservation = await chat_app.reserve_upload(
            conversation_id, request.headers.get(TOKEN_HEADER, ""))
        try:
            sink = await upload_store.receive(
                _body_chunks(request), boundary, self.uploads_dir, self.max_bytes
            )
            video = upload_store.store(sink, conversation_id)
        except BaseException:
            await chat_app.release_upload(reservation)
            raise
        logger.info(
            "Video stored: id=%s container=%s bytes=%d",
            video.video_id,
            video.container,
            video.size_bytes,
        )
        collector = CollectingOutputChannel()
        channel = await _conversation_channel(request, conversation_id)
        message = UserMessage(
            f'/share_video{{"video_id": "{video.video_id}"}}',
            collector,
            sender_id=conversation_id,
            input_channel=channel or self.name(),
            metadata={"source": self.name(), "video_id": video.video_id},
        )
        try:
            await on_new_message(message)
        except Exception:
            logger.exception("Handing video %s to the conversation failed", video.video_id)
            upload_store.remove(video)
            await chat_app.release_upload(reservation)
            return _error(500, "server_error", "Sorry, something went wrong. Please try again.")
        return response.json({"video_id": video.video_id, "messages": collector.messages})

    async def _media(self, request: Request, job_id: str, filename: str) -> HTTPResponse:
        path = result_file(self.results_dir, job_id, filename)
        if path is None:
            return _error(404, "not_found", "Not found.")
        headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"}
        mime_type = MEDIA_TYPES[path.suffix[1:].lower()]
        try:
            content_range = ContentRangeHandler(request, os.stat(path))
            headers.update(content_range.headers)
        except HeaderNotFound:
            content_range = None
        except ContentRangeError:
            return _error(416, "bad_range", "Requested range not satisfiable.")
        return await response.file_stream(
            path,
            status=206 if content_range else 200,
            chunk_size=64 * 1024,
            mime_type=mime_type,
            headers=headers,
            _range=content_range,
        )
