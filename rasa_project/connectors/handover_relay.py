"""While a person at the clinic has the chat, the runner's messages go to them.

The bot is paused for the conversation (Rasa's ``ConversationPaused``, set by the handover
action): Rasa still records every message the runner sends, on any channel, but answers
none. The tracker store calls :func:`relay_paused_messages` with the events it is about to
save, so every message recorded while paused — typed text, a pressed button, a shared video
— is queued for the clinic's helpdesk (:mod:`kneeapp.clinic.deliveries`; the worker sends
it), with the warning signs Rasa's red-flag scanner found in it, so that the clinician is
alerted at once (the paused bot acts on none). Messages sent before the pause, and the
analysis notices the worker triggers (``EXTERNAL: ...``), are not relayed. When the pause
ends, :func:`missed_during_pause` says what Rasa recorded but did not act on: finished
analyses and shared videos.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from typing import Any

from rasa.shared.core.events import ConversationPaused, ConversationResumed, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from kneeapp.clinic import deliveries

logger = logging.getLogger(__name__)

EXTERNAL_PREFIX = "EXTERNAL: "
ANALYSIS_READY = "EXTERNAL_analysis_ready"
SHARE_VIDEO = "share_video"
_SHARE_VIDEO_RE = re.compile(r"^/share_video(\{.*\})$", re.S)


def paused_before(events: Sequence[Event]) -> bool:
    """Whether the conversation was paused after ``events`` (the last pause/resume wins)."""
    for event in reversed(events):
        if isinstance(event, ConversationPaused):
            return True
        if isinstance(event, ConversationResumed):
            return False
    return False


def relay_payload(text: str) -> dict[str, str] | None:
    """What the clinician receives for one runner message (None: nothing to relay)."""
    text = text.strip()
    if not text or text.startswith(EXTERNAL_PREFIX):
        return None
    shared = _SHARE_VIDEO_RE.match(text)
    if shared:
        try:
            video_id = json.loads(shared.group(1)).get("video_id")
        except (ValueError, AttributeError):
            video_id = None
        if isinstance(video_id, str):
            return {"video_id": video_id}
    return {"text": text}


def warning_signs(event: UserUttered) -> list[str]:
    """The warning signs Rasa's red-flag scanner found in the message (its ``red_flag``
    entities; the bot, paused, acts on none of them, so the clinician is alerted)."""
    found = [str(e.get("value")) for e in event.entities if e.get("entity") == "red_flag"]
    return list(dict.fromkeys(found))


def relay_paused_messages(tracker: DialogueStateTracker, new_events: Sequence[Event]) -> int:
    """Queues the runner's messages among ``new_events`` that arrived while paused.

    Args:
        tracker: The tracker being saved (``new_events`` are its last events).
        new_events: The events not stored yet.

    Returns:
        How many messages were queued.
    """
    earlier = list(tracker.events)
    paused = paused_before(earlier[: len(earlier) - len(new_events)])
    queued = 0
    for event in new_events:
        if isinstance(event, ConversationPaused):
            paused = True
        elif isinstance(event, ConversationResumed):
            paused = False
        elif paused and isinstance(event, UserUttered):
            payload = relay_payload(event.text or "")
            if payload is not None:
                flags = warning_signs(event)
                deliveries.queue(tracker.sender_id, deliveries.RELAY,
                                 payload | ({"red_flags": flags} if flags else {}))
                queued += 1
    if queued:
        logger.info("handover: %d runner message(s) queued for the clinic", queued)
    return queued


def missed_during_pause(tracker: DialogueStateTracker) -> list[tuple[str, dict[str, Any]]]:
    """(intent, entities) to run after the pause: finished analyses and shared videos."""
    missed: list[tuple[str, dict[str, Any]]] = []
    for event in reversed(tracker.events):
        if isinstance(event, ConversationPaused):
            break
        if not isinstance(event, UserUttered):
            continue
        said = event.text or ""
        if said.startswith(EXTERNAL_PREFIX) and event.intent_name == ANALYSIS_READY:
            entities = {e["entity"]: e["value"] for e in event.entities if "entity" in e}
            missed.append((ANALYSIS_READY, entities))
        elif not said.startswith(EXTERNAL_PREFIX):
            shared = relay_payload(said)
            if shared and "video_id" in shared:
                missed.append((SHARE_VIDEO, {"video_id": shared["video_id"]}))
    return list(reversed(missed))
