"""What our chat channels refuse before Rasa reads anything (issue 14), on the real channel
code served by Sanic: an over-long message gets the friendly refusal (Rasa's agent is never
asked), and with ``REST_CHANNEL_TOKEN`` the REST channel answers only the clinic's back end.
No agent is loaded: a message that got through makes the stock channel answer ``[]``."""

from __future__ import annotations

import pytest

pytest.importorskip("rasa", reason="needs the Rasa virtualenv (.venv/rasa)")

import requests
from connectors.chat_app import channel_texts
from connectors.rest_channel import RestWithHeldReplies, caller_allowed
from rasa import server
from rasa.core.channels import channel

from tests.rasa_env.sanic_server import serving

pytestmark = pytest.mark.rasa_env
REST = "/webhooks/rest/webhook"


@pytest.fixture()
def rest_base():
    app = server.create_app(cors_origins=[], auth_token="api-token")
    channel.register([RestWithHeldReplies()], app, route="/webhooks/")
    with serving(app) as base:
        yield base


def test_an_over_long_message_is_refused_kindly_before_rasa(monkeypatch, rest_base) -> None:
    monkeypatch.setenv("MESSAGE_MAX_CHARS", "500")
    refusal = channel_texts().message_too_long.format(limit_chars=500)
    long = requests.post(rest_base + REST, json={"sender": "s1", "message": "knee " * 20_000},
                         timeout=10)
    assert long.status_code == 200 and long.json() == [{"recipient_id": "s1", "text": refusal}]
    short = requests.post(rest_base + REST, json={"sender": "s1", "message": "x" * 500},
                          timeout=10)
    assert short.json() == []  # passed on (no agent here to answer)


def test_the_rest_channel_answers_only_the_clinic_back_end(monkeypatch, rest_base) -> None:
    monkeypatch.setenv("REST_CHANNEL_TOKEN", "clinic-backend-" + "b" * 24)
    body = {"sender": "someone-else", "message": "/delete_data"}
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "clinic"}):
        refused = requests.post(rest_base + REST, json=body, headers=headers, timeout=10)
        assert refused.status_code == 401, headers
    allowed = requests.post(rest_base + REST, json=body, timeout=10,
                            headers={"Authorization": "Bearer clinic-backend-" + "b" * 24})
    assert allowed.status_code == 200
    monkeypatch.delenv("REST_CHANNEL_TOKEN")
    assert requests.post(rest_base + REST, json=body, timeout=10).status_code == 200


def test_caller_allowed() -> None:
    assert caller_allowed(None, "") and caller_allowed("Bearer t", "t")
    assert not caller_allowed("Bearer t2", "t") and not caller_allowed("t", "t")
