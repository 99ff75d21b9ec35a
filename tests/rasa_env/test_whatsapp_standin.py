"""The WhatsApp stand-ins (``tests/whatsapp_standin.py``), their fixtures and signature helpers.

Every route is exercised over real HTTP with urllib (so the module runs in both virtualenvs);
the httpx, aiohttp and twilio checks run where those packages are installed (.venv/rasa):
they prove that the clients a connector would use can talk to the stand-ins.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.whatsapp_standin import (
    FIXTURES,
    Call,
    GraphApiStandIn,
    TwilioStandIn,
    load_fixture,
    meta_signature,
    twilio_form,
    twilio_signature,
    webhook_body,
)

pytestmark = pytest.mark.rasa_env

TOKEN = "standin-access-token"
PHONE_NUMBER_ID = "100000000000001"
RUNNER = "15550001111"
BUSINESS = "15550002222"
ACCOUNT_SID = "AC" + "0" * 31 + "1"
AUTH_TOKEN = "standin-twilio-auth-token-0001"
CLIP = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 300
META_FIXTURES = sorted(
    path.stem
    for path in FIXTURES.glob("*.json")
    if "payload" in json.loads(path.read_text(encoding="utf-8"))
)


# ----------------------------------------------------------------------------- HTTP helpers


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None


def http(
    method: str,
    url: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    *,
    follow_redirects: bool = True,
) -> tuple[int, dict[str, str], bytes]:
    """One request; answers (status, headers, body) for error statuses too."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    handlers = [] if follow_redirects else [_NoRedirect()]
    try:
        with urllib.request.build_opener(*handlers).open(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def bearer(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def basic(user: str = ACCOUNT_SID, password: str = AUTH_TOKEN) -> dict[str, str]:
    encoded = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


def post_json(url: str, payload: Any, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    body = json.dumps(payload).encode()
    status, _, data = http("POST", url, body, {"Content-Type": "application/json", **headers})
    return status, json.loads(data)


def get_json(url: str, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    status, _, data = http("GET", url, headers=headers)
    return status, json.loads(data)


def multipart(
    fields: dict[str, str], files: dict[str, tuple[str, str, bytes]]
) -> tuple[bytes, str]:
    """Encode a multipart/form-data body; ``files`` maps name -> (filename, type, bytes)."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        head = f'Content-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"--{boundary}\r\n{head}".encode() + value.encode() + b"\r\n")
    for name, (filename, content_type, content) in files.items():
        head = (
            f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        )
        parts.append(f"--{boundary}\r\n{head}".encode() + content + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def form_body(fields: dict[str, Any]) -> bytes:
    return urllib.parse.urlencode(fields, doseq=True).encode()


# ----------------------------------------------------------------------------- Graph helpers


@pytest.fixture
def graph() -> Iterator[GraphApiStandIn]:
    with GraphApiStandIn(TOKEN, PHONE_NUMBER_ID) as standin:
        yield standin


def messages_url(graph: GraphApiStandIn, phone_number_id: str = PHONE_NUMBER_ID) -> str:
    return f"{graph.url}/{phone_number_id}/messages"


def send(graph: GraphApiStandIn, message: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    return post_json(messages_url(graph), message, bearer())


def text_message(body: str = "hello", **extra: Any) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "to": RUNNER,
        "type": "text",
        "text": {"body": body},
        **extra,
    }


def reply_buttons(*buttons: tuple[str, str], body: str = "Where does it hurt?") -> dict[str, Any]:
    action = {"buttons": [{"type": "reply", "reply": {"id": i, "title": t}} for i, t in buttons]}
    interactive = {"type": "button", "body": {"text": body}, "action": action}
    return {
        "messaging_product": "whatsapp",
        "to": RUNNER,
        "type": "interactive",
        "interactive": interactive,
    }


def list_message(
    sections: list[dict[str, Any]], button: str = "Choose", body: str = "Pick one"
) -> dict[str, Any]:
    interactive = {
        "type": "list",
        "body": {"text": body},
        "action": {"button": button, "sections": sections},
    }
    return {
        "messaging_product": "whatsapp",
        "to": RUNNER,
        "type": "interactive",
        "interactive": interactive,
    }


def rows(count: int, prefix: str = "row", **fields: str) -> list[dict[str, Any]]:
    return [{"id": f"{prefix}-{n}", "title": f"Option {n}", **fields} for n in range(count)]


def media_message(kind: str, **media: Any) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "to": RUNNER, "type": kind, kind: media}


def upload(
    graph: GraphApiStandIn, content: bytes, mime_type: str, **fields: str
) -> tuple[int, dict]:
    form = {"messaging_product": "whatsapp", "type": mime_type, **fields}
    body, content_type = multipart(form, {"file": ("clip.bin", mime_type, content)})
    url = f"{graph.url}/{PHONE_NUMBER_ID}/media"
    status, _, data = http("POST", url, body, {"Content-Type": content_type, **bearer()})
    return status, json.loads(data)


def error_code(payload: dict[str, Any]) -> int:
    return payload["error"]["code"]


# ----------------------------------------------------------------------------- Graph: accepted


def test_url_is_loopback_with_the_graph_version(graph: GraphApiStandIn) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v21\.0", graph.url)


def test_text_message_is_accepted_and_recorded(graph: GraphApiStandIn) -> None:
    status, answer = send(graph, text_message("your knee"))
    assert status == 200
    assert answer["messaging_product"] == "whatsapp"
    assert answer["contacts"] == [{"input": RUNNER, "wa_id": RUNNER}]
    assert answer["messages"][0]["id"].startswith("wamid.")
    (call,) = graph.calls_to("messages")
    assert (call.ok, call.method, call.status) == (True, "POST", 200)
    assert call.path == f"/v21.0/{PHONE_NUMBER_ID}/messages"
    assert call.params["text"] == {"body": "your knee"}
    assert graph.messages_to(RUNNER) == [call.params]


def test_message_ids_differ_and_plus_prefixed_numbers_match(graph: GraphApiStandIn) -> None:
    first = send(graph, text_message("one", to=f"+{RUNNER}"))[1]
    second = send(graph, text_message("two"))[1]
    assert first["messages"][0]["id"] != second["messages"][0]["id"]
    assert first["contacts"][0]["wa_id"] == RUNNER
    assert [m["text"]["body"] for m in graph.messages_to(RUNNER)] == ["one", "two"]
    assert graph.messages_to(BUSINESS) == []


ACCEPTED_AT_THE_LIMITS = {
    "text of 4096": text_message("x" * 4096),
    "3 buttons, 20-char titles, 256-char ids": reply_buttons(
        ("a" * 256, "t" * 20), ("b" * 256, "u" * 20), ("c" * 256, "v" * 20)
    ),
    "interactive body of 1024": reply_buttons(("yes", "Yes"), body="b" * 1024),
    "10 rows over 2 sections, 24/72/24/20 chars": list_message(
        [
            {"title": "s" * 24, "rows": rows(5, "a", description="d" * 72)},
            {"title": "Second", "rows": [{"id": f"b-{n}", "title": "r" * 24} for n in range(5)]},
        ],
        button="l" * 20,
    ),
    "single untitled section": list_message([{"rows": rows(1)}]),
    "image by link with caption of 1024": media_message(
        "image", link="https://example.org/knee.png", caption="c" * 1024
    ),
    "template": {
        "messaging_product": "whatsapp",
        "to": RUNNER,
        "type": "template",
        "template": {"name": "analysis_ready", "language": {"code": "en"}},
    },
}


@pytest.mark.parametrize("message", ACCEPTED_AT_THE_LIMITS.values(), ids=ACCEPTED_AT_THE_LIMITS)
def test_messages_at_the_limits_are_accepted(graph: GraphApiStandIn, message: dict) -> None:
    status, answer = send(graph, message)
    assert status == 200, answer
    assert graph.messages_to(RUNNER) == [message]


# ----------------------------------------------------------------------------- Graph: rejected


def _without(message: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in message.items() if k != key}


REJECTED = {
    "text over 4096": (text_message("x" * 4097), 100),
    "empty text": (text_message(""), 100),
    "no buttons": (reply_buttons(), 131009),
    "4 buttons": (reply_buttons(("a", "A"), ("b", "B"), ("c", "C"), ("d", "D")), 131009),
    "button title of 21": (reply_buttons(("a", "t" * 21)), 131009),
    "empty button title": (reply_buttons(("a", "")), 131009),
    "button id of 257": (reply_buttons(("a" * 257, "A")), 131009),
    "duplicate button ids": (reply_buttons(("same", "A"), ("same", "B")), 131009),
    "duplicate button titles": (reply_buttons(("a", "Same"), ("b", "Same")), 131009),
    "interactive body over 1024": (reply_buttons(("a", "A"), body="b" * 1025), 100),
    "11 rows over 2 sections": (
        list_message([{"title": "A", "rows": rows(6, "a")}, {"title": "B", "rows": rows(5, "b")}]),
        131009,
    ),
    "row title of 25": (list_message([{"rows": [{"id": "r", "title": "t" * 25}]}]), 131009),
    "row description of 73": (list_message([{"rows": rows(1, description="d" * 73)}]), 131009),
    "section title of 25": (list_message([{"title": "s" * 25, "rows": rows(1)}]), 131009),
    "untitled section among several": (
        list_message([{"rows": rows(1, "a")}, {"title": "B", "rows": rows(1, "b")}]),
        131009,
    ),
    "list button of 21": (list_message([{"rows": rows(1)}], button="l" * 21), 131009),
    "duplicate row ids": (list_message([{"rows": [{"id": "r", "title": "A"}] * 2}]), 131009),
    "caption over 1024": (
        media_message("image", link="https://example.org/a.png", caption="c" * 1025),
        100,
    ),
    "image id unknown": (media_message("image", id="no-such-media"), 131009),
    "document id unknown": (
        media_message("document", id="no-such-media", filename="r.pdf"),
        131009,
    ),
    "media without id or link": (media_message("video"), 100),
    "missing to": (_without(text_message(), "to"), 100),
    "messaging_product not whatsapp": (text_message(messaging_product="instagram"), 100),
    "missing messaging_product": (_without(text_message(), "messaging_product"), 100),
    "unknown type": (text_message(type="carousel"), 100),
}


@pytest.mark.parametrize(("message", "code"), REJECTED.values(), ids=REJECTED)
def test_what_the_real_api_refuses_is_a_400_with_graph_error_json(
    graph: GraphApiStandIn, message: dict, code: int
) -> None:
    status, answer = send(graph, message)
    assert status == 400
    error = answer["error"]
    assert (error["code"], error["type"]) == (code, "OAuthException")
    assert error["message"].startswith(f"(#{code}) ")
    assert error["fbtrace_id"]
    if code == 131009:
        assert error["message"] == "(#131009) Parameter value is not valid"
        assert error["error_data"]["details"]
    (call,) = graph.calls_to("messages")
    assert (call.ok, call.status, call.response) == (False, 400, answer)
    assert call.params == message
    assert graph.messages_to(RUNNER) == []


@pytest.mark.parametrize(
    "headers",
    [{}, bearer("wrong-token"), {"Authorization": TOKEN}, basic()],
    ids=["none", "wrong token", "no scheme", "basic auth"],
)
def test_every_route_needs_the_bearer_token(graph: GraphApiStandIn, headers: dict) -> None:
    graph.add_media("wa-media-video-1", CLIP, "video/mp4")
    sent = post_json(messages_url(graph), text_message(), headers)
    looked_up = get_json(f"{graph.url}/wa-media-video-1", headers)
    for status, answer in (sent, looked_up):
        assert status == 401
        assert error_code(answer) == 190
    assert [(c.kind, c.ok) for c in graph.calls] == [("messages", False), ("media_url", False)]
    assert graph.messages_to(RUNNER) == []


def test_another_phone_number_id_is_rejected(graph: GraphApiStandIn) -> None:
    status, answer = post_json(messages_url(graph, "100000000000009"), text_message(), bearer())
    assert status == 400
    assert (error_code(answer), answer["error"]["error_subcode"]) == (100, 33)


def test_unknown_path_is_refused(graph: GraphApiStandIn) -> None:
    status, answer = post_json(f"{graph.url}/{PHONE_NUMBER_ID}/contacts", {}, bearer())
    assert status == 400
    assert error_code(answer) == 2500
    assert graph.calls[0].kind == "unknown"


# ----------------------------------------------------------------------------- Graph: media


def test_upload_then_look_up_and_send_by_id(graph: GraphApiStandIn) -> None:
    status, answer = upload(graph, CLIP, "video/mp4")
    assert status == 200
    media_id = answer["id"]
    assert media_id.isdigit()
    assert graph.uploads == {media_id: CLIP}
    (call,) = graph.calls_to("media")
    assert call.files == {"file": CLIP}
    assert call.params == {"messaging_product": "whatsapp", "type": "video/mp4"}
    status, info = get_json(f"{graph.url}/{media_id}", bearer())
    assert status == 200
    assert (info["mime_type"], info["file_size"]) == ("video/mp4", len(CLIP))
    assert info["sha256"] == hashlib.sha256(CLIP).hexdigest()
    status, _ = send(graph, media_message("video", id=media_id, caption="your run"))
    assert status == 200
    assert graph.messages_to(RUNNER)[0]["video"]["id"] == media_id


@pytest.mark.parametrize(
    ("fields", "files"),
    [
        ({"type": "video/mp4"}, {"file": ("c.mp4", "video/mp4", CLIP)}),
        ({"messaging_product": "whatsapp", "type": "video/mp4"}, {}),
        (
            {"messaging_product": "whatsapp", "type": "video/quicktime"},
            {"file": ("c.mov", "video/quicktime", CLIP)},
        ),
    ],
    ids=["no messaging_product", "no file", "unsupported type"],
)
def test_upload_rejections(graph: GraphApiStandIn, fields: dict, files: dict) -> None:
    body, content_type = multipart(fields, files)
    url = f"{graph.url}/{PHONE_NUMBER_ID}/media"
    status, _, data = http("POST", url, body, {"Content-Type": content_type, **bearer()})
    assert status == 400
    assert error_code(json.loads(data)) == 100
    assert graph.uploads == {}
    assert [c.ok for c in graph.calls_to("media")] == [False]


def test_inbound_media_url_and_download(graph: GraphApiStandIn, tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(CLIP)
    graph.add_media("wa-media-video-1", clip, "video/mp4")
    status, info = get_json(f"{graph.url}/wa-media-video-1", bearer())
    assert status == 200
    assert set(info) == {"messaging_product", "url", "mime_type", "sha256", "file_size", "id"}
    assert (info["id"], info["messaging_product"]) == ("wa-media-video-1", "whatsapp")
    assert info["url"].startswith("http://127.0.0.1:")
    assert graph.downloads == []
    status, headers, content = http("GET", info["url"], headers=bearer())
    assert (status, content) == (200, CLIP)
    assert headers["Content-Type"] == "video/mp4"
    assert graph.downloads == ["wa-media-video-1"]
    assert [c.kind for c in graph.calls] == ["media_url", "download"]


def test_download_needs_the_token_and_expires(graph: GraphApiStandIn) -> None:
    graph.add_media("wa-media-image-1", b"\xff\xd8jpeg", "image/jpeg")
    media_url = get_json(f"{graph.url}/wa-media-image-1", bearer())[1]["url"]
    status, _, data = http("GET", media_url)
    assert status == 401
    assert error_code(json.loads(data)) == 190
    graph.expire_media_urls()
    status, _, data = http("GET", media_url, headers=bearer())
    assert status == 404
    assert graph.downloads == []


def test_claimed_file_size(graph: GraphApiStandIn) -> None:
    graph.add_media("wa-media-video-1", CLIP, "video/mp4", file_size=50 * 1024 * 1024)
    info = get_json(f"{graph.url}/wa-media-video-1", bearer())[1]
    assert info["file_size"] == 50 * 1024 * 1024
    assert info["sha256"] == hashlib.sha256(CLIP).hexdigest()


def test_read_receipt_needs_no_recipient(graph: GraphApiStandIn) -> None:
    receipt = {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.FAKE1"}
    assert send(graph, receipt) == (200, {"success": True})
    status, answer = send(graph, {**receipt, "message_id": ""})
    assert (status, error_code(answer)) == (400, 100)
    assert graph.messages_to(RUNNER) == []


def test_unknown_media_id_lookup_is_refused(graph: GraphApiStandIn) -> None:
    status, answer = get_json(f"{graph.url}/no-such-media", bearer())
    assert status == 400
    assert (error_code(answer), answer["error"]["error_subcode"]) == (100, 33)


def test_delete_media(graph: GraphApiStandIn) -> None:
    media_id = upload(graph, b"\x89PNG", "image/png")[1]["id"]
    url = f"{graph.url}/{media_id}"
    status, _, data = http("DELETE", url, headers=bearer())
    assert (status, json.loads(data)) == (200, {"success": True})
    assert http("DELETE", url, headers=bearer())[0] == 400
    assert send(graph, media_message("image", id=media_id))[0] == 400


# ----------------------------------------------------------------------------- Graph: recording


def test_wait_for_finds_a_call_and_times_out_listing_calls(graph: GraphApiStandIn) -> None:
    send(graph, text_message("first"))
    call = graph.wait_for(lambda c: c.params.get("text", {}).get("body") == "first", 1)
    assert isinstance(call, Call)
    with pytest.raises(AssertionError, match="first"):
        graph.wait_for(lambda c: c.params.get("type") == "image", 0.1)
    graph.clear()
    assert graph.calls == []


def test_httpx_client_json_and_multipart(graph: GraphApiStandIn) -> None:
    httpx = pytest.importorskip("httpx")
    with httpx.Client(base_url=graph.url, headers=bearer()) as client:
        uploaded = client.post(
            f"/{PHONE_NUMBER_ID}/media",
            data={"messaging_product": "whatsapp", "type": "video/mp4"},
            files={"file": ("clip.mp4", CLIP, "video/mp4")},
        )
        media_id = uploaded.json()["id"]
        sent = client.post(f"/{PHONE_NUMBER_ID}/messages", json=media_message("video", id=media_id))
        info = client.get(f"/{media_id}").json()
        downloaded = client.get(info["url"])
    assert (uploaded.status_code, sent.status_code, downloaded.status_code) == (200, 200, 200)
    assert downloaded.content == CLIP


def test_aiohttp_chunked_multipart_upload(graph: GraphApiStandIn) -> None:
    aiohttp = pytest.importorskip("aiohttp")
    import asyncio

    async def upload_chunked() -> tuple[int, dict]:
        form = aiohttp.FormData({"messaging_product": "whatsapp", "type": "video/mp4"})
        form.add_field("file", CLIP, filename="clip.mp4", content_type="video/mp4")
        async with aiohttp.ClientSession(headers=bearer()) as session:
            url = f"{graph.url}/{PHONE_NUMBER_ID}/media"
            async with session.post(url, data=form, chunked=True) as response:
                return response.status, await response.json()

    status, answer = asyncio.run(upload_chunked())
    assert status == 200
    assert graph.uploads == {answer["id"]: CLIP}


# ----------------------------------------------------------------------------- Twilio


@pytest.fixture
def twilio_api() -> Iterator[TwilioStandIn]:
    with TwilioStandIn(ACCOUNT_SID, AUTH_TOKEN) as standin:
        yield standin


def create_message(
    api: TwilioStandIn, fields: dict[str, Any], headers: dict[str, str] | None = None
) -> tuple[int, dict[str, Any]]:
    url = f"{api.url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    form_headers = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _, data = http(
        "POST",
        url,
        form_body(fields),
        {**form_headers, **(basic() if headers is None else headers)},
    )
    return status, json.loads(data)


def whatsapp_fields(**fields: Any) -> dict[str, Any]:
    return {"From": f"whatsapp:+{BUSINESS}", "To": f"whatsapp:+{RUNNER}", "Body": "hello", **fields}


def test_twilio_message_is_created(twilio_api: TwilioStandIn) -> None:
    media = ["https://example.org/a.png", "https://example.org/b.png"]
    status, message = create_message(twilio_api, whatsapp_fields(MediaUrl=media))
    assert status == 201
    assert re.fullmatch(r"SM[0-9a-f]{32}", message["sid"])
    assert (message["status"], message["num_media"]) == ("queued", "2")
    assert (message["from"], message["to"]) == (f"whatsapp:+{BUSINESS}", f"whatsapp:+{RUNNER}")
    assert message["account_sid"] == ACCOUNT_SID
    (call,) = twilio_api.calls_to("messages")
    assert call.params["MediaUrl"] == media
    assert twilio_api.messages_to(f"whatsapp:+{RUNNER}") == [call.params]
    assert twilio_api.messages_to(RUNNER) == [call.params]


def test_twilio_limits_are_inclusive(twilio_api: TwilioStandIn) -> None:
    assert create_message(twilio_api, whatsapp_fields(Body="x" * 1600))[0] == 201
    media_only = whatsapp_fields(Body="", MediaUrl=["https://example.org/a.png"])
    assert create_message(twilio_api, media_only)[0] == 201


@pytest.mark.parametrize(
    "headers",
    [{}, basic(password="wrong"), basic(user="AC" + "9" * 32), bearer(AUTH_TOKEN)],
    ids=["none", "wrong token", "wrong account", "bearer"],
)
def test_twilio_needs_basic_auth(twilio_api: TwilioStandIn, headers: dict) -> None:
    status, answer = create_message(twilio_api, whatsapp_fields(), headers)
    assert status == 401
    assert (answer["code"], answer["message"], answer["status"]) == (20003, "Authenticate", 401)
    assert [c.ok for c in twilio_api.calls] == [False]


def test_twilio_other_account_path_is_not_found(twilio_api: TwilioStandIn) -> None:
    url = f"{twilio_api.url}/2010-04-01/Accounts/AC{'9' * 32}/Messages.json"
    status, _, data = http("POST", url, form_body(whatsapp_fields()), basic())
    assert status == 404
    assert json.loads(data)["code"] == 20404


TWILIO_REJECTED = {
    "body over 1600": (whatsapp_fields(Body="x" * 1601), 21617),
    "missing To": ({"From": f"whatsapp:+{BUSINESS}", "Body": "hi"}, 21604),
    "missing From": ({"To": f"whatsapp:+{RUNNER}", "Body": "hi"}, 21603),
    "no body and no media": (whatsapp_fields(Body=""), 21619),
    "WhatsApp From to an SMS To": (whatsapp_fields(To=f"+{RUNNER}"), 21910),
    "media URL not http(s)": (whatsapp_fields(MediaUrl=["file:///etc/passwd"]), 21620),
}


@pytest.mark.parametrize(("fields", "code"), TWILIO_REJECTED.values(), ids=TWILIO_REJECTED)
def test_twilio_rejections(twilio_api: TwilioStandIn, fields: dict, code: int) -> None:
    status, answer = create_message(twilio_api, fields)
    assert status == 400
    assert (answer["code"], answer["status"]) == (code, 400)
    assert answer["more_info"].endswith(str(code))
    assert [c.ok for c in twilio_api.calls_to("messages")] == [False]
    assert twilio_api.messages_to(RUNNER) == []


def test_twilio_media_url_needs_basic_auth_and_redirects(twilio_api: TwilioStandIn) -> None:
    media_url = twilio_api.add_media(CLIP, "video/mp4")
    assert media_url.startswith(f"{twilio_api.url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM")
    assert http("GET", media_url)[0] == 401
    status, headers, _ = http("GET", media_url, headers=basic(), follow_redirects=False)
    assert status == 307
    assert headers["Location"].startswith(twilio_api.url)
    assert twilio_api.downloads == []
    status, headers, content = http("GET", media_url, headers=basic())
    assert (status, content, headers["Content-Type"]) == (200, CLIP, "video/mp4")
    assert twilio_api.downloads == [media_url]


def test_twilio_client_against_the_standin(twilio_api: TwilioStandIn) -> None:
    pytest.importorskip("twilio")
    from twilio.base.exceptions import TwilioRestException
    from twilio.rest import Client

    client = Client(ACCOUNT_SID, AUTH_TOKEN)
    client.api.base_url = twilio_api.url
    sent = client.messages.create(
        from_=f"whatsapp:+{BUSINESS}", to=f"whatsapp:+{RUNNER}", body="hi", media_url=[]
    )
    assert (sent.status, sent.sid[:2]) == ("queued", "SM")
    with pytest.raises(TwilioRestException) as raised:
        client.messages.create(
            from_=f"whatsapp:+{BUSINESS}", to=f"whatsapp:+{RUNNER}", body="x" * 1601
        )
    assert raised.value.code == 21617


# ----------------------------------------------------------------------------- signatures


def test_meta_signature_is_the_hex_hmac_sha256_of_the_body() -> None:
    body = webhook_body("text")
    expected = hmac.new(b"secret", body, hashlib.sha256).hexdigest()
    assert meta_signature("secret", body) == f"sha256={expected}"
    assert meta_signature("other", body) != meta_signature("secret", body)


def test_meta_vectors_hold() -> None:
    vectors = load_fixture("signatures")["meta"]
    for case in vectors["cases"]:
        computed = meta_signature(vectors["app_secret"], case["body"].encode())
        assert (case["signature"] == computed) is case["valid"], case["name"]
    valid = vectors["cases"][0]
    hand = hmac.new(vectors["app_secret"].encode(), valid["body"].encode(), hashlib.sha256)
    assert valid["signature"] == "sha256=" + hand.hexdigest()


def test_twilio_vectors_hold() -> None:
    vectors = load_fixture("signatures")["twilio"]
    for case in vectors["cases"]:
        computed = twilio_signature(vectors["auth_token"], case["url"], case["params"])
        assert (case["signature"] == computed) is case["valid"], case["name"]


def test_twilio_signature_reproduces_a_signature_from_twilios_test_suite() -> None:
    # twilio/twilio-ruby spec/util/request_validator_spec.rb, "Twilio SMS request"
    params = {
        "ToState": "CA", "FromState": "CA", "AccountSid": "ACba8bc05eacf94afdae398e642c9cc32d",
        "SmsMessageSid": "SM2003cbd5e6a3701999aa3e5f20ff2787", "Body": "Orly",
        "From": "+14159354345", "FromCity": "SAN FRANCISCO", "SmsStatus": "received",
        "FromZip": "94107", "FromCountry": "US", "To": "+14158141819",
        "ToCity": "SAN FRANCISCO", "ToZip": "94105", "ToCountry": "US",
        "ApiVersion": "2010-04-01", "SmsSid": "SM2003cbd5e6a3701999aa3e5f20ff2787",
    }  # fmt: skip
    url = "http://twiliotests.heroku.com/validate/sms"
    token = "2bd9e9638872de601313dc77410d3b23"
    assert twilio_signature(token, url, params) == "mxeiv65lEe0b8L6LdVw2jgJi8yw="


def test_twilio_signature_matches_the_twilio_request_validator() -> None:
    pytest.importorskip("twilio")
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(AUTH_TOKEN)
    url = "https://knee.example.org/webhooks/twilio_whatsapp/webhook?channel=wa"
    for name in ("twilio_text", "twilio_video", "twilio_button"):
        form = twilio_form(name, MEDIA_URL="https://example.org/m")
        signature = twilio_signature(AUTH_TOKEN, url, form)
        assert signature == validator.compute_signature(url, form)
        assert validator.validate(url, form, signature)
    vectors = load_fixture("signatures")["twilio"]
    valid = vectors["cases"][0]
    assert validator.validate(valid["url"], valid["params"], valid["signature"])


# ----------------------------------------------------------------------------- fixtures


@pytest.mark.parametrize("name", META_FIXTURES)
def test_meta_fixture_shape(name: str) -> None:
    fixture = load_fixture(name)
    assert fixture["source"]
    payload = fixture["payload"]
    assert payload["object"] == "whatsapp_business_account"
    for entry in payload["entry"]:
        for change in entry["changes"]:
            assert change["field"] == "messages"
            check_value(change["value"])


def check_value(value: dict[str, Any]) -> None:
    assert value["messaging_product"] == "whatsapp"
    assert value["metadata"] == {
        "display_phone_number": BUSINESS,
        "phone_number_id": PHONE_NUMBER_ID,
    }
    assert "messages" in value or "statuses" in value
    for message in value.get("messages", []):
        assert {"from", "id", "timestamp", "type"} <= message.keys()
        assert message["type"] in message
        assert message["from"] == RUNNER
    for status in value.get("statuses", []):
        assert {"id", "status", "timestamp", "recipient_id"} <= status.keys()


def all_messages(name: str) -> list[dict[str, Any]]:
    payload = load_fixture(name)["payload"]
    values = [change["value"] for entry in payload["entry"] for change in entry["changes"]]
    return [message for value in values for message in value.get("messages", [])]


def test_fixture_contents_the_connector_relies_on() -> None:
    assert all_messages("video")[0]["video"]["id"] == "wa-media-video-1"
    assert all_messages("video")[0]["video"]["mime_type"] == "video/mp4"
    assert all_messages("button_reply")[0]["interactive"]["button_reply"]["id"] == "/affirm"
    assert all_messages("list_reply")[0]["interactive"]["type"] == "list_reply"
    assert all_messages("document_video")[0]["document"]["mime_type"] == "video/quicktime"
    assert all_messages("status") == []
    several = load_fixture("several")["payload"]
    assert len(several["entry"]) == 2
    assert [m["type"] for m in all_messages("several")] == ["text", "video", "interactive"]


def test_verify_get_query() -> None:
    query = load_fixture("verify_get")["query"]
    assert query["hub.mode"] == "subscribe"
    assert query["hub.verify_token"] and query["hub.challenge"].isdigit()


def test_twilio_fixtures() -> None:
    for name in ("twilio_text", "twilio_video", "twilio_button"):
        form = load_fixture(name)["form"]
        assert (form["From"], form["To"]) == (f"whatsapp:+{RUNNER}", f"whatsapp:+{BUSINESS}")
        assert form["WaId"] == RUNNER
    assert load_fixture("twilio_video")["form"]["MediaUrl0"] == "{MEDIA_URL}"
    video = twilio_form("twilio_video", MEDIA_URL="http://127.0.0.1:1/m")
    assert (video["NumMedia"], video["MediaUrl0"]) == ("1", "http://127.0.0.1:1/m")
    assert video["MediaContentType0"] == "video/mp4"
    button = load_fixture("twilio_button")["form"]
    assert (button["ButtonPayload"], button["ButtonText"]) == ("/affirm", "Yes")


def test_fixtures_use_only_fake_numbers() -> None:
    allowed = {RUNNER, BUSINESS, PHONE_NUMBER_ID, "100000000000000"}
    for path in FIXTURES.glob("*.json"):
        text = path.read_text(encoding="utf-8")
        numbers = set(re.findall(r"(?<![A-Za-z0-9])\+?(\d{11,})(?!\d)", text))
        assert numbers <= allowed, (path.name, numbers - allowed)
