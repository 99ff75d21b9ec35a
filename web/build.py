"""Builds dist/widget.js: one self-contained file (widget + its CSS + the socket.io client).

No Node.js needed, so `make run` works without it: the socket.io client is the committed copy
in vendor/ (refreshed from npm by `npm run vendor`). The client is wrapped so it defines no
global (`window.io` stays the host page's business). Each triage level's label and advice
come from data/guidance.yml (`level_cards`), the summary's answers and video block in words
from data/summary_words.yml (also read by the clinician PDF), warning signs as
data/red_flags.yml words them: the one place each is written. Reading them needs PyYAML (in
the app's environments; the web image installs it). Miles are converted with the app's one
factor from content_schema/vocabulary.py.

Usage: python3 web/build.py  ->  web/dist/widget.js
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

WEB = Path(__file__).resolve().parent
DATA = WEB.parent / "data"
GUIDANCE = DATA / "guidance.yml"
SUMMARY_WORDS = DATA / "summary_words.yml"
RED_FLAGS = DATA / "red_flags.yml"
SOURCES = (WEB / "src" / "widget.js", WEB / "src" / "widget.css", WEB / "vendor" / "socket.io.min.js",
           GUIDANCE, SUMMARY_WORDS, RED_FLAGS)
#: The parts of data/summary_words.yml the widget uses (the document texts are the PDF's).
WIDGET_WORDS = ("answers", "hidden_answers", "values", "empty_lists", "formats", "video")
OUT = WEB / "dist" / "widget.js"


def level_cards() -> dict[str, dict[str, str]]:
    """``{level: {"label", "advice"}}`` from data/guidance.yml."""
    cards = yaml.safe_load(GUIDANCE.read_text(encoding="utf-8"))["level_cards"]
    return {level: {"label": card["label"], "advice": card["advice"]} for level, card in cards.items()}


def summary_words() -> dict:
    """The summary in words: data/summary_words.yml's widget parts, plus ``warning_signs``
    (each red flag's checklist label by id, from data/red_flags.yml)."""
    words = yaml.safe_load(SUMMARY_WORDS.read_text(encoding="utf-8"))
    flags = yaml.safe_load(RED_FLAGS.read_text(encoding="utf-8"))["red_flags"]
    return {**{part: words[part] for part in WIDGET_WORDS},
            "warning_signs": {flag["id"]: flag["label"] for flag in flags}}


def km_per_mile() -> float:
    """The app's one conversion factor (content_schema/vocabulary.py)."""
    sys.path.insert(0, str(WEB.parent))
    from content_schema.vocabulary import KM_PER_MILE

    return KM_PER_MILE


def bundle() -> str:
    widget, css, sio = (path.read_text(encoding="utf-8") for path in SOURCES[:3])
    return (
        "/*! Knee assistant chat widget. MIT licence. Bundles socket.io-client (MIT, see vendor/). */\n"
        "(function (SCRIPT) {\n"
        "var io = (function () { var module = { exports: {} }; var exports = module.exports; var define;\n"
        f"{sio}\n"
        "; return module.exports; })();\n"
        f"var WIDGET_CSS = {json.dumps(css)};\n"
        f"var LEVEL_CARDS = {json.dumps(level_cards())};\n"
        f"var SUMMARY_WORDS = {json.dumps(summary_words())};\n"
        f"var KM_PER_MILE = {km_per_mile()!r};\n"
        "(function () {\n"
        f"{widget}\n"
        "})();\n"
        "})(document.currentScript);\n"
    )


def is_stale() -> bool:
    return not OUT.exists() or any(src.stat().st_mtime > OUT.stat().st_mtime for src in SOURCES)


def build() -> Path:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(bundle(), encoding="utf-8")
    return OUT


if __name__ == "__main__":
    path = build()
    print(f"built {path.relative_to(WEB.parent)} ({path.stat().st_size // 1024} KB)")
