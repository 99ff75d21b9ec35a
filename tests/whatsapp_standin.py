"""Loopback stand-ins of the WhatsApp Cloud API (Graph) and of Twilio's Messages API.

``GraphApiStandIn(access_token, phone_number_id)`` serves, from a daemon thread on 127.0.0.1:

- ``POST {url}/{phone_number_id}/messages`` (JSON): text, interactive button/list, template,
  image/video/audio/document/sticker by uploaded ``id`` or by ``link``, and read receipts
  (``{"status": "read", "message_id"}``, answered ``{"success": true}``);
- ``POST {url}/{phone_number_id}/media`` (multipart: ``file``, ``type``,
  ``messaging_product=whatsapp``) answering ``{"id": ...}``;
- ``GET {url}/{media_id}`` answering ``{messaging_product, url, mime_type, sha256, file_size,
  id}`` whose ``url`` is a download link on the stand-in (like Meta's lookaside URL, it needs
  the bearer token too, and ``expire_media_urls()`` makes the links stale);
- ``DELETE {url}/{media_id}``.

``url`` (``http://127.0.0.1:PORT/v21.0``) is the value for ``WHATSAPP_API_URL``. Every call
needs ``Authorization: Bearer <access_token>`` (else 401, Graph error code 190). Requests the
real API refuses are answered 400 with Graph's error JSON (``{"error": {"message", "type",
"code", "error_subcode"?, "error_data": {"messaging_product", "details"}?, "fbtrace_id"}}``):
code 100 for schema errors (missing or over-long parameters), 131009 "Parameter value is not
valid" for interactive structures and unknown media ids.

``TwilioStandIn(account_sid, auth_token)`` serves ``POST {url}/2010-04-01/Accounts/{sid}/
Messages.json`` (form fields From, To, Body, MediaUrl repeatable; HTTP basic auth sid:token)
answering a Message resource (201, ``status: queued``) or Twilio's error JSON
(``{"code", "message", "more_info", "status"}``), and inbound media: ``add_media(path,
content_type)`` returns a Media URL that needs basic auth and redirects (307) to the bytes,
as Twilio's ``MediaUrl0`` does. ``url`` is the value for ``TWILIO_API_URL``.

Both record every request as a ``Call`` (rejected ones with ``ok=False``): ``calls``,
``calls_to(kind)``, ``messages_to(number)``, ``wait_for(predicate)``, ``clear()``.
``meta_signature`` and ``twilio_signature`` compute the webhook signature headers
(``X-Hub-Signature-256`` and ``X-Twilio-Signature``) for posting signed fixtures.

Limitations (deliberate): one phone number / one account; lengths count Python characters;
no rate limits, 24-hour window, media size limits or upload/download of ``link`` media;
templates are checked for the documented shape, and against ``approve_template`` only once
one is approved; the Graph error messages are modelled on the documented codes, their
``details`` texts are the stand-in's own. Standard library only: imported from both
virtualenvs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import re
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import Message
from email.utils import formatdate
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from tests.standin_server import (
    StandInHandler,
    StandInServer,
    parse_body,
    parse_urlencoded,
    source_chunks,
    source_size,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "whatsapp"
GRAPH_VERSION = "v21.0"
DOWNLOAD_PATH = "/whatsapp_business/attachments/"

MAX_TEXT_CHARS = 4096
MAX_CAPTION_CHARS = 1024
MAX_INTERACTIVE_BODY_CHARS = 1024
MAX_HEADER_TEXT_CHARS = 60
MAX_FOOTER_CHARS = 60
MAX_BUTTONS = 3
MAX_BUTTON_TITLE_CHARS = 20
MAX_BUTTON_ID_CHARS = 256
MAX_LIST_BUTTON_CHARS = 20
MAX_LIST_SECTIONS = 10
MAX_LIST_ROWS = 10
MAX_SECTION_TITLE_CHARS = 24
MAX_ROW_ID_CHARS = 200
MAX_ROW_TITLE_CHARS = 24
MAX_ROW_DESCRIPTION_CHARS = 72
# Template messages (Cloud API reference, "Template object", "Components object").
TEMPLATE_KEYS = frozenset({"name", "language", "components", "namespace"})
TEMPLATE_NAME = re.compile(r"[a-z0-9_]{1,512}")
TEMPLATE_COMPONENT_TYPES = frozenset({"header", "body", "button"})
TEMPLATE_BUTTON_SUB_TYPES = frozenset({"quick_reply", "url", "copy_code", "flow", "catalog", "mpm"})
TEMPLATE_PARAMETER_TYPES = frozenset(
    {
        "text",
        "currency",
        "date_time",
        "image",
        "document",
        "video",
        "location",
        "payload",
        "action",
        "coupon_code",
    }
)
MEDIA_KINDS = ("image", "video", "audio", "document", "sticker")
MESSAGE_KINDS = ("text", "interactive", "template", *MEDIA_KINDS)
CAPTIONED_KINDS = frozenset({"image", "video", "document"})
# The Cloud API's supported media types (media reference, "Supported media types").
UPLOAD_MIME_TYPES = frozenset(
    {
        "audio/aac",
        "audio/amr",
        "audio/mpeg",
        "audio/mp4",
        "audio/ogg",
        "text/plain",
        "application/pdf",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "image/jpeg",
        "image/png",
        "image/webp",
        "video/3gpp",
        "video/mp4",
    }
)

TWILIO_API_VERSION = "2010-04-01"
TWILIO_MAX_BODY_CHARS = 1600
TWILIO_CDN_PATH = "/media-cdn/"


# ---------------------------------------------------------------------------- signatures


def meta_signature(app_secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` value Meta sends: ``sha256=<hex HMAC-SHA256 of the body>``."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def twilio_signature(auth_token: str, url: str, params: Mapping[str, str | Sequence[str]]) -> str:
    """The ``X-Twilio-Signature`` value for a form POST to ``url``.

    Twilio's algorithm: the full URL (with query string), then every POST parameter sorted
    by name, name and value appended with no separator; HMAC-SHA1 with the auth token as key,
    base64. Repeated parameters contribute their distinct values in sorted order, as
    ``twilio.request_validator.RequestValidator.compute_signature`` does.
    """
    data = url
    for name in sorted(params):
        for value in sorted(set(_as_values(params[name]))):
            data += name + value
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _as_values(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


# ---------------------------------------------------------------------------- fixtures


def load_fixture(name: str) -> dict[str, Any]:
    """A fixture file of ``tests/fixtures/whatsapp`` (``"text"`` or ``"text.json"``)."""
    file_name = name if name.endswith(".json") else f"{name}.json"
    return json.loads((FIXTURES / file_name).read_text(encoding="utf-8"))


def webhook_body(name: str) -> bytes:
    """The raw POST body of a Meta webhook fixture (compact JSON, as signed)."""
    payload = load_fixture(name)["payload"]
    return json.dumps(payload, separators=(",", ":")).encode()


def signed_meta_headers(app_secret: str, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": meta_signature(app_secret, body),
    }


def twilio_form(name: str, **replacements: str) -> dict[str, str]:
    """A Twilio fixture's form fields, ``{PLACEHOLDER}`` values replaced (``MEDIA_URL=...``)."""
    form = dict(load_fixture(name)["form"])
    for key, value in form.items():
        for placeholder, replacement in replacements.items():
            value = value.replace(f"{{{placeholder}}}", replacement)
        form[key] = value
    return form


