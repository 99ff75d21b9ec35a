"""Shared fixtures of tests/store and tests/jobs (imported by both conftest files).

Databases: ``db_url`` runs a test on SQLite (a file in tmp_path) and on the real
PostgreSQL at 127.0.0.1:5432 (a throwaway database ``knee_test_<random>`` per session,
dropped afterwards; skipped with a reason when the server is unreachable).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.paths import REPO

TESTDATA = Path(__file__).resolve().parents[2].parent / "shared" / "testdata"
PG_HOST, PG_PORT = "127.0.0.1", 5432
APP_TABLES = ("analysis_results", "analysis_jobs", "videos", "assessments", "consents",
              "channel_chats", "held_messages", "clinic_threads", "clinic_deliveries",
              "upload_uses", "checkin_reminders")


def _pg_admin() -> tuple[Any, str] | tuple[None, str]:
    try:
        import psycopg2
    except ImportError:
        return None, "psycopg2 is not installed"
    last = ""
    for user in ("postgres", "root"):
        try:
            conn = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=user, dbname="postgres",
                                    connect_timeout=3)
        except Exception as exc:
            last = f"{type(exc).__name__}: {str(exc).strip()[:120]}"
            continue
        conn.autocommit = True
        return conn, user
    return None, f"PostgreSQL at {PG_HOST}:{PG_PORT} unreachable ({last})"


def create_pg_database(prefix: str = "knee_test") -> tuple[str, Any]:
    """Create a throwaway database; returns (url, drop function). Skips if unreachable."""
    admin, user_or_reason = _pg_admin()
    if admin is None:
        pytest.skip(user_or_reason)
    name = f"{prefix}_{secrets.token_hex(4)}"
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg2://{user_or_reason}@{PG_HOST}:{PG_PORT}/{name}"

    def drop() -> None:
        from kneeapp.store.db import dispose_engines

        dispose_engines()
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    return url, drop


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    url, drop = create_pg_database()
    try:
        yield url
    finally:
        drop()


def _truncate_pg(url: str) -> None:
    from sqlalchemy import inspect, text

    from kneeapp.store.db import ensure_db

    engine = ensure_db(url)
    with engine.begin() as conn:
        present = [t for t in (*APP_TABLES, "events") if inspect(conn).has_table(t)]
        if present:
            conn.execute(text(f"TRUNCATE {', '.join(present)} CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """The database URL of the test, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db' / 'app.db'}"
    url = request.getfixturevalue("pg_url")
    _truncate_pg(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'db' / 'app.db'}"


@dataclass
class RasaStub:
    """A tiny HTTP server standing in for Rasa: records every request."""

    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # answered in order, then 200
    event: threading.Event = field(default_factory=threading.Event)

    def wait(self, count: int = 1, timeout: float = 30.0) -> bool:
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.requests) >= count:
                return True
            time.sleep(0.05)
        return len(self.requests) >= count


