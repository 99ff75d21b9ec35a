"""Talking to a person at the clinic.

With the clinic's helpdesk configured (``CHATWOOT_*``, docs/chatwoot.md) the chat is passed
to a person: the bot pauses for this conversation (Rasa's ``ConversationPaused``), the
runner is told what happens next and when the clinic answers (``CLINIC_HOURS``), and the
clinician receives the answers so far and the chat's recent messages (queued for the worker,
:mod:`kneeapp.clinic.deliveries`). The runner's later messages reach the clinician through
Rasa (``rasa_project/connectors/handover_relay.py``); the clinician's replies and the end of
the handover come back through the helpdesk's webhook (``chatwoot_channel.py``).

Without a helpdesk the runner gets the clinic's contact, hours and the PDF hint, or general
advice where no clinic runs the bot.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.messages import clinic_contact_line, fresh_text, text
from actions.summary import clinic_answers
from actions.tracker_reading import answers_from
from kneeapp import settings
from kneeapp.clinic import deliveries, hours
from kneeapp.store import repo

log = logging.getLogger(__name__)

#: The chat's latest messages the clinician receives with a handover.
TRANSCRIPT_MESSAGES = 30


def _levels(setting: str) -> set[str]:
    return {level.strip() for level in setting.split(",") if level.strip()}


def when_clinic_answers(config: settings.Settings, now: dt.datetime | None = None) -> str:
    """One sentence: open now, opens later (with the hours), or as soon as they can."""
    now = now or dt.datetime.now(dt.timezone.utc)
    try:
        openings = hours.parse_hours(config.clinic_hours)
        zone = hours.zone(config.clinic_timezone)
    except hours.HoursError:
        log.warning("CLINIC_HOURS or CLINIC_TIMEZONE cannot be read; hours not told")
        openings, zone = [], hours.zone("UTC")
    if not openings:
        return text("handoff", "hours_unknown")
    if hours.is_open(openings, now, zone):
        return text("handoff", "open_now")
    upcoming = hours.next_opening(openings, now, zone)
    if upcoming is None:
        return text("handoff", "hours_unknown")
    return text("handoff", "opens_later", next_open=hours.when_words(upcoming, now, zone),
                hours=config.clinic_hours)


def transcript(tracker: Tracker, limit: int = TRANSCRIPT_MESSAGES) -> list[dict[str, str]]:
    """The chat's latest messages (runner and bot) as the clinician reads them."""
    lines = []
    for event in tracker.events:
        said = str(event.get("text") or "").strip()
        if not said or said.startswith("EXTERNAL: "):
            continue
        if event.get("event") == "user":
            lines.append({"from": "runner", "text": said})
        elif event.get("event") == "bot":
            lines.append({"from": "bot", "text": said})
    return lines[-limit:]


def _clinic_name(config: settings.Settings) -> str:
    return config.clinic_name or "the clinic"


def pass_to_person(dispatcher: CollectingDispatcher, tracker: Tracker,
                   config: settings.Settings) -> list[EventType]:
    """Queues the handover for the clinician and pauses the bot; tells the runner."""
    try:
        latest = repo.latest_assessment(tracker.sender_id)
        payload: dict[str, Any] = {
            "assessment_id": latest.id if latest else None,
            "answers": clinic_answers(answers_from(tracker)),
            "transcript": transcript(tracker),
        }
        deliveries.queue(tracker.sender_id, deliveries.HANDOVER, payload)
    except Exception as exc:  # the database is down: give the contact instead of pausing
        log.error("handover not queued (%s)", type(exc).__name__)
        dispatcher.utter_message(text=text(
            "handoff", "not_passed", clinic_name=_clinic_name(config),
            clinic_contact=clinic_contact_line(config.clinic or {})))
        return []
    dispatcher.utter_message(text=text("handoff", "to_person", clinic_name=_clinic_name(config),
                                       when=when_clinic_answers(config)))
    dispatcher.utter_message(text=text("handoff", "safety"))
    return [ConversationPaused()]


def contact_instead(dispatcher: CollectingDispatcher, tracker: Tracker,
                    config: settings.Settings) -> None:
    """No helpdesk: the clinic's contact and hours and the PDF hint, or general advice."""
    clinic = config.clinic
    if not clinic:
        dispatcher.utter_message(text=fresh_text(tracker, "handoff", "without_clinic"))
        return
    parts = [fresh_text(tracker, "handoff", "with_clinic", clinic_name=_clinic_name(config),
                        clinic_contact=clinic_contact_line(clinic))]
    if config.clinic_hours:
        parts.append(text("handoff", "hours_line", hours=config.clinic_hours))
    parts.append(text("handoff", "pdf_hint"))
    dispatcher.utter_message(text=" ".join(parts))


def offer_after_outcome(dispatcher: CollectingDispatcher, level: str) -> None:
    """After an outcome: offer a person, or ask to phone now, as the clinic chose."""
    config = settings.current()
    name = _clinic_name(config)
    if level in _levels(config.clinic_call_levels) and config.clinic_phone:
        dispatcher.utter_message(text=text("handoff", "call_now", clinic_name=name,
                                           clinic_phone=config.clinic_phone))
    if config.chatwoot_enabled and level in _levels(config.clinic_offer_person_levels):
        dispatcher.utter_message(
            text=text("handoff", "offer", clinic_name=name),
            buttons=[{"title": text("handoff", "offer_button", clinic_name=name),
                      "payload": "/request_human"}])


class ActionHandoff(Action):
    """"Talk to a person": the clinic's helpdesk when there is one, else its contact."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        config = settings.current()
        if config.chatwoot_enabled:
            return pass_to_person(dispatcher, tracker, config)
        contact_instead(dispatcher, tracker, config)
        return []
