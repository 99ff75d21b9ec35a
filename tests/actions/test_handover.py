"""Talking to a person: the helpdesk handover, the clinic's contact, the offer after an outcome."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handover import ActionHandoff, transcript, when_clinic_answers
from actions.outcome import ActionTriageResult
from kneeapp import settings
from kneeapp.clinic import deliveries
from kneeapp.store import plain_sql
from kneeapp.store.db import init_db
from tests.actions.conftest import make_tracker
from tests.answer_sets import SELF_CARE

CHATWOOT = {"CHATWOOT_URL": "http://127.0.0.1:9", "CHATWOOT_API_TOKEN": "token",
            "CHATWOOT_ACCOUNT_ID": "1", "CHATWOOT_INBOX_ID": "2",
            "CHATWOOT_WEBHOOK_SECRET": "webhook-secret", "CLINIC_NAME": "Riverside Physio",
            "CLINIC_PHONE": "0123 456"}


@pytest.fixture
def helpdesk(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in CHATWOOT.items():
        monkeypatch.setenv(name, value)
    plain_sql.dispose()
    init_db()


def run(action: Any, tracker: Tracker, domain: dict) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain))
    return dispatcher.messages, events


def chatted(*lines: tuple[str, str]) -> Tracker:
    tracker = make_tracker(slots={"consent": True, "side": "left"}, intent="request_human",
                           text="can I talk to a human")
    tracker.events = [{"event": kind, "text": said} for kind, said in lines]
    return tracker


def test_with_a_helpdesk_the_bot_pauses_and_the_clinician_gets_the_chat(
        helpdesk: None, domain: dict) -> None:
    tracker = chatted(("user", "my left knee hurts"), ("bot", "Which knee?"),
                      ("user", "EXTERNAL: EXTERNAL_analysis_ready"),
                      ("user", "can I talk to a human"))
    messages, events = run(ActionHandoff(), tracker, domain)
    assert [e["event"] for e in events] == ["pause"]
    assert "Riverside Physio" in messages[0]["text"] and "reply right here" in messages[0]["text"]
    assert "emergency number" in messages[1]["text"]
    [queued] = deliveries.due()
    assert queued.kind == deliveries.HANDOVER and queued.conversation_id == tracker.sender_id
    assert queued.payload["answers"]["side"] == "left"
    assert queued.payload["transcript"] == [
        {"from": "runner", "text": "my left knee hurts"}, {"from": "bot", "text": "Which knee?"},
        {"from": "runner", "text": "can I talk to a human"}]


def test_a_broken_database_gives_the_contact_and_does_not_pause(
        helpdesk: None, domain: dict, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}")  # a folder: cannot be opened
    plain_sql.dispose()
    messages, events = run(ActionHandoff(), chatted(), domain)
    assert events == []
    assert "0123 456" in messages[0]["text"]


def test_without_a_helpdesk_the_contact_hours_and_pdf_are_given(
        domain: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLINIC_NAME", "Riverside Physio")
    monkeypatch.setenv("CLINIC_PHONE", "0123 456")
    monkeypatch.setenv("CLINIC_HOURS", "Mon-Fri 08:00-18:00")
    messages, events = run(ActionHandoff(), chatted(), domain)
    assert events == []
    [message] = messages
    assert "0123 456" in message["text"] and "Mon-Fri 08:00-18:00" in message["text"]
    assert "PDF" in message["text"]


@pytest.mark.parametrize(("hours", "now", "expected"), [
    ("Mon-Fri 08:00-18:00", dt.datetime(2026, 11, 30, 10, tzinfo=dt.timezone.utc), "open now"),
    ("Mon-Fri 08:00-18:00", dt.datetime(2026, 11, 30, 19, tzinfo=dt.timezone.utc),
     "tomorrow at 08:00"),
    ("", dt.datetime(2026, 11, 30, 19, tzinfo=dt.timezone.utc), "as soon as they can"),
    ("Mon 8-18", dt.datetime(2026, 11, 30, 19, tzinfo=dt.timezone.utc), "as soon as they can"),
])
def test_the_runner_is_told_when_the_clinic_answers(hours: str, now: dt.datetime,
                                                    expected: str) -> None:
    config = settings.current({"CLINIC_HOURS": hours, "CLINIC_TIMEZONE": "Europe/London"})
    assert expected in when_clinic_answers(config, now)


def test_a_clinician_level_outcome_offers_a_person_and_queues_the_summary(
        helpdesk: None, domain: dict) -> None:
    answers = {**SELF_CARE, "swelling": True, "tried": ["exercises"], "tried_outcome": "worse"}
    messages, _ = run(ActionTriageResult(), make_tracker(slots=answers), domain)
    summary = next(m["custom"]["triage"] for m in messages if (m.get("custom") or {}).get("triage"))
    assert summary["level"] == "clinician"
    offers = [m for m in messages if m.get("buttons") and
              m["buttons"][0]["payload"] == "/request_human"]
    assert offers and "Riverside Physio" in offers[0]["buttons"][0]["title"]
    [queued] = deliveries.due()
    assert queued.kind == deliveries.ASSESSMENT


def test_an_urgent_outcome_asks_to_phone_the_clinic(helpdesk: None, domain: dict) -> None:
    answers = {"consent": True, "side": "left", "red_flags": ["locking"]}
    messages, _ = run(ActionTriageResult(), make_tracker(slots=answers), domain)
    assert any("phone Riverside Physio today on 0123 456" in (m.get("text") or "")
               for m in messages)
    assert not any(m.get("buttons") and m["buttons"][0]["payload"] == "/request_human"
                   for m in messages)


def test_the_transcript_keeps_the_latest_messages() -> None:
    tracker = chatted(*[("user", f"message {i}") for i in range(40)])
    lines = transcript(tracker, limit=5)
    assert [line["text"] for line in lines] == [f"message {i}" for i in range(35, 40)]
