"""The clinician summary PDF (kneeapp/clinic/summary_pdf.py): made for every level, with and
without a video; its text read back with pypdf, its pages rendered with pypdfium2."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
import yaml
from pypdf import PdfReader
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm

from kneeapp.clinic import summary_words as sw
from kneeapp.clinic.pictures import summary_pictures
from kneeapp.clinic.summary_pdf import (
    LAYOUTS,
    LEVEL_COLOURS,
    MAX_PAGES,
    Layout,
    _render,
    _story,
    printable,
    render_pdf,
)
from tests.clinic_cases import JOB_ID, LEVELS, level_summary, write_results
from tests.paths import REPO

WORDS = yaml.safe_load((REPO / "data" / "summary_words.yml").read_text(encoding="utf-8"))
CARDS = yaml.safe_load((REPO / "data" / "guidance.yml").read_text(encoding="utf-8"))["level_cards"]
WHEN = dt.datetime(2026, 11, 30, 9, 15, tzinfo=dt.timezone.utc)


def flat(text: str) -> str:
    return " ".join(text.split())


def pdf_text(document: bytes) -> str:
    return flat(" ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(document))
                         .pages))


def page_count(document: bytes) -> int:
    return len(PdfReader(io.BytesIO(document)).pages)


def internal_ids(summary: dict[str, Any]) -> set[str]:
    """Every id the summary carries: none may be printed."""
    triage = summary["triage"]
    ids = {reason["id"] for reason in triage["reasons"]} | set(triage["plan"])
    video = triage.get("video") or {}
    ids |= {row["measure"] for row in video.get("measures_in_words", [])}
    ids |= {finding["id"] for finding in video.get("findings", [])}
    ids |= set(video.get("measures", {}))
    ids |= {key for key in triage["answers"] if "_" in key}
    return ids | ({video["job_id"]} if video else set())


def render(level: str, video: bool, tmp_path: Path, **kwargs: Any) -> tuple[dict, bytes]:
    summary = level_summary(level, video=video)
    assert summary["triage"]["level"] == level, "the answers reach the level they stand for"
    results = tmp_path / "results"
    write_results(results)
    pictures = summary_pictures(summary["triage"].get("video"), results)
    return summary, render_pdf(summary, pictures, created_at=WHEN, **kwargs)


@pytest.mark.parametrize("video", [False, True], ids=["no-video", "video"])
@pytest.mark.parametrize("level", LEVELS)
def test_every_level_prints_its_words_and_nothing_raw(level: str, video: bool,
                                                      tmp_path: Path) -> None:
    summary, document = render(level, video, tmp_path, clinic_name="Riverside Physio")
    assert document.startswith(b"%PDF-")
    assert 1 <= page_count(document) <= 2
    text = pdf_text(document)
    assert f"Advice given: {CARDS[level]['label']}" in text
    assert flat(CARDS[level]["advice"]) in text
    assert "Date: 2026-11-30" in text and "Clinic: Riverside Physio" in text
    for reason in summary["triage"]["reasons"]:
        assert flat(reason["text"]) in text
    assert "Which knee Right knee" in text
    for item in summary["triage"]["plan_details"]:
        assert flat(item["name"]) in text and flat(item["dose"]) in text
    if not summary["triage"]["plan"]:
        assert flat(WORDS["document"]["no_plan"]) in text
    assert flat(WORDS["document"]["disclaimer"]) in text
    assert "Sources" in text
    assert "{" not in text and "}" not in text and '"id"' not in text
    printed_ids = {name for name in internal_ids(summary) if re.search(rf"\b{name}\b", text)}
    assert not printed_ids


def test_warning_signs_are_named_and_no_checklist_bookkeeping_is_printed(tmp_path: Path) -> None:
    _, emergency = render("emergency", False, tmp_path)
    text = pdf_text(emergency)
    assert "Warning signs I can't put weight on the leg" in text
    assert "Emergency check" not in text and "Urgent check" not in text
    _, calm = render("self_care", False, tmp_path)
    assert "Warning signs No warning signs" in pdf_text(calm)


def test_the_video_block_prints_measures_with_units_ranges_and_key_pictures(
        tmp_path: Path) -> None:
    _, document = render("clinician", True, tmp_path)
    text = pdf_text(document)
    assert "Filmed: Running, back view · Measured from: 14 steps" in text
    assert "Step rate (cadence) 158 steps/min 165 steps/min or more" in text
    assert "left 6°, right 14° below 10° Stands out Low (rough estimate)" in text
    assert "Pelvic drop left 3°, right 4° No set range" in text
    # the keyframes of the measures that stood out, not the plot over time
    assert "Mid-stance on the right leg" in text and "A step at landing" in text
    assert "Knee angle over time" not in text
    pictures = [image for page in PdfReader(io.BytesIO(document)).pages for image in page.images]
    assert len(pictures) == 3


def test_a_video_whose_pictures_are_gone_still_prints_its_measures(tmp_path: Path) -> None:
    summary = level_summary("self_care", video=True)
    document = render_pdf(summary, [tmp_path / "missing.png"], created_at=WHEN)
    assert "158 steps/min" in pdf_text(document)


def test_without_a_clinic_the_header_names_none() -> None:
    document = render_pdf(level_summary("self_care"), created_at=WHEN)
    assert "Clinic:" not in pdf_text(document)


def test_a_runners_own_words_are_printed_as_text_never_as_markup() -> None:
    summary = level_summary("clinician")
    summary["triage"]["answers"]["unclear_answers"] = {
        "onset": "<b>since</b> Győr & the marathon ✓"}
    text = pdf_text(render_pdf(summary, created_at=WHEN))
    assert "How it started (own words) <b>since</b> Gyor & the marathon ?" in text


def test_a_very_long_summary_still_fits_two_pages(tmp_path: Path) -> None:
    """Nine reasons, six exercises (the most a plan gives), four answers in the runner's
    own words, three pictures."""
    summary, _ = render("clinician", True, tmp_path)
    triage = summary["triage"]
    triage["reasons"] = (triage["reasons"] * 9)[:9]
    triage["plan_details"] = (triage["plan_details"] * 6)[:6]
    triage["plan"] = [item["id"] for item in triage["plan_details"]]
    triage["answers"]["unclear_answers"] = {key: "a long story " * 12 for key in
                                            ("onset", "side", "injury", "pain_score")}
    pictures = summary_pictures(triage["video"], tmp_path / "results")
    document = render_pdf(summary, pictures, created_at=WHEN)
    assert page_count(document) == 2


def test_characters_the_font_lacks_are_replaced() -> None:
    assert printable("Knie: 12° ≥ 10° – Łódź, Győr, Kraków → ok") == (
        "Knie: 12° ≥ 10° – Łódz, Gyor, Kraków ? ok")


def _band_colour_rows(png: Any, colour: Any) -> list[int]:
    rgb = tuple(round(channel * 255) for channel in (colour.red, colour.green, colour.blue))
    width, height = png.size
    pixels = png.convert("RGB").load()
    return [y for y in range(0, height, 4) if pixels[width // 2, y] == rgb]


@pytest.mark.parametrize("level", ["clinician", "emergency"])
def test_the_first_page_renders_with_the_level_band_near_the_top(level: str,
                                                                tmp_path: Path) -> None:
    _, document = render(level, level == "clinician", tmp_path)
    pdf = pdfium.PdfDocument(document)
    pages = [pdf[index].render(scale=1.5).to_pil() for index in range(len(pdf))]
    for number, page in enumerate(pages, start=1):
        page.save(tmp_path / f"{level}-page-{number}.png")
        assert abs(page.width / page.height - 210 / 297) < 0.01
        assert page.convert("L").getextrema()[0] < 80, "the page has dark text on it"
    band = _band_colour_rows(pages[0], LEVEL_COLOURS[level])
    assert band, "the level's coloured band is on the first page"
    assert max(band) < pages[0].height * 0.25, "and near its top"


def test_pictures_are_embedded_small(tmp_path: Path) -> None:
    _, document = render("self_care", True, tmp_path)
    assert len(document) < 600_000
    assert JOB_ID not in pdf_text(document)


# --------------------------------------------------------------------------- check-in history

HISTORY = WORDS["history"]


def _history_lines(summary: dict[str, Any]) -> list[str]:
    """Each history row as the PDF's text reads it: its cells in order."""
    return [flat(" ".join([row.date, row.kind, row.level, row.pain_worst, row.pain_now,
                           row.distance, row.trend, row.exercises]))
            for row in sw.history_rows(summary)]


