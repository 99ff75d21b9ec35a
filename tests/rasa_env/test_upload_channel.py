"""Tests for the ``VideoUploadInput`` channel over real HTTP (run in ``.venv/rasa``).

A real Sanic server runs in a background thread with Rasa's own CORS set-up and channel
registration; ``on_new_message`` is a stub recording the injected ``UserMessage`` (the
channel's boundary — the end-to-end tests cover a real Rasa agent).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytest.importorskip("rasa", reason="needs the Rasa virtualenv (.venv/rasa)")

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT / "rasa_project", ROOT):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import requests  # noqa: E402
from connectors import upload_token  # noqa: E402
from connectors.video_upload import VideoUploadInput  # noqa: E402
from rasa.core.channels.channel import UserMessage, register  # noqa: E402
from rasa.server import configure_cors  # noqa: E402
from sanic import Sanic  # noqa: E402

from tests.rasa_env.sanic_server import serving  # noqa: E402

pytestmark = [pytest.mark.rasa_env, pytest.mark.usefixtures("upload_db")]

TESTDATA = ROOT.parent / "shared" / "testdata"
CLIP = TESTDATA / "treadmill_side_male.mp4"
SECRET = b"k" * 32
#: The smallest file the upload accepts as an MP4.
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00isommp42" + b"\x00" * 100
UPLOAD = "/webhooks/video/upload"
WIDGET_ORIGIN = "http://localhost:8080"


@dataclass
class Server:
    """A running test server and what its stub agent received."""

    base: str
    media_dir: Path
    received: list[UserMessage] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path


def _make_app(
    media_dir: Path,
    max_bytes: int,
    received: list[UserMessage],
    handler: Callable[[UserMessage], Awaitable[None]] | None = None,
) -> Sanic:
    app = Sanic(f"upload_test_{uuid.uuid4().hex[:8]}", configure_logging=False)
    configure_cors(app, "*")  # exactly what `rasa run --cors "*"` does
    channel = VideoUploadInput(max_bytes=max_bytes, media_dir=media_dir, secret=SECRET)

    async def on_new_message(message: UserMessage) -> None:
        received.append(message)
        await message.output_channel.send_text_message(message.sender_id, "Thanks!")

    app.blueprint(channel.blueprint(handler or on_new_message), url_prefix="/webhooks/video")
    app.ctx.input_channels = [channel]
    return app


def _start(media_dir: Path, max_bytes: int) -> Iterator[Server]:
    received: list[UserMessage] = []
    with serving(_make_app(media_dir, max_bytes, received)) as base:
        yield Server(base, media_dir, received)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    yield from _start(tmp_path / "media", max_bytes=10 * 1024 * 1024)


@pytest.fixture
def small_server(tmp_path: Path) -> Iterator[Server]:
    yield from _start(tmp_path / "media", max_bytes=64 * 1024)


def _token(conversation: str = "conv-1", **kwargs: object) -> str:
    return upload_token.create(conversation, SECRET, **kwargs)


def _post(
    server: Server, content: bytes, token: str | None = None, name: str = "clip.mp4"
) -> requests.Response:
    headers = {"X-Upload-Token": token if token is not None else _token()}
    files = {"video": (name, content, "video/mp4")}
    return requests.post(server.url(UPLOAD), headers=headers, files=files, timeout=30)


def _upload_files(server: Server) -> list[Path]:
    uploads = server.media_dir / "uploads"
    return sorted(uploads.iterdir()) if uploads.exists() else []


@pytest.mark.skipif(not CLIP.exists(), reason=f"test clip missing: {CLIP}")
def test_upload_happy_path_stores_video_sidecar_and_injects_message(server: Server) -> None:
    content = CLIP.read_bytes()
    answer = _post(server, content, _token("conv-happy"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    video_id = body["video_id"]
    assert len(video_id) == 32 and int(video_id, 16) >= 0
    assert body["messages"] == [{"recipient_id": "conv-happy", "text": "Thanks!"}]

    stored = server.media_dir / "uploads" / f"{video_id}.mp4"
    assert stored.read_bytes() == content
    sidecar = json.loads((server.media_dir / "uploads" / f"{video_id}.json").read_text())
    assert sidecar["video_id"] == video_id
    assert sidecar["conversation_id"] == "conv-happy"
    assert sidecar["sha256"] == hashlib.sha256(content).hexdigest()
    assert sidecar["size_bytes"] == len(content)
    assert sidecar["container"] == "mp4"
    assert isinstance(sidecar["received_at"], float)
    assert {p.name for p in _upload_files(server)} == {stored.name, f"{video_id}.json"}

    (message,) = server.received
    assert message.text == f'/share_video{{"video_id": "{video_id}"}}'
    assert message.sender_id == "conv-happy"
    assert message.input_channel == "video_upload"  # no agent: no earlier channel known
    assert message.metadata == {"source": "video_upload", "video_id": video_id}


@pytest.mark.skipif(not CLIP.exists(), reason=f"test clip missing: {CLIP}")
def test_chunked_upload_without_content_length_is_streamed(server: Server) -> None:
    boundary = "----knee" + uuid.uuid4().hex
    content = CLIP.read_bytes()[:300_000]

    def body() -> Iterator[bytes]:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="video"; '
            'filename="x.mp4"\r\nContent-Type: video/mp4\r\n\r\n'
        ).encode()
        for start in range(0, len(content), 7_001):  # odd sizes split the boundary
            yield content[start : start + 7_001]
        yield f"\r\n--{boundary}--\r\n".encode()

    answer = requests.post(
        server.url(UPLOAD),
        headers={
            "X-Upload-Token": _token(),
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
        data=body(),
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    video_id = answer.json()["video_id"]
    assert (server.media_dir / "uploads" / f"{video_id}.mp4").read_bytes() == content


@pytest.mark.skipif(not CLIP.exists(), reason=f"test clip missing: {CLIP}")
def test_too_large_is_413_and_leaves_no_file(small_server: Server) -> None:
    answer = _post(small_server, CLIP.read_bytes()[:200_000])
    assert answer.status_code == 413
    assert answer.json()["error"] == "too_large"
    assert _upload_files(small_server) == []
    assert small_server.received == []


@pytest.mark.skipif(not CLIP.exists(), reason=f"test clip missing: {CLIP}")
def test_too_large_without_content_length_is_413_while_streaming(
    small_server: Server,
) -> None:
    boundary = "b0undary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="video"; filename="x.mp4"\r\n\r\n'
    ).encode()
    content = CLIP.read_bytes()[:100_000]  # over the limit, under the body overhead cap

    def body() -> Iterator[bytes]:
        yield head
        for start in range(0, len(content), 8_192):
            yield content[start : start + 8_192]
        yield f"\r\n--{boundary}--\r\n".encode()

    answer = requests.post(
        small_server.url(UPLOAD),
        headers={
            "X-Upload-Token": _token(),
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
        data=body(),
        timeout=30,
    )
    assert answer.status_code == 413
    assert _upload_files(small_server) == []


def test_text_renamed_mp4_is_415_and_removed(server: Server) -> None:
    answer = _post(server, b"this is not a video\n" * 500, name="run.mp4")
    assert answer.status_code == 415
    assert answer.json()["error"] == "not_a_video"
    assert _upload_files(server) == []
    assert server.received == []


def test_short_non_video_is_415(server: Server) -> None:
    answer = _post(server, b"\x00\x00\x00\x18ftyp", name="run.mov")
    assert answer.status_code == 415
    assert _upload_files(server) == []


def test_webm_header_is_accepted_as_webm(server: Server) -> None:
    # EBML header: DocTypeVersion etc. omitted; DocType "webm".
    ebml = b"\x1a\x45\xdf\xa3\x87\x42\x82\x84webm" + b"\x00" * 64
    answer = _post(server, ebml, name="clip.bin")
    assert answer.status_code == 200, answer.text
    video_id = answer.json()["video_id"]
    assert (server.media_dir / "uploads" / f"{video_id}.webm").exists()


def test_zero_byte_upload_is_400(server: Server) -> None:
    answer = _post(server, b"")
    assert answer.status_code == 400
    assert answer.json()["error"] == "bad_request"
    assert _upload_files(server) == []


def test_missing_video_field_is_400(server: Server) -> None:
    answer = requests.post(
        server.url(UPLOAD),
        headers={"X-Upload-Token": _token()},
        files={"other": ("a.mp4", b"x", "video/mp4")},
        timeout=30,
    )
    assert answer.status_code == 400
    assert _upload_files(server) == []


def test_not_multipart_is_400(server: Server) -> None:
    answer = requests.post(
        server.url(UPLOAD), headers={"X-Upload-Token": _token()}, data=b"raw", timeout=30
    )
    assert answer.status_code == 400


def test_truncated_multipart_is_400_and_removed(server: Server) -> None:
    boundary = "trunc"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="video"\r\n\r\n'.encode()
        + b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00isommp42" * 10
    )
    answer = requests.post(
        server.url(UPLOAD),
        headers={
            "X-Upload-Token": _token(),
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
        data=body,
        timeout=30,
    )
    assert answer.status_code == 400
    assert _upload_files(server) == []


@pytest.mark.parametrize(
    ("token", "error"),
    [
        ("", "token_invalid"),
        ("garbage", "token_invalid"),
        (upload_token.create("c", b"x" * 32), "token_invalid"),
        (upload_token.create("c", SECRET, ttl_s=1, now=1_000_000.0), "token_expired"),
    ],
)
def test_wrong_or_expired_token_is_401(server: Server, token: str, error: str) -> None:
    answer = _post(server, b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00isommp42", token)
    assert answer.status_code == 401
    body = answer.json()
    assert body["error"] == error
    assert "upload link" in body["message"]
    assert _upload_files(server) == []
    assert server.received == []


def test_missing_token_header_is_401(server: Server) -> None:
    answer = requests.post(
        server.url(UPLOAD), files={"video": ("a.mp4", b"x", "video/mp4")}, timeout=30
    )
    assert answer.status_code == 401


def test_the_token_alone_decides_the_conversation(server: Server) -> None:
    content = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00isommp42" + b"\x00" * 100
    answer = requests.post(
        server.url(UPLOAD) + "?sender=alice&conversation_id=alice",
        headers={"X-Upload-Token": _token("bob"), "X-Conversation-Id": "alice"},
        files={"video": ("a.mp4", content, "video/mp4"), "conversation_id": (None, "alice")},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    video_id = answer.json()["video_id"]
    sidecar = json.loads((server.media_dir / "uploads" / f"{video_id}.json").read_text())
    assert sidecar["conversation_id"] == "bob"
    assert [m.sender_id for m in server.received] == ["bob"]


def test_cors_preflight_for_upload_with_custom_header(server: Server) -> None:
    answer = requests.options(
        server.url(UPLOAD),
        headers={
            "Origin": WIDGET_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-upload-token",
        },
        timeout=10,
    )
    assert answer.status_code in (200, 204)
    assert answer.headers["Access-Control-Allow-Origin"] in (WIDGET_ORIGIN, "*")
    assert "POST" in answer.headers["Access-Control-Allow-Methods"]
    assert "x-upload-token" in answer.headers["Access-Control-Allow-Headers"].lower()


def test_cors_headers_on_upload_answers(server: Server) -> None:
    answer = requests.post(
        server.url(UPLOAD),
        headers={"Origin": WIDGET_ORIGIN, "X-Upload-Token": "bad"},
        files={"video": ("a.mp4", b"x", "video/mp4")},
        timeout=10,
    )
    assert answer.status_code == 401
    assert answer.headers["Access-Control-Allow-Origin"] in (WIDGET_ORIGIN, "*")


def test_an_upload_link_takes_only_its_uses(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UPLOAD_TOKEN_MAX_USES", "2")
    token = _token("conv-reuse")
    assert [_post(server, MP4_HEAD, token).status_code for _ in range(2)] == [200, 200]
    stored = _upload_files(server)

    answer = _post(server, MP4_HEAD, token)

    assert answer.status_code == 429
    body = answer.json()
    assert body["error"] == "token_used_up"
    assert "already been used for 2 videos" in body["message"]
    assert "new link" in body["message"]
    assert _upload_files(server) == stored  # nothing read, nothing kept
    assert len(server.received) == 2
    assert _post(server, MP4_HEAD, _token("conv-reuse")).status_code == 200  # a fresh link


def test_a_refused_file_does_not_use_up_the_link(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UPLOAD_TOKEN_MAX_USES", "1")
    token = _token("conv-typo")
    assert _post(server, b"just some text, not a video" * 10, token).status_code == 415
    assert _post(server, MP4_HEAD, token).status_code == 200
    assert _post(server, MP4_HEAD, token).json()["error"] == "token_used_up"


def test_a_conversation_takes_only_its_uploads_in_the_window(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONVERSATION_MAX_UPLOADS", "3")
    codes = [_post(server, MP4_HEAD, _token("conv-many")).status_code for _ in range(3)]
    assert codes == [200, 200, 200]

    answer = _post(server, MP4_HEAD, _token("conv-many"))

    assert answer.status_code == 429
    assert answer.json()["error"] == "conversation_limit"
    assert "3 videos in the last 24 hours" in answer.json()["message"]
    assert [m.sender_id for m in server.received] == ["conv-many"] * 3
    assert _post(server, MP4_HEAD, _token("conv-other")).status_code == 200


def test_failed_handover_gives_the_use_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UPLOAD_TOKEN_MAX_USES", "1")
    calls: list[UserMessage] = []

    async def broken_once(message: UserMessage) -> None:
        calls.append(message)
        if len(calls) == 1:
            raise RuntimeError("agent down")

    token = _token("conv-retry")
    with serving(_make_app(tmp_path / "media", 1024 * 1024, [], handler=broken_once)) as base:
        def post() -> int:
            files = {"video": ("a.mp4", MP4_HEAD, "video/mp4")}
            return requests.post(f"{base}{UPLOAD}", headers={"X-Upload-Token": token},
                                 files=files, timeout=10).status_code

        assert [post(), post(), post()] == [500, 200, 429]


@pytest.fixture
def results(server: Server) -> Path:
    job = server.media_dir / "results" / ("a" * 32)
    job.mkdir(parents=True)
    (job / "report.json").write_text('{"ok": true}')
    (job / "knee.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    (job / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)))
    (job / "notes.txt").write_text("not served")
    (server.media_dir / "secret.json").write_text('{"secret": 1}')
    (server.media_dir / "uploads").mkdir(parents=True, exist_ok=True)
    (server.media_dir / "uploads" / "x.json").write_text('{"secret": 2}')
    return job


@pytest.mark.parametrize(
    ("name", "mime"),
    [("report.json", "application/json"), ("knee.png", "image/png"), ("clip.mp4", "video/mp4")],
)
def test_media_route_serves_results(server: Server, results: Path, name: str, mime: str) -> None:
    answer = requests.get(server.url(f"/webhooks/video/media/{'a' * 32}/{name}"), timeout=10)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith(mime)
    assert answer.content == (results / name).read_bytes()
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    # pictures of a runner's body: kept by no shared cache, not even the browser's disk cache
    assert answer.headers["Cache-Control"] == "private, no-store"


def test_media_route_supports_ranges_for_video(server: Server, results: Path) -> None:
    answer = requests.get(
        server.url(f"/webhooks/video/media/{'a' * 32}/clip.mp4"),
        headers={"Range": "bytes=4-11"},
        timeout=10,
    )
    assert answer.status_code == 206
    assert answer.content == b"ftypmp42"


@pytest.mark.parametrize(
    "path",
    [
        f"{'a' * 32}/notes.txt",
        f"{'a' * 32}/missing.png",
        f"{'a' * 32}/..",
        f"{'a' * 32}/../../secret.json",
        f"{'a' * 32}/%2e%2e%2f%2e%2e%2fsecret.json",
        f"{'a' * 32}/..%2F..%2Fsecret.json",
        f"{'a' * 32}/.hidden.json",
        "..%2Fuploads/x.json",
        "..%2F..%2Fmedia/secret.json",
        f"{'A' * 32}/report.json",
        f"{'a' * 31}/report.json",
        f"{'a' * 33}/report.json",
        "uploads/x.json",
        f"{'a' * 32}",
        f"{'a' * 32}/report.json/extra",
        f"{'a' * 32}/%00report.json",
        # nothing lists a folder: the results, one job's pictures, the uploads
        "",
        f"{'a' * 32}/",
        "../uploads/",
        "%2e%2e/uploads/",
    ],
)
def test_media_route_refuses_unsafe_paths(server: Server, results: Path, path: str) -> None:
    # http.client sends the path as is (requests would normalise the dot segments).
    host, port = server.base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("GET", f"/webhooks/video/media/{path}")
        answer = connection.getresponse()
        content = answer.read()
    finally:
        connection.close()
    assert answer.status == 404
    assert b'{"secret"' not in content


@pytest.mark.parametrize("path", ["/webhooks/video/media", "/webhooks/video/uploads/",
                                  "/webhooks/video/results/", "/webhooks/video/uploads/x.json"])
def test_no_route_lists_or_serves_the_media_folders(
    server: Server, results: Path, path: str
) -> None:
    answer = requests.get(server.url(path), timeout=10)
    assert answer.status_code == 404
    assert '"secret"' not in answer.text and "report.json" not in answer.text


def test_from_credentials_env_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("UPLOAD_TOKEN_SECRET", "z" * 32)
    monkeypatch.delenv("UPLOAD_MAX_BYTES", raising=False)
    monkeypatch.delenv("MEDIA_DIR", raising=False)
    channel = VideoUploadInput.from_credentials({"max_bytes": 1234, "media_dir": str(tmp_path)})
    assert (channel.max_bytes, channel.media_dir) == (1234, tmp_path.resolve())
    monkeypatch.setenv("UPLOAD_MAX_BYTES", "999")
    monkeypatch.setenv("MEDIA_DIR", str(tmp_path / "env"))
    channel = VideoUploadInput.from_credentials({"max_bytes": 1234, "media_dir": "/nope"})
    assert (channel.max_bytes, channel.media_dir) == (999, (tmp_path / "env").resolve())
    assert channel.secret == b"z" * 32
    assert channel.name() == "video_upload"


def test_registered_by_rasa_under_webhooks_video(tmp_path: Path) -> None:
    app = Sanic(f"register_test_{uuid.uuid4().hex[:8]}", configure_logging=False)
    channel = VideoUploadInput(media_dir=tmp_path, secret=SECRET)

    async def on_new_message(message: UserMessage) -> None:  # pragma: no cover
        return None

    register([channel], app, route="/webhooks/")
    uris = {route.uri for route in app.router.routes}
    assert "/webhooks/video/upload" in {u.rstrip("/") for u in uris} or any(
        u.startswith("/webhooks/video/upload") for u in uris
    )
    assert any(u.startswith("/webhooks/video/media/") for u in uris)


def test_stale_partial_uploads_are_removed_when_the_channel_starts(tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    stale, fresh, video = uploads / ".upload-old", uploads / ".upload-new", uploads / "a.mp4"
    for path in (stale, fresh, video):
        path.write_bytes(b"x")
    os.utime(stale, (1_000_000, 1_000_000))
    os.utime(video, (1_000_000, 1_000_000))
    channel = VideoUploadInput(media_dir=tmp_path, secret=SECRET)

    async def on_new_message(message: UserMessage) -> None:  # pragma: no cover
        return None

    channel.blueprint(on_new_message)
    assert sorted(p.name for p in uploads.iterdir()) == [".upload-new", "a.mp4"]


def test_failed_handover_is_500_and_removes_the_video(tmp_path: Path) -> None:
    async def broken(message: UserMessage) -> None:
        raise RuntimeError("agent down")

    app = _make_app(tmp_path / "media", 1024 * 1024, [], handler=broken)
    with serving(app) as base:
        answer = requests.post(
            f"{base}{UPLOAD}",
            headers={"X-Upload-Token": _token()},
            files={"video": ("a.mp4", b"\x00\x00\x00\x10ftypisom\x00\x00\x00\x00", "v")},
            timeout=10,
        )
    assert answer.status_code == 500
    assert answer.json()["error"] == "server_error"
    assert list((tmp_path / "media" / "uploads").iterdir()) == []
