"""Tests for ``connectors.upload_token`` (stdlib only: runs in either virtualenv)."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT / "rasa_project", ROOT):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from connectors import upload_token  # noqa: E402
from connectors.upload_token import (  # noqa: E402
    SecretError,
    TokenError,
    TokenExpired,
    TokenInvalid,
    create,
    verify,
)

SECRET = b"s" * 32
NOW = 1_700_000_000.0


def test_round_trip_returns_the_conversation() -> None:
    token = create("conv-42", SECRET, ttl_s=60, now=NOW)
    assert verify(token, SECRET, now=NOW + 59) == "conv-42"


def test_str_and_bytes_secrets_are_the_same_key() -> None:
    token = create("c", "k" * 32, now=NOW)
    assert verify(token, b"k" * 32, now=NOW) == "c"


def test_tokens_are_unique_even_for_the_same_conversation() -> None:
    assert create("c", SECRET, now=NOW) != create("c", SECRET, now=NOW)


def test_non_ascii_conversation_id_round_trips() -> None:
    token = create("läufer-ü", SECRET, now=NOW)
    assert token.isascii()
    assert verify(token, SECRET, now=NOW) == "läufer-ü"


def test_expired_token_is_refused() -> None:
    token = create("c", SECRET, ttl_s=60, now=NOW)
    with pytest.raises(TokenExpired):
        verify(token, SECRET, now=NOW + 60)


def test_wrong_secret_is_invalid() -> None:
    token = create("c", SECRET, now=NOW)
    with pytest.raises(TokenInvalid):
        verify(token, b"t" * 32, now=NOW)


def _reencode(claims: dict) -> str:
    raw = json.dumps(claims, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_tampered_payload_is_invalid() -> None:
    token = create("victim", SECRET, ttl_s=60, now=NOW)
    _, signature = token.split(".")
    forged = _reencode({"c": "attacker", "exp": int(NOW) + 60, "n": "00"})
    with pytest.raises(TokenInvalid):
        verify(f"{forged}.{signature}", SECRET, now=NOW)


def test_extended_expiry_is_invalid() -> None:
    token = create("c", SECRET, ttl_s=60, now=NOW)
    payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["exp"] += 10_000
    with pytest.raises(TokenInvalid):
        verify(f"{_reencode(claims)}.{signature}", SECRET, now=NOW + 100)


@pytest.mark.parametrize(
    "token",
    ["", "abc", ".", "abc.", ".abc", "a.b.c", "é.é", "x" * 5000, "!!!.???"],
)
def test_malformed_tokens_are_invalid(token: str) -> None:
    with pytest.raises(TokenInvalid):
        verify(token, SECRET, now=NOW)


def test_signed_garbage_payload_is_invalid() -> None:
    payload = base64.urlsafe_b64encode(b"[1,2]").rstrip(b"=").decode()
    token = f"{payload}.{upload_token._sign(payload, SECRET)}"
    with pytest.raises(TokenInvalid):
        verify(token, SECRET, now=NOW)


def test_errors_share_a_base_class() -> None:
    assert issubclass(TokenInvalid, TokenError)
    assert issubclass(TokenExpired, TokenError)


def test_create_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError):
        create("", SECRET)
    with pytest.raises(ValueError):
        create("c", SECRET, ttl_s=0)


def test_expires_at_reads_the_claim() -> None:
    assert upload_token.expires_at(create("c", SECRET, ttl_s=90, now=NOW)) == int(NOW) + 90


def test_secret_from_env_variable_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("UPLOAD_TOKEN_SECRET", "v" * 40)
    assert upload_token.secret_from_env(tmp_path / "secret") == b"v" * 40
    assert not (tmp_path / "secret").exists()


def test_secret_file_is_created_once_in_development(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("UPLOAD_TOKEN_SECRET", raising=False)
    monkeypatch.delenv("APP_ENV", raising=False)
    path = tmp_path / "var" / "upload_secret"
    first = upload_token.secret_from_env(path)
    assert len(first) == 32
    assert upload_token.secret_from_env(path) == first
    assert path.stat().st_mode & 0o077 == 0


def test_production_requires_the_variable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("UPLOAD_TOKEN_SECRET", raising=False)
    with pytest.raises(SecretError):
        upload_token.secret_from_env(tmp_path / "secret")
    assert not (tmp_path / "secret").exists()


def test_production_refuses_a_short_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("UPLOAD_TOKEN_SECRET", "short")
    with pytest.raises(SecretError):
        upload_token.secret_from_env()
