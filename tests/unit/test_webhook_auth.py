"""Chatwoot webhook verification (kneeapp/clinic/webhook_auth.py): signatures, the path
secret fallback, the replay window and the replay guard."""

from __future__ import annotations

import json
import logging

import pytest

from kneeapp.clinic.webhook_auth import (
    ReplayGuard,
    Verdict,
    payload_time,
    replay_keys,
    signature,
    verify,
)
from tests.chatwoot_standin import fixture_body, load_fixture, signed_headers

VECTORS = load_fixture("signatures")
SECRET = "standin-webhook-secret-0001"
NOW = 1795169130.0
REPLY = fixture_body("message_created_agent_reply")  # created_at 2026-11-20T10:05:30Z = NOW
RESOLVED = fixture_body("conversation_status_changed_resolved")  # updated_at 1795169565.482


def _signed(body: bytes = REPLY, secret: str = SECRET, at: float = NOW,
            delivery: str = "d-1") -> dict[str, str]:
    return signed_headers(secret, body, at, delivery)


# ---------------------------------------------------------------------------- signed


def test_the_signature_matches_the_hand_computed_vectors() -> None:
    body = VECTORS["body"].encode()
    assert signature(VECTORS["secret"], VECTORS["timestamp"], body) == VECTORS["valid"]
    assert signature(VECTORS["secret"], VECTORS["timestamp"],
                     VECTORS["tampered_body"]["body"].encode()) == VECTORS["tampered_body"][
        "signature_of_this_body"]
    assert VECTORS["body_only"] != VECTORS["valid"]


def test_a_signed_request_within_the_window_is_accepted() -> None:
    assert verify(REPLY, _signed(), None, SECRET, NOW) == Verdict(True, "signed")


def test_header_names_are_read_in_any_letter_case() -> None:
    lower = {name.lower(): value for name, value in _signed().items()}
    assert verify(REPLY, lower, None, SECRET, NOW).ok


def test_the_vector_is_accepted_as_sent() -> None:
    headers = {"X-Chatwoot-Signature": VECTORS["valid"],
               "X-Chatwoot-Timestamp": VECTORS["timestamp"]}
    assert verify(VECTORS["body"].encode(), headers, None, VECTORS["secret"],
                  float(VECTORS["timestamp"])).ok


@pytest.mark.parametrize("body, headers, reason", [
    (REPLY.replace(b"Dr Jo", b"Dr Xo"), _signed(), "bad_signature"),
    (REPLY, _signed(secret="another-secret"), "bad_signature"),
    (REPLY, {**_signed(), "X-Chatwoot-Signature": VECTORS["body_only"]}, "bad_signature"),
    (REPLY, {**_signed(), "X-Chatwoot-Timestamp": "soon"}, "bad_timestamp"),
    (REPLY, {"X-Chatwoot-Signature": _signed()["X-Chatwoot-Signature"]}, "bad_timestamp"),
    (REPLY, _signed(at=NOW - 301), "stale"),
    (REPLY, _signed(at=NOW + 301), "future"),
    (REPLY, {"Content-Type": "application/json"}, "no_credentials"),
])
def test_a_request_that_is_not_signed_right_now_is_refused(body: bytes, headers: dict[str, str],
                                                           reason: str) -> None:
    assert verify(body, headers, None, SECRET, NOW) == Verdict(False, reason)


def test_the_window_is_inclusive_at_both_ends() -> None:
    assert verify(REPLY, _signed(at=NOW - 300), None, SECRET, NOW).ok
    assert verify(REPLY, _signed(at=NOW + 300), None, SECRET, NOW).ok
    assert not verify(REPLY, _signed(at=NOW - 60), None, SECRET, NOW, window_s=30).ok


@pytest.mark.parametrize("path_secret", [None, "", SECRET])
def test_without_a_configured_secret_everything_is_refused(path_secret: str | None) -> None:
    headers = _signed(secret="")
    assert verify(REPLY, headers, path_secret, "", NOW) == Verdict(False, "no_secret_configured")


# ---------------------------------------------------------------------------- path secret


def test_the_right_path_secret_is_accepted_without_a_signature() -> None:
    assert verify(REPLY, {}, SECRET, SECRET, NOW) == Verdict(True, "path_secret")


def test_a_wrong_path_secret_is_refused() -> None:
    assert verify(REPLY, {}, SECRET[:-1] + "2", SECRET, NOW) == Verdict(False, "bad_path_secret")
    assert verify(REPLY, {}, "", SECRET, NOW) == Verdict(False, "bad_path_secret")


