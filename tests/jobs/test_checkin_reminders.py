"""The worker sends due check-in reminders (kneeapp/jobs/checkins.py) through loopback
stand-ins of the real APIs: Telegram's Bot API (tests/telegram_standin.py) and WhatsApp's
Cloud API (tests/whatsapp_standin.py), which refuse what the real APIs refuse."""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from kneeapp import log_privacy
from kneeapp.jobs import checkins, worker
from kneeapp.store import plain_sql, reminders
from kneeapp.store.db import dispose_engines, init_db
from kneeapp.store.erase import erase_conversation
from tests.paths import REPO
from tests.store.fixtures import subprocess_env
from tests.telegram_standin import BotApiStandIn
from tests.whatsapp_standin import GraphApiStandIn

BOT_TOKEN = "123456789:AAHstandinTOKENstandinTOKENstandin12"
CHAT_ID = 424242
WA_TOKEN, WA_NUMBER_ID, WA_TEMPLATE = "EAAstandin", "100000000000001", "knee_checkin"
RUNNER_NUMBER = "447700900123"
NOW = dt.datetime.now(dt.timezone.utc)
DUE = NOW + dt.timedelta(days=14)
AFTER_DUE = DUE + dt.timedelta(seconds=1)


@pytest.fixture
def db(env, db_url) -> Iterator[str]:
    init_db()
    yield db_url
    plain_sql.dispose()


@pytest.fixture
def telegram(db, monkeypatch) -> Iterator[BotApiStandIn]:
    with BotApiStandIn(BOT_TOKEN) as api:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
        monkeypatch.setenv("TELEGRAM_API_URL", api.url)
        yield api


@pytest.fixture
def whatsapp(db, monkeypatch) -> Iterator[GraphApiStandIn]:
    with GraphApiStandIn(WA_TOKEN, WA_NUMBER_ID) as api:
        api.approve_template(WA_TEMPLATE, "en")
        for name, value in {"WHATSAPP_ACCESS_TOKEN": WA_TOKEN, "WHATSAPP_API_URL": api.url,
                            "WHATSAPP_PHONE_NUMBER_ID": WA_NUMBER_ID,
                            "WHATSAPP_CHECKIN_TEMPLATE": WA_TEMPLATE}.items():
            monkeypatch.setenv(name, value)
        yield api


def _link_telegram_chat(conversation: str, chat_id: int = CHAT_ID) -> None:
    """What the Telegram channel stores when the runner first writes."""
    with plain_sql.engine().begin() as connection:
        connection.execute(text(
            "INSERT INTO channel_chats (conversation_id, channel, chat_key, created_at) "
            "VALUES (:c, 'telegram', :k, :t)"),
            {"c": conversation, "k": str(chat_id), "t": plain_sql.db_now(connection)})


def _telegram_reminder(conversation: str = "tg-1", due: dt.datetime = DUE,
                       chat_id: int = CHAT_ID) -> str:
    _link_telegram_chat(conversation, chat_id)
    return reminders.schedule_checkin(conversation, "telegram", due)


def _status(conversation: str) -> tuple[str, int, str | None] | None:
    with plain_sql.engine().begin() as connection:
        row = connection.execute(text(
            "SELECT status, attempts, last_error FROM checkin_reminders "
            "WHERE conversation_id = :c"), {"c": conversation}).first()
    return (str(row[0]), int(row[1]), row[2]) if row else None


def test_a_due_reminder_is_sent_once_through_telegram(telegram):
    _telegram_reminder()

    assert checkins.send_due(NOW) == 0  # not before it is due
    assert telegram.calls == []
    assert checkins.send_due(AFTER_DUE) == 1
    assert checkins.send_due(AFTER_DUE + dt.timedelta(days=1)) == 0

    (call,) = telegram.calls_to("sendMessage")
    assert call.ok and int(call.params["chat_id"]) == CHAT_ID
    assert checkins.reminder_text(14) == call.params["text"]
    assert "14 days" in call.params["text"] and "stop reminders" in call.params["text"]
    assert reminders.pending_for("tg-1") is None
    assert _status("tg-1") == ("sent", 1, None)


def test_the_text_follows_the_clinic_setting(telegram, monkeypatch):
    monkeypatch.setenv("CHECKIN_REMINDER_DAYS", "10")
    _telegram_reminder()

    checkins.send_due(AFTER_DUE)

    assert "10 days" in telegram.calls_to("sendMessage")[0].params["text"]


def test_no_reminder_is_sent_after_erasure(telegram):
    _telegram_reminder("tg-1")
    _telegram_reminder("tg-2", chat_id=CHAT_ID + 1)

    erase_conversation("tg-1")

    assert checkins.send_due(AFTER_DUE) == 1
    assert [int(c.params["chat_id"]) for c in telegram.calls_to("sendMessage")] == [
        CHAT_ID + 1]
    assert _status("tg-1") is None


def test_no_reminder_is_sent_after_stop_reminders(telegram):
    _telegram_reminder()

    assert reminders.cancel("tg-1") == 1

    assert checkins.send_due(AFTER_DUE) == 0
    assert telegram.calls == []


