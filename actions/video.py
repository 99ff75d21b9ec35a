"""Video in the chat: receive an upload, present the analysis, re-analyse on request.

Thin Rasa glue over :mod:`kneeapp.store` (database, media store), :mod:`kneeapp.jobs`
(probe, queue) and :mod:`actions.video_findings` (what the runner reads). See
docs/video_flow.md for the whole flow.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.messages import text
from actions.outcome import analysed_video, assess_conversation, present_outcome
from actions.tracker_reading import analysis_told, answers_from, latest_message, unit_of
from actions.video_findings import (
    answer_about_measures,
    answers_from_video,
    clip_description,
    comparison_messages,
    findings_messages,
    needs_clarification,
    unusable_messages,
)
from analysis_core.reference import load
from content_schema.vocabulary import ACTIVITIES, VIEWS
from kneeapp import settings
from kneeapp.jobs import backends, queue
from kneeapp.jobs.probe import VideoRejected, estimate_analysis_s, probe_limited
from kneeapp.store import media, repo

logger = logging.getLogger(__name__)

#: What a clip can show, as offered when the analysis could not tell.
CLIP_CHOICES = (
    ("Running, filmed from behind", "running", "back"),
    ("Running, filmed from the front", "running", "front"),
    ("Running, filmed from the side", "running", "side"),
    ("Squat, from the front", "squat", "front"),
    ("Single-leg squat, from the front", "single_leg_squat", "front"),
    ("Squat, from the side", "squat", "side"),
)


def _analysis_payload(job_id: str, status: str, eta_s: int | None = None) -> dict[str, Any]:
    return {"analysis": {"status": status, "job_id": job_id, "eta_s": eta_s}}


def _own_video(video_id: str | None, conversation_id: str) -> dict[str, Any] | None:
    """The upload's sidecar, when the video exists and belongs to this conversation."""
    try:
        sidecar = media.read_sidecar(video_id) if video_id else None
    except media.InvalidId:
        return None
    if not sidecar or sidecar.get("conversation_id") != conversation_id:
        return None
    return sidecar


def _enqueue(
    dispatcher: CollectingDispatcher,
    video_id: str,
    conversation_id: str,
    facts: dict[str, Any],
    activity: str | None = None,
    view: str | None = None,
) -> list[EventType]:
    try:
        job_id = backends.enqueue_analysis(video_id, conversation_id, activity=activity, view=view)
    except backends.QueueUnavailable:
        dispatcher.utter_message(text=text("video", "failed", reason="our analysis queue is down"))
        return []
    eta_s = estimate_analysis_s(facts, jobs_ahead=queue.jobs_ahead(job_id))
    dispatcher.utter_message(text=text("video", "accepted", eta_s=str(eta_s)))
    dispatcher.utter_message(json_message=_analysis_payload(job_id, "queued", eta_s))
    return [SlotSet("video_job_id", job_id)]


def _over_bounds(dispatcher: CollectingDispatcher, conversation_id: str) -> bool:
    """Says so and returns True when the conversation may not start another analysis now:
    ``CONVERSATION_MAX_PENDING_JOBS`` queued or running, or ``CONVERSATION_MAX_ANALYSES``
    within ``CONVERSATION_UPLOAD_WINDOW_S`` (one runner's backlog must not hold up others)."""
    config = settings.current()
    if queue.pending_jobs(conversation_id) >= config.conversation_max_pending_jobs:
        dispatcher.utter_message(text=text("video", "busy"))
        return True
    window_s = config.conversation_upload_window_s
    if queue.jobs_since(conversation_id, window_s) >= config.conversation_max_analyses:
        dispatcher.utter_message(text=text(
            "video", "analysis_limit", max_analyses=str(config.conversation_max_analyses),
            window_hours=f"{window_s / 3600:g}"))
        return True
    return False


async def _probe(
    dispatcher: CollectingDispatcher, video_id: str, sidecar: dict[str, Any]
) -> dict[str, Any] | None:
    """The clip's facts (a metadata probe in a limited process); None, said and deleted, if
    it is not a usable video."""
    path = media.upload_path(video_id, sidecar["container"])
    try:
        facts: dict[str, Any] = await asyncio.to_thread(probe_limited, path)
    except VideoRejected as rejected:
        media.delete_upload(video_id)
        dispatcher.utter_message(text=text("video", "rejected", reason=rejected.message))
        return None
    return facts


async def accept_video(
    dispatcher: CollectingDispatcher, conversation_id: str, video_id: str
) -> list[EventType]:
    """Checks the upload is this conversation's, probes it, and queues its analysis."""
    sidecar = _own_video(video_id, conversation_id)
    if sidecar is None:
        dispatcher.utter_message(text=text("video", "not_yours"))
        return []
    if _over_bounds(dispatcher, conversation_id):
        media.delete_upload(video_id)  # not analysed, so not kept
        return []
    facts = await _probe(dispatcher, video_id, sidecar)
    if facts is None:
        return []
    repo.register_video(
        video_id,
        conversation_id,
        sidecar["sha256"],
        sidecar["size_bytes"],
        sidecar["container"],
        duration_s=facts.get("duration_s"),
    )
    return _enqueue(dispatcher, video_id, conversation_id, facts)


