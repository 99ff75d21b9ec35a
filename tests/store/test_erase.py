"""Erasing a conversation leaves nothing behind, in any table or on disk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import inspect, text

from kneeapp.jobs import backends, queue
from kneeapp.store import media, reminders, repo, upload_quota
from kneeapp.store.db import get_engine, session_scope
from kneeapp.store.erase import erase_conversation
from kneeapp.store.models import ChannelChat, ClinicDelivery, ClinicThread, HeldMessage
from tests.store.fixtures import APP_TABLES, put_upload, register_upload, subprocess_env

EVENTS_DDL = """CREATE TABLE events (
    id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"""


def _rasa_events(*senders: str) -> None:
    with get_engine().begin() as conn:
        if not inspect(conn).has_table("events"):
            conn.execute(text(EVENTS_DDL))
        for i, sender in enumerate(senders):
            conn.execute(text("INSERT INTO events (id, sender_id, type_name, timestamp, data) "
                              "VALUES (:id, :s, 'user', 1.0, '{\"text\": \"my knee hurts\"}')"),
                         {"id": 1000 + i, "s": sender})


def _populate(conversation: str, media_dir) -> dict[str, str]:
    repo.record_consent(conversation, "v1")
    repo.save_assessment(conversation, {"side": "left"}, "self_care", [], ["clamshell"])
    video_id = register_upload(media_dir, conversation, b"video bytes")
    done_job = backends.enqueue_analysis(video_id, conversation)
    queued_job = backends.enqueue_analysis(video_id, conversation)
    worker = queue.make_worker_id()
    assert queue.start_job(done_job, worker)
    result_dir = media.result_dir(done_job)
    (result_dir).mkdir(parents=True)
    (result_dir / "report.json").write_text("{}")
    (result_dir / "keyframe_1.png").write_bytes(b"png")
    assert queue.finish_done(done_job, worker, {"quality": {"usable": True}}, str(result_dir))
    unregistered = put_upload(media_dir, conversation, b"never registered", "webm")
    upload_quota.reserve(conversation, f"upload-link-of-{conversation}")
    reminders.schedule_checkin(conversation, "whatsapp", reminders.checkin_due_at())
    reminders.note_recipient(conversation, "447700900123")
    with session_scope() as session:
        session.add(ChannelChat(conversation_id=conversation, channel="telegram",
                                chat_key=f"chat-of-{conversation}"))
        session.add(HeldMessage(conversation_id=conversation, channel="whatsapp",
                                message={"text": f"held for {conversation}"}))
        desk_id = sum(map(ord, conversation))
        session.add(ClinicThread(conversation_id=conversation, contact_id=desk_id,
                                 source_id=f"source-{conversation}",
                                 desk_conversation_id=desk_id))
        session.add(ClinicDelivery(conversation_id=conversation, kind="relay",
                                   payload={"text": f"my knee, says {conversation}"}))
    return {"video": video_id, "done": done_job, "queued": queued_job,
            "orphan": unregistered["video_id"]}


def _rows_mentioning(value: str) -> dict[str, int]:
    found = {}
    with get_engine().connect() as conn:
        for table in (*APP_TABLES, "events"):
            if not inspect(conn).has_table(table):
                continue
            rows = conn.execute(text(f"SELECT * FROM {table}")).all()
            hits = sum(1 for row in rows if any(value in str(cell) for cell in row))
            if hits:
                found[table] = hits
    return found


def test_erase_removes_every_row_and_file(env, db_url, tmp_path):
    media_dir = tmp_path / "media"
    mine = _populate("conv-erase-me", media_dir)
    other = _populate("conv-keep", media_dir)
    _rasa_events("conv-erase-me", "conv-erase-me", "conv-keep")

    report = erase_conversation("conv-erase-me")

    assert report == {"events": 2, "consents": 1, "assessments": 1, "videos": 1,
                      "analysis_jobs": 2, "analysis_results": 1, "channel_chats": 1,
                      "held_messages": 1, "clinic_threads": 1, "clinic_deliveries": 1,
                      "upload_uses": 1, "checkin_reminders": 1,
                      "files": 2 + 2 + 2}  # upload+sidecar, orphan+sidecar, 2 result files
    assert _rows_mentioning("conv-erase-me") == {}
    # the clinic's helpdesk is told once, without our conversation id
    with session_scope() as session:
        notices = session.query(ClinicDelivery).filter_by(kind="erased").all()
        assert [n.payload for n in notices] == [
            {"desk_conversation_id": sum(map(ord, "conv-erase-me"))}]
    for key in ("video", "done", "queued", "orphan"):
        assert _rows_mentioning(mine[key]) == {}
        assert not list(media_dir.rglob(f"*{mine[key]}*"))
    # the other conversation is untouched
    assert queue.get_job(other["done"]).report == {"quality": {"usable": True}}  # type: ignore[union-attr]
    assert media.upload_path(other["video"]) is not None
    assert media.result_dir(other["done"]).is_dir()
    assert _rows_mentioning("conv-keep")["events"] == 1
    # erasing again finds nothing
    assert set(erase_conversation("conv-erase-me").values()) == {0}


def test_erase_without_rasa_events_table(env, db_url, tmp_path):
    repo.record_consent("conv-x", "v1")
    report = erase_conversation("conv-x")
    assert report["consents"] == 1 and report["events"] == 0


def test_erase_command_prints_the_report(env, db_url, tmp_path):
    _populate("conv-cli", tmp_path / "media")
    proc = subprocess.run([sys.executable, "-m", "kneeapp.store.erase", "conv-cli"],
                          env=subprocess_env(env), capture_output=True, text=True, timeout=60,
                          check=True)
    report = json.loads(proc.stdout)
    assert report["videos"] == 1 and report["analysis_jobs"] == 2 and report["files"] == 6
    assert "conv-cli" not in proc.stderr
    assert _rows_mentioning("conv-cli") == {}


def test_erased_words_leave_the_database_files_and_they_are_private(env, db_url, tmp_path):
    if not db_url.startswith("sqlite"):
        return  # PostgreSQL: files and vacuuming are the server's business
    database = db_url.removeprefix("sqlite:///")
    marker = "zebrafinch-tangerine-" + "q" * 40
    _rasa_events("conv-keep-a")
    with get_engine().begin() as conn:
        for i in range(50):  # enough pages that the WAL holds real frames
            conn.execute(text("INSERT INTO events (id, sender_id, type_name, timestamp, data)"
                              " VALUES (:id, 'conv-wal', 'user', 1.0, :data)"),
                         {"id": 5000 + i, "data": json.dumps({"text": f"{marker} {i}"})})
    assert any(marker.encode() in Path(path).read_bytes()
               for path in (database, database + "-wal") if os.path.exists(path))
    assert erase_conversation("conv-wal")["events"] == 50
    for path in (database, database + "-wal"):
        if os.path.exists(path):
            assert marker.encode() not in Path(path).read_bytes(), path
    for path in (database, database + "-wal", database + "-shm"):
        if os.path.exists(path):
            assert os.stat(path).st_mode & 0o777 == 0o600, (path, oct(os.stat(path).st_mode))