def test_an_unreachable_telegram_is_tried_again_later_without_logging_the_runner(
        telegram, monkeypatch, caplog):
    _telegram_reminder()
    closed = BotApiStandIn(BOT_TOKEN)  # bound, never started: its port refuses nothing, so
    port = closed.url                  # take a port and close it again
    closed.close()
    monkeypatch.setenv("TELEGRAM_API_URL", port)
    caplog.set_level(logging.DEBUG)

    assert checkins.send_due(AFTER_DUE) == 0
    assert _status("tg-1") == ("pending", 1, "unreachable")
    monkeypatch.setenv("TELEGRAM_API_URL", telegram.url)
    assert checkins.send_due(AFTER_DUE + dt.timedelta(seconds=1)) == 0  # waits first
    assert checkins.send_due(AFTER_DUE + dt.timedelta(seconds=reminders.FIRST_WAIT_S + 1)) == 1

    assert len(telegram.calls_to("sendMessage")) == 1
    # as the worker writes them (it installs kneeapp/log_privacy.py): urllib3's own DEBUG
    # line names the bot's URL, which only the privacy filter makes safe
    logged = "\n".join(log_privacy.scrub(record).getMessage() for record in caplog.records)
    assert "will retry" in logged
    for private in (str(CHAT_ID), "How is it going", BOT_TOKEN.split(":")[1]):
        assert private not in logged


def test_a_reminder_telegram_refuses_is_given_up(telegram, monkeypatch):
    _telegram_reminder()
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456789:AAHsomeOTHERtokenXXXXXXXXXXXXXXXXXX")

    assert checkins.send_due(AFTER_DUE) == 0

    status = _status("tg-1")
    assert status is not None and status[0] == "failed" and status[2].startswith("telegram_4")
    assert checkins.send_due(AFTER_DUE + dt.timedelta(days=1)) == 0


def test_a_whatsapp_reminder_goes_as_the_approved_template(whatsapp):
    reminders.schedule_checkin("wa-1", "whatsapp", DUE)
    reminders.note_recipient("wa-1", RUNNER_NUMBER)

    assert checkins.send_due(NOW) == 0
    assert checkins.send_due(AFTER_DUE) == 1
    assert checkins.send_due(AFTER_DUE + dt.timedelta(days=1)) == 0

    (call,) = whatsapp.calls_to("messages")
    assert call.ok, call.response
    assert call.params["to"] == RUNNER_NUMBER and call.params["type"] == "template"
    assert call.params["template"] == {"name": WA_TEMPLATE, "language": {"code": "en"}}


def test_a_template_whatsapp_does_not_know_is_refused_and_given_up(whatsapp, monkeypatch):
    monkeypatch.setenv("WHATSAPP_CHECKIN_TEMPLATE", "not_approved")
    reminders.schedule_checkin("wa-1", "whatsapp", DUE)
    reminders.note_recipient("wa-1", RUNNER_NUMBER)

    assert checkins.send_due(AFTER_DUE) == 0

    (call,) = whatsapp.calls_to("messages")
    assert not call.ok and call.response["error"]["code"] == 132001
    assert _status("wa-1") == ("failed", 1, "whatsapp_132001")


def test_a_whatsapp_reminder_without_a_number_is_given_up_without_a_call(whatsapp):
    reminders.schedule_checkin("wa-1", "whatsapp", DUE)

    assert checkins.send_due(AFTER_DUE) == 0

    assert whatsapp.calls == []
    assert _status("wa-1") == ("failed", 1, "no_number")


def test_a_web_reminder_is_not_pushed_but_waits_for_the_next_visit(telegram):
    reminders.schedule_checkin("web-1", "socketio", DUE)

    assert checkins.send_due(AFTER_DUE) == 0

    assert telegram.calls == []
    assert reminders.take_web_reminder("web-1", AFTER_DUE)


def test_the_maintenance_round_sends_due_reminders(telegram):
    _telegram_reminder(due=NOW - dt.timedelta(minutes=1))

    worker.maintain()
    worker.maintain()

    assert len(telegram.calls_to("sendMessage")) == 1


def _run_worker_process() -> None:
    """A fresh worker process (burst mode: one maintenance round, then exit)."""
    env = subprocess_env({})
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "tests" / "netguard_site"),
                                         env["PYTHONPATH"]])
    done = subprocess.run([sys.executable, "-m", "kneeapp.jobs.worker", "--burst"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_stored_reminder_survives_a_restart_and_a_new_worker_sends_it(telegram):
    _telegram_reminder(due=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1))
    _run_worker_process()  # before it is due: nothing
    assert telegram.calls == []

    plain_sql.dispose()  # everything restarts; only the database remains
    dispose_engines()
    with plain_sql.engine().begin() as connection:  # a day passes
        connection.execute(text("UPDATE checkin_reminders SET due_at = :t"),
                           {"t": plain_sql.db_now(connection) - dt.timedelta(minutes=1)})
    _run_worker_process()
    _run_worker_process()

    assert len(telegram.calls_to("sendMessage")) == 1
    assert _status("tg-1") == ("sent", 1, None)
