"""Signed, expiring upload tokens that bind a video upload to one conversation.

Standard library and the app's settings only: imported by the Rasa connector
(``.venv/rasa``) and by the action server (``.venv/actions``), which hands tokens out.

Format: ``<payload>.<signature>``, both base64url without padding. The payload is the
compact JSON ``{"c": conversation_id, "exp": unix_time, "n": nonce}``; the signature is
HMAC-SHA256 over the payload's base64url text. A token is the only authority for which
conversation an upload belongs to.

Limitations: tokens are bearer tokens: a leaked token can upload until it expires or its
``UPLOAD_TOKEN_MAX_USES`` videos are used (counted by the connector,
:mod:`kneeapp.store.upload_quota`); keep the TTL short and serve the widget over HTTPS.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
import time
from pathlib import Path

from kneeapp import settings
from kneeapp.settings import MIN_SECRET_BYTES

DEFAULT_TTL_S = settings.DEFAULTS.upload_token_ttl_s
MAX_TOKEN_CHARS = 2048
DEV_SECRET_FILE = Path(__file__).resolve().parents[2] / "var" / "upload_secret"


class TokenError(ValueError):
    """An upload token cannot be accepted."""


class TokenInvalid(TokenError):
    """The token is malformed or its signature does not match."""


class TokenExpired(TokenError):
    """The token was valid but its lifetime is over."""


class SecretError(RuntimeError):
    """No usable signing secret is configured."""


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    try:
        return base64.urlsafe_b64decode(padded.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError) as error:
        raise TokenInvalid("token is not base64url") from error


def _as_bytes(secret: str | bytes) -> bytes:
    key = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    if not key:
        raise SecretError("the upload token secret is empty")
    return key


def _sign(payload_b64: str, secret: str | bytes) -> str:
    digest = hmac.new(_as_bytes(secret), payload_b64.encode("ascii"), hashlib.sha256)
    return _b64encode(digest.digest())


def create(
    conversation_id: str,
    secret: str | bytes,
    ttl_s: int = DEFAULT_TTL_S,
    now: float | None = None,
) -> str:
    """Creates a token allowing one conversation to upload until ``now + ttl_s``.

    Args:
        conversation_id: Rasa sender id of the conversation the upload belongs to.
        secret: HMAC key shared by the action server and the Rasa connector.
        ttl_s: lifetime in seconds (must be positive).
        now: current unix time; defaults to ``time.time()`` (for tests).

    Returns:
        The token text, safe to put in an HTTP header.

    Raises:
        ValueError: for an empty conversation id or a non-positive TTL.
    """
    if not conversation_id:
        raise ValueError("conversation_id must not be empty")
    if ttl_s <= 0:
        raise ValueError("ttl_s must be positive")
    issued = time.time() if now is None else now
    claims = {"c": conversation_id, "exp": int(issued + ttl_s), "n": secrets.token_hex(8)}
    payload_b64 = _b64encode(json.dumps(claims, separators=(",", ":")).encode("utf-8"))
    return f"{payload_b64}.{_sign(payload_b64, secret)}"


def expires_at(token: str) -> int:
    """Reads the expiry time of a token WITHOUT checking its signature (for display).

    Raises:
        TokenInvalid: if the token cannot be parsed.
    """
    return int(_claims(token.partition(".")[0])["exp"])


def _claims(payload_b64: str) -> dict:
    try:
        claims = json.loads(_b64decode(payload_b64).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise TokenInvalid("token payload is not JSON") from error
    if not isinstance(claims, dict):
        raise TokenInvalid("token payload is not an object")
    conversation, expiry = claims.get("c"), claims.get("exp")
    if not isinstance(conversation, str) or not conversation:
        raise TokenInvalid("token has no conversation")
    if not isinstance(expiry, int) or isinstance(expiry, bool):
        raise TokenInvalid("token has no expiry")
    return claims


def verify(token: str, secret: str | bytes, now: float | None = None) -> str:
    """Checks a token's signature and expiry.

    Args:
        token: the token text from the ``X-Upload-Token`` header.
        secret: the HMAC key used by :func:`create`.
        now: current unix time; defaults to ``time.time()`` (for tests).

    Returns:
        The conversation id the token was issued for.

    Raises:
        TokenInvalid: malformed token or wrong signature.
        TokenExpired: authentic token whose expiry time has passed.
    """
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        raise TokenInvalid("token missing or too long")
    payload_b64, dot, signature = token.partition(".")
    if not dot or not payload_b64 or not signature:
        raise TokenInvalid("token is not <payload>.<signature>")
    try:
        payload_b64.encode("ascii")
        signature_bytes = signature.encode("ascii")
    except UnicodeEncodeError as error:
        raise TokenInvalid("token is not ASCII") from error
    expected = _sign(payload_b64, secret).encode("ascii")
    if not hmac.compare_digest(expected, signature_bytes):
        raise TokenInvalid("signature mismatch")
    claims = _claims(payload_b64)
    current = time.time() if now is None else now
    if current >= claims["exp"]:
        raise TokenExpired("token expired")
    return claims["c"]


def _dev_secret(path: Path) -> bytes:
    """Reads, or creates once with 32 random bytes, the development secret file."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it meanwhile
        return path.read_bytes()
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(secrets.token_bytes(MIN_SECRET_BYTES))
    return path.read_bytes()


def secret_from_env(path: Path | None = None) -> bytes:
    """Returns the signing secret shared by the connector and the action server.

    ``UPLOAD_TOKEN_SECRET`` wins. Otherwise (development only) the file
    ``var/upload_secret`` under the repository is read, and created with 32 random bytes
    if missing. With ``APP_ENV=production`` the variable is required and must be at least
    32 bytes long.

    Args:
        path: development secret file; defaults to ``<repo>/var/upload_secret``.

    Raises:
        SecretError: when no acceptable secret is available.
    """
    config = settings.current()
    problems = config.production_problems()
    if problems:
        raise SecretError("; ".join(problems))
    if config.upload_token_secret:
        return config.upload_token_secret.encode("utf-8")
    secret = _dev_secret(path or DEV_SECRET_FILE)
    if len(secret) < 16:
        raise SecretError("the development upload secret file is too short; delete it")
    return secret
