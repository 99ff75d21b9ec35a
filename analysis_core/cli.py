"""Command line: ``python -m analysis_core VIDEO --out DIR [options]``.

Exit codes: 0 with a report (also when the footage is unusable: the report says why),
2 for a file that is not a readable video or bad arguments, 3 when the hard time limit is
hit. Errors are one sentence on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading

from analysis_core.errors import VideoError
from content_schema.vocabulary import ACTIVITIES

DEFAULT_TIME_LIMIT_S = 300.0
HARD_LIMIT_GRACE_S = 60.0  # after the soft limit, the report still has to be written


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m analysis_core",
                                description="Analyse a running or squat video for knee-relevant "
                                            "measures.")
    p.add_argument("video", help="video file (mp4, mov, webm)")
    p.add_argument("--out", required=True, help="output folder for report.json and pictures")
    p.add_argument("--activity", choices=ACTIVITIES)
    p.add_argument("--view", choices=["front", "back", "side"])
    p.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT_S,
                   help=f"seconds (default {DEFAULT_TIME_LIMIT_S:.0f})")
    p.add_argument("-v", "--verbose", action="store_true")
    return p


def _watchdog(seconds: float) -> threading.Timer:
    def fire() -> None:
        sys.stderr.write("The analysis took too long and was stopped.\n")
        sys.stderr.flush()
        os._exit(3)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    return timer


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    timer = _watchdog(args.time_limit + HARD_LIMIT_GRACE_S)
    try:
        from analysis_core.pipeline import analyze

        report = analyze(args.video, args.out, activity=args.activity, view=args.view,
                         time_limit_s=args.time_limit)
    except VideoError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    except Exception:  # a report must never end in a traceback for the user
        logging.getLogger(__name__).debug("analysis failed", exc_info=True)
        sys.stderr.write("The video could not be analysed because of an internal error.\n")
        return 1
    finally:
        timer.cancel()
    q = report["quality"]
    sys.stdout.write(
        f"{report['activity']} / {report['view']}: "
        f"{'usable' if q['usable'] else 'not usable'}, {len(report['findings'])} findings; "
        f"report in {os.path.join(args.out, 'report.json')}\n")
    return 0