@pytest.fixture
def rasa_stub() -> Iterator[RasaStub]:
    stub = RasaStub(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            status = stub.statuses.pop(0) if stub.statuses else 200
            stub.requests.append({"path": self.path, "body": json.loads(body or b"{}"),
                                  "status": status, "headers": dict(self.headers)})
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()


def _setup_env(monkeypatch, tmp_path: Path, url: str, stub: RasaStub) -> dict[str, str]:
    values = {
        "DATABASE_URL": url,
        "MEDIA_DIR": str(tmp_path / "media"),
        "QUEUE_BACKEND": "local",
        "RASA_URL": stub.url,
        "NOTIFY_ATTEMPTS": "3",
        "NOTIFY_BACKOFF_S": "0.01",
        "VIDEO_RETENTION_S": "0",
        "WORKER_HEARTBEAT_S": "0.3",
        "WORKER_STALE_S": "2",
        "WORKER_POLL_S": "0.2",
        "ANALYSIS_TIME_LIMIT_S": "90",
        "ANALYSIS_MEMORY_MB": "1500",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("RASA_TOKEN", raising=False)
    return values


@pytest.fixture
def env(monkeypatch, tmp_path, db_url, rasa_stub) -> Iterator[dict[str, str]]:
    """Environment of a test on SQLite and PostgreSQL: database, media folder, Rasa stub."""
    yield _setup_env(monkeypatch, tmp_path, db_url, rasa_stub)
    from kneeapp.store.db import dispose_engines

    dispose_engines()


@pytest.fixture
def sqlite_env(monkeypatch, tmp_path, sqlite_url, rasa_stub) -> Iterator[dict[str, str]]:
    """Like ``env``, on SQLite only (tests that run the real analysis)."""
    yield _setup_env(monkeypatch, tmp_path, sqlite_url, rasa_stub)
    from kneeapp.store.db import dispose_engines

    dispose_engines()


def subprocess_env(values: dict[str, str]) -> dict[str, str]:
    """os.environ plus ``values``, with the repository importable."""
    env = dict(os.environ)
    env.update(values)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"]
                                     if env.get("PYTHONPATH") else "")
    return env


def put_upload(media_dir: Path, conversation_id: str, source: Path | bytes,
               container: str = "mp4") -> dict[str, Any]:
    """Write an upload and its sidecar as the connector does; returns the sidecar."""
    video_id = secrets.token_hex(16)
    uploads = media_dir / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    (uploads / f"{video_id}.{container}").write_bytes(data)
    sidecar = {"video_id": video_id, "conversation_id": conversation_id,
               "sha256": hashlib.sha256(data).hexdigest(), "size_bytes": len(data),
               "container": container, "received_at": 1_700_000_000}
    (uploads / f"{video_id}.json").write_text(json.dumps(sidecar))
    return sidecar


def register_upload(media_dir: Path, conversation_id: str, source: Path | bytes,
                    container: str = "mp4") -> str:
    """put_upload + repo.register_video; returns the video id."""
    from kneeapp.store import repo

    side = put_upload(media_dir, conversation_id, source, container)
    repo.register_video(side["video_id"], conversation_id, side["sha256"], side["size_bytes"],
                        container)
    return str(side["video_id"])


def write_clip(src: Path, dst: Path, max_frames: int | None = None, blank: bool = False,
               size: tuple[int, int] | None = None) -> Path:
    """Re-encode the first ``max_frames`` frames of ``src`` (or black frames) as mp4."""
    import cv2
    import numpy as np

    cap = cv2.VideoCapture(str(src))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    writer = None
    count = 0
    while max_frames is None or count < max_frames:
        ok, frame = cap.read()
        if not ok:
            break
        if size is not None:
            frame = cv2.resize(frame, size)
        if blank:
            frame = np.zeros_like(frame)
        if writer is None:
            h, w = frame.shape[:2]
            writer = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
            if not writer.isOpened():
                pytest.skip("OpenCV cannot write mp4 files here")
        writer.write(frame)
        count += 1
    cap.release()
    if writer is not None:
        writer.release()
    return dst


@pytest.fixture(scope="session")
def short_clip(tmp_path_factory) -> Path:
    """The first 3 s of the treadmill clip at 360×640 (a fast real analysis)."""
    src = TESTDATA / "treadmill_side_male.mp4"
    if not src.is_file():
        pytest.skip(f"shared test footage not found at {TESTDATA}")
    return write_clip(src, tmp_path_factory.mktemp("clips") / "short.mp4", max_frames=90,
                      size=(360, 640))


@pytest.fixture(scope="session")
def blank_clip(tmp_path_factory) -> Path:
    """2 s of black frames: a readable video with nobody in it."""
    src = TESTDATA / "treadmill_side_male.mp4"
    if not src.is_file():
        pytest.skip(f"shared test footage not found at {TESTDATA}")
    return write_clip(src, tmp_path_factory.mktemp("clips") / "blank.mp4", max_frames=60,
                      blank=True, size=(360, 640))
