"""A stand-in for ``kneeapp.jobs.child`` that misbehaves as ``MISBEHAVE`` says.

``memory``: allocates 4 GB; ``loop``: burns CPU forever; ``sleep``: sleeps forever;
``abort``: dies with SIGABRT; ``ok``: writes a minimal report like the real child.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from kneeapp.jobs.limits import EXIT_MEMORY


def main() -> int:
    payload = json.loads(sys.stdin.read())
    mode = payload.get("mode") or os.environ.get("MISBEHAVE", "ok")
    if mode == "memory":
        try:
            blob = bytearray(4 << 30)
        except MemoryError:
            return EXIT_MEMORY
        return len(blob) and 0
    if mode == "loop":
        n = 0
        while True:
            n += 1
    if mode == "sleep":
        time.sleep(3600)
    if mode == "abort":
        os.abort()
    out = Path(payload.get("out") or Path(payload["result"]).parent)
    out.mkdir(parents=True, exist_ok=True)
    report = {"quality": {"usable": True}, "findings": [],
              "activity": os.environ.get("MISBEHAVE_ACTIVITY", "running"), "view": "back"}
    (out / "report.json").write_text(json.dumps(report))
    Path(payload["result"]).write_text(json.dumps({"report_path": str(out / "report.json")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
