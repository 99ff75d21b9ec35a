"""The Twilio WhatsApp channel's parts: signatures as Twilio computes them, the number,
replies Twilio accepts, and the settings it refuses. End to end: tests/e2e."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from connectors.twilio_whatsapp import TwilioApi, TwilioOutput, TwilioWhatsAppInput, number_of
from connectors.whatsapp_channel import Runners
from twilio.request_validator import RequestValidator

from kneeapp import settings
from tests.whatsapp_standin import TwilioStandIn, twilio_form

pytestmark = pytest.mark.rasa_env

SID = "AC00000000000000000000000000000001"
AUTH = "unit-auth-token"
SIGNATURES = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "whatsapp"
                         / "signatures.json").read_text(encoding="utf-8"))["twilio"]


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[TwilioStandIn]:
    with TwilioStandIn(SID, AUTH) as standin:
        for name, value in {"TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": AUTH,
                            "TWILIO_WHATSAPP_FROM": "whatsapp:+15550002222",
                            "TWILIO_API_URL": standin.url}.items():
            monkeypatch.setenv(name, value)
        yield standin


@pytest.mark.parametrize("case", SIGNATURES["cases"], ids=lambda c: c["name"])
def test_signature_vectors_as_the_channel_checks_them(case: dict[str, Any]) -> None:
    validator = RequestValidator(SIGNATURES["auth_token"])
    assert validator.validate(case["url"], case["params"], case.get("signature") or "") is (
        case["valid"])


def test_the_number_comes_from_waid_or_from() -> None:
    assert number_of(twilio_form("twilio_text")) == "15550001111"
    assert number_of({"From": "whatsapp:+15550001111"}) == "15550001111"


def test_long_replies_and_choices_fit_twilio(api: TwilioStandIn) -> None:
    output = TwilioOutput(TwilioApi(settings.current()), Runners(), "Reply with the number.")
    output.runners.wrote("conv", "15550001111")
    message = {"text": "Where exactly does it hurt? " * 80,
               "buttons": [{"title": "Inner side", "payload": "/inform{\"location\": \"medial\"}"},
                           {"title": "Not sure", "payload": "/dont_know"}]}
    asyncio.run(output.send_response("conv", message))
    bodies = [m["Body"] for m in api.messages_to("+15550001111")]
    assert len(bodies) > 1 and all(len(b) <= 1600 for b in bodies)
    assert "1. Inner side" in bodies[-1] and "2. Not sure" in bodies[-1]
    assert output.chosen("conv", "2") == "/dont_know" and output.chosen("conv", "hi") == "hi"
    assert all(call.ok for call in api.calls)


def test_the_channel_refuses_to_start_without_sender_and_token(
        api: TwilioStandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TWILIO_WHATSAPP_FROM")
    with pytest.raises(settings.SettingsError, match="TWILIO_WHATSAPP_FROM is required"):
        TwilioWhatsAppInput(settings.current())
    monkeypatch.delenv("TWILIO_ACCOUNT_SID")
    assert TwilioWhatsAppInput(settings.current()).get_output_channel() is None
