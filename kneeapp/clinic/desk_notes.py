"""The helpdesk notes besides the summary: a handover, a relayed video, an erasure.

Markdown for Chatwoot; every value a runner typed is escaped (``summary_note``), texts come
from ``data/clinic_desk.yml``. Pure: no settings, database or network.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from content_schema import load
from content_schema.schemas import ClinicDeskFile
from kneeapp.clinic import summary_words
from kneeapp.clinic.summary_note import escape_markdown, render_note

DESK_TEXTS = Path(__file__).resolve().parents[2] / "data" / "clinic_desk.yml"


@lru_cache(maxsize=1)
def desk_texts() -> ClinicDeskFile:
    """``data/clinic_desk.yml``, checked against its schema."""
    return load(DESK_TEXTS, ClinicDeskFile)


def _answers_so_far(answers: Mapping[str, Any]) -> list[str]:
    rows = summary_words.answer_rows(answers)
    if not rows:
        return [desk_texts().no_answers_yet]
    return [f"- {escape_markdown(row.label)}: {escape_markdown(row.value)}" for row in rows]


def _transcript(lines: Sequence[Mapping[str, str]]) -> list[str]:
    speakers = desk_texts().speakers
    names = {"runner": speakers.runner, "bot": speakers.bot}
    return [f"- **{names.get(line.get('from', ''), speakers.bot)}:** "
            f"{escape_markdown(line.get('text', ''))}" for line in lines]


def handover_note(answers: Mapping[str, Any], transcript: Sequence[Mapping[str, str]],
                  finished: bool) -> str:
    """The note that opens a handover: how it works, the answers so far, the latest chat.

    Args:
        answers: The clinic summary's ``answers`` so far (docs/clinic_summary.md).
        transcript: The chat's latest messages, ``{"from": "runner"|"bot", "text": ...}``.
        finished: The knee check was finished (its summary note was sent before).
    """
    texts = desk_texts()
    blocks = [[f"### {texts.handover_title}", texts.handover_how]]
    if finished:
        blocks.append([texts.handover_finished])
    else:
        blocks.append([texts.handover_unfinished, *_answers_so_far(answers)])
    if transcript:
        blocks.append([texts.transcript_title, *_transcript(transcript)])
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


def analysis_note(video: Mapping[str, Any]) -> str:
    """A later video analysis (the summary's ``video`` block) as a note."""
    return f"### {desk_texts().analysis_title}\n\n" + render_note({"triage": {"video": video}})


def relay_video_note(attached: bool) -> str:
    """The incoming message standing for a video the runner sent during the handover."""
    return desk_texts().relay_video if attached else desk_texts().relay_video_missing


def erased_note() -> str:
    """The note left when the runner erased their data."""
    return desk_texts().erased


def warning_sign_note(flags: Sequence[str]) -> str:
    """The alert for warning signs named in a message the runner sent during the handover."""
    labels = summary_words.warning_signs({"red_flags": list(flags)})
    return f"### {desk_texts().warning_sign_title}\n\n{escape_markdown(labels)}\n\n" \
        f"{desk_texts().warning_sign_how}\n"