# ---------------------------------------------------------------------------- recording


@dataclass(frozen=True)
class Call:
    """One request a stand-in answered; ``ok`` is False when it was rejected.

    ``path`` is relative to the stand-in's root (``/v21.0/100000000000001/messages``),
    ``params`` the parsed JSON body, or form / query fields (Twilio's repeatable ``MediaUrl``
    as a list), ``files`` the uploaded file parts by field name, ``kind`` the route
    (``messages``, ``media``, ``media_url``, ``media_delete``, ``download``, ``unknown``),
    ``status`` and ``response`` the HTTP status and the JSON answered (None for bytes).
    """

    path: str
    method: str
    params: dict[str, Any]
    files: dict[str, bytes]
    ok: bool
    kind: str = ""
    status: int = HTTPStatus.OK
    response: Any = None


@dataclass
class _Request:
    method: str
    path: str
    query: dict[str, str]
    headers: Message
    body: bytes


@dataclass
class _Reply:
    """An HTTP answer: JSON ``payload``, or raw ``content`` (bytes or a file to stream)."""

    status: int
    payload: Any = None
    content: bytes | Path | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Form:
    fields: dict[str, Any] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    file_types: dict[str, str] = field(default_factory=dict)


def _digits(number: Any) -> str:
    return re.sub(r"\D", "", str(number or ""))


def _json_fields(body: bytes) -> dict[str, Any]:
    """A Graph JSON body; one that is not an object is kept under ``"_"``."""
    try:
        decoded = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise invalid_parameter("The request body is not valid JSON.") from error
    return decoded if isinstance(decoded, dict) else {"_": decoded}


# ---------------------------------------------------------------------------- the server


class _LoopbackStandIn(StandInServer[Call]):
    """What both stand-ins add to ``StandInServer``: calls by route ``kind``, ``answer``.

    ``downloads`` lists what was downloaded, oldest first (media ids for Graph, Media URLs
    for Twilio); ``clear()`` forgets calls and downloads (media stay).
    """

    def __init__(self) -> None:
        super().__init__(_StandInHandler)

    def _is_call_to(self, call: Call, name: str) -> bool:
        return call.kind == name

    def _describe(self, call: Call) -> str:
        return f"{call.method} {call.path} ok={call.ok} {call.params}"

    def _recorded(self, request: _Request, kind: str, form: _Form, reply: _Reply) -> _Reply:
        """Record the call ``reply`` answers (ok unless its status is 4xx/5xx); return it."""
        ok = reply.status < HTTPStatus.BAD_REQUEST
        fields, files = form.fields, form.files
        self._record(
            Call(request.path, request.method, fields, files, ok, kind, reply.status, reply.payload)
        )
        return reply

    def answer(self, request: _Request) -> _Reply:  # pragma: no cover - overridden
        raise NotImplementedError


