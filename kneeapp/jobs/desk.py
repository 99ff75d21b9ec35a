"""The worker's sender of everything the clinic's helpdesk (Chatwoot) receives.

Every ``CLINIC_DELIVERY_POLL_S`` the worker sends the deliveries that are due
(:mod:`kneeapp.clinic.deliveries`), in order per conversation:

- ``assessment``: a private note with the summary (level, reasons, answers, plan, video
  findings), the PDF and the key pictures attached, and labels for the level and red flags;
- ``analysis``: a private note with a later video analysis and its pictures;
- ``handover``: a private note saying the runner asked for a person, with the answers so
  far and the chat's latest messages, and the conversation opened;
- ``relay``: a runner's message during the handover, as an incoming message (a shared video
  attached), and a private alert when it names a warning sign;
- ``erased``: a private note saying the runner erased their data here.

The first delivery of a conversation creates its helpdesk contact (named after the random
conversation id, never a phone number or name) and conversation. A failure is retried with
growing waits; logs carry delivery ids and error names, never message text.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kneeapp import settings
from kneeapp.clinic import deliveries
from kneeapp.clinic.chatwoot import Attachment, ChatwootClient, ChatwootError, client_from_settings
from kneeapp.clinic.deliveries import Delivery, Thread
from kneeapp.clinic.desk_notes import (
    analysis_note,
    erased_note,
    handover_note,
    relay_video_note,
    warning_sign_note,
)
from kneeapp.clinic.pictures import summary_pictures
from kneeapp.clinic.summary_note import render_note
from kneeapp.clinic.summary_pdf import render_pdf
from kneeapp.clinic.video_summary import video_summary
from kneeapp.jobs import queue
from kneeapp.store import media, repo

log = logging.getLogger(__name__)

#: Largest video relayed to the helpdesk as an attachment (Chatwoot's default limit is 40 MB).
RELAY_VIDEO_MAX_BYTES = 40 * 1024 * 1024
PDF_NAME = "knee-summary.pdf"
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
VIDEO_TYPES = {".mp4": "video/mp4", ".mov": "video/quicktime", ".webm": "video/webm"}


def contact_name(conversation_id: str) -> str:
    """The helpdesk contact's name: the conversation's random id, shortened."""
    return f"Runner {conversation_id[-8:]}"


def thread_for(client: ChatwootClient, conversation_id: str) -> Thread:
    """The helpdesk conversation mirroring ours, created on first use."""
    known = deliveries.thread_of(conversation_id)
    if known is not None:
        return known
    contact = client.create_contact(identifier=conversation_id,
                                    name=contact_name(conversation_id))
    desk_id = client.create_conversation(contact, {"assistant_conversation": conversation_id})
    thread = Thread(conversation_id, contact.id, contact.source_id, desk_id)
    deliveries.save_thread(thread)
    return thread


def _file(path: Path, types: dict[str, str]) -> Attachment:
    return Attachment(path.name, types.get(path.suffix.lower(), "application/octet-stream"),
                      path.read_bytes())


def summary_labels(summary: dict[str, Any]) -> list[str]:
    """``level-<level>`` and ``red-flag-<id>`` for each red flag of the summary."""
    triage = summary.get("triage", {})
    flags = (triage.get("answers") or {}).get("red_flags") or []
    return [f"level-{triage.get('level')}", *(f"red-flag-{flag}" for flag in flags)]


def send_assessment(client: ChatwootClient, delivery: Delivery) -> None:
    """The summary note, its PDF and pictures, and the labels."""
    stored = repo.assessment(int(delivery.payload["assessment_id"]))
    if stored is None or stored.summary is None:
        return  # erased (or stored before summaries were kept): nothing to send
    thread = thread_for(client, delivery.conversation_id)
    pictures = key_pictures(stored.summary)
    pdf = render_pdf(stored.summary, pictures, clinic_name=settings.current().clinic_name,
                     created_at=stored.created_at)
    attachments = [Attachment(PDF_NAME, "application/pdf", pdf),
                   *(_file(path, IMAGE_TYPES) for path in pictures)]
    client.post_long_message(thread.desk_conversation_id, render_note(stored.summary),
                             private=True, attachments=attachments)
    client.add_labels(thread.desk_conversation_id, summary_labels(stored.summary))


def key_pictures(summary: dict[str, Any]) -> list[Path]:
    """The existing key pictures of the summary's video analysis."""
    return summary_pictures(summary.get("triage", {}).get("video"), media.results_root())


def send_analysis(client: ChatwootClient, delivery: Delivery) -> None:
    """A later video analysis: its findings as a note, its pictures attached."""
    job = queue.get_job(str(delivery.payload["job_id"]))
    if job is None or job.report is None:
        return  # erased since
    video = video_summary(job.job_id, job.report)
    thread = thread_for(client, delivery.conversation_id)
    attachments = [_file(path, IMAGE_TYPES) for path in key_pictures({"triage": {"video": video}})]
    client.post_long_message(thread.desk_conversation_id, analysis_note(video), private=True,
                             attachments=attachments)


