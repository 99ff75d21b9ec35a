"""Notifying Rasa through a tiny local HTTP server standing in for it."""

from __future__ import annotations

import base64
import json
import logging
import socket

from kneeapp.jobs.notify import notify_rasa


def test_notification_request(monkeypatch, rasa_stub):
    monkeypatch.setenv("RASA_URL", rasa_stub.url + "/")
    monkeypatch.delenv("RASA_TOKEN", raising=False)
    assert notify_rasa("conv 1/ä", "a" * 32)
    (request,) = rasa_stub.requests
    assert request["path"] == ("/conversations/conv%201%2F%C3%A4/trigger_intent"
                               "?output_channel=latest")
    assert request["body"] == {"name": "EXTERNAL_analysis_ready",
                               "entities": {"job_id": "a" * 32}}


def test_token_is_passed_but_not_logged(monkeypatch, rasa_stub, caplog):
    monkeypatch.setenv("RASA_URL", rasa_stub.url)
    monkeypatch.setenv("RASA_TOKEN", "s3cret-token")
    with caplog.at_level(logging.DEBUG):
        assert notify_rasa("conv-1", "b" * 32)
    assert "token=s3cret-token" in rasa_stub.requests[0]["path"]
    assert "s3cret" not in caplog.text


def test_a_jwt_secret_gives_an_admin_bearer_token_not_logged(monkeypatch, rasa_stub, caplog):
    monkeypatch.setenv("RASA_URL", rasa_stub.url)
    monkeypatch.delenv("RASA_TOKEN", raising=False)
    monkeypatch.setenv("RASA_JWT_SECRET", "j" * 32)
    with caplog.at_level(logging.DEBUG):
        assert notify_rasa("conv-1", "b" * 32)
    (request,) = rasa_stub.requests
    scheme, _, jwt = request["headers"]["Authorization"].partition(" ")
    payload = jwt.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert scheme == "Bearer" and claims["user"]["role"] == "admin" and claims["exp"] > 0
    assert "token=" not in request["path"] and jwt not in caplog.text


def test_retries_while_rasa_answers_503(monkeypatch, rasa_stub):
    monkeypatch.setenv("RASA_URL", rasa_stub.url)
    monkeypatch.setenv("NOTIFY_ATTEMPTS", "4")
    monkeypatch.setenv("NOTIFY_BACKOFF_S", "0.01")
    rasa_stub.statuses.extend([503, 502])
    assert notify_rasa("conv-1", "c" * 32)
    assert [r["status"] for r in rasa_stub.requests] == [503, 502, 200]


def test_client_error_is_not_retried(monkeypatch, rasa_stub):
    monkeypatch.setenv("RASA_URL", rasa_stub.url)
    monkeypatch.setenv("NOTIFY_ATTEMPTS", "4")
    monkeypatch.setenv("NOTIFY_BACKOFF_S", "0.01")
    rasa_stub.statuses.append(400)
    assert not notify_rasa("conv-1", "d" * 32)
    assert len(rasa_stub.requests) == 1


def test_rasa_down_gives_up_after_the_attempts_without_health_text(monkeypatch, caplog):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    monkeypatch.setenv("RASA_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("NOTIFY_ATTEMPTS", "3")
    monkeypatch.setenv("NOTIFY_BACKOFF_S", "0.01")
    with caplog.at_level(logging.INFO):
        assert not notify_rasa("conv-knee-pain-left", "e" * 32)
    assert caplog.text.count("not reachable") == 3
    assert "conv-knee-pain-left" not in caplog.text and "e" * 32 in caplog.text
