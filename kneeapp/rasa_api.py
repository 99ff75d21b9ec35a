"""How our code authenticates to Rasa's private HTTP API (``/conversations/...``).

Rasa 3.6 (``rasa/server.py``, ``requires_auth``) accepts either ``?token=<--auth-token>``
or, with ``--jwt-secret``, an ``Authorization: Bearer <JWT>`` whose payload carries
``{"user": {"username": ..., "role": "admin"}}`` (``role: user`` is limited to the
conversation named ``username``). We send the token when ``RASA_TOKEN`` is set, else an
HS256 JWT made from ``RASA_JWT_SECRET`` with a short expiry, else nothing (a development
Rasa without authentication).

:func:`rasa_security_options` / :func:`rasa_security_args` are the other side: what every
launcher (``scripts/launch.py``, the e2e stack) starts Rasa with.

Standard library only: the worker (``.venv/actions``), the e2e helpers and the benchmark
use it. Never log the URL's query or the header.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kneeapp import settings

#: Lifetime of a JWT we make; long enough for one request and its retries.
JWT_LIFETIME_S = 300
#: The username in our JWTs (Rasa only checks it for the ``user`` role).
JWT_USERNAME = "kneeapp"


@dataclass(frozen=True)
class RasaAuth:
    """What one request to Rasa's HTTP API carries to be let in."""

    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def hs256_jwt(claims: dict[str, object], secret: str) -> str:
    """A compact HS256 JSON Web Token of ``claims`` signed with ``secret`` (RFC 7519)."""
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64url(json.dumps(claims, separators=(",", ":")).encode("utf-8"))
    signing_input = f"{header}.{payload}".encode("ascii")
    signature = hmac.new(secret.encode("utf-8"), signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64url(signature)}"


def admin_jwt(secret: str, now: float | None = None) -> str:
    """A JWT Rasa accepts for every API route (role ``admin``), valid ``JWT_LIFETIME_S``."""
    issued = int(time.time() if now is None else now)
    claims = {"user": {"username": JWT_USERNAME, "role": "admin"},
              "iat": issued, "exp": issued + JWT_LIFETIME_S}
    return hs256_jwt(claims, secret)


def auth(config: settings.Settings | None = None) -> RasaAuth:
    """The query parameters and headers that authenticate a call to Rasa's HTTP API."""
    config = config or settings.current()
    if config.rasa_token:
        return RasaAuth(params={"token": config.rasa_token})
    if config.rasa_jwt_secret:
        return RasaAuth(headers={"Authorization": f"Bearer {admin_jwt(config.rasa_jwt_secret)}"})
    return RasaAuth()


def rasa_security_options(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """What keeps Rasa's HTTP API private, as the launchers set it: the allowed CORS origins
    (``CORS_ORIGINS``, default the demo site), ``RASA_TOKEN`` and ``RASA_JWT_SECRET``; named
    as ``rasa.server.create_app``'s arguments."""
    config = settings.current(env)
    return {"cors_origins": config.cors_origin_list, "auth_token": config.rasa_token or None,
            "jwt_secret": config.rasa_jwt_secret or None, "jwt_method": "HS256"}


def rasa_security_args(env: Mapping[str, str] | None = None) -> list[str]:
    """:func:`rasa_security_options` as ``rasa run`` options (``--cors``, ``--auth-token``,
    ``--jwt-secret`` with ``--jwt-method HS256``)."""
    options = rasa_security_options(env)
    args = ["--cors", *options["cors_origins"]]
    if options["auth_token"]:
        args += ["--auth-token", options["auth_token"]]
    if options["jwt_secret"]:
        args += ["--jwt-secret", options["jwt_secret"], "--jwt-method", options["jwt_method"]]
    return args