def test_with_a_path_secret_the_payloads_own_time_must_be_recent() -> None:
    assert verify(REPLY, {}, SECRET, SECRET, NOW + 301) == Verdict(False, "stale")
    assert verify(REPLY, {}, SECRET, SECRET, NOW - 301) == Verdict(False, "future")
    assert verify(RESOLVED, {}, SECRET, SECRET, 1795169565.482 + 299).ok
    assert verify(RESOLVED, {}, SECRET, SECRET, 1795169565.482 + 301) == Verdict(False, "stale")


def test_a_payload_without_a_time_is_accepted_on_the_path_secret() -> None:
    assert verify(b'{"event":"contact_created","id":3}', {}, SECRET, SECRET, NOW).ok
    assert verify(b"not json", {}, SECRET, SECRET, NOW).ok


def test_a_signature_that_fails_falls_back_to_the_path_secret_and_says_so(
        caplog: pytest.LogCaptureFixture) -> None:
    """Chatwoot has signed API-inbox webhooks with another key than the one it shows: the
    URL with the path secret is the clinic's way round that."""
    caplog.set_level(logging.WARNING)
    headers = _signed(secret="key-chatwoot-really-used")
    assert verify(REPLY, headers, SECRET, SECRET, NOW) == Verdict(True, "path_secret")
    assert "did not verify" in caplog.text and SECRET not in caplog.text
    assert verify(REPLY, headers, "guessed", SECRET, NOW) == Verdict(False, "bad_path_secret")


# ---------------------------------------------------------------------------- replays


def test_the_same_delivery_twice_is_a_replay() -> None:
    guard = ReplayGuard()
    headers = _signed()
    assert verify(REPLY, headers, None, SECRET, NOW, guard=guard).ok
    assert verify(REPLY, headers, None, SECRET, NOW + 1, guard=guard) == Verdict(False, "replayed")


def test_the_same_message_under_another_delivery_id_is_a_replay() -> None:
    guard = ReplayGuard()
    assert verify(REPLY, {}, SECRET, SECRET, NOW, guard=guard).ok
    assert verify(REPLY, _signed(delivery="d-2"), None, SECRET, NOW, guard=guard) == Verdict(
        False, "replayed")


def test_a_released_delivery_comes_through_again() -> None:
    guard = ReplayGuard()
    headers = _signed()
    assert verify(REPLY, headers, None, SECRET, NOW, guard=guard).ok
    guard.release(replay_keys(REPLY, headers))
    assert verify(REPLY, headers, None, SECRET, NOW, guard=guard).ok


def test_a_refused_request_is_not_remembered() -> None:
    guard = ReplayGuard()
    assert not verify(REPLY, _signed(secret="wrong"), None, SECRET, NOW, guard=guard).ok
    assert len(guard) == 0 and verify(REPLY, _signed(), None, SECRET, NOW, guard=guard).ok


def test_resolving_again_later_is_a_new_event() -> None:
    payload = json.loads(RESOLVED)
    later = json.dumps({**payload, "updated_at": payload["updated_at"] + 600}).encode()
    assert replay_keys(RESOLVED, {}) == ("conversation_status_changed:42:resolved:1795169565.482",)
    assert replay_keys(RESOLVED, {}) != replay_keys(later, {})
    assert replay_keys(REPLY, {"x-chatwoot-delivery": "abc"}) == (
        "delivery:abc", "message_created:103")


def test_the_guard_forgets_after_twice_the_window_and_holds_a_bounded_number() -> None:
    guard = ReplayGuard(window_s=10, max_keys=3)
    assert guard.claim(["a"], 100.0) and not guard.claim(["a"], 119.0)
    assert guard.claim(["a"], 120.5)
    for number in range(10):
        guard.claim([f"k{number}"], 121.0)
    assert len(guard) == 3 and guard.claim(["k0"], 121.0)


# ---------------------------------------------------------------------------- payload time


@pytest.mark.parametrize("payload, moment", [
    ({"event": "message_created", "created_at": "2026-11-20T10:05:30.000Z"}, NOW),
    ({"event": "message_created", "created_at": "2026-11-20T10:05:30+00:00"}, NOW),
    ({"event": "message_created", "created_at": "2026-11-20 10:05:30 UTC"}, NOW),
    ({"event": "message_updated", "created_at": 1795169130}, NOW),
    ({"event": "conversation_status_changed", "updated_at": 1795169130.5}, NOW + 0.5),
    ({"event": "conversation_status_changed", "updated_at": 1.0,
      "changed_attributes": [{"updated_at": {"previous_value": 0, "current_value": NOW}}]}, NOW),
    ({"event": "message_created", "created_at": "yesterday"}, None),
    ({"event": "message_created", "created_at": True}, None),
    ({"event": "contact_created", "created_at": NOW}, None),
    ({}, None),
])
def test_the_payloads_own_time(payload: dict[str, object], moment: float | None) -> None:
    assert payload_time(payload) == moment
