"""No health text, conversation ids or request bodies in any log line (issue 14).

Our own code never logs a runner's words or a sender id, but the libraries it runs in do:
Rasa logs the action server's echoed request body (a 17,783-character line with the sender
id and the runner's words) when the action server answers 500, the REST channel logs the
text of a failed request, Rasa's "Failed to parse arguments" warning quotes the message,
and at DEBUG level Rasa prints user messages, slot values and tracker dumps. Log files
cannot be erased with a conversation, so they must never hold any of it.

:func:`install` changes every log record as it is created (``logging.setLogRecordFactory``,
so every handler, logger and level is covered, including handlers added later) and routes
``warnings`` through logging. A record keeps its level, logger name and a one-line
message; what goes:

- exception tracebacks and messages (an ``HTTP 500, body='<whole tracker>'`` error, or a
  database error with its parameters): only the exception types stay;
- from third-party loggers (Rasa, rasa-sdk, Sanic, aiohttp, socket.io, ...): quoted
  strings (except action and response names), ``{...}``/``[...]`` dumps, ids (hex and
  uuids, long tokens, phone numbers), ``token=`` values, ``/conversations/<id>``, every
  line after the first, and anything after "Continuing without" / "body="; and the
  message is cut to :data:`MAX_CHARS`;
- from structured (JSON) log lines: every key except the event's name and level.

Our own modules (:data:`OWN_LOGGERS`) keep their message (random job and video ids are
useful and name no one); their tracebacks go too.

Standard library only: installed by the Rasa connectors, the action server's ``actions``
package and the worker.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

#: Loggers of this project: they log ids of jobs and videos on purpose and never text.
OWN_LOGGERS = ("kneeapp", "actions", "connectors", "components", "analysis_core",
               "content_schema", "rasa_fixes", "bench", "__main__")
#: The longest message a third-party log line keeps.
MAX_CHARS = 300
#: The keys a structured (JSON) log line keeps.
KEPT_KEYS = ("event", "event_key", "level", "logger", "timestamp")
REDACTED = "…"

_CUT_AFTER = re.compile(r"(Continuing without|body=|Failed to parse arguments in line).*",
                        re.S)
_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")
_KEPT_QUOTED = re.compile(r"""^['"](action|utter|validate)_[A-Za-z0-9_]+['"]$""")
_DUMPS = re.compile(r"\{.*\}|\[.*\]")
_CONVERSATION_PATH = re.compile(r"(/conversations/)[^/\s?]+")
_TOKEN = re.compile(r"(token=)[^&\s\"']+", re.I)
_IDS = re.compile(r"\b[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
                  r"[0-9a-fA-F]{12}\b|\b[0-9a-fA-F]{16,}\b|\+?\b\d{7,}\b|"
                  r"\b[A-Za-z0-9_-]{24,}\b")
_INSTALLED = False


def _is_own(name: str) -> bool:
    return any(name == own or name.startswith(own + ".") for own in OWN_LOGGERS)


def _keep_quoted(match: re.Match[str]) -> str:
    text = match.group(0)
    return text if _KEPT_QUOTED.match(text) else f"'{REDACTED}'"


def _structured(message: str) -> str | None:
    """A JSON log line (Rasa's structlog) reduced to its event's name and level."""
    if not message.startswith("{"):
        return None
    try:
        data = json.loads(message)
    except ValueError:
        return None
    if not isinstance(data, dict) or "event" not in data:
        return None
    return json.dumps({key: data[key] for key in KEPT_KEYS if key in data})


def redact(message: str) -> str:
    """A third-party log message with everything that could name a runner or quote their
    words taken out (see the module's docstring)."""
    structured = _structured(message)
    if structured is not None:
        return structured
    first, _, rest = message.partition("\n")
    text = _CUT_AFTER.sub(lambda m: m.group(1) + " " + REDACTED, first)
    text = _CONVERSATION_PATH.sub(r"\1" + REDACTED, _TOKEN.sub(r"\1***", text))
    text = _DUMPS.sub(REDACTED, _QUOTED.sub(_keep_quoted, text))
    text = _IDS.sub(REDACTED, text)
    if rest.strip():
        text += f" [{REDACTED}]"
    return text if len(text) <= MAX_CHARS else text[:MAX_CHARS] + REDACTED


def exception_types(exc_info: Any) -> str:
    """``ValueError <- ClientResponseError``: the types of an exception and its causes."""
    error = exc_info[1] if isinstance(exc_info, tuple) else exc_info
    names: list[str] = []
    while isinstance(error, BaseException) and len(names) < 5:
        names.append(type(error).__name__)
        error = error.__cause__ or error.__context__
    return " <- ".join(names)


def scrub(record: logging.LogRecord) -> logging.LogRecord:
    """``record`` made safe to write anywhere (in place; returned for chaining)."""
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: keep the template only
        message = str(record.msg)
    if not _is_own(record.name):
        message = redact(message)
    if record.exc_info and record.exc_info != (None, None, None):
        types = exception_types(record.exc_info)
        message = f"{message} [exception: {types}]" if types else message
    record.msg, record.args = message, ()
    record.exc_info, record.exc_text, record.stack_info = None, None, None
    return record


class PrivacyFilter(logging.Filter):
    """The same as :func:`install`, as a handler filter (for a logging configuration
    file: ``filters: {privacy: {(): kneeapp.log_privacy.PrivacyFilter}}``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        scrub(record)
        return True


def install() -> None:
    """Makes every log record of this process safe as it is created (idempotent)."""
    global _INSTALLED
    if _INSTALLED:
        return
    make_record = logging.getLogRecordFactory()

    def safe_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return scrub(make_record(*args, **kwargs))

    logging.setLogRecordFactory(safe_record)
    logging.captureWarnings(True)  # Rasa's warnings quote messages too
    _INSTALLED = True
