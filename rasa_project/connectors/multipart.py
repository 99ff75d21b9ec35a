"""A small incremental ``multipart/form-data`` parser (RFC 7578 / RFC 2046), stdlib only.

Feed it the request body chunk by chunk; it returns events and never holds more than one
chunk plus a boundary's length of body, or one part's header block (capped), in memory.

Why a parser of our own: Sanic (Rasa 3.6's web server) parses a form only after it has read
the whole body into memory, which for a 200 MB video would cost 200 MB per concurrent
upload; streaming the parts to disk as they arrive keeps the connector's memory flat. Rasa's
pinned environment ships no streaming multipart parser (python-multipart is not among its
dependencies), so this one stays small and is tested on its own.

Limitations: no ``Content-Transfer-Encoding`` handling (browsers do not use it), nested
multipart parts are passed through as opaque data, and header values are decoded as UTF-8
with replacement (RFC 7578 allows raw UTF-8 file names).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from email.message import Message

MAX_HEADER_BYTES = 16 * 1024
_BOUNDARY_RE = re.compile(r"^[0-9A-Za-z'()+_,./:=? -]{0,69}[0-9A-Za-z'()+_,./:=?-]$")


class MultipartError(ValueError):
    """The body is not well-formed multipart/form-data."""


@dataclass
class PartStart:
    """A part begins; its headers are complete."""

    headers: dict[str, str]
    name: str | None = None
    filename: str | None = None


@dataclass
class PartData:
    """A piece of the current part's content."""

    data: bytes


@dataclass
class PartEnd:
    """The current part is complete."""


@dataclass
class BodyEnd:
    """The closing delimiter was read; the rest of the body is an epilogue."""


Event = PartStart | PartData | PartEnd | BodyEnd


def boundary_from_content_type(content_type: str | None) -> bytes:
    """Extracts the boundary of a ``multipart/form-data`` Content-Type header value.

    Raises:
        MultipartError: if the type is not multipart/form-data or the boundary is invalid.
    """
    message = Message()
    message["content-type"] = content_type or ""
    if message.get_content_type() != "multipart/form-data":
        raise MultipartError("not multipart/form-data")
    boundary = message.get_param("boundary")
    if not isinstance(boundary, str) or not _BOUNDARY_RE.match(boundary):
        raise MultipartError("missing or invalid boundary")
    return boundary.encode("ascii")


def _parse_headers(block: bytes) -> PartStart:
    headers: dict[str, str] = {}
    for line in block.decode("utf-8", "replace").split("\r\n"):
        if not line:
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            raise MultipartError("malformed part header")
        headers[name.strip().lower()] = value.strip()
    disposition = Message()
    disposition["content-disposition"] = headers.get("content-disposition", "")
    field_name = disposition.get_param("name", header="content-disposition")
    filename = disposition.get_param("filename", header="content-disposition")
    return PartStart(
        headers=headers,
        name=field_name if isinstance(field_name, str) else None,
        filename=filename if isinstance(filename, str) else None,
    )


class _State(enum.Enum):
    PREAMBLE = enum.auto()
    AFTER_DELIMITER = enum.auto()
    HEADERS = enum.auto()
    BODY = enum.auto()
    EPILOGUE = enum.auto()


@dataclass
class MultipartParser:
    """Incremental parser: ``feed`` chunks, then ``close``.

    Args:
        boundary: the boundary from the Content-Type header (without leading dashes).
    """

    boundary: bytes
    _buffer: bytearray = field(default_factory=bytearray)
    _state: _State = _State.PREAMBLE

    def __post_init__(self) -> None:
        self._first = b"--" + self.boundary
        self._delimiter = b"\r\n--" + self.boundary

    @property
    def finished(self) -> bool:
        """Whether the closing delimiter has been read."""
        return self._state is _State.EPILOGUE

    def feed(self, chunk: bytes) -> list[Event]:
        """Parses one more chunk of the body.

        Returns:
            The events completed by this chunk, in order.

        Raises:
            MultipartError: on malformed input.
        """
        if self._state is _State.EPILOGUE:
            return []
        self._buffer += chunk
        events: list[Event] = []
        while True:
            progressed = self._step(events)
            if not progressed:
                return events

    def close(self) -> None:
        """Checks that the body ended with the closing delimiter.

        Raises:
            MultipartError: if the body was truncated.
        """
        if self._state is not _State.EPILOGUE:
            raise MultipartError("body ended before the closing boundary")

    def _step(self, events: list[Event]) -> bool:
        handler = {
            _State.PREAMBLE: self._preamble,
            _State.AFTER_DELIMITER: self._after_delimiter,
            _State.HEADERS: self._headers,
            _State.BODY: self._body,
            _State.EPILOGUE: lambda _events: False,
        }[self._state]
        return handler(events)

    def _preamble(self, _events: list[Event]) -> bool:
        if self._buffer.startswith(self._first):
            del self._buffer[: len(self._first)]
            self._state = _State.AFTER_DELIMITER
            return True
        index = self._buffer.find(self._delimiter)
        if index >= 0:
            del self._buffer[: index + len(self._delimiter)]
            self._state = _State.AFTER_DELIMITER
            return True
        if len(self._buffer) > MAX_HEADER_BYTES:
            raise MultipartError("no boundary found")
        return False

    def _after_delimiter(self, events: list[Event]) -> bool:
        if len(self._buffer) < 2:
            return False
        if self._buffer.startswith(b"--"):
            del self._buffer[:]
            self._state = _State.EPILOGUE
            events.append(BodyEnd())
            return False
        line_end = self._buffer.find(b"\r\n")
        if line_end < 0:
            if len(self._buffer) > 256:
                raise MultipartError("garbage after boundary")
            return False
        if self._buffer[:line_end].strip(b" \t"):
            raise MultipartError("garbage after boundary")
        del self._buffer[: line_end + 2]
        self._state = _State.HEADERS
        return True

    def _headers(self, events: list[Event]) -> bool:
        if self._buffer.startswith(b"\r\n"):  # a part without headers
            block_end, skip = 0, 2
        else:
            block_end, skip = self._buffer.find(b"\r\n\r\n"), 4
        if block_end < 0:
            if len(self._buffer) > MAX_HEADER_BYTES:
                raise MultipartError("part headers too large")
            return False
        if block_end > MAX_HEADER_BYTES:
            raise MultipartError("part headers too large")
        events.append(_parse_headers(bytes(self._buffer[:block_end])))
        del self._buffer[: block_end + skip]
        self._state = _State.BODY
        return True

    def _body(self, events: list[Event]) -> bool:
        index = self._buffer.find(self._delimiter)
        if index >= 0:
            if index:
                events.append(PartData(bytes(self._buffer[:index])))
            events.append(PartEnd())
            del self._buffer[: index + len(self._delimiter)]
            self._state = _State.AFTER_DELIMITER
            return True
        # Keep a tail that could be the start of a delimiter split across chunks.
        safe = len(self._buffer) - (len(self._delimiter) - 1)
        if safe > 0:
            events.append(PartData(bytes(self._buffer[:safe])))
            del self._buffer[:safe]
        return False
