"""What waits for the clinic's helpdesk: order per conversation, claims, retries, threads."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from kneeapp.clinic import deliveries
from kneeapp.clinic.deliveries import Thread
from kneeapp.store import plain_sql
from kneeapp.store.db import init_db
from kneeapp.store.erase import ERASED_NOTICE


@pytest.fixture(autouse=True)
def fresh_engines(env, db_url):
    plain_sql.dispose()
    init_db()
    yield
    plain_sql.dispose()


def _make_due_now(delivery_id: int) -> None:
    with plain_sql.engine().begin() as connection:
        connection.execute(text("UPDATE clinic_deliveries SET due_at = :t WHERE id = :id"),
                           {"t": plain_sql.db_now(connection) - dt.timedelta(seconds=1),
                            "id": delivery_id})


def test_rows_come_back_in_order_one_per_conversation_at_a_time():
    first = deliveries.queue("conv-a", deliveries.RELAY, {"text": "one"})
    deliveries.queue("conv-a", deliveries.RELAY, {"text": "two"})
    other = deliveries.queue("conv-b", deliveries.ASSESSMENT, {"assessment_id": 7})
    due = deliveries.due()
    assert [(d.id, d.payload) for d in due] == [(first, {"text": "one"}),
                                               (other, {"assessment_id": 7})]
    assert all(deliveries.claim(d) for d in due)
    deliveries.mark_sent(due[0])
    assert [d.payload for d in deliveries.due()] == [{"text": "two"}]  # b is leased, a moves on


def test_a_claim_is_taken_once():
    deliveries.queue("conv-a", deliveries.RELAY, {"text": "one"})
    [delivery] = deliveries.due()
    assert deliveries.claim(delivery)
    assert not deliveries.claim(delivery)
    assert deliveries.due() == []  # leased


def test_a_failed_row_holds_back_the_rest_of_its_conversation_until_it_is_due():
    failing = deliveries.queue("conv-a", deliveries.RELAY, {"text": "one"})
    deliveries.queue("conv-a", deliveries.RELAY, {"text": "two"})
    [delivery] = deliveries.due()
    assert deliveries.claim(delivery)
    assert deliveries.retry_later(delivery, "http_503")
    assert deliveries.due() == []  # "two" waits behind "one"
    _make_due_now(failing)
    [again] = deliveries.due()
    assert (again.id, again.attempts) == (failing, 1)


def test_a_refused_row_is_given_up_and_the_rest_goes_on():
    deliveries.queue("conv-a", deliveries.RELAY, {"text": "one"})
    deliveries.queue("conv-a", deliveries.RELAY, {"text": "two"})
    [delivery] = deliveries.due()
    assert deliveries.claim(delivery)
    assert not deliveries.retry_later(delivery, "http_422", retryable=False)
    assert [d.payload for d in deliveries.due()] == [{"text": "two"}]
    assert deliveries.pending_count("conv-a") == 1


def test_attempts_run_out(monkeypatch):
    monkeypatch.setattr(deliveries, "MAX_ATTEMPTS", 2)
    row = deliveries.queue("conv-a", deliveries.RELAY, {"text": "one"})
    for expected_again in (True, False):
        _make_due_now(row)
        [delivery] = deliveries.due()
        assert deliveries.claim(delivery)
        assert deliveries.retry_later(delivery, "unreachable") is expected_again
    assert deliveries.pending_count("conv-a") == 0


def test_unknown_kinds_are_refused():
    with pytest.raises(ValueError):
        deliveries.queue("conv-a", "gossip", {})


def test_threads_map_both_ways():
    assert deliveries.thread_of("conv-a") is None
    deliveries.save_thread(Thread("conv-a", 11, "src-11", 42))
    assert deliveries.thread_of("conv-a") == Thread("conv-a", 11, "src-11", 42)
    assert deliveries.conversation_of_desk(42) == "conv-a"
    assert deliveries.conversation_of_desk(43) is None


def test_the_erasure_notice_is_a_delivery_kind():
    assert ERASED_NOTICE == deliveries.ERASED
