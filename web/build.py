"""Builds dist/widget.js: one self-contained file (widget + its CSS + the socket.io client).

No Node.js needed, so `make run` works without it: the socket.io client is the committed copy
in vendor/ (refreshed from npm by `npm run vendor`). The client is wrapped so it defines no
global (`window.io` stays the host page's business). Each triage level's label and advice
come from data/guidance.yml (`level_cards`), the one place they are written; reading it
needs PyYAML (in the app's environments; the web image installs it). Miles are converted with
the app's one factor from content_schema/vocabulary.py.

Usage: python3 web/build.py  ->  web/dist/widget.js
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

WEB = Path(__file__).resolve().parent
GUIDANCE = WEB.parent / "data" / "guidance.yml"
SOURCES = (WEB / "src" / "widget.js", WEB / "src" / "widget.css", WEB / "vendor" / "socket.io.min.js",
           GUIDANCE)
OUT = WEB / "dist" / "widget.js"


def level_cards() -> dict[str, dict[str, str]]:
    """``{level: {"label", "advice"}}`` from data/guidance.yml."""
    cards = yaml.safe_load(GUIDANCE.read_text(encoding="utf-8"))["level_cards"]
    return {level: {"label": card["label"], "advice": card["advice"]} for level, card in cards.items()}


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
