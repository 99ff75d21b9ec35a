"""A loopback stand-in of the Telegram Bot API, for tests that must not reach Telegram.

``BotApiStandIn(token)`` serves ``{url}/bot<token>/<method>`` and
``{url}/file/bot<token>/<file_path>`` from a daemon thread on 127.0.0.1, answers in the Bot
API's envelope (``{"ok": true, "result": ...}`` / ``{"ok": false, "error_code": ...,
"description": ...}``) and records every call. Point a client at it with
``TELEGRAM_API_URL=api.url``; python-telegram-bot 22.8 takes
``Bot(token, base_url=f"{api.url}/bot", base_file_url=f"{api.url}/file/bot")`` (it appends
the token to both, and prefixes ``getFile``'s relative ``file_path`` with the file URL).

Parameters are read from the query string and from JSON, url-encoded or multipart bodies;
in form bodies nested objects (``reply_markup``, ``media``, ...) arrive JSON-encoded and are
decoded here, so recorded ``Call.params`` hold plain Python objects.

Limitations (deliberate, keep it small): one bot, private chats only, no ``getUpdates``;
length limits count Python characters (Telegram counts after entity parsing); with
``local_mode=True`` only the 20 MB ``getFile`` cap is lifted - a real local Bot API server
(``--local``) also answers ``file_path`` as an absolute path on its own disk.
Standard library only: it is imported from both virtualenvs.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from tests.standin_server import (
    StandInHandler,
    StandInServer,
    UploadedFile,
    parse_body,
    source_chunks,
    source_size,
)

MAX_TEXT_CHARS = 4096
MAX_CAPTION_CHARS = 1024
MAX_CALLBACK_DATA_BYTES = 64
CLOUD_DOWNLOAD_LIMIT_BYTES = 20 * 1024 * 1024
BOT_ID = 999999999
BOT_USERNAME = "knee_standin_bot"

# Parameters that are objects or arrays in the Bot API: JSON-encoded strings in form bodies.
JSON_PARAMETERS = frozenset(
    {
        "reply_markup",
        "media",
        "entities",
        "caption_entities",
        "allowed_updates",
        "reply_parameters",
        "link_preview_options",
    }
)
FOLDER_BY_SUFFIX = {
    ".mp4": "videos",
    ".mov": "videos",
    ".webm": "videos",
    ".jpg": "photos",
    ".jpeg": "photos",
    ".png": "photos",
    ".oga": "voice",
    ".ogg": "voice",
}


@dataclass(frozen=True)
class Call:
    """One request the stand-in answered: ``ok`` is False when it was rejected."""

    method: str
    params: dict[str, Any]
    files: dict[str, bytes]
    ok: bool


class ApiError(Exception):
    """A Bot API error answer: ``{"ok": false, "error_code": code, "description": ...}``."""

    def __init__(self, description: str, code: int = HTTPStatus.BAD_REQUEST) -> None:
        super().__init__(description)
        self.code = int(code)
        self.description = description

    def envelope(self) -> dict[str, Any]:
        return {"ok": False, "error_code": self.code, "description": self.description}


def bad_request(reason: str) -> ApiError:
    return ApiError(f"Bad Request: {reason}")


_Upload = UploadedFile


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_size: int
    file_path: str
    source: Path | bytes

    def as_file(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "file_path": self.file_path,
        }

    def chunks(self) -> Iterator[bytes]:
        return source_chunks(self.source)


@dataclass
class _Webhook:
    url: str = ""
    secret_token: str | None = None
    allowed_updates: list[str] | None = None
    max_connections: int = 40
    has_custom_certificate: bool = False

    def info(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.url,
            "has_custom_certificate": self.has_custom_certificate,
            "pending_update_count": 0,
        }
        if self.url:
            info["max_connections"] = self.max_connections
        if self.allowed_updates is not None:
            info["allowed_updates"] = self.allowed_updates
        return info


@dataclass
class _Request:
    params: dict[str, Any] = field(default_factory=dict)
    uploads: dict[str, _Upload] = field(default_factory=dict)


# ---------------------------------------------------------------------------- request parsing


def _json_params(body: bytes) -> dict[str, Any]:
    decoded = json.loads(body)
    if not isinstance(decoded, dict):
        raise bad_request("parameters must be a JSON object")
    return decoded


def parse_request(content_type: str, body: bytes) -> _Request:
    """Parameters and uploads of a JSON, multipart or url-encoded body."""
    parsed = parse_body(content_type, body, _json_params)
    return _Request(params=parsed.fields, uploads=parsed.files)


def decode_json_parameters(params: dict[str, Any]) -> dict[str, Any]:
    """Decode the JSON-encoded object parameters of a form body (JSON bodies pass as they are)."""
    decoded = dict(params)
    for name in JSON_PARAMETERS & decoded.keys():
        if isinstance(decoded[name], str):
            try:
                decoded[name] = json.loads(decoded[name])
            except json.JSONDecodeError as error:
                raise bad_request(f"can't parse {name} JSON object") from error
    return decoded


# ---------------------------------------------------------------------------- validation


def require_chat_id(params: dict[str, Any]) -> int:
    raw = params.get("chat_id")
    if raw is None or str(raw).strip() == "":
        raise bad_request("chat_id is empty")
    try:
        return int(raw)
    except (TypeError, ValueError) as error:
        raise bad_request("chat not found") from error


def check_text(params: dict[str, Any]) -> str:
    text = str(params.get("text") or "")
    if not text.strip():
        raise bad_request("message text is empty")
    if len(text) > MAX_TEXT_CHARS:
        raise bad_request("message is too long")
    return text


def check_caption(caption: Any) -> None:
    if caption is not None and len(str(caption)) > MAX_CAPTION_CHARS:
        raise bad_request("message caption is too long")


def check_reply_markup(markup: Any) -> None:
    """Reject inline buttons whose ``callback_data`` is not 1-64 bytes, as Telegram does."""
    if not isinstance(markup, dict):
        return
    for row in markup.get("inline_keyboard") or []:
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA_BYTES:
                raise bad_request("BUTTON_DATA_INVALID")


# ---------------------------------------------------------------------------- the stand-in


class BotApiStandIn(StandInServer[Call]):
    """The Telegram Bot API on 127.0.0.1 for one bot token; see the module docstring.

    Args:
        token: The only token accepted; any other answers 401 Unauthorized.
        local_mode: Behave like a local Bot API server: no 20 MB cap on ``getFile``.

    ``downloads`` lists the ``file_path`` of every file served through
    ``/file/bot<token>/...``; ``clear()`` forgets calls and downloads (files and webhook stay).
    """

    thread_name = "bot-api-standin"
    call_noun = "Bot API call"

    def __init__(self, token: str, *, local_mode: bool = False) -> None:
        super().__init__(_BotApiHandler)
        self.token = token
        self.local_mode = local_mode
        self._files: dict[str, _StoredFile] = {}
        self._message_ids = itertools.count(1)
        self._file_numbers = itertools.count(0)
        self._upload_ids = itertools.count(1)
        self._webhook = _Webhook()
        self._methods: dict[str, Callable[[_Request], Any]] = {
            "getme": self._get_me,
            "sendmessage": self._send_message,
            "sendphoto": self._send_photo,
            "senddocument": self._send_document,
            "sendmediagroup": self._send_media_group,
            "sendchataction": self._send_chat_action,
            "answercallbackquery": self._answer_callback_query,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "getfile": self._get_file,
            "setwebhook": self._set_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "deletewebhook": self._delete_webhook,
        }

    # -- life cycle

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``: the value for ``TELEGRAM_API_URL``."""
        return self.root

    @property
    def webhook(self) -> dict[str, Any]:
        """The webhook as last set: url, secret_token, allowed_updates, max_connections."""
        with self._lock:
            hook = self._webhook
            return {
                "url": hook.url,
                "secret_token": hook.secret_token,
                "allowed_updates": hook.allowed_updates,
                "max_connections": hook.max_connections,
            }

    # -- recording: calls, calls_to(method), wait_for, clear and downloads are StandInServer's

    def _is_call_to(self, call: Call, name: str) -> bool:
        return call.method.lower() == name.lower()

    def _describe(self, call: Call) -> str:
        return f"{call.method} ok={call.ok} {call.params}"

    # -- files

    def add_file(self, file_id: str, path: Path, file_size: int | None = None) -> dict[str, Any]:
        """Register a file for ``getFile``/download; ``file_size`` may claim another size.

        Returns the File object ``getFile`` answers for it.
        """
        path = Path(path)
        size = path.stat().st_size if file_size is None else file_size
        stored = self._store(file_id, path.suffix.lower(), size, path)
        return stored.as_file()

    def _store(self, file_id: str, suffix: str, size: int, source: Path | bytes) -> _StoredFile:
        folder = FOLDER_BY_SUFFIX.get(suffix, "documents")
        with self._lock:
            number = next(self._file_numbers)
            stored = _StoredFile(
                file_id=file_id,
                file_unique_id=f"unique-{number}",
                file_size=size,
                file_path=f"{folder}/file_{number}{suffix}",
                source=source,
            )
            self._files[file_id] = stored
        return stored

    def _store_upload(self, kind: str, upload: _Upload) -> _StoredFile:
        with self._lock:
            file_id = f"standin-{kind}-{next(self._upload_ids)}"
        suffix = Path(upload.filename).suffix.lower()
        return self._store(file_id, suffix, len(upload.content), upload.content)

    def _file_by_path(self, file_path: str) -> _StoredFile | None:
        with self._lock:
            return next((f for f in self._files.values() if f.file_path == file_path), None)

    # -- dispatch

    def handle(self, method: str, request: _Request) -> tuple[int, dict[str, Any]]:
        """Answer one Bot API method call and record it."""
        handler = self._methods.get(method.lower())
        if handler is None:
            error = ApiError("Not Found", HTTPStatus.NOT_FOUND)
            self._record(Call(method, request.params, _contents(request), ok=False))
            return error.code, error.envelope()
        try:
            request.params = decode_json_parameters(request.params)
            result = handler(request)
        except ApiError as error:
            self._record(Call(method, request.params, _contents(request), ok=False))
            return error.code, error.envelope()
        self._record(Call(method, request.params, _contents(request), ok=True))
        return HTTPStatus.OK, {"ok": True, "result": result}

    # -- results

    def _bot_user(self) -> dict[str, Any]:
        return {"id": BOT_ID, "is_bot": True, "first_name": "Stand-in", "username": BOT_USERNAME}

    def _message(self, chat_id: int, **content: Any) -> dict[str, Any]:
        with self._lock:
            message_id = next(self._message_ids)
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": self._bot_user(),
        }
        message.update({key: value for key, value in content.items() if value is not None})
        return message

    def _photo_sizes(self, file_id: str, unique_id: str, size: int) -> list[dict[str, Any]]:
        return [
            {"file_id": f"{file_id}-s", "file_unique_id": f"{unique_id}-s", "width": 90,
             "height": 90, "file_size": min(size, 1500)},
            {"file_id": file_id, "file_unique_id": unique_id, "width": 800, "height": 800,
             "file_size": size},
        ]  # fmt: skip

    def _media_object(
        self, kind: str, reference: Any, uploads: dict[str, _Upload]
    ) -> dict[str, Any] | list[dict[str, Any]]:
        """The Photo/Document/Video object for an upload, an ``attach://`` name or a file_id."""
        upload = None
        if isinstance(reference, _Upload):
            upload = reference
        elif isinstance(reference, str) and reference.startswith("attach://"):
            upload = uploads.get(reference.removeprefix("attach://"))
            if upload is None:
                raise bad_request(f"file {reference} not found in the request")
        if upload is not None:
            stored = self._store_upload(kind, upload)
            file_id, unique_id, size = stored.file_id, stored.file_unique_id, stored.file_size
            file_name = upload.filename
        else:
            file_id, unique_id, size, file_name = str(reference), f"u-{reference}", 0, None
        if kind == "photo":
            return self._photo_sizes(file_id, unique_id, size)
        media = {"file_id": file_id, "file_unique_id": unique_id, "file_size": size}
        if kind == "document":
            media.update(file_name=file_name, mime_type="application/octet-stream")
        if kind == "video":
            media.update(width=640, height=360, duration=1, mime_type="video/mp4")
        return {key: value for key, value in media.items() if value is not None}

    # -- methods

    def _get_me(self, _request: _Request) -> dict[str, Any]:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _send_message(self, request: _Request) -> dict[str, Any]:
        params = request.params
        chat_id = require_chat_id(params)
        text = check_text(params)
        check_reply_markup(params.get("reply_markup"))
        return self._message(chat_id, text=text, reply_markup=_inline(params))

    def _send_file(self, request: _Request, kind: str) -> dict[str, Any]:
        params = request.params
        chat_id = require_chat_id(params)
        check_caption(params.get("caption"))
        check_reply_markup(params.get("reply_markup"))
        reference = request.uploads.get(kind) or params.get(kind)
        if not reference:
            raise bad_request(f"there is no {kind} in the request")
        media = self._media_object(kind, reference, request.uploads)
        content = {kind: media, "caption": params.get("caption"), "reply_markup": _inline(params)}
        return self._message(chat_id, **content)

    def _send_photo(self, request: _Request) -> dict[str, Any]:
        return self._send_file(request, "photo")

    def _send_document(self, request: _Request) -> dict[str, Any]:
        return self._send_file(request, "document")

    def _send_media_group(self, request: _Request) -> list[dict[str, Any]]:
        chat_id = require_chat_id(request.params)
        media = request.params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise bad_request("wrong number of media in the group (must be 2-10)")
        for item in media:
            check_caption(item.get("caption"))
        group_id = f"group-{time.monotonic_ns()}"
        messages = []
        for item in media:
            kind = item.get("type", "photo")
            content = self._media_object(kind, item.get("media"), request.uploads)
            message = self._message(chat_id, caption=item.get("caption"), **{kind: content})
            messages.append({**message, "media_group_id": group_id})
        return messages

    def _send_chat_action(self, request: _Request) -> bool:
        require_chat_id(request.params)
        if not request.params.get("action"):
            raise bad_request("action is empty")
        return True

    def _answer_callback_query(self, request: _Request) -> bool:
        if not request.params.get("callback_query_id"):
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        return True

    def _edit_message_reply_markup(self, request: _Request) -> dict[str, Any] | bool:
        params = request.params
        check_reply_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        chat_id = require_chat_id(params)
        if not params.get("message_id"):
            raise bad_request("message identifier is not specified")
        message = self._message(chat_id, text="(edited)", reply_markup=_inline(params))
        message["message_id"] = int(params["message_id"])
        message["edit_date"] = message["date"]
        return message

    def _get_file(self, request: _Request) -> dict[str, Any]:
        with self._lock:
            stored = self._files.get(str(request.params.get("file_id") or ""))
        if stored is None:
            raise bad_request("invalid file_id")
        if stored.file_size > CLOUD_DOWNLOAD_LIMIT_BYTES and not self.local_mode:
            raise bad_request("file is too big")
        return stored.as_file()

    def _set_webhook(self, request: _Request) -> bool:
        params = request.params
        hook = _Webhook(
            url=str(params.get("url") or ""),
            secret_token=params.get("secret_token"),
            allowed_updates=params.get("allowed_updates"),
            max_connections=int(params.get("max_connections") or 40),
            has_custom_certificate="certificate" in request.uploads,
        )
        with self._lock:
            self._webhook = hook
        return True

    def _get_webhook_info(self, _request: _Request) -> dict[str, Any]:
        with self._lock:
            return self._webhook.info()

    def _delete_webhook(self, _request: _Request) -> bool:
        with self._lock:
            self._webhook = _Webhook()
        return True