def send_handover(client: ChatwootClient, delivery: Delivery) -> None:
    """The runner asked for a person: what the clinician needs, and the conversation open."""
    thread = thread_for(client, delivery.conversation_id)
    note = handover_note(delivery.payload.get("answers") or {},
                         delivery.payload.get("transcript") or [],
                         finished=bool(delivery.payload.get("assessment_id")))
    client.post_long_message(thread.desk_conversation_id, note, private=True)
    client.set_status(thread.desk_conversation_id, "open")
    client.add_labels(thread.desk_conversation_id, ["handover"])


def _owned_video(video_id: str, conversation_id: str) -> Path | None:
    """The upload, only when it belongs to this conversation and is small enough."""
    try:
        sidecar = media.read_sidecar(video_id)
        path = media.upload_path(video_id)
    except ValueError:
        return None
    if not sidecar or sidecar.get("conversation_id") != conversation_id or path is None:
        return None
    return path if path.stat().st_size <= RELAY_VIDEO_MAX_BYTES else None


def send_relay(client: ChatwootClient, delivery: Delivery) -> None:
    """One runner message during the handover, as the runner's own (incoming) message."""
    thread = thread_for(client, delivery.conversation_id)
    video_id = delivery.payload.get("video_id")
    if video_id:
        path = _owned_video(str(video_id), delivery.conversation_id)
        attachments = [_file(path, VIDEO_TYPES)] if path else []
        client.post_message(thread.desk_conversation_id, relay_video_note(bool(path)),
                            private=False, incoming=True, attachments=attachments)
        return
    client.post_message(thread.desk_conversation_id, str(delivery.payload.get("text", "")),
                        private=False, incoming=True)
    _alert_warning_signs(client, thread, delivery.payload.get("red_flags") or [])


def _alert_warning_signs(client: ChatwootClient, thread: Thread, flags: list[str]) -> None:
    """A warning sign in a relayed message: a private alert and its labels."""
    if not flags:
        return
    client.post_message(thread.desk_conversation_id, warning_sign_note(flags), private=True)
    client.add_labels(thread.desk_conversation_id,
                      ["warning-sign", *(f"red-flag-{flag}" for flag in flags)])


def send_erased(client: ChatwootClient, delivery: Delivery) -> None:
    """The runner erased their data here: the clinic is told in the helpdesk."""
    client.post_message(int(delivery.payload["desk_conversation_id"]), erased_note(),
                        private=True)


SENDERS: dict[str, Callable[[ChatwootClient, Delivery], None]] = {
    deliveries.ASSESSMENT: send_assessment,
    deliveries.ANALYSIS: send_analysis,
    deliveries.HANDOVER: send_handover,
    deliveries.RELAY: send_relay,
    deliveries.ERASED: send_erased,
}


def send_due(client: ChatwootClient, limit: int = 20) -> int:
    """Sends the deliveries that are due; returns how many arrived."""
    sent = 0
    for delivery in deliveries.due(limit):
        if not deliveries.claim(delivery):
            continue
        try:
            SENDERS[delivery.kind](client, delivery)
        except ChatwootError as exc:
            _failed(delivery, f"http_{exc.status}" if exc.status else "unreachable",
                    exc.retryable)
        except ValueError as exc:  # a message Chatwoot would refuse: a retry cannot help
            _failed(delivery, type(exc).__name__, retryable=False)
        except Exception as exc:
            _failed(delivery, type(exc).__name__, retryable=True)
        else:
            deliveries.mark_sent(delivery)
            sent += 1
    return sent


def _failed(delivery: Delivery, error: str, retryable: bool) -> None:
    again = deliveries.retry_later(delivery, error, retryable)
    log.warning("clinic delivery %d (%s) failed: %s; %s", delivery.id, delivery.kind, error,
                "will retry" if again else "given up")


def run_forever(stop: threading.Event) -> None:
    """Sends due deliveries every ``CLINIC_DELIVERY_POLL_S`` until ``stop`` (no helpdesk
    configured: returns at once)."""
    client = client_from_settings(settings.current())
    if client is None:
        return
    log.info("clinic helpdesk deliveries on")
    while not stop.is_set():
        try:
            send_due(client)
        except Exception as exc:  # the database is down: try again later
            log.error("clinic deliveries paused (%s)", type(exc).__name__)
        stop.wait(settings.current().clinic_delivery_poll_s)


def start(stop: threading.Event) -> threading.Thread:
    """Runs :func:`run_forever` in a daemon thread."""
    thread = threading.Thread(target=run_forever, args=(stop,), name="clinic-desk", daemon=True)
    thread.start()
    return thread