def _drawings(summary: dict[str, Any], layout: Layout = LAYOUTS[0]) -> list[Drawing]:
    story = _story(summary, [], "", WHEN, layout)
    return [flowable for flowable in story if isinstance(flowable, Drawing)]


def test_a_check_in_prints_its_history_table_and_pain_chart() -> None:
    summary = level_summary("clinician", earlier=2)
    text = pdf_text(render_pdf(summary, created_at=WHEN))
    assert HISTORY["heading"] in text and flat(HISTORY["intro"]) in text
    assert flat(" ".join(HISTORY["columns"].values())) in text
    lines = _history_lines(summary)
    assert lines == [
        "2026-10-19 Assessment See a clinician 6 Not asked 56.3 km a week (35 miles) Not asked "
        "Not asked",
        "2026-11-02 Check-in See a clinician 5 3 40 km a week (25 miles) Better Most days",
        "2026-11-30 Check-in See a clinician 5 1 56.3 km a week (35 miles) Better Most days",
    ]
    for line in lines:
        assert line in text
    chart = HISTORY["chart"]
    for words in (chart["title"], chart["x_axis"], chart["y_axis"], chart["pain_worst"],
                  chart["pain_now"]):
        assert flat(words) in text
    assert len(_drawings(summary)) == 1, "the chart is drawn with ReportLab's graphics"