# ---------------------------------------------------------------------------- Graph errors


class GraphError(Exception):
    """A Graph API error answer."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        status: int = HTTPStatus.BAD_REQUEST,
        subcode: int | None = None,
        details: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = int(status)
        self.subcode = subcode
        self.details = details

    def payload(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "message": self.message,
            "type": "OAuthException",
            "code": self.code,
        }
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.details is not None:
            error["error_data"] = {"messaging_product": "whatsapp", "details": self.details}
        error["fbtrace_id"] = f"standin{secrets.token_hex(6)}"
        return {"error": error}


def invalid_parameter(text: str) -> GraphError:
    """Code 100 (Invalid parameter): a parameter is missing, too long or of the wrong kind."""
    return GraphError(100, f"(#100) {text}")


def value_not_valid(details: str) -> GraphError:
    """Code 131009 (Parameter value is not valid), with the reason in ``error_data.details``."""
    return GraphError(131009, "(#131009) Parameter value is not valid", details=details)


def unauthorized() -> GraphError:
    return GraphError(
        190,
        "Invalid OAuth access token - Cannot parse access token",
        status=HTTPStatus.UNAUTHORIZED,
    )


def unsupported_request(method: str, object_id: str) -> GraphError:
    return GraphError(
        100,
        f"Unsupported {method.lower()} request. Object with ID '{object_id}' does not exist, "
        "cannot be loaded due to missing permissions, or does not support this operation.",
        subcode=33,
    )


# ---------------------------------------------------------------------------- Graph checks


def require_text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise invalid_parameter(f"The parameter {name} is required.")
    return value


def check_max_length(value: Any, limit: int, name: str) -> None:
    if value is not None and len(str(value)) > limit:
        raise invalid_parameter(f"Param {name} must be at most {limit} characters long.")


def check_length_between(value: Any, limit: int, what: str) -> None:
    """131009 unless ``value`` is a string of 1 to ``limit`` characters."""
    if not isinstance(value, str) or not 1 <= len(value) <= limit:
        raise value_not_valid(f"{what} length invalid. Min length: 1, Max length: {limit}")


def check_unique(values: list[Any], what: str) -> None:
    if len(set(values)) != len(values):
        raise value_not_valid(f"{what} must be unique within the message")


def check_envelope(params: dict[str, Any]) -> str:
    """``messaging_product`` must be "whatsapp" and ``to`` present; returns ``to``."""
    product = params.get("messaging_product")
    if product is None:
        raise invalid_parameter("The parameter messaging_product is required.")
    if product != "whatsapp":
        raise invalid_parameter(
            f'Param messaging_product must be one of {{WHATSAPP}} - got "{product}".'
        )
    to = params.get("to")
    if to is None or str(to).strip() == "":
        raise invalid_parameter("The parameter to is required.")
    return str(to)


def check_read_receipt(params: dict[str, Any]) -> None:
    """``{"messaging_product", "status": "read", "message_id"}`` (no ``to``) marks read."""
    if params.get("messaging_product") != "whatsapp":
        raise invalid_parameter("The parameter messaging_product is required.")
    message_id = str(params.get("message_id") or "")
    if not message_id.startswith("wamid."):
        raise invalid_parameter("The parameter message_id is required.")


def check_text(params: dict[str, Any]) -> None:
    text = params.get("text")
    body = require_text(text.get("body") if isinstance(text, dict) else None, "text['body']")
    check_max_length(body, MAX_TEXT_CHARS, "text['body']")


def check_template(
    params: dict[str, Any], approved: Mapping[tuple[str, str], int] | None = None
) -> None:
    """A template message as the Cloud API documents it::

        "template": {"name": "<approved name>",
                     "language": {"code": "en", "policy": "deterministic"?},
                     "components": [{"type": "header" | "body" | "button",
                                     "sub_type"?: "quick_reply" | "url" | ..., "index"?: "0",
                                     "parameters": [{"type": "text", "text": "..."}, ...]}]?}

    Names are lowercase letters, digits and underscores. With ``approved`` (``{(name,
    language code): number of body parameters}``), an unknown name or language answers
    132001 and a wrong number of body parameters 132000, as the real API does.
    """
    template = params.get("template")
    if not isinstance(template, dict):
        raise invalid_parameter("The parameter template is required.")
    unexpected = sorted(set(template) - TEMPLATE_KEYS)
    if unexpected:
        raise invalid_parameter(f"Param template contains unexpected key(s): {unexpected}")
    name = require_text(template.get("name"), "template['name']")
    if not TEMPLATE_NAME.fullmatch(name):
        raise invalid_parameter("Param template['name'] is not a valid template name.")
    code = check_template_language(template.get("language"))
    body_parameters = check_template_components(template.get("components", []))
    if approved is None:
        return
    if (name, code) not in approved:
        raise GraphError(
            132001,
            "(#132001) Template name does not exist in the translation",
            details=f"template name ({name}) does not exist in {code}",
        )
    if approved[(name, code)] != body_parameters:
        raise GraphError(
            132000,
            "(#132000) Number of parameters does not match the expected number of params",
            details="body: number of localizable_params "
            f"({body_parameters}) does not match the expected number of params "
            f"({approved[(name, code)]})",
        )


def check_template_language(language: Any) -> str:
    """``{"code": ..., "policy": "deterministic"?}``; returns the code."""
    code = require_text(
        language.get("code") if isinstance(language, dict) else None, "template['language']['code']"
    )
    policy = language.get("policy", "deterministic")
    if policy != "deterministic":
        raise invalid_parameter(
            f"Param template['language']['policy'] must be one of {{DETERMINISTIC}} - "
            f'got "{policy}".'
        )
    return code


def check_template_components(components: Any) -> int:
    """The components' shapes; returns how many parameters the body component has."""
    if not isinstance(components, list):
        raise invalid_parameter("Param template['components'] must be an array.")
    body_parameters = 0
    for component in components:
        kind = component.get("type") if isinstance(component, dict) else None
        if kind not in TEMPLATE_COMPONENT_TYPES:
            raise invalid_parameter(
                "Param template['components'][]['type'] must be one of {HEADER, BODY, BUTTON}."
            )
        if kind == "button":
            check_template_button(component)
        parameters = component.get("parameters", [])
        if not isinstance(parameters, list):
            raise invalid_parameter(
                "Param template['components'][]['parameters'] must be an array."
            )
        for parameter in parameters:
            check_template_parameter(parameter)
        if kind == "body":
            body_parameters += len(parameters)
    return body_parameters


