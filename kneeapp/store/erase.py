"""Erasing everything stored about one conversation.

``python -m kneeapp.store.erase <conversation_id>`` prints what was removed, as JSON.
Removes Rasa's tracker events (table ``events``, column ``sender_id``, if the table
exists), consents, assessments, videos, analysis jobs and results, the link to a
messaging app's chat and the replies held for it (``channel_chats``, ``held_messages``),
the count of videos sent (``upload_uses``: a hash of the upload link, no content), the
check-in reminder (``checkin_reminders``: it is then never sent),
the link to the clinic's helpdesk and what was still to be sent there (``clinic_threads``,
``clinic_deliveries``; the clinic is then told, in its own helpdesk, that the runner erased
their data — what the clinic keeps there follows the clinic's own records policy), the raw
uploads and sidecars (also uploads never registered, found by their sidecar) and
the result folders.
A job still running for the conversation notices at its next heartbeat and stops without
writing anything back.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from sqlalchemy import delete, inspect, select, text
from sqlalchemy.orm import Session

from kneeapp.store import media
from kneeapp.store.db import get_engine, session_scope
from kneeapp.store.models import (
    AnalysisJob,
    AnalysisResult,
    Assessment,
    ChannelChat,
    CheckinReminder,
    ClinicDelivery,
    ClinicThread,
    Consent,
    HeldMessage,
    UploadUse,
    Video,
)
from kneeapp.store.sqlite_pragmas import checkpoint

log = logging.getLogger(__name__)

#: The delivery that tells the clinic's helpdesk a runner erased their data.
ERASED_NOTICE = "erased"

REPORT_KEYS = ("events", "consents", "assessments", "videos", "analysis_jobs",
               "analysis_results", "channel_chats", "held_messages", "clinic_threads",
               "clinic_deliveries", "upload_uses", "checkin_reminders", "files")


def erase_conversation(conversation_id: str) -> dict[str, int]:
    """Delete every row and file of ``conversation_id``.

    Args:
        conversation_id: Rasa's sender id.

    Returns:
        Counts removed per table, plus ``files`` (uploads, sidecars and result files).
    """
    report = dict.fromkeys(REPORT_KEYS, 0)
    with session_scope() as session:
        job_ids = list(session.scalars(
            select(AnalysisJob.id).where(AnalysisJob.conversation_id == conversation_id)))
        video_ids = set(session.scalars(
            select(Video.id).where(Video.conversation_id == conversation_id)))
        video_ids |= set(session.scalars(
            select(AnalysisJob.video_id).where(AnalysisJob.conversation_id == conversation_id)))
        if job_ids:
            report["analysis_results"] = _count(session.execute(
                delete(AnalysisResult).where(AnalysisResult.job_id.in_(job_ids))))
            report["analysis_jobs"] = _count(session.execute(
                delete(AnalysisJob).where(AnalysisJob.id.in_(job_ids))))
        if video_ids:
            # jobs of other conversations cannot point at these videos, but be thorough
            session.execute(delete(AnalysisJob).where(AnalysisJob.video_id.in_(video_ids)))
            report["videos"] = _count(session.execute(
                delete(Video).where(Video.id.in_(video_ids))))
        report["assessments"] = _count(session.execute(
            delete(Assessment).where(Assessment.conversation_id == conversation_id)))
        report["consents"] = _count(session.execute(
            delete(Consent).where(Consent.conversation_id == conversation_id)))
        report["channel_chats"] = _count(session.execute(
            delete(ChannelChat).where(ChannelChat.conversation_id == conversation_id)))
        report["held_messages"] = _count(session.execute(
            delete(HeldMessage).where(HeldMessage.conversation_id == conversation_id)))
        report["upload_uses"] = _count(session.execute(
            delete(UploadUse).where(UploadUse.conversation_id == conversation_id)))
        report["checkin_reminders"] = _count(session.execute(
            delete(CheckinReminder).where(CheckinReminder.conversation_id == conversation_id)))
        _erase_clinic_link(session, conversation_id, report)
        if inspect(session.connection()).has_table("events"):
            report["events"] = _count(session.execute(
                text("DELETE FROM events WHERE sender_id = :sender"),
                {"sender": conversation_id}))
    _checkpoint_sqlite()
    files = 0
    for video_id in video_ids | set(media.uploads_of(conversation_id)):
        files += media.delete_upload(video_id)
    for job_id in job_ids:
        files += media.delete_result(job_id)
    report["files"] = files
    log.info("conversation erased: %s", ", ".join(f"{k}={v}" for k, v in report.items()))
    return report


def _checkpoint_sqlite() -> None:
    """With SQLite, the erased rows leave the write-ahead log too (``sqlite_pragmas``)."""
    engine = get_engine()
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        checkpoint(connection.connection.dbapi_connection)


def _erase_clinic_link(session: Session, conversation_id: str, report: dict[str, int]) -> None:
    """Forgets the helpdesk conversation and leaves one note for the clinic saying so."""
    thread = session.get(ClinicThread, conversation_id)
    report["clinic_deliveries"] = _count(session.execute(
        delete(ClinicDelivery).where(ClinicDelivery.conversation_id == conversation_id)))
    if thread is None:
        return
    session.add(ClinicDelivery(conversation_id="", kind=ERASED_NOTICE,
                               payload={"desk_conversation_id": thread.desk_conversation_id}))
    session.delete(thread)
    report["clinic_threads"] = 1


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def main(argv: list[str] | None = None) -> int:
    """``python -m kneeapp.store.erase <conversation_id>``: erase and print the counts."""
    parser = argparse.ArgumentParser(prog="python -m kneeapp.store.erase",
                                     description="Erase everything stored about a conversation.")
    parser.add_argument("conversation_id")
    args = parser.parse_args(argv)
    report = erase_conversation(args.conversation_id)
    sys.stdout.write(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
