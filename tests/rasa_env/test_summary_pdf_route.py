"""``GET /webhooks/summary/pdf`` over real HTTP (run in ``.venv/rasa``): the latest
assessment's clinician PDF for the conversation a token names, and the answers without one.

A real Sanic server with Rasa's own CORS set-up; the assessments are rows of a private
SQLite database, as the action server writes them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from connectors import upload_token
from connectors.summary_pdf import SummaryPdfInput
from rasa.server import configure_cors
from sanic import Sanic
from sqlalchemy import create_engine, text

from kneeapp.store import plain_sql
from tests.rasa_env.channel_tables import create_channel_tables
from tests.rasa_env.sanic_server import serving
from tests.rasa_env.summary_documents import clinic_summary, pdf_pictures, pdf_text, write_png

pytestmark = pytest.mark.rasa_env

SECRET = b"s" * 32
JOB = "d" * 32
PDF = "/webhooks/summary/pdf"
WIDGET_ORIGIN = "http://localhost:8080"


def _store(url: str, conversation: str, summary: dict | None, created_at: str) -> None:
    with create_engine(url).begin() as connection:
        connection.execute(
            text("INSERT INTO assessments (conversation_id, answers, level, reasons, plan, "
                 "summary, created_at) VALUES (:c, '{}', :level, '[]', '[]', :s, :t)"),
            {"c": conversation, "level": (summary or {}).get("triage", {}).get("level", "x"),
             "s": None if summary is None else json.dumps(summary), "t": created_at})


@pytest.fixture
def base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The server's URL; the database holds two assessments of ``conv-1`` (the later one with
    a video) and one stored before summaries were kept, of ``conv-old``."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    create_channel_tables(url)
    _store(url, "conv-1", clinic_summary(JOB, "urgent"), "2026-11-28 10:00:00.000000")
    _store(url, "conv-1", clinic_summary(JOB, "clinician"), "2026-11-30 09:15:00.000000")
    _store(url, "conv-old", None, "2026-11-29 08:00:00.000000")
    write_png(tmp_path / "media" / "results" / JOB / "keyframe_2_knee_fppa_deg_left.png")
    monkeypatch.setenv("DATABASE_URL", url)
    app = Sanic("summary_pdf_test", configure_logging=False)
    configure_cors(app, "*")  # exactly what `rasa run --cors "*"` does
    channel = SummaryPdfInput(media_dir=tmp_path / "media", clinic_name="Riverside Physio",
                              secret=SECRET)

    async def never(_message: object) -> None:
        raise AssertionError("the PDF route injects no message")

    app.blueprint(channel.blueprint(never), url_prefix="/webhooks/summary")
    with serving(app) as served:
        yield served
    plain_sql.dispose()


def _get(base: str, token: str | None, **headers: str) -> requests.Response:
    if token is not None:
        headers["X-Upload-Token"] = token
    return requests.get(base + PDF, headers=headers, timeout=30)


def test_the_latest_assessment_comes_as_an_attached_private_pdf(base: str) -> None:
    answer = _get(base, upload_token.create("conv-1", SECRET))
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"] == "application/pdf"
    assert answer.headers["Content-Disposition"] == (
        'attachment; filename="knee-summary-2026-11-30.pdf"')
    assert answer.headers["Cache-Control"] == "private, no-store"
    text_in_pdf = pdf_text(answer.content)
    assert "Advice given: See a clinician" in text_in_pdf
    assert "Date: 2026-11-30" in text_in_pdf and "Clinic: Riverside Physio" in text_in_pdf
    assert pdf_pictures(answer.content) == 1, "the key picture, never the one outside"


@pytest.mark.parametrize(("token", "error"), [
    (None, "token_invalid"),
    ("not-a-token", "token_invalid"),
    (upload_token.create("conv-1", b"x" * 32), "token_invalid"),
    (upload_token.create("conv-1", SECRET, ttl_s=1, now=1_000_000.0), "token_expired"),
])
def test_without_a_valid_token_nothing_is_served(base: str, token: str | None,
                                                 error: str) -> None:
    answer = _get(base, token)
    assert answer.status_code == 401
    assert answer.json()["error"] == error and answer.json()["message"]
    assert b"%PDF" not in answer.content


@pytest.mark.parametrize("conversation", ["conv-new", "conv-old"])
def test_before_a_finished_assessment_the_answer_is_a_friendly_404(base: str,
                                                                   conversation: str) -> None:
    answer = _get(base, upload_token.create(conversation, SECRET))
    assert answer.status_code == 404
    assert answer.json()["error"] == "no_summary"
    assert "finished" in answer.json()["message"]


def test_the_widget_may_fetch_it_from_another_origin(base: str) -> None:
    preflight = requests.options(base + PDF, timeout=10, headers={
        "Origin": WIDGET_ORIGIN, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "x-upload-token"})
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] in (WIDGET_ORIGIN, "*")
    answer = _get(base, upload_token.create("conv-1", SECRET), Origin=WIDGET_ORIGIN)
    assert answer.headers["Access-Control-Allow-Origin"] in (WIDGET_ORIGIN, "*")


def test_the_date_read_back_is_utc() -> None:
    from connectors.summary_pdf import _as_datetime

    assert _as_datetime("2026-11-30 23:30:00") == dt.datetime(2026, 11, 30, 23, 30,
                                                              tzinfo=dt.timezone.utc)
