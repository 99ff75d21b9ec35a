"""What the loopback API stand-ins share: the server, call recording and body parsing.

``StandInServer`` runs a ``ThreadingHTTPServer`` on 127.0.0.1 (a free port) in a daemon
thread, is a context manager (``with Sub(...) as api:`` starts and closes it) and records
calls thread-safely: ``calls``, ``calls_to(name)``, ``wait_for(predicate, timeout_s)``,
``clear()``, plus the ``downloads`` it served. A subclass says what a call is (its own frozen
``Call`` dataclass) through ``_is_call_to`` and ``_describe``, and answers requests in a
``StandInHandler`` subclass, which reads bodies (Content-Length or chunked) and writes JSON,
bytes or streamed files. ``parse_body`` splits JSON, multipart/form-data and url-encoded
bodies. Used by ``tests/telegram_standin.py``, ``tests/whatsapp_standin.py`` and
``tests/chatwoot_standin.py``.
Standard library only: it is imported from both virtualenvs.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qsl

DOWNLOAD_CHUNK_BYTES = 64 * 1024

CallT = TypeVar("CallT")
StandInT = TypeVar("StandInT", bound="StandInServer[Any]")


# ---------------------------------------------------------------------------- bodies


@dataclass
class UploadedFile:
    """A file part of a multipart/form-data body."""

    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


@dataclass
class Body:
    """A parsed request body: text (or JSON) ``fields`` and uploaded ``files`` by name.

    ``file_parts`` keeps every file part in order with its field name, also repeated names
    (``attachments[]``), of which ``files`` holds the last.
    """

    fields: dict[str, Any] = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)
    file_parts: list[tuple[str, UploadedFile]] = field(default_factory=list)


def media_type(content_type: str) -> str:
    """``multipart/form-data`` of ``multipart/form-data; boundary=...`` (lower case)."""
    return content_type.split(";", 1)[0].strip().lower()


def parse_multipart(content_type: str, body: bytes) -> Body:
    """Split a multipart/form-data body into text fields and uploaded files."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    parsed = Body()
    if not message.is_multipart():
        return parsed
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        content = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is None:
            parsed.fields[name] = content.decode(part.get_content_charset() or "utf-8")
        else:
            parsed.files[name] = UploadedFile(filename, content, part.get_content_type())
            parsed.file_parts.append((name, parsed.files[name]))
    return parsed


def parse_urlencoded(body: bytes, repeatable: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Form fields; names in ``repeatable`` always map to a list of their values."""
    fields: dict[str, Any] = {}
    for name, value in parse_qsl(body.decode(), keep_blank_values=True):
        if name in repeatable:
            fields.setdefault(name, []).append(value)
        else:
            fields[name] = value
    return fields


def parse_body(
    content_type: str, body: bytes, json_fields: Callable[[bytes], dict[str, Any]]
) -> Body:
    """A JSON (decoded by ``json_fields``), multipart or url-encoded body; empty: ``Body()``."""
    if not body:
        return Body()
    kind = media_type(content_type)
    if kind == "application/json":
        return Body(fields=json_fields(body))
    if kind == "multipart/form-data":
        return parse_multipart(content_type, body)
    return Body(fields=parse_urlencoded(body))


def source_size(source: Path | bytes) -> int:
    return len(source) if isinstance(source, bytes) else source.stat().st_size


def source_chunks(source: Path | bytes) -> Iterator[bytes]:
    """The bytes of ``source`` (in memory or a file) in download-sized chunks."""
    if isinstance(source, bytes):
        for start in range(0, len(source), DOWNLOAD_CHUNK_BYTES):
            yield source[start : start + DOWNLOAD_CHUNK_BYTES]
        return
    with source.open("rb") as stream:
        while chunk := stream.read(DOWNLOAD_CHUNK_BYTES):
            yield chunk


# ---------------------------------------------------------------------------- the server


class StandInServer(Generic[CallT]):
    """A loopback HTTP server in a daemon thread that records the calls it answers.

    Args:
        handler: The ``StandInHandler`` subclass answering requests; each server gets its
            own subclass of it whose ``standin`` is this object.
    """

    thread_name = "standin"
    call_noun = "call"

    def __init__(self, handler: type[StandInHandler]) -> None:
        self._lock = threading.Lock()
        self._calls: list[CallT] = []
        self._downloads: list[str] = []
        bound = type("Handler", (handler,), {"standin": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), bound)
        self._thread: threading.Thread | None = None

    # -- life cycle

    @property
    def root(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self: StandInT) -> StandInT:
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name=self.thread_name, daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self: StandInT) -> StandInT:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- recording

    @property
    def calls(self) -> list[CallT]:
        """A snapshot of every call so far, oldest first (rejected ones have ``ok=False``)."""
        with self._lock:
            return list(self._calls)

    @property
    def downloads(self) -> list[str]:
        """What was downloaded, oldest first (see the stand-in for what names a download)."""
        with self._lock:
            return list(self._downloads)

    def calls_to(self, name: str) -> list[CallT]:
        """The recorded calls to ``name`` (a method or a route; see ``_is_call_to``)."""
        return [call for call in self.calls if self._is_call_to(call, name)]

    def wait_for(self, predicate: Callable[[CallT], bool], timeout_s: float = 5.0) -> CallT:
        """Poll until a recorded call matches ``predicate``; AssertionError lists the calls."""
        deadline = time.monotonic() + timeout_s
        while True:
            for call in self.calls:
                if predicate(call):
                    return call
            if time.monotonic() >= deadline:
                break
            time.sleep(0.02)
        seen = "\n".join(f"  {self._describe(call)}" for call in self.calls) or "  (none)"
        raise AssertionError(
            f"no matching {self.call_noun} within {timeout_s} s; calls seen:\n{seen}"
        )

    def clear(self) -> None:
        """Forget recorded calls and downloads (what the stand-in serves stays)."""
        with self._lock:
            self._calls.clear()
            self._downloads.clear()

    def _record(self, call: CallT) -> None:
        with self._lock:
            self._calls.append(call)

    def _note_download(self, what: str) -> None:
        with self._lock:
            self._downloads.append(what)

    def _is_call_to(self, call: CallT, name: str) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError

    def _describe(self, call: CallT) -> str:  # pragma: no cover - overridden
        raise NotImplementedError


# ---------------------------------------------------------------------------- HTTP


class StandInHandler(BaseHTTPRequestHandler):
    """Reads request bodies and writes answers; subclasses implement ``_dispatch``."""

    protocol_version = "HTTP/1.1"
    timeout = 30
    standin: Any

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the recorded calls are the log."""

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return b"".join(self._chunks())
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _chunks(self) -> Iterator[bytes]:
        while True:
            size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return
            yield self.rfile.read(size)
            self.rfile.readline()

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self._send_bytes(status, {"Content-Type": "application/json", **(headers or {})}, data)

    def _send_bytes(self, status: int, headers: dict[str, str], data: bytes) -> None:
        self._send_stream(status, headers, len(data), iter((data,)))

    def _send_stream(
        self, status: int, headers: dict[str, str], size: int, chunks: Iterator[bytes]
    ) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        for chunk in chunks:
            self.wfile.write(chunk)
