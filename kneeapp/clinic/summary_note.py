"""The clinic summary as Markdown, for a private note in the clinic's helpdesk.

The same parts, in the same words, as the PDF (:mod:`kneeapp.clinic.summary_words`):
level and advice, reasons, the check-in history (one line per assessment), answers, plan
with doses, video findings, and the disclaimer.
Lists rather than tables: helpdesk apps (Chatwoot's web and mobile apps) render lists
everywhere. Every value is escaped, so a runner's own words cannot format the note.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from kneeapp.clinic import summary_words as sw

#: Characters that would format the note anywhere in a line if a value carried them.
_INLINE_SPECIALS = re.compile(r"([\\`*_\[\]<>|~])")
#: What would make a block (heading, list, quote) at the start of a value.
_BLOCK_START = re.compile(r"^(#+|[-+]|\d+[.)])(?=\s|$)")


def escape_markdown(text: str) -> str:
    """``text`` with Markdown's formatting characters escaped and whitespace made single."""
    escaped = _INLINE_SPECIALS.sub(r"\\\1", " ".join(str(text).split()))
    return _BLOCK_START.sub(_escape_block_start, escaped)


def _escape_block_start(found: re.Match[str]) -> str:
    """``# `` -> ``\\# ``, ``- `` -> ``\\- ``, ``1. `` -> ``1\\. `` (a digit has no escape)."""
    marker = found.group(0)
    return f"{marker[:-1]}\\{marker[-1]}" if marker[0].isdigit() else f"\\{marker}"


def _level(summary: Mapping[str, Any]) -> list[str]:
    texts = sw.document_texts()
    level = sw.level_words(summary)
    lines = [f"**{escape_markdown(texts.level_heading)}: {escape_markdown(level.label)}**"]
    if level.advice:
        lines.append(escape_markdown(level.advice))
    return lines


def _reasons(summary: Mapping[str, Any]) -> list[str]:
    texts = sw.document_texts()
    found = sw.reasons(summary)
    items = [f"{number}. {escape_markdown(reason)}" for number, reason in enumerate(found, 1)]
    return [f"**{escape_markdown(texts.reasons_heading)}**",
            *(items or [escape_markdown(texts.no_reasons)])]


def _answers(summary: Mapping[str, Any]) -> list[str]:
    rows = sw.summary_answer_rows(summary)
    if not rows:
        return []
    heading = escape_markdown(sw.document_texts().answers_heading)
    return [f"**{heading}**", *(f"- {escape_markdown(row.label)}: {escape_markdown(row.value)}"
                                for row in rows)]


def _history(summary: Mapping[str, Any]) -> list[str]:
    """One line per assessment and check-in, oldest first: date, kind, then each known cell
    by its column's name (a check-in question on an assessment's line is left out)."""
    rows = sw.history_rows(summary)
    if not rows:
        return []
    texts = sw.words().history
    columns = texts.columns
    lines = [f"**{escape_markdown(texts.heading)}**", escape_markdown(texts.intro)]
    for row in rows:
        cells = ((columns.level, row.level), (columns.pain_worst, row.pain_worst),
                 (columns.pain_now, row.pain_now), (columns.distance, row.distance),
                 (columns.trend, row.trend), (columns.exercises, row.exercises))
        said = "; ".join(f"{label}: {value}" for label, value in cells
                         if value != texts.not_asked)
        lines.append(f"- {escape_markdown(row.date)} ({escape_markdown(row.kind)}) — "
                     f"{escape_markdown(said)}")
    return lines


def _plan(summary: Mapping[str, Any]) -> list[str]:
    texts = sw.document_texts()
    rows = sw.plan_rows(summary)
    if not rows:
        return [f"**{escape_markdown(texts.plan_heading)}**", escape_markdown(texts.no_plan)]
    lines = [f"**{escape_markdown(texts.plan_heading)}**"]
    for number, row in enumerate(rows, start=1):
        parts = [f"{number}. **{escape_markdown(row.name)}**"]
        if row.dose:
            parts.append(escape_markdown(row.dose))
        line = " — ".join(parts)
        lines.append(line + (f" ({escape_markdown(row.why)})" if row.why else ""))
    return lines


def _video(summary: Mapping[str, Any]) -> list[str]:
    video = sw.video_block(summary)
    if video is None:
        return []
    texts = sw.document_texts()
    lines = [f"**{escape_markdown(texts.video_heading)}**"]
    lines += [f"- {escape_markdown(row.label)}: {escape_markdown(row.value)}"
              for row in sw.video_facts(video)]
    usual = sw.words().video.usual
    confidence = texts.measure_columns.confidence
    for row in sw.measure_rows(video):
        details = [usual.format(typical=row.usual)] if row.usual else []
        details += [row.reading] if row.reading else []
        details += [f"{confidence}: {row.confidence}"] if row.confidence else []
        said = f" ({escape_markdown('; '.join(details))})" if details else ""
        lines.append(f"- {escape_markdown(row.label)}: **{escape_markdown(row.value)}**{said}")
    return lines


def render_note(summary: Mapping[str, Any]) -> str:
    """The clinic summary as Markdown for a helpdesk's private note.

    Args:
        summary: The clinic summary, ``{"triage": {...}}`` (docs/clinic_summary.md).

    Returns:
        Markdown: a title line, the level and its advice, then reasons, the check-in history
        (when there is one), answers, plan and video findings (each a paragraph of list
        items) and the disclaimer in italics.
    """
    texts = sw.document_texts()
    blocks = [
        [f"### {escape_markdown(texts.title)}"],
        _level(summary),
        _reasons(summary),
        _history(summary),
        _answers(summary),
        _plan(summary),
        _video(summary),
        [f"_{escape_markdown(texts.disclaimer)}_"],
    ]
    return "\n\n".join("\n".join(block) for block in blocks if block) + "\n"
