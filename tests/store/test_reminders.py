"""Check-in reminders in the database (kneeapp/store/reminders.py), on SQLite and on the real
PostgreSQL: one per conversation, claimed by one worker at a time, sent or shown once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import text

from kneeapp.store import plain_sql, reminders
from kneeapp.store.db import init_db
from kneeapp.store.erase import erase_conversation

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc)
LATER = NOW + dt.timedelta(days=14, seconds=1)


@pytest.fixture
def db(env, db_url):
    """A migrated database (plain-SQL modules do not migrate on their own)."""
    init_db()
    yield db_url
    plain_sql.dispose()


def _schedule(conversation: str, channel: str = "telegram",
              due: dt.datetime = NOW + dt.timedelta(days=14)) -> str:
    return reminders.schedule_checkin(conversation, channel, due)


def _rows(conversation: str) -> list[tuple]:
    with plain_sql.engine().begin() as connection:
        return [tuple(row) for row in connection.execute(
            text("SELECT status, recipient, attempts FROM checkin_reminders "
                 "WHERE conversation_id = :c"), {"c": conversation})]


def test_a_reminder_is_stored_and_found(db):
    reminder_id = _schedule("tg-1")

    found = reminders.pending_for("tg-1")

    assert found is not None and found.id == reminder_id and len(reminder_id) == 32
    assert (found.channel, found.status, found.attempts) == ("telegram", "pending", 0)
    assert found.due_at == NOW + dt.timedelta(days=14)
    assert found.due_at.tzinfo is not None
    assert reminders.pending_for("tg-other") is None


def test_a_naive_due_time_is_utc(db):
    _schedule("tg-1", due=dt.datetime(2026, 12, 15, 9, 0))

    found = reminders.pending_for("tg-1")
    assert found is not None and found.due_at == dt.datetime(2026, 12, 15, 9, 0,
                                                             tzinfo=dt.timezone.utc)


def test_the_default_due_time_is_the_clinic_setting(db, monkeypatch):
    assert reminders.checkin_due_at(NOW) == NOW + dt.timedelta(days=14)
    monkeypatch.setenv("CHECKIN_REMINDER_DAYS", "10")
    assert reminders.checkin_due_at(NOW) == NOW + dt.timedelta(days=10)


def test_scheduling_again_replaces_the_reminder(db):
    first = _schedule("tg-1")
    second = _schedule("tg-1", "socketio", NOW + dt.timedelta(days=3))

    found = reminders.pending_for("tg-1")
    assert first != second
    assert found is not None and (found.id, found.channel) == (second, "socketio")
    assert len(_rows("tg-1")) == 1


def test_cancel_removes_the_pending_reminder_only_once(db):
    _schedule("tg-1")
    _schedule("tg-2")

    assert reminders.cancel("tg-1") == 1
    assert reminders.cancel("tg-1") == 0
    assert reminders.pending_for("tg-1") is None
    assert reminders.pending_for("tg-2") is not None
    assert reminders.claim_due(LATER, "w1", 10)[0].conversation_id == "tg-2"


def test_only_due_reminders_of_push_channels_are_claimed(db):
    _schedule("tg-due", due=NOW - dt.timedelta(minutes=1))
    _schedule("tg-later", due=NOW + dt.timedelta(hours=1))
    _schedule("web-due", "socketio", NOW - dt.timedelta(minutes=1))

    claimed = reminders.claim_due(NOW, "w1", 10)

    assert [r.conversation_id for r in claimed] == ["tg-due"]
    assert claimed[0].attempts == 1


def test_a_claimed_reminder_is_not_claimed_again_until_its_lease_ends(db):
    _schedule("tg-1", due=NOW)
    assert len(reminders.claim_due(NOW, "w1", 10)) == 1

    assert reminders.claim_due(NOW + dt.timedelta(seconds=1), "w2", 10) == []
    retaken = reminders.claim_due(NOW + dt.timedelta(seconds=reminders.LEASE_S), "w2", 10)
    assert [r.attempts for r in retaken] == [2]  # the first worker died while sending


def test_a_sent_reminder_is_never_claimed_again(db):
    _schedule("tg-1", due=NOW)
    (claimed,) = reminders.claim_due(NOW, "w1", 10)

    assert reminders.mark_sent(claimed.id, NOW)
    assert not reminders.mark_sent(claimed.id, NOW)
    assert reminders.claim_due(NOW + dt.timedelta(days=30), "w1", 10) == []
    assert reminders.pending_for("tg-1") is None
    assert _rows("tg-1") == [("sent", None, 1)]


def test_a_claim_carries_the_linked_telegram_chat(db):
    with plain_sql.engine().begin() as connection:
        connection.execute(text(
            "INSERT INTO channel_chats (conversation_id, channel, chat_key, created_at) "
            "VALUES ('tg-1', 'telegram', '4242', :t)"), {"t": plain_sql.db_now(connection)})
    _schedule("tg-1", due=NOW)
    _schedule("tg-2", due=NOW)

    claimed = {r.conversation_id: r for r in reminders.claim_due(NOW, "w1", 10)}

    assert claimed["tg-1"].chat_key == "4242"
    assert claimed["tg-2"].chat_key is None
    assert "4242" not in repr(claimed["tg-1"])


def test_two_claimers_at_once_get_disjoint_reminders(db):
    ids = {_schedule(f"tg-{n}", due=NOW - dt.timedelta(seconds=n)) for n in range(40)}
    start = threading.Barrier(2)
    got: dict[str, list[str]] = {"a": [], "b": []}
    errors: list[BaseException] = []

    def claimer(name: str) -> None:
        try:
            start.wait()
            while batch := reminders.claim_due(NOW, name, 3):
                got[name] += [r.id for r in batch]
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=claimer, args=(name,)) for name in got]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert not set(got["a"]) & set(got["b"])
    assert sorted(got["a"] + got["b"]) == sorted(ids)  # each exactly once


def test_a_failed_send_waits_and_is_given_up_after_the_last_try(db):
    _schedule("tg-1", due=NOW)
    moment = NOW
    for attempt in range(1, reminders.MAX_ATTEMPTS + 1):
        (claimed,) = reminders.claim_due(moment, "w1", 10)
        assert claimed.attempts == attempt
        again = reminders.retry_later(claimed, "telegram_502", moment)
        assert again is (attempt < reminders.MAX_ATTEMPTS)
        assert reminders.claim_due(moment + dt.timedelta(seconds=1), "w1", 10) == []
        moment += dt.timedelta(seconds=reminders.MAX_WAIT_S)
    assert reminders.claim_due(moment, "w1", 10) == []
    assert _rows("tg-1") == [("failed", None, reminders.MAX_ATTEMPTS)]


def test_a_send_that_cannot_succeed_is_given_up_at_once(db):
    _schedule("wa-1", "whatsapp", NOW)
    reminders.note_recipient("wa-1", "447700900123")
    (claimed,) = reminders.claim_due(NOW, "w1", 10)

    assert not reminders.retry_later(claimed, "whatsapp_132001", NOW, retryable=False)
    assert _rows("wa-1") == [("failed", None, 1)]  # the number is forgotten too


def test_a_web_reminder_is_shown_once_at_the_next_visit_after_it_is_due(db):
    _schedule("web-1", "socketio", NOW + dt.timedelta(days=14))
    _schedule("tg-1", "telegram", NOW)

    assert not reminders.take_web_reminder("web-1", NOW)
    assert reminders.take_web_reminder("web-1", LATER)
    assert not reminders.take_web_reminder("web-1", LATER)
    assert not reminders.take_web_reminder("tg-1", LATER)  # the worker sends that one
    assert reminders.claim_due(LATER, "w1", 10)[0].conversation_id == "tg-1"
    assert _rows("web-1") == [("sent", None, 0)]


def test_a_whatsapp_number_is_kept_only_on_a_pending_whatsapp_reminder(db):
    assert not reminders.note_recipient("wa-1", "447700900123")  # no reminder: nothing kept
    _schedule("wa-1", "whatsapp", NOW)
    _schedule("tg-1", "telegram", NOW)

    assert reminders.note_recipient("wa-1", "447700900123")
    assert not reminders.note_recipient("tg-1", "447700900123")
    claimed = {r.conversation_id: r for r in reminders.claim_due(NOW, "w1", 10)}
    assert claimed["wa-1"].recipient == "447700900123"
    assert "447700900123" not in repr(claimed["wa-1"])

    reminders.mark_sent(claimed["wa-1"].id, NOW)
    assert _rows("wa-1") == [("sent", None, 1)]


def test_erasing_the_conversation_deletes_its_reminder(db):
    _schedule("tg-1", due=NOW)
    _schedule("tg-2", due=NOW)

    assert erase_conversation("tg-1")["checkin_reminders"] == 1

    assert reminders.pending_for("tg-1") is None
    assert [r.conversation_id for r in reminders.claim_due(NOW, "w1", 10)] == ["tg-2"]


def test_a_reminder_needs_a_conversation_and_a_channel(db):
    with pytest.raises(ValueError):
        reminders.schedule_checkin("", "telegram", NOW)
    with pytest.raises(ValueError):
        reminders.schedule_checkin("tg-1", "", NOW)
