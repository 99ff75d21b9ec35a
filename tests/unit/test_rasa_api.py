"""How our code authenticates to Rasa's HTTP API (``kneeapp/rasa_api.py``); the same tokens
are checked against Rasa's own server in ``tests/rasa_env/test_api_security.py``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from kneeapp import rasa_api, settings


def _part(text: str) -> dict:
    return dict(json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))))


def test_the_token_wins_then_the_jwt_then_nothing() -> None:
    both = settings.current({"RASA_TOKEN": "tok", "RASA_JWT_SECRET": "s" * 32})
    assert rasa_api.auth(both) == rasa_api.RasaAuth(params={"token": "tok"})
    jwt_only = rasa_api.auth(settings.current({"RASA_JWT_SECRET": "s" * 32}))
    assert jwt_only.params == {} and jwt_only.headers["Authorization"].startswith("Bearer ")
    assert rasa_api.auth(settings.current({})) == rasa_api.RasaAuth()


def test_the_jwt_is_hs256_with_the_admin_role_and_expires() -> None:
    token = rasa_api.admin_jwt("secret-" + "x" * 25, now=1_700_000_000)
    header, payload, signature = token.split(".")
    assert _part(header) == {"alg": "HS256", "typ": "JWT"}
    assert _part(payload) == {"user": {"username": "kneeapp", "role": "admin"},
                              "iat": 1_700_000_000,
                              "exp": 1_700_000_000 + rasa_api.JWT_LIFETIME_S}
    expected = hmac.new(("secret-" + "x" * 25).encode(), f"{header}.{payload}".encode(),
                        hashlib.sha256).digest()
    assert base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)) == expected


def test_production_refuses_a_short_jwt_secret_and_any_origin() -> None:
    config = settings.current({"APP_ENV": "production", "UPLOAD_TOKEN_SECRET": "u" * 32,
                               "RASA_JWT_SECRET": "short", "CORS_ORIGINS": "*"})
    assert config.production_problems() == [
        "RASA_JWT_SECRET must be at least 32 bytes",
        "CORS_ORIGINS must name the sites, not '*', when APP_ENV=production"]
