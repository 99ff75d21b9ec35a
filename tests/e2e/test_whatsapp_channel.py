"""The WhatsApp Cloud API channel end to end: the real stack, a loopback Graph API stand-in.

A runner consents by reply button, sends a real clip as a WhatsApp video, and the findings
text and a picture (uploaded, sent by id) reach that number; forged deliveries are refused
with nothing sent; a redelivered message is answered once; Meta's verification handshake
works; an oversize video is never fetched. Every server runs with the network guard.
"""

from __future__ import annotations

import copy
import itertools
import json
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
from tests.whatsapp_standin import GraphApiStandIn, load_fixture, meta_signature

pytestmark = pytest.mark.e2e

TOKEN = "EAAtest-access-token-for-the-stand-in"
APP_SECRET = "test-app-secret-0123456789"
VERIFY = "knee-verify-word"
PHONE_ID = "100000000000001"
CLIP = TESTDATA / "treadmill_side_male.mp4"
_ids = itertools.count(1)


@pytest.fixture(scope="module")
def whatsapp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, GraphApiStandIn]]:
    if not MODEL.exists():
        pytest.skip("no trained model: `make test` trains it first")
    if not CLIP.is_file():
        pytest.skip(f"shared test footage not found at {TESTDATA}")
    with GraphApiStandIn(TOKEN, PHONE_ID) as api:
        env = {"WHATSAPP_ACCESS_TOKEN": TOKEN, "WHATSAPP_APP_SECRET": APP_SECRET,
               "WHATSAPP_VERIFY_TOKEN": VERIFY, "WHATSAPP_PHONE_NUMBER_ID": PHONE_ID,
               "WHATSAPP_API_URL": api.url, "UPLOAD_TOKEN_SECRET": uuid.uuid4().hex * 2,
               "ANALYSIS_TIME_LIMIT_S": "180"}
        with running_stack(tmp_path_factory.mktemp("whatsapp"), env, with_worker=True,
                           network_guard=True) as stack:
            yield stack, api


def delivery(name: str, number: str, **fields: Any) -> dict[str, Any]:
    """A fixture delivery from ``number`` with a fresh message id (message fields changed)."""
    payload = copy.deepcopy(load_fixture(name)["payload"])
    value = payload["entry"][0]["changes"][0]["value"]
    value["contacts"][0]["wa_id"] = number
    message = value["messages"][0]
    message.update({"from": number, "id": f"wamid.E2E{next(_ids):020d}"}, **fields)
    return payload


def post(stack: Stack, payload: dict[str, Any], signature: str | None = "valid") -> int:
    body = json.dumps(payload, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json"}
    if signature == "valid":
        headers["X-Hub-Signature-256"] = meta_signature(APP_SECRET, body)
    elif signature is not None:
        headers["X-Hub-Signature-256"] = signature
    request = urllib.request.Request(f"{stack.url}/webhooks/whatsapp/webhook", data=body,
                                     headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def texts_to(api: GraphApiStandIn, number: str) -> list[str]:
    found = []
    for message in api.messages_to(number):
        if message["type"] == "text":
            found.append(message["text"]["body"])
        elif message["type"] == "interactive":
            found.append(message["interactive"]["body"]["text"])
    return found


def wait_for_message(api: GraphApiStandIn, number: str, needle: str,
                     timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if any(needle.lower() in text.lower() for text in texts_to(api, number)):
            return
        time.sleep(0.2)
    raise AssertionError(f"no message containing {needle!r} to {number}: {texts_to(api, number)}")


def reply_buttons(api: GraphApiStandIn, number: str, timeout_s: float = 60) -> list[dict]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for message in reversed(api.messages_to(number)):
            if message["type"] == "interactive" and message["interactive"]["type"] == "button":
                return [b["reply"] for b in message["interactive"]["action"]["buttons"]]
        time.sleep(0.2)
    raise AssertionError(f"no reply buttons sent to {number}")


def consented(stack: Stack, api: GraphApiStandIn, number: str) -> None:
    assert post(stack, delivery("text", number, text={"body": "hi"})) == 200
    agree = next(b for b in reply_buttons(api, number) if b["title"].lower().startswith("yes"))
    answer = {"type": "button_reply", "button_reply": agree}
    assert post(stack, delivery("button_reply", number, interactive=answer)) == 200


def test_meta_verification_handshake(whatsapp) -> None:
    stack, _ = whatsapp
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
    url = f"{stack.url}/webhooks/whatsapp/webhook?{urllib.parse.urlencode(query)}"
    with urllib.request.urlopen(url, timeout=10) as answer:
        assert answer.read() == b"1158201444"
    wrong = url.replace(VERIFY, "guess")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(wrong, timeout=10)
    assert refused.value.code == 403


def test_forged_deliveries_are_refused_and_nothing_is_sent(whatsapp) -> None:
    stack, api = whatsapp
    number = "15550009001"
    payload = delivery("text", number)
    assert post(stack, payload, signature=None) == 401
    assert post(stack, payload, signature=meta_signature("another-secret", b"{}")) == 403
    time.sleep(2)
    assert api.messages_to(number) == []


def test_a_redelivered_message_is_answered_once(whatsapp) -> None:
    stack, api = whatsapp
    number = "15550009002"
    payload = delivery("text", number, text={"body": "hi"})
    assert post(stack, payload) == 200 and post(stack, payload) == 200
    reply_buttons(api, number)
    time.sleep(3)
    sent = texts_to(api, number)
    assert sent and len(sent) == len(set(sent)), sent


def test_consent_by_button_then_a_video_gets_findings_and_a_picture(whatsapp) -> None:
    stack, api = whatsapp
    number = "15550009003"
    consented(stack, api, number)
    api.add_media("wa-media-clip", CLIP, "video/mp4")
    video = {"type": "video", "video": {"id": "wa-media-clip", "mime_type": "video/mp4"}}
    assert post(stack, delivery("video", number, **video)) == 200
    wait_for_message(api, number, "analysing")
    deadline = time.monotonic() + 300
    while not any(m["type"] == "image" for m in api.messages_to(number)):
        assert time.monotonic() < deadline, "no findings picture within 300 s"
        time.sleep(0.5)
    image = next(m for m in api.messages_to(number) if m["type"] == "image")
    assert image["image"]["id"] in api.uploads, "the picture is uploaded, sent by id"
    wait_for_message(api, number, "Here is what I measured", timeout_s=30)
    wait_for_message(api, number, "steps/min", timeout_s=30)


def test_an_oversize_video_is_never_fetched(whatsapp) -> None:
    stack, api = whatsapp
    number = "15550009004"
    consented(stack, api, number)
    api.add_media("wa-media-huge", CLIP, "video/mp4", file_size=40 * 1024 * 1024)
    video = {"type": "video", "video": {"id": "wa-media-huge", "mime_type": "video/mp4"}}
    assert post(stack, delivery("video", number, **video)) == 200
    wait_for_message(api, number, "MB")
    assert "wa-media-huge" not in json.dumps(api.downloads)
