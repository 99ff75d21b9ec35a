"""Is this webhook request really from the clinic's Chatwoot? Standard library only.

Chatwoot signs a webhook delivery when the webhook (or the API inbox) has a secret
(``lib/webhooks/trigger.rb``, Chatwoot 4.x)::

    X-Chatwoot-Timestamp: <unix seconds>
    X-Chatwoot-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
    X-Chatwoot-Delivery:  <uuid, the same for every retry of one delivery>

Signing is recent in Chatwoot and reported unreliable (API inboxes signing with another key
than the one shown), so a secret in the URL path (``.../webhook/<CHATWOOT_WEBHOOK_SECRET>``)
is accepted as the fallback. The URL the clinic registers decides:

- without a path secret, the signature must verify and its timestamp lie within
  ``window_s`` of now (before or after);
- with the path secret, the request is accepted on the path secret (compared in constant
  time) when its signature is missing or does not verify, and the replay window then applies
  to the payload's own time (``created_at`` of a message, ``updated_at`` of a conversation)
  where it has one.

An empty configured secret refuses everything. :class:`ReplayGuard` refuses a delivery seen
before: the same ``X-Chatwoot-Delivery`` or the same event about the same thing.

Limitations: the payload's own time is when Chatwoot created the message, not when it sent
the webhook, so with a path secret a delivery Chatwoot retries more than ``window_s`` later
is refused; signed deliveries carry a fresh timestamp on every retry.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Chatwoot-Signature"
TIMESTAMP_HEADER = "X-Chatwoot-Timestamp"
DELIVERY_HEADER = "X-Chatwoot-Delivery"
SIGNATURE_PREFIX = "sha256="
#: Default replay window either side of now, in seconds.
WINDOW_S = 300.0
#: Most delivery keys a ReplayGuard remembers; the oldest are forgotten first.
MAX_REMEMBERED = 10_000


@dataclass(frozen=True)
class Verdict:
    """Whether to accept a webhook request, and why.

    ``reason`` is one of ``signed``, ``path_secret`` (accepted), ``no_secret_configured``,
    ``no_credentials``, ``bad_signature``, ``bad_timestamp``, ``stale``, ``future``,
    ``bad_path_secret``, ``replayed`` (refused).
    """

    ok: bool
    reason: str


def signature(secret: str, timestamp: str, raw_body: bytes) -> str:
    """The ``X-Chatwoot-Signature`` value Chatwoot sends for this timestamp and body."""
    message = timestamp.encode() + b"." + raw_body
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def header(headers: Mapping[str, str], name: str) -> str | None:
    """The value of header ``name`` (any letter case), or None."""
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)


def verify(raw_body: bytes, headers: Mapping[str, str], path_secret: str | None, secret: str,
           now: float, window_s: float = WINDOW_S, *, guard: ReplayGuard | None = None) -> Verdict:
    """Check a Chatwoot webhook request (see the module docstring for the rules).

    Args:
        raw_body: The request body exactly as received.
        headers: The request headers.
        path_secret: The secret in the request's path, None when the URL had none.
        secret: ``CHATWOOT_WEBHOOK_SECRET``.
        now: The current unix time.
        window_s: How far (seconds) a signature's timestamp or a payload's own time may lie
            from ``now``.
        guard: Remembers accepted deliveries; with it a repeated delivery is refused as
            ``replayed``. Call ``guard.release(replay_keys(...))`` when processing an
            accepted delivery failed, so Chatwoot's retry is let through.
    """
    if not secret:
        return Verdict(False, "no_secret_configured")
    signed = _signed_verdict(raw_body, headers, secret, now, window_s)
    verdict = signed if signed.ok or path_secret is None else _path_verdict(
        raw_body, path_secret, secret, now, window_s, signed)
    if verdict.ok and guard is not None and not guard.claim(replay_keys(raw_body, headers), now):
        return Verdict(False, "replayed")
    return verdict


def _signed_verdict(raw_body: bytes, headers: Mapping[str, str], secret: str, now: float,
                    window_s: float) -> Verdict:
    sent = header(headers, SIGNATURE_HEADER)
    if not sent:
        return Verdict(False, "no_credentials")
    timestamp = (header(headers, TIMESTAMP_HEADER) or "").strip()
    if not timestamp.isdigit():
        return Verdict(False, "bad_timestamp")
    expected = signature(secret, timestamp, raw_body)
    if not hmac.compare_digest(sent.strip().encode(), expected.encode()):
        return Verdict(False, "bad_signature")
    return _timely(float(timestamp), now, window_s) or Verdict(True, "signed")


def _path_verdict(raw_body: bytes, path_secret: str, secret: str, now: float, window_s: float,
                  signed: Verdict) -> Verdict:
    if not hmac.compare_digest(path_secret.encode(), secret.encode()):
        return Verdict(False, "bad_path_secret")
    if signed.reason != "no_credentials":
        logger.warning("Chatwoot webhook signature did not verify (%s); accepted on the path "
                       "secret", signed.reason)
    moment = payload_time(_decoded(raw_body))
    return (moment is not None and _timely(moment, now, window_s)) or Verdict(True, "path_secret")


def _timely(moment: float, now: float, window_s: float) -> Verdict | None:
    """None when ``moment`` lies within ``window_s`` of ``now``, else the refusal."""
    if moment < now - window_s:
        return Verdict(False, "stale")
    if moment > now + window_s:
        return Verdict(False, "future")
    return None


# ---------------------------------------------------------------------------- payload


def _decoded(raw_body: bytes) -> dict[str, Any] | None:
    try:
        payload = json.loads(raw_body)
    except (ValueError, UnicodeDecodeError):
        return None
    return payload if isinstance(payload, dict) else None


def payload_time(payload: Mapping[str, Any] | None) -> float | None:
    """When the event happened, by the payload itself (unix time), or None.

    ``message_*`` events: the message's ``created_at`` (an ISO 8601 string in webhooks,
    Rails' ``Time#to_json``; older versions ``"2020-03-03 13:05:57 UTC"``; unix seconds are
    accepted too). ``conversation_*`` events: the new ``updated_at`` from
    ``changed_attributes`` when present, else the conversation's ``updated_at`` (unix
    seconds, a float).
    """
    if not payload:
        return None
    event = str(payload.get("event") or "")
    if event.startswith("message_"):
        return _unix_time(payload.get("created_at"))
    if event.startswith("conversation_"):
        changed = _changed_value(payload, "updated_at")
        return _unix_time(changed if changed is not None else payload.get("updated_at"))
    return None


def _changed_value(payload: Mapping[str, Any], name: str) -> Any:
    """``current_value`` of ``name`` in a payload's ``changed_attributes`` list, or None."""
    changes = payload.get("changed_attributes")
    for change in changes if isinstance(changes, list) else ():
        if isinstance(change, dict) and isinstance(change.get(name), dict):
            return change[name].get("current_value")
    return None


