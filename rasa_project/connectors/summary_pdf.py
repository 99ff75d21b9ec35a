"""Rasa input channel that serves the runner's clinician summary as a PDF (docs/clinic_summary.md,
"PDF").

Route (mounted under ``/webhooks/summary``):

- ``GET /webhooks/summary/pdf`` — header ``X-Upload-Token`` (the conversation's signed
  token: the one the summary message carries for the web widget, or an upload token). Answers
  the conversation's latest assessment as ``application/pdf``, with
  ``Content-Disposition: attachment; filename="knee-summary-YYYY-MM-DD.pdf"`` (the
  assessment's date) and ``Cache-Control: private, no-store``; the key pictures of its video
  analysis come from ``MEDIA_DIR/results``. ``401`` without a valid token, ``404`` (JSON, with
  a message a person can read) before the first finished assessment.

The channel injects no message: ``on_new_message`` is never called. The assessment is read
with plain SQL (table ``assessments``, column ``summary``; written by the action server;
:mod:`kneeapp.store.plain_sql`), so that Rasa's SQLAlchemy 1.4 runs it. Never logged: tokens,
conversation ids, summary content.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
from collections import ChainMap
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connectors import upload_token
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import text

from kneeapp import settings
from kneeapp.clinic import summary_words
from kneeapp.clinic.pictures import summary_pictures
from kneeapp.clinic.summary_pdf import render_pdf
from kneeapp.store.plain_sql import engine

logger = logging.getLogger(__name__)

TOKEN_HEADER = "X-Upload-Token"
PDF_HEADERS = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff",
               "Access-Control-Expose-Headers": "Content-Disposition"}


@dataclass(frozen=True)
class StoredSummary:
    """The clinic summary of an assessment and when it was made."""

    summary: dict[str, Any]
    created_at: dt.datetime


def _as_datetime(value: Any) -> dt.datetime:
    """A stored timestamp as aware UTC (SQLite gives text, PostgreSQL a datetime)."""
    when = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return when.replace(tzinfo=dt.timezone.utc) if when.tzinfo is None else when


def latest_summary(conversation_id: str) -> StoredSummary | None:
    """The conversation's latest assessment that holds a summary, or None."""
    with engine().begin() as connection:
        row = connection.execute(
            text("SELECT summary, created_at FROM assessments WHERE conversation_id = :id "
                 "AND summary IS NOT NULL ORDER BY id DESC LIMIT 1"), {"id": conversation_id},
        ).first()
    if row is None:
        return None
    summary = row[0] if isinstance(row[0], dict) else json.loads(row[0])
    return StoredSummary(summary, _as_datetime(row[1])) if isinstance(summary, dict) else None


def _error(status: int, error: str, message: str) -> HTTPResponse:
    return response.json({"error": error, "message": message}, status=status,
                         headers={"Cache-Control": "no-store"})


class SummaryPdfInput(InputChannel):
    """Serves the latest clinician summary of the conversation a token names.

    Args:
        media_dir: Media store root (the pictures are in ``results/`` below it).
        clinic_name: The clinic named in the PDF's header.
        secret: Token secret; read with ``upload_token.secret_from_env`` if None.
        read_latest: Where the latest summary comes from (the database by default).
    """

    @classmethod
    def name(cls) -> str:
        """Channel name."""
        return "summary_pdf"

    def url_prefix(self) -> str:
        """Mounts the route under ``/webhooks/summary``."""
        return "summary"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Reads ``media_dir`` (``MEDIA_DIR`` wins) and the clinic's name from the settings."""
        configured = {"MEDIA_DIR": str((credentials or {}).get("media_dir") or "")}
        config = settings.current(ChainMap(dict(os.environ), configured))
        return cls(media_dir=config.media_dir, clinic_name=config.clinic_name)

    def __init__(
        self,
        media_dir: Path = settings.DEFAULTS.media_dir,
        clinic_name: str = "",
        secret: bytes | None = None,
        read_latest: Callable[[str], StoredSummary | None] = latest_summary,
    ) -> None:
        """Creates the channel (the secret is resolved now so a bad set-up fails fast)."""
        self.results_dir = Path(media_dir).resolve() / "results"
        self.clinic_name = clinic_name
        self.secret = secret if secret is not None else upload_token.secret_from_env()
        self.read_latest = read_latest
        self.texts = summary_words.words().download

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Creates the Sanic blueprint with the PDF route."""
        blueprint = Blueprint("summary_pdf_webhook", __name__)

        @blueprint.route("/pdf", methods=["GET"])
        async def pdf(request: Request) -> HTTPResponse:
            return await self._pdf(request)

        return blueprint

    async def _pdf(self, request: Request) -> HTTPResponse:
        try:
            conversation_id = upload_token.verify(request.headers.get(TOKEN_HEADER, ""),
                                                  self.secret)
        except upload_token.TokenExpired:
            return _error(401, "token_expired", self.texts.link_expired)
        except upload_token.TokenError:
            return _error(401, "token_invalid", self.texts.link_invalid)
        try:
            stored = await asyncio.to_thread(self.read_latest, conversation_id)
            if stored is None:
                return _error(404, "no_summary", self.texts.no_summary)
            document = await asyncio.to_thread(self._render, stored)
        except Exception:
            logger.exception("The summary PDF could not be made")
            return _error(500, "server_error", self.texts.failed)
        logger.info("Summary PDF served (%d bytes)", len(document))
        name = f"knee-summary-{stored.created_at.date().isoformat()}.pdf"
        return response.raw(document, content_type="application/pdf", headers={
            **PDF_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'})

    def _render(self, stored: StoredSummary) -> bytes:
        video = stored.summary.get("triage", {}).get("video")
        pictures = summary_pictures(video, self.results_dir)
        return render_pdf(stored.summary, pictures, clinic_name=self.clinic_name,
                          created_at=stored.created_at)