def check_template_button(component: dict[str, Any]) -> None:
    if component.get("sub_type") not in TEMPLATE_BUTTON_SUB_TYPES:
        raise invalid_parameter("The parameter template['components'][]['sub_type'] is required.")
    if not re.fullmatch(r"\d", str(component.get("index", ""))):
        raise invalid_parameter("The parameter template['components'][]['index'] is required.")


def check_template_parameter(parameter: Any) -> None:
    kind = parameter.get("type") if isinstance(parameter, dict) else None
    if kind not in TEMPLATE_PARAMETER_TYPES:
        raise invalid_parameter(
            "Param template['components'][]['parameters'][]['type'] is not a parameter type."
        )
    if kind in ("text", "payload", "coupon_code"):
        require_text(parameter.get(kind), f"template['components'][]['parameters'][]['{kind}']")
    elif not isinstance(parameter.get(kind), dict):
        raise invalid_parameter(
            f"The parameter template['components'][]['parameters'][]['{kind}'] is required."
        )


def check_header_and_footer(interactive: dict[str, Any]) -> None:
    header = interactive.get("header")
    if isinstance(header, dict) and header.get("type") == "text":
        check_max_length(header.get("text"), MAX_HEADER_TEXT_CHARS, "interactive['header']['text']")
    footer = interactive.get("footer")
    if isinstance(footer, dict):
        check_max_length(footer.get("text"), MAX_FOOTER_CHARS, "interactive['footer']['text']")


def check_reply_buttons(action: dict[str, Any]) -> None:
    buttons = action.get("buttons")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= MAX_BUTTONS:
        raise value_not_valid(f"Number of buttons invalid. Min: 1, Max: {MAX_BUTTONS}")
    replies = [button.get("reply") if isinstance(button, dict) else None for button in buttons]
    for button, reply in zip(buttons, replies, strict=True):
        if button.get("type") != "reply" or not isinstance(reply, dict):
            raise invalid_parameter(
                "Param interactive['action']['buttons'][]['type'] must be reply."
            )
        check_length_between(reply.get("title"), MAX_BUTTON_TITLE_CHARS, "Button title")
        check_length_between(reply.get("id"), MAX_BUTTON_ID_CHARS, "Button id")
    check_unique([reply["id"] for reply in replies], "Button ids")
    check_unique([reply["title"] for reply in replies], "Button titles")


def check_list(action: dict[str, Any]) -> None:
    check_length_between(action.get("button"), MAX_LIST_BUTTON_CHARS, "List button")
    sections = action.get("sections")
    if not isinstance(sections, list) or not 1 <= len(sections) <= MAX_LIST_SECTIONS:
        raise value_not_valid(f"Number of sections invalid. Min: 1, Max: {MAX_LIST_SECTIONS}")
    rows: list[dict[str, Any]] = []
    for section in sections:
        check_section(section, titled=len(sections) > 1)
        rows.extend(section["rows"])
    if not 1 <= len(rows) <= MAX_LIST_ROWS:
        raise value_not_valid(f"Total row count exceed max allowed count: {MAX_LIST_ROWS}")
    for row in rows:
        check_row(row)
    check_unique([row["id"] for row in rows], "Row ids")