def _unix_time(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace(" UTC", "+00:00").replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def replay_keys(raw_body: bytes, headers: Mapping[str, str]) -> tuple[str, ...]:
    """What makes a delivery the same delivery again.

    The ``X-Chatwoot-Delivery`` id, and the event about its subject: a message's id, or a
    conversation's id with its status and ``updated_at`` (a conversation resolved, reopened
    and resolved again is three events).
    """
    keys = []
    delivery = (header(headers, DELIVERY_HEADER) or "").strip()
    if delivery:
        keys.append(f"delivery:{delivery}")
    payload = _decoded(raw_body) or {}
    event, subject = payload.get("event"), payload.get("id")
    if isinstance(event, str) and subject is not None:
        if event.startswith("conversation_"):
            subject = f"{subject}:{payload.get('status')}:{payload.get('updated_at')}"
        keys.append(f"{event}:{subject}")
    return tuple(keys)


class ReplayGuard:
    """Remembers recent deliveries so that one seen before is refused. Thread-safe.

    A key is remembered for twice the window: a replay of a signed request is accepted by
    the signature check only while its timestamp is within the window, which is at most
    ``2 * window_s`` after the first delivery. At most ``max_keys`` keys are kept; beyond
    that the oldest are forgotten first.
    """

    def __init__(self, window_s: float = WINDOW_S, max_keys: int = MAX_REMEMBERED) -> None:
        self._keep_s = 2 * window_s
        self._max_keys = max_keys
        self._expiry: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._expiry)

    def claim(self, keys: Iterable[str], now: float) -> bool:
        """Remember ``keys``; False (remembering nothing) when one was seen before."""
        keys = tuple(keys)
        with self._lock:
            self._forget_expired(now)
            if any(key in self._expiry for key in keys):
                return False
            for key in keys:
                self._expiry[key] = now + self._keep_s
            while len(self._expiry) > self._max_keys:
                self._expiry.popitem(last=False)
        return True

    def release(self, keys: Iterable[str]) -> None:
        """Forget ``keys`` (their processing failed; Chatwoot's retry may come through)."""
        with self._lock:
            for key in keys:
                self._expiry.pop(key, None)

    def _forget_expired(self, now: float) -> None:
        while self._expiry:
            key, expiry = next(iter(self._expiry.items()))
            if expiry > now:
                return
            del self._expiry[key]
