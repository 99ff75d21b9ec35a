"""The clinic summary as Markdown for a helpdesk's private note (kneeapp/clinic/summary_note.py)."""

from __future__ import annotations

import re

import pytest
import yaml

from kneeapp.clinic import summary_words as sw
from kneeapp.clinic.summary_note import escape_markdown, render_note
from tests.clinic_cases import LEVELS, level_summary
from tests.paths import REPO

CARDS = yaml.safe_load((REPO / "data" / "guidance.yml").read_text(encoding="utf-8"))["level_cards"]


def unescaped(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


@pytest.mark.parametrize("level", LEVELS)
def test_the_note_holds_level_reasons_answers_and_plan_in_words(level: str) -> None:
    summary = level_summary(level)
    note = render_note(summary)
    plain = unescaped(note)
    assert f"**Advice given: {CARDS[level]['label']}**" in note
    for number, reason in enumerate(sw.reasons(summary), start=1):
        assert f"{number}. {reason}" in plain
    for row in sw.summary_answer_rows(summary):
        assert f"- {row.label}: {row.value}" in plain
    for number, row in enumerate(sw.plan_rows(summary), start=1):
        assert f"{number}. **{row.name}** — {row.dose} ({row.why})" in plain
    if not summary["triage"]["plan"]:
        assert sw.document_texts().no_plan in plain
    assert "{" not in note and '"id"' not in note and "Emergency check" not in note
    assert not any(reason["id"] in note for reason in summary["triage"]["reasons"])
    assert "Video check" not in note


def test_the_note_gives_each_measure_with_unit_range_reading_and_confidence() -> None:
    note = unescaped(render_note(level_summary("clinician", video=True)))
    assert "- Filmed: Running, back view" in note
    assert "- Measured from: 14 steps" in note
    assert ("- Step rate (cadence): **158 steps/min** (usual: 165 steps/min or more; "
            "Slightly outside the usual range; Confidence: High)") in note
    assert "- Pelvic drop: **left 3°, right 4°** (Confidence: Medium)" in note
    assert "knee_fppa_deg" not in note and "/webhooks/" not in note


def test_the_note_ends_with_the_disclaimer_in_italics() -> None:
    note = render_note(level_summary("self_care"))
    assert note.rstrip().endswith(f"_{escape_markdown(sw.document_texts().disclaimer)}_")


def test_a_runners_words_cannot_format_the_note() -> None:
    summary = level_summary("clinician")
    summary["triage"]["answers"]["unclear_answers"] = {"onset": "# **boom** [x](http://y) |"}
    note = render_note(summary)
    assert "- How it started (own words): \\# \\*\\*boom\\*\\* \\[x\\](http://y) \\|" in note


@pytest.mark.parametrize(("text", "escaped"), [
    ("- item", "\\- item"), ("12. twelve", "12\\. twelve"), ("## two", "\\## two"),
    ("+75 %", "+75 %"), ("32.2 km", "32.2 km"), ("a_b*c", "a\\_b\\*c"),
    ("line\nbreak", "line break"),
])
def test_escaping(text: str, escaped: str) -> None:
    assert escape_markdown(text) == escaped


def test_a_check_in_note_lists_the_history_one_line_per_assessment() -> None:
    summary = level_summary("clinician", earlier=3)
    plain = unescaped(render_note(summary))
    texts = sw.words().history
    block = plain[plain.index(f"**{texts.heading}**"):plain.index("**What the runner told")]
    lines = [line for line in block.splitlines() if line.startswith("- ")]
    assert lines == [
        "- 2026-10-19 (Assessment) — Advice given: See a clinician; Pain at its worst: 6; "
        "Weekly distance: 56.3 km a week (35 miles)",
        "- 2026-11-02 (Check-in) — Advice given: See a clinician; Pain at its worst: 5; "
        "Pain on a normal day: 3; Weekly distance: 40 km a week (25 miles); "
        "Compared with last time: Better; Exercises done: Most days",
        "- 2026-11-16 (Check-in) — Advice given: See a clinician; Pain at its worst: 5; "
        "Pain on a normal day: Not known; Weekly distance: Not known; "
        "Compared with last time: About the same; Exercises done: A few times a week",
        "- 2026-11-30 (Check-in) — Advice given: See a clinician; Pain at its worst: 5; "
        "Pain on a normal day: 1; Weekly distance: 56.3 km a week (35 miles); "
        "Compared with last time: Better; Exercises done: Most days",
    ]
    assert " ".join(texts.intro.split()) in block
    assert not {"most_days", "few_times_week", "self_care"} & set(re.split(r"[\s;:]+", plain))
    assert plain.index("**Why**") < plain.index(f"**{texts.heading}**"), "as in the PDF"


@pytest.mark.parametrize("earlier", [0, 1])
def test_no_history_block_without_two_rows(earlier: int) -> None:
    summary = level_summary("self_care", earlier=earlier)
    if earlier:
        summary["triage"]["history"] = summary["triage"]["history"][-1:]
    assert sw.words().history.heading not in render_note(summary)