def check_section(section: Any, *, titled: bool) -> None:
    if not isinstance(section, dict) or not isinstance(section.get("rows"), list):
        raise invalid_parameter(
            "The parameter interactive['action']['sections'][]['rows'] is required."
        )
    if titled or section.get("title") is not None:
        check_length_between(section.get("title"), MAX_SECTION_TITLE_CHARS, "Section title")


def check_row(row: Any) -> None:
    if not isinstance(row, dict):
        raise invalid_parameter(
            "Param interactive['action']['sections'][]['rows'][] must be an object."
        )
    check_length_between(row.get("id"), MAX_ROW_ID_CHARS, "Row id")
    check_length_between(row.get("title"), MAX_ROW_TITLE_CHARS, "Row title")
    description = row.get("description")
    if description is not None and len(str(description)) > MAX_ROW_DESCRIPTION_CHARS:
        raise value_not_valid(
            f"Row description length invalid. Max length: {MAX_ROW_DESCRIPTION_CHARS}"
        )


def check_interactive(params: dict[str, Any]) -> None:
    interactive = params.get("interactive")
    if not isinstance(interactive, dict):
        raise invalid_parameter("The parameter interactive is required.")
    kind = interactive.get("type")
    if kind not in ("button", "list"):
        raise invalid_parameter(
            f"Param interactive['type'] must be one of {{BUTTON, LIST}} - got \"{kind}\"."
        )
    body = interactive.get("body")
    text = require_text(
        body.get("text") if isinstance(body, dict) else None, "interactive['body']['text']"
    )
    check_max_length(text, MAX_INTERACTIVE_BODY_CHARS, "interactive['body']['text']")
    check_header_and_footer(interactive)
    action = interactive.get("action")
    if not isinstance(action, dict):
        raise invalid_parameter("The parameter interactive['action'] is required.")
    if kind == "button":
        check_reply_buttons(action)
    else:
        check_list(action)


def check_media_message(kind: str, params: dict[str, Any], known_ids: set[str]) -> None:
    media = params.get(kind)
    if not isinstance(media, dict) or (not media.get("id") and not media.get("link")):
        raise invalid_parameter(f"Param {kind} must contain either id or link.")
    if media.get("id") and media.get("link"):
        raise invalid_parameter(f"Param {kind} must contain either id or link, not both.")
    if kind in CAPTIONED_KINDS:
        check_max_length(media.get("caption"), MAX_CAPTION_CHARS, f"{kind}['caption']")
    if media.get("id") and str(media["id"]) not in known_ids:
        raise value_not_valid(f"Invalid media id: {media['id']}")
    link = media.get("link")
    if link and not str(link).startswith(("http://", "https://")):
        raise invalid_parameter(f"Param {kind}['link'] must be a valid URL.")


# ---------------------------------------------------------------------------- Graph stand-in


@dataclass
class _Media:
    media_id: str
    mime_type: str
    source: Path | bytes
    claimed_size: int | None = None

    def content(self) -> bytes:
        return self.source if isinstance(self.source, bytes) else self.source.read_bytes()

    def size(self) -> int:
        return source_size(self.source) if self.claimed_size is None else self.claimed_size