def test_unknown_history_values_read_not_known() -> None:
    summary = level_summary("clinician", earlier=3)
    assert ("2026-11-16 Check-in See a clinician 5 Not known Not known About the same "
            "A few times a week") in pdf_text(render_pdf(summary, created_at=WHEN))


def test_the_chart_draws_both_lines_with_their_scores() -> None:
    summary = level_summary("clinician", earlier=3)
    (drawing,) = _drawings(summary)
    (chart,) = [item for item in drawing.contents if isinstance(item, HorizontalLineChart)]
    assert chart.data == [[6, 5, 5, 5], [None, 3, None, 1]]
    assert chart.categoryAxis.categoryNames == ["2026-10-19", "2026-11-02", "2026-11-16",
                                                "2026-11-30"]
    assert (chart.valueAxis.valueMin, chart.valueAxis.valueMax) == (0, 10)
    assert drawing.height == pytest.approx(60 * mm)


def test_the_chart_adds_drawing_to_the_page() -> None:
    summary = level_summary("self_care", earlier=2)

    def path_operators(layout: Layout) -> int:
        document, _ = _render(summary, [], "", WHEN, layout)
        streams = b"".join(page.get_contents().get_data()
                           for page in PdfReader(io.BytesIO(document)).pages)
        return len(re.findall(rb"\s[lmc]\s", streams))

    assert path_operators(LAYOUTS[0]) > path_operators(LAYOUTS[-1]) + 10
    assert not LAYOUTS[-1].history_chart and _drawings(summary, LAYOUTS[-1]) == []


@pytest.mark.parametrize("earlier", [0, 1], ids=["first-assessment", "one-check-in"])
def test_history_needs_two_rows(earlier: int) -> None:
    summary = level_summary("clinician", earlier=earlier)
    if earlier:  # a history of one row (e.g. a hand-made summary) is not printed
        summary["triage"]["history"] = summary["triage"]["history"][:1]
    text = pdf_text(render_pdf(summary, created_at=WHEN))
    assert HISTORY["heading"] not in text and HISTORY["chart"]["pain_worst"] not in text
    assert _drawings(summary) == []


@pytest.mark.parametrize("video", [False, True], ids=["no-video", "video"])
@pytest.mark.parametrize("level", LEVELS)
def test_a_four_row_history_still_fits_two_pages(level: str, video: bool,
                                                 tmp_path: Path) -> None:
    summary = level_summary(level, video=video, earlier=3)
    assert len(summary["triage"]["history"]) == 4
    results = tmp_path / "results"
    write_results(results)
    pictures = summary_pictures(summary["triage"].get("video"), results)
    document = render_pdf(summary, pictures, clinic_name="Riverside Physio", created_at=WHEN)
    assert 1 <= page_count(document) <= MAX_PAGES
    text = pdf_text(document)
    assert all(line in text for line in _history_lines(summary))
    assert HISTORY["chart"]["pain_now"] in text, "a normal summary keeps its chart"