def discard_pending_video(video_id: str | None) -> None:
    """Deletes an upload the runner sent before declining consent."""
    if video_id:
        try:
            media.delete_upload(video_id)
        except media.InvalidId:
            logger.info("pending video id was malformed")


class ActionReceiveVideo(Action):
    """A video arrived: analysed at once after consent; before consent it waits for it."""

    def name(self) -> str:
        return "action_receive_video"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        video_id = next(tracker.get_latest_entity_values("video_id"), None)
        sidecar = _own_video(video_id, tracker.sender_id) if video_id else None
        if video_id is None or sidecar is None:
            dispatcher.utter_message(text=text("video", "not_yours"))
            return []
        if tracker.get_slot("consent") is True:
            return await accept_video(dispatcher, tracker.sender_id, video_id)
        # Before consent: only check it is a usable file; the analysis waits for the answer.
        if await _probe(dispatcher, video_id, sidecar) is None:
            return []
        dispatcher.utter_message(text=text("video", "after_consent"))
        return [SlotSet("pending_video_id", video_id)]


class ActionReanalyseVideo(Action):
    """The runner said what the clip shows: analyse the same upload again with that."""

    def name(self) -> str:
        return "action_reanalyse_video"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        job = queue.get_job(tracker.get_slot("video_job_id") or "")
        message_text = latest_message(tracker)[2]
        typed_activity, typed_view = clip_description(message_text)
        activity = _known(tracker, "activity", ACTIVITIES) or typed_activity
        view = _known(tracker, "view", VIEWS) or typed_view
        video = repo.get_video(job.video_id) if job else None
        if job is None or video is None or video.status != "stored" or not activity:
            dispatcher.utter_message(text=text("video", "not_yours"))
            return []
        if _over_bounds(dispatcher, tracker.sender_id):
            return []
        facts = {"duration_s": video.duration_s}
        return _enqueue(dispatcher, video.video_id, tracker.sender_id, facts, activity, view)


def _known(tracker: Tracker, entity: str, allowed: tuple[str, ...]) -> str | None:
    """The entity's value when it is one of ``allowed`` (a typed payload can carry anything)."""
    value = next(tracker.get_latest_entity_values(entity), None)
    return value if value in allowed else None


class ActionPresentFindings(Action):
    """The worker finished: findings in plain words, pictures, and the refined plan."""

    def name(self) -> str:
        return "action_present_findings"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        job_id = next(tracker.get_latest_entity_values("job_id"), None) or ""
        job = queue.get_job(job_id)
        if job is None or job.conversation_id != tracker.sender_id:
            logger.info("analysis notice for an unknown job ignored")
            return []
        if job.finished and analysis_told(tracker.events, job_id):
            logger.info("job %s: outcome already presented; repeated notice ignored", job_id)
            return []
        if job.status == "failed":
            dispatcher.utter_message(json_message=_analysis_payload(job_id, "failed"))
            dispatcher.utter_message(text=text("video", "failed", reason=job.error_message or ""))
            return []
        if job.status != "done" or job.report is None:
            dispatcher.utter_message(text=text("video", "still_working"))
            return []
        dispatcher.utter_message(json_message=_analysis_payload(job_id, "done"))
        return self._present(dispatcher, tracker, job_id, job.report)

    def _present(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        job_id: str,
        report: dict[str, Any],
    ) -> list[EventType]:
        if not report.get("quality", {}).get("usable"):
            for message in unusable_messages(report):
                dispatcher.utter_message(**message)
            return []
        if needs_clarification(report):
            dispatcher.utter_message(
                text=text("video", "ask_what"),
                buttons=[
                    {
                        "title": title,
                        "payload": f'/describe_video{{"activity": "{act}", "view": "{view}"}}',
                    }
                    for title, act, view in CLIP_CHOICES
                ],
            )
            return []
        for message in findings_messages(job_id, report):
            dispatcher.utter_message(**message)
        earlier = analysed_video(tracker)
        if earlier is not None and earlier[0] != job_id:
            for message in comparison_messages(earlier, (job_id, report)):
                dispatcher.utter_message(**message)
        events: list[EventType] = [SlotSet("video_report_job", job_id)]
        if tracker.get_slot("triage_done"):
            answers, result = assess_conversation(
                tracker, answers_from(tracker) | answers_from_video(report))
            plan_ids = present_outcome(
                dispatcher, tracker.sender_id, answers, result, unit_of(tracker), (job_id, report)
            )
            events += [SlotSet("triage_level", result.level), SlotSet("plan", plan_ids)]
        return events


class ActionVideoResults(Action):
    """ "What was my cadence?": the measure asked about, from the stored report."""

    def name(self) -> str:
        return "action_video_results"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        video = analysed_video(tracker)
        if video is None:
            dispatcher.utter_message(
                text=text("video", "no_video_yet"),
                buttons=[{"title": "How should I film?", "payload": "/ask_filming"}],
            )
            return []
        asked_as = {name: spec.get("asked_as", []) for name, spec in load()["measures"].items()}
        question = latest_message(tracker)[2]
        for answer in answer_about_measures(question, video[1], asked_as):
            dispatcher.utter_message(text=answer)
        return []