class GraphApiStandIn(_LoopbackStandIn):
    """The WhatsApp Cloud API for one phone number on 127.0.0.1; see the module docstring.

    Args:
        access_token: The only bearer token accepted; anything else answers 401 (code 190).
        phone_number_id: The business phone number id the ``/messages`` and ``/media``
            routes belong to; another id answers 400 (code 100, subcode 33).
        api_version: The Graph version in ``url``.
    """

    thread_name = "graph-api-standin"

    def __init__(
        self, access_token: str, phone_number_id: str, *, api_version: str = GRAPH_VERSION
    ) -> None:
        super().__init__()
        self.access_token = access_token
        self.phone_number_id = str(phone_number_id)
        self.api_version = api_version
        self._media: dict[str, _Media] = {}
        self._uploads: dict[str, bytes] = {}
        self._url_hashes: dict[str, str] = {}
        self._numbers = itertools.count(1)
        self._templates: dict[tuple[str, str], int] = {}

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>/<version>``: the value for ``WHATSAPP_API_URL``."""
        return f"{self.root}/{self.api_version}"

    # -- templates

    def approve_template(self, name: str, language: str, body_parameters: int = 0) -> None:
        """Register an approved template; once one is, every other is refused (132001)."""
        with self._lock:
            self._templates[(name, language)] = body_parameters

    def _approved_templates(self) -> dict[tuple[str, str], int] | None:
        with self._lock:
            return dict(self._templates) or None

    # -- media

    def add_media(
        self, media_id: str, path: Path | bytes, mime_type: str, *, file_size: int | None = None
    ) -> None:
        """Register inbound media (what a webhook's ``video.id`` points at).

        ``file_size`` makes ``GET /{media_id}`` claim another size (an oversized video
        without a big file); the download still serves the real bytes.
        """
        source = path if isinstance(path, bytes) else Path(path)
        with self._lock:
            self._media[media_id] = _Media(media_id, mime_type, source, file_size)

    @property
    def uploads(self) -> dict[str, bytes]:
        """The bytes of every media uploaded through ``/media``, by the media id answered."""
        with self._lock:
            return dict(self._uploads)

    def expire_media_urls(self) -> None:
        """Make every download URL handed out so far stale (real ones live ~5 minutes)."""
        with self._lock:
            self._url_hashes.clear()

    def messages_to(self, wa_id: str) -> list[dict[str, Any]]:
        """The JSON bodies of the accepted messages sent to ``wa_id`` (``+`` optional)."""
        return [
            call.params
            for call in self.calls_to("messages")
            if call.ok and _digits(call.params.get("to")) == _digits(wa_id)
        ]

    def _known_media_ids(self) -> set[str]:
        with self._lock:
            return set(self._media)

    def _media_by_id(self, media_id: str) -> _Media | None:
        with self._lock:
            return self._media.get(media_id)

    # -- dispatch

    def answer(self, request: _Request) -> _Reply:
        kind, handler = self._route(request)
        form = _Form()
        try:
            form = self._parse(request)
            self._authorize(request)
            reply = handler(request, form)
        except GraphError as error:
            reply = _Reply(error.status, error.payload())
        return self._recorded(request, kind, form, reply)

    def _route(self, request: _Request) -> tuple[str, Callable[[_Request, _Form], _Reply]]:
        if request.path == DOWNLOAD_PATH.rstrip("/") or request.path == DOWNLOAD_PATH:
            return "download", self._download
        prefix = f"/{self.api_version}/"
        parts = request.path.removeprefix(prefix).strip("/").split("/")
        if not request.path.startswith(prefix):
            return "unknown", self._unknown_path
        routes: dict[tuple[str, int, str], tuple[str, Callable[[_Request, _Form], _Reply]]] = {
            ("POST", 2, "messages"): ("messages", self._send_message),
            ("POST", 2, "media"): ("media", self._upload),
            ("GET", 1, ""): ("media_url", self._media_url),
            ("DELETE", 1, ""): ("media_delete", self._delete_media),
        }
        key = (request.method, len(parts), parts[1] if len(parts) == 2 else "")
        return routes.get(key, ("unknown", self._unknown_path))

    def _parse(self, request: _Request) -> _Form:
        if request.method == "GET" or not request.body:
            return _Form(fields=dict(request.query))
        body = parse_body(request.headers.get("Content-Type", ""), request.body, _json_fields)
        return _Form(
            fields=body.fields,
            files={name: upload.content for name, upload in body.files.items()},
            file_types={name: upload.content_type for name, upload in body.files.items()},
        )

    def _authorize(self, request: _Request) -> None:
        scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip(), self.access_token):
            raise unauthorized()

    def _object_id(self, request: _Request) -> str:
        return request.path.removeprefix(f"/{self.api_version}/").strip("/").split("/")[0]

    def _require_own_number(self, request: _Request) -> None:
        object_id = self._object_id(request)
        if object_id != self.phone_number_id:
            raise unsupported_request(request.method, object_id)

    # -- routes

    def _unknown_path(self, request: _Request, _form: _Form) -> _Reply:
        raise GraphError(2500, f"Unknown path components: {request.path}")

    def _send_message(self, request: _Request, form: _Form) -> _Reply:
        self._require_own_number(request)
        params = form.fields
        if params.get("status") == "read":
            check_read_receipt(params)
            return _Reply(HTTPStatus.OK, {"success": True})
        to = check_envelope(params)
        kind = params.get("type", "text")
        if kind == "text":
            check_text(params)
        elif kind == "interactive":
            check_interactive(params)
        elif kind == "template":
            check_template(params, self._approved_templates())
        elif kind in MEDIA_KINDS:
            check_media_message(kind, params, self._known_media_ids())
        else:
            kinds = ", ".join(name.upper() for name in MESSAGE_KINDS)
            raise invalid_parameter(f'Param type must be one of {{{kinds}}} - got "{kind}".')
        wamid = f"wamid.STANDIN{next(self._numbers):012d}"
        return _Reply(
            HTTPStatus.OK,
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": _digits(to)}],
                "messages": [{"id": wamid}],
            },
        )

    def _upload(self, request: _Request, form: _Form) -> _Reply:
        self._require_own_number(request)
        if form.fields.get("messaging_product") != "whatsapp":
            raise invalid_parameter("The parameter messaging_product is required.")
        if "file" not in form.files:
            raise invalid_parameter("The parameter file is required.")
        mime_type = str(form.fields.get("type") or form.file_types.get("file") or "")
        if mime_type.split(";", 1)[0].strip() not in UPLOAD_MIME_TYPES:
            raise invalid_parameter(
                f"Param file must be a file with one of the following types: "
                f"{', '.join(sorted(UPLOAD_MIME_TYPES))}. Received file of type '{mime_type}'."
            )
        media_id = str(900000000000000 + next(self._numbers))
        content = form.files["file"]
        with self._lock:
            self._media[media_id] = _Media(media_id, mime_type, content)
            self._uploads[media_id] = content
        return _Reply(HTTPStatus.OK, {"id": media_id})

    def _media_url(self, request: _Request, _form: _Form) -> _Reply:
        media_id = self._object_id(request)
        media = self._media_by_id(media_id)
        if media is None:
            raise unsupported_request("GET", media_id)
        link_hash = secrets.token_hex(16)
        with self._lock:
            self._url_hashes[link_hash] = media_id
        query = urlencode({"mid": media_id, "ext": int(time.time()), "hash": link_hash})
        return _Reply(
            HTTPStatus.OK,
            {
                "messaging_product": "whatsapp",
                "url": f"{self.root}{DOWNLOAD_PATH}?{query}",
                "mime_type": media.mime_type,
                "sha256": hashlib.sha256(media.content()).hexdigest(),
                "file_size": media.size(),
                "id": media_id,
            },
        )

    def _delete_media(self, request: _Request, _form: _Form) -> _Reply:
        media_id = self._object_id(request)
        with self._lock:
            removed = self._media.pop(media_id, None)
        if removed is None:
            raise unsupported_request("DELETE", media_id)
        return _Reply(HTTPStatus.OK, {"success": True})

    def _download(self, request: _Request, _form: _Form) -> _Reply:
        with self._lock:
            media_id = self._url_hashes.get(request.query.get("hash", ""))
        media = self._media_by_id(media_id) if media_id == request.query.get("mid") else None
        if media is None:
            raise GraphError(
                100, "(#100) The media URL is invalid or has expired.", status=HTTPStatus.NOT_FOUND
            )
        self._note_download(media.media_id)
        return _Reply(
            HTTPStatus.OK,
            content=media.source,
            headers={"Content-Type": media.mime_type},
        )


# ---------------------------------------------------------------------------- Twilio


class TwilioError(Exception):
    """A Twilio REST error answer: ``{"code", "message", "more_info", "status"}``."""

    def __init__(self, code: int, message: str, status: int = HTTPStatus.BAD_REQUEST) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = int(status)

    def payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "more_info": f"https://www.twilio.com/docs/errors/{self.code}",
            "status": self.status,
        }
        if self.code == 20003:
            payload["detail"] = "Your AccountSid or AuthToken was incorrect."
        return payload


def twilio_unauthorized() -> TwilioError:
    return TwilioError(20003, "Authenticate", HTTPStatus.UNAUTHORIZED)


def twilio_not_found(path: str) -> TwilioError:
    return TwilioError(20404, f"The requested resource {path} was not found", HTTPStatus.NOT_FOUND)


def _channel(address: str) -> str:
    return address.split(":", 1)[0] if ":" in address else "sms"


def check_twilio_message(params: dict[str, Any]) -> None:
    """Twilio's checks on a new Message: To, From, a body or media, same channel, length."""
    to, sender = str(params.get("To") or ""), str(params.get("From") or "")
    if not to:
        raise TwilioError(21604, "A 'To' phone number is required.")
    if not sender and not params.get("MessagingServiceSid"):
        raise TwilioError(21603, "A 'From' phone number is required.")
    media_urls = params.get("MediaUrl") or []
    body = str(params.get("Body") or "")
    if not body and not media_urls:
        raise TwilioError(21619, "A text message body or media urls must be specified.")
    if len(body) > TWILIO_MAX_BODY_CHARS:
        raise TwilioError(21617, "The concatenated message body exceeds the 1600 character limit.")
    if sender and _channel(sender) != _channel(to):
        raise TwilioError(
            21910, "Invalid From and To pair. From and To should be of the same channel"
        )
    if any(not str(url).startswith(("http://", "https://")) for url in media_urls):
        raise TwilioError(21620, "Invalid media URL(s).")


@dataclass
class _TwilioMedia:
    url: str
    content_type: str
    source: Path | bytes


class TwilioStandIn(_LoopbackStandIn):
    """Twilio's Messages REST API and inbound Media URLs for one account on 127.0.0.1.

    Args:
        account_sid: The account (``AC...``): the basic-auth user and the path's account.
        auth_token: The basic-auth password; also what ``twilio_signature`` signs with.
    """

    thread_name = "twilio-standin"

    def __init__(self, account_sid: str, auth_token: str) -> None:
        super().__init__()
        self.account_sid = account_sid
        self.auth_token = auth_token
        self._media: dict[str, _TwilioMedia] = {}
        self._numbers = itertools.count(1)
        self._templates: dict[tuple[str, str], int] = {}

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``: the value for ``TWILIO_API_URL``."""
        return self.root

    @property
    def account_path(self) -> str:
        return f"/{TWILIO_API_VERSION}/Accounts/{self.account_sid}"

    def add_media(self, path: Path | bytes, content_type: str) -> str:
        """Register inbound media; returns its Media URL (what ``MediaUrl0`` carries)."""
        number = next(self._numbers)
        message_sid, media_sid = _sid("MM", number), _sid("ME", number)
        url = f"{self.root}{self.account_path}/Messages/{message_sid}/Media/{media_sid}"
        source = path if isinstance(path, bytes) else Path(path)
        with self._lock:
            self._media[media_sid] = _TwilioMedia(url, content_type, source)
        return url

    def messages_to(self, address: str) -> list[dict[str, Any]]:
        """The form fields of the accepted messages sent to ``address`` (digits compared)."""
        return [
            call.params
            for call in self.calls_to("messages")
            if call.ok and _digits(call.params.get("To")) == _digits(address)
        ]

    # -- dispatch

    def answer(self, request: _Request) -> _Reply:
        kind, handler = self._route(request)
        params = self._parse(request)
        try:
            if kind != "download":
                self._authorize(request)
            reply = handler(request, params)
        except TwilioError as error:
            reply = _Reply(error.status, error.payload())
        return self._recorded(request, kind, _Form(fields=params), reply)

    def _route(self, request: _Request) -> tuple[str, Callable[[_Request, dict[str, Any]], _Reply]]:
        if request.method == "GET" and request.path.startswith(TWILIO_CDN_PATH):
            return "download", self._serve_cdn
        if request.method == "POST" and request.path == f"{self.account_path}/Messages.json":
            return "messages", self._create_message
        if request.method == "GET" and "/Media/" in request.path:
            return "media", self._redirect_media
        return "unknown", self._not_found

    def _parse(self, request: _Request) -> dict[str, Any]:
        if request.method == "GET" or not request.body:
            return dict(request.query)
        return parse_urlencoded(request.body, repeatable=frozenset({"MediaUrl"}))

    def _authorize(self, request: _Request) -> None:
        scheme, _, encoded = (request.headers.get("Authorization") or "").partition(" ")
        try:
            user, _, password = base64.b64decode(encoded.strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            user, password = "", ""
        valid = hmac.compare_digest(user, self.account_sid) and hmac.compare_digest(
            password, self.auth_token
        )
        if scheme.lower() != "basic" or not valid:
            raise twilio_unauthorized()

    # -- routes

    def _not_found(self, request: _Request, _params: dict[str, Any]) -> _Reply:
        raise twilio_not_found(request.path)

    def _create_message(self, request: _Request, params: dict[str, Any]) -> _Reply:
        check_twilio_message(params)
        sid = _sid("SM", next(self._numbers))
        media_urls = params.get("MediaUrl") or []
        now = formatdate(usegmt=True)
        uri = f"{self.account_path}/Messages/{sid}.json"
        return _Reply(
            HTTPStatus.CREATED,
            {
                "account_sid": self.account_sid,
                "api_version": TWILIO_API_VERSION,
                "body": params.get("Body") or "",
                "date_created": now,
                "date_sent": None,
                "date_updated": now,
                "direction": "outbound-api",
                "error_code": None,
                "error_message": None,
                "from": params.get("From"),
                "messaging_service_sid": params.get("MessagingServiceSid"),
                "num_media": str(len(media_urls)),
                "num_segments": "1",
                "price": None,
                "price_unit": None,
                "sid": sid,
                "status": "queued",
                "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
                "to": params.get("To"),
                "uri": uri,
            },
        )

    def _redirect_media(self, request: _Request, _params: dict[str, Any]) -> _Reply:
        media_sid = request.path.rsplit("/", 1)[-1]
        with self._lock:
            media = self._media.get(media_sid)
        if media is None or not request.path.startswith(self.account_path):
            raise twilio_not_found(request.path)
        location = f"{self.root}{TWILIO_CDN_PATH}{media_sid}"
        return _Reply(HTTPStatus.TEMPORARY_REDIRECT, headers={"Location": location}, content=b"")

    def _serve_cdn(self, request: _Request, _params: dict[str, Any]) -> _Reply:
        media_sid = request.path.removeprefix(TWILIO_CDN_PATH)
        with self._lock:
            media = self._media.get(media_sid)
        if media is None:
            raise twilio_not_found(request.path)
        self._note_download(media.url)
        return _Reply(
            HTTPStatus.OK, content=media.source, headers={"Content-Type": media.content_type}
        )


def _sid(prefix: str, number: int) -> str:
    """A Twilio-shaped sid: two letters and 32 hex digits."""
    return f"{prefix}{number:032x}"


# ---------------------------------------------------------------------------- HTTP


class _StandInHandler(StandInHandler):
    standin: _LoopbackStandIn

    def do_DELETE(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        split = urlsplit(self.path)
        request = _Request(
            method=self.command,
            path=unquote(split.path),
            query=dict(parse_qsl(split.query, keep_blank_values=True)),
            headers=self.headers,
            body=self._read_body(),
        )
        self._send(self.standin.answer(request))

    def _send(self, reply: _Reply) -> None:
        if reply.payload is not None:
            self._send_json(reply.status, reply.payload, reply.headers)
        elif isinstance(reply.content, Path):
            size, chunks = source_size(reply.content), source_chunks(reply.content)
            self._send_stream(reply.status, reply.headers, size, chunks)
        else:
            self._send_bytes(reply.status, reply.headers, reply.content or b"")