def _inline(params: dict[str, Any]) -> dict[str, Any] | None:
    """The reply_markup a sent message carries: only inline keyboards are echoed."""
    markup = params.get("reply_markup")
    return markup if isinstance(markup, dict) and "inline_keyboard" in markup else None


def _contents(request: _Request) -> dict[str, bytes]:
    return {name: upload.content for name, upload in request.uploads.items()}


# ---------------------------------------------------------------------------- HTTP


class _BotApiHandler(StandInHandler):
    standin: BotApiStandIn

    def _dispatch(self) -> None:
        split = urlsplit(self.path)
        path = unquote(split.path)
        body = self._read_body()
        file_prefix = f"/file/bot{self.standin.token}/"
        if path.startswith("/file/"):
            if path.startswith(file_prefix):
                self._serve_file(path.removeprefix(file_prefix))
            else:
                self._send_json(HTTPStatus.UNAUTHORIZED, _unauthorized())
            return
        token, _, method = path.removeprefix("/bot").partition("/")
        if not path.startswith("/bot") or not method:
            self._send_json(HTTPStatus.NOT_FOUND, ApiError("Not Found", 404).envelope())
            return
        if token != self.standin.token:
            self._send_json(HTTPStatus.UNAUTHORIZED, _unauthorized())
            return
        self._answer_method(method, split.query, body)

    def _answer_method(self, method: str, query: str, body: bytes) -> None:
        try:
            request = parse_request(self.headers.get("Content-Type", ""), body)
        except (ValueError, UnicodeDecodeError) as error:
            self._send_json(HTTPStatus.BAD_REQUEST, bad_request(str(error)).envelope())
            return
        request.params = {**dict(parse_qsl(query, keep_blank_values=True)), **request.params}
        status, payload = self.standin.handle(method, request)
        self._send_json(status, payload)

    def _serve_file(self, file_path: str) -> None:
        stored = self.standin._file_by_path(file_path)
        if stored is None:
            self._send_json(HTTPStatus.NOT_FOUND, ApiError("Not Found", 404).envelope())
            return
        headers = {"Content-Type": "application/octet-stream"}
        self._send_stream(HTTPStatus.OK, headers, source_size(stored.source), stored.chunks())
        self.standin._note_download(file_path)


def _unauthorized() -> dict[str, Any]:
    return ApiError("Unauthorized", HTTPStatus.UNAUTHORIZED).envelope()
