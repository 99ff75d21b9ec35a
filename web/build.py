"""Builds dist/widget.js: one self-contained file (widget + its CSS + the socket.io client).

Stdlib only, so `make run` needs no Node.js: the socket.io client is the committed copy in
vendor/ (refreshed from npm by `npm run vendor`). The client is wrapped so it defines no
global (`window.io` stays the host page's business).

Usage: python3 web/build.py  ->  web/dist/widget.js
"""

from __future__ import annotations

import json
from pathlib import Path

WEB = Path(__file__).resolve().parent
SOURCES = (WEB / "src" / "widget.js", WEB / "src" / "widget.css", WEB / "vendor" / "socket.io.min.js")
OUT = WEB / "dist" / "widget.js"


def bundle() -> str:
    widget, css, sio = (path.read_text(encoding="utf-8") for path in SOURCES)
    return (
        "/*! Knee assistant chat widget. MIT licence. Bundles socket.io-client (MIT, see vendor/). */\n"
        "(function (SCRIPT) {\n"
        "var io = (function () { var module = { exports: {} }; var exports = module.exports; var define;\n"
        f"{sio}\n"
        "; return module.exports; })();\n"
        f"var WIDGET_CSS = {json.dumps(css)};\n"
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
