"""WhatsApp through Twilio end to end: the real stack, a loopback Twilio stand-in.

A runner consents by answering a numbered choice, sends a real clip as a WhatsApp video
(``MediaUrl0``, fetched with the account's basic auth), and the findings text reaches
that number through Twilio's Messages API; forged webhook calls are refused with nothing
sent; a redelivered ``MessageSid`` is answered once. Every server runs with the network
guard.
"""

from __future__ import annotations

import itertools
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.stack import MODEL, Stack, running_stack
from tests.paths import TESTDATA
from tests.whatsapp_standin import TwilioStandIn, twilio_form, twilio_signature

pytestmark = pytest.mark.e2e

SID = "AC00000000000000000000000000000001"
AUTH = "twilio-test-auth-token-0123456789"
SENDER = "whatsapp:+15550002222"
CLIP = TESTDATA / "treadmill_side_male.mp4"
_sids = itertools.count(1)


@pytest.fixture(scope="module")
def twilio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, TwilioStandIn]]:
    if not MODEL.exists():
        pytest.skip("no trained model: `make test` trains it first")
    if not CLIP.is_file():
        pytest.skip(f"shared test footage not found at {TESTDATA}")
    with TwilioStandIn(SID, AUTH) as api:
        env = {"TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": AUTH,
               "TWILIO_WHATSAPP_FROM": SENDER, "TWILIO_API_URL": api.url,
               "UPLOAD_TOKEN_SECRET": uuid.uuid4().hex * 2, "ANALYSIS_TIME_LIMIT_S": "180",
               "TWILIO_MEDIA_BASE_URL": "https://chat.example-clinic.org"}
        with running_stack(tmp_path_factory.mktemp("twilio"), env, with_worker=True,
                           network_guard=True) as stack:
            yield stack, api


def form_from(number: str, name: str = "twilio_text", **fields: str) -> dict[str, str]:
    form = twilio_form(name, **({"MEDIA_URL": fields.pop("MEDIA_URL")}
                                if "MEDIA_URL" in fields else {}))
    sid = f"SM{next(_sids):032d}"
    form.update({"From": f"whatsapp:+{number}", "WaId": number, "MessageSid": sid,
                 "SmsMessageSid": sid, "SmsSid": sid}, **fields)
    return form


def post(stack: Stack, form: dict[str, str], signature: str | None = "valid") -> int:
    url = f"{stack.url}/webhooks/twilio_whatsapp/webhook"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature == "valid":
        headers["X-Twilio-Signature"] = twilio_signature(AUTH, url, form)
    elif signature is not None:
        headers["X-Twilio-Signature"] = signature
    request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode(),
                                     headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def bodies_to(api: TwilioStandIn, number: str) -> list[str]:
    return [str(m.get("Body", "")) for m in api.messages_to(f"+{number}")]


def wait_for_body(api: TwilioStandIn, number: str, needle: str, timeout_s: float = 60) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = [b for b in bodies_to(api, number) if needle.lower() in b.lower()]
        if found:
            return found[-1]
        time.sleep(0.2)
    raise AssertionError(f"no message with {needle!r} to {number}: {bodies_to(api, number)}")


def consented(stack: Stack, api: TwilioStandIn, number: str) -> None:
    assert post(stack, form_from(number, Body="hi")) == 200
    question = wait_for_body(api, number, "Reply with the number")
    choice = next(line.split(".")[0] for line in question.splitlines()
                  if line[:1].isdigit() and "yes" in line.lower())
    assert post(stack, form_from(number, Body=choice)) == 200


def test_forged_calls_are_refused_and_nothing_is_sent(twilio: Any) -> None:
    stack, api = twilio
    number = "15550007001"
    assert post(stack, form_from(number, Body="hi"), signature=None) == 401
    assert post(stack, form_from(number, Body="hi"), signature="bm90IGEgc2lnbmF0dXJl") == 403
    time.sleep(2)
    assert bodies_to(api, number) == []


def test_a_redelivered_message_is_answered_once(twilio: Any) -> None:
    stack, api = twilio
    number = "15550007002"
    form = form_from(number, Body="hi")
    assert post(stack, form) == 200 and post(stack, form) == 200
    wait_for_body(api, number, "Reply with the number")
    time.sleep(3)
    sent = bodies_to(api, number)
    assert len(sent) == len(set(sent)), sent


def test_consent_by_number_then_a_video_gets_the_findings(twilio: Any) -> None:
    stack, api = twilio
    number = "15550007003"
    consented(stack, api, number)
    media_url = api.add_media(CLIP, "video/mp4")
    assert post(stack, form_from(number, "twilio_video", MEDIA_URL=media_url)) == 200
    wait_for_body(api, number, "analysing")
    wait_for_body(api, number, "Here is what I measured", timeout_s=300)
    wait_for_body(api, number, "steps/min", timeout_s=30)
    assert all(len(body) <= 1600 for body in bodies_to(api, number))
    api.wait_for(lambda c: bool(c.params.get("MediaUrl")), timeout_s=30)
    pictures = [m["MediaUrl"] for m in api.messages_to(f"+{number}") if m.get("MediaUrl")]
    assert pictures, "a findings picture goes as its link under TWILIO_MEDIA_BASE_URL"
    link = pictures[0][0] if isinstance(pictures[0], list) else pictures[0]
    assert link.startswith("https://chat.example-clinic.org/webhooks/video/media/")
    with urllib.request.urlopen(stack.url + link.removeprefix(
            "https://chat.example-clinic.org"), timeout=30) as picture:
        assert picture.headers["Content-Type"] == "image/png"
