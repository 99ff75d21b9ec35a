"""Entry point of the limited child process: ``python -m kneeapp.jobs.child``.

Reads ``{"op": "probe"|"analyze", "video", "out", "activity", "view", "time_limit_s",
"result"}`` as JSON on stdin and writes its answer to ``result``:
``{"facts": {...}}`` for probe, ``{"report_path": ...}`` for analyze, or
``{"code": "unreadable", "message": ...}`` for a video the analysis cannot read.
Exit codes as in :mod:`kneeapp.jobs.limits`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from kneeapp.jobs.limits import EXIT_HANDLED, EXIT_MEMORY, EXIT_OK


def _write(path: str, answer: dict[str, Any]) -> None:
    Path(path).write_text(json.dumps(answer), encoding="utf-8")


def main() -> int:
    """Run one probe or analysis; returns the exit code."""
    payload = json.loads(sys.stdin.read())
    result = str(payload["result"])
    try:
        from analysis_core import VideoError, analyze, probe

        try:
            if payload["op"] == "probe":
                _write(result, {"facts": probe(payload["video"])})
            else:
                out = Path(payload["out"])
                analyze(payload["video"], out, activity=payload.get("activity"),
                        view=payload.get("view"), time_limit_s=payload.get("time_limit_s"))
                _write(result, {"report_path": str(out / "report.json")})
        except VideoError as exc:
            _write(result, {"code": "unreadable", "message": str(exc)})
            return EXIT_HANDLED
    except MemoryError:
        return EXIT_MEMORY
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
