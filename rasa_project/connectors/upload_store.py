"""Receive one streamed multipart video upload into the media store (no Rasa imports).

The body is parsed incrementally and written to a temp file in ``MEDIA_DIR/uploads``
while its size is checked, its SHA-256 computed and its first bytes sniffed; nothing but
one chunk and a small header buffer is held in memory. On success the file is renamed to
``<video_id>.<ext>`` and a sidecar ``<video_id>.json`` is written next to it (see
``docs/video_flow.md``). On any failure the temp file is removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from connectors.multipart import (
    MultipartError,
    MultipartParser,
    PartData,
    PartEnd,
    PartStart,
)
from connectors.video_sniff import SNIFF_BYTES, sniff_container

from kneeapp import settings

FILE_FIELD = "video"
TEMP_PREFIX = ".upload-"
STALE_TEMP_AGE_S = 2 * 3600  # longer than Rasa's default response timeout (1 h)
MULTIPART_OVERHEAD_BYTES = 64 * 1024  # headers, boundaries and small extra fields


class UploadRejected(Exception):
    """The upload cannot be accepted; carries the HTTP answer.

    Args:
        status: HTTP status code.
        error: machine-readable code from the contract (``too_large``, ...).
        message: a sentence for the runner.
    """

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.message = message


def bad_request(message: str) -> UploadRejected:
    """Rejection for a malformed request (400)."""
    return UploadRejected(400, "bad_request", message)


def too_large(max_bytes: int) -> UploadRejected:
    """Rejection for a video over the size limit (413)."""
    return UploadRejected(
        413,
        "too_large",
        f"That video is too big. Please send a clip of up to {settings.megabytes(max_bytes)} MB "
        "(10 to 20 seconds is plenty).",
    )


def not_a_video() -> UploadRejected:
    """Rejection for content that is not an MP4, MOV or WebM video (415)."""
    return UploadRejected(
        415,
        "not_a_video",
        "That file doesn't look like a video I can use. Please send an MP4, MOV or "
        "WebM clip straight from your phone's camera.",
    )


@dataclass
class StoredVideo:
    """A video saved in the media store."""

    video_id: str
    path: Path
    sidecar: Path
    sha256: str
    size_bytes: int
    container: str


@dataclass
class _Sink:
    """Receives the ``video`` part's bytes into a temp file."""

    uploads_dir: Path
    max_bytes: int
    size: int = 0
    head: bytearray = field(default_factory=bytearray)
    container: str | None = None
    temp_path: Path | None = None
    done: bool = False
    _file: BinaryIO | None = None
    _hash: Any = field(default_factory=hashlib.sha256)

    def open(self) -> None:
        if self.temp_path is not None:
            raise bad_request(f"Send exactly one '{FILE_FIELD}' file.")
        self.uploads_dir.mkdir(parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(dir=self.uploads_dir, prefix=TEMP_PREFIX)
        self.temp_path = Path(name)
        self._file = os.fdopen(descriptor, "wb")

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.max_bytes:
            raise too_large(self.max_bytes)
        if len(self.head) < SNIFF_BYTES:
            self.head += data[: SNIFF_BYTES - len(self.head)]
            if len(self.head) >= SNIFF_BYTES:
                self._sniff()
        self._hash.update(data)
        assert self._file is not None
        self._file.write(data)

    def finish(self) -> None:
        self.close()
        if self.size == 0:
            raise bad_request("The video file was empty.")
        if self.container is None:
            self._sniff()
        self.done = True

    def _sniff(self) -> None:
        self.container = sniff_container(bytes(self.head))
        if self.container is None:
            raise not_a_video()

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def discard(self) -> None:
        self.close()
        if self.temp_path is not None:
            self.temp_path.unlink(missing_ok=True)


def _handle(sink: _Sink, event: object, in_video: bool) -> bool:
    """Applies one parser event; returns whether the ``video`` part is open."""
    if isinstance(event, PartStart):
        if event.name == FILE_FIELD:
            sink.open()
            return True
        return False
    if isinstance(event, PartData):
        if in_video:
            sink.write(event.data)
        return in_video
    if isinstance(event, PartEnd) and in_video:
        sink.finish()
    return False


async def _consume(
    chunks: AsyncIterator[bytes], parser: MultipartParser, sink: _Sink, body_limit: int
) -> None:
    received, in_video = 0, False
    async for chunk in chunks:
        received += len(chunk)
        if received > body_limit:
            raise too_large(sink.max_bytes)
        for event in parser.feed(chunk):
            in_video = _handle(sink, event, in_video)
        if parser.finished:
            break


async def receive(
    chunks: AsyncIterator[bytes], boundary: bytes, uploads_dir: Path, max_bytes: int
) -> _Sink:
    """Streams a multipart body into a temp file in ``uploads_dir``.

    Args:
        chunks: the request body, chunk by chunk.
        boundary: multipart boundary from the Content-Type header.
        uploads_dir: ``MEDIA_DIR/uploads``.
        max_bytes: largest accepted video, in bytes.

    Returns:
        The finished sink (temp file closed, container known).

    Raises:
        UploadRejected: on a malformed, empty, oversized or non-video upload; the temp
            file is removed first.
    """
    sink = _Sink(uploads_dir, max_bytes)
    parser = MultipartParser(boundary)
    try:
        await _consume(chunks, parser, sink, max_bytes + MULTIPART_OVERHEAD_BYTES)
        parser.close()
        if not sink.done:
            raise bad_request(f"No '{FILE_FIELD}' file in the upload.")
    except MultipartError as error:
        sink.discard()
        raise bad_request("The upload was not a well-formed form.") from error
    except BaseException:
        sink.discard()
        raise
    return sink


async def receive_stream(
    chunks: AsyncIterator[bytes], uploads_dir: Path, max_bytes: int
) -> _Sink:
    """Streams a video's raw bytes (not a form: e.g. a file fetched from a messaging app)
    into a temp file in ``uploads_dir``, with the same checks as :func:`receive`.

    Raises:
        UploadRejected: on an empty, oversized or non-video file; the temp file is removed.
    """
    sink = _Sink(uploads_dir, max_bytes)
    sink.open()
    try:
        async for chunk in chunks:
            sink.write(chunk)
        sink.finish()
    except BaseException:
        sink.discard()
        raise
    return sink


def _write_json_atomically(path: Path, document: dict) -> None:
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(json.dumps(document, indent=2), encoding="utf-8")
    os.replace(temp, path)


def store(sink: _Sink, conversation_id: str, now: float | None = None) -> StoredVideo:
    """Moves a received upload to ``<video_id>.<ext>`` and writes its sidecar JSON.

    The sidecar is written last, so a reader that finds it also finds the video.
    """
    assert sink.temp_path is not None and sink.container is not None
    video_id = secrets.token_hex(16)
    path = sink.uploads_dir / f"{video_id}.{sink.container}"
    sidecar = sink.uploads_dir / f"{video_id}.json"
    os.replace(sink.temp_path, path)
    os.chmod(path, 0o640)
    document = {
        "video_id": video_id,
        "conversation_id": conversation_id,
        "sha256": sink.sha256,
        "size_bytes": sink.size,
        "container": sink.container,
        "received_at": round(time.time() if now is None else now, 3),
    }
    try:
        _write_json_atomically(sidecar, document)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return StoredVideo(video_id, path, sidecar, sink.sha256, sink.size, sink.container)


def remove(video: StoredVideo) -> None:
    """Deletes a stored video and its sidecar (when it could not be handed over)."""
    video.sidecar.unlink(missing_ok=True)
    video.path.unlink(missing_ok=True)


def remove_stale_temp_files(
    uploads_dir: Path, older_than_s: float = STALE_TEMP_AGE_S, now: float | None = None
) -> int:
    """Deletes partial uploads left behind by a crash; returns how many were removed."""
    if not uploads_dir.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - older_than_s
    removed = 0
    for path in uploads_dir.glob(f"{TEMP_PREFIX}*"):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed
