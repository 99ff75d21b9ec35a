"""The cluster's RQ worker killed with -9 while it analyses a runner's clip (issue 14).

Starts ``make cluster``'s topology on free ports (``tests/e2e/cluster_stack.py``: nginx,
2 Rasa, 2 action servers, 2 RQ workers, PostgreSQL, Redis). Per round: a REST
conversation through nginx consents, uploads the first 150 frames of the shared treadmill
clip through the public upload route, and once the analysis child runs (plus ``--after``
seconds) the worker running the job gets ``kill -9``:

- ``--kill main``: the worker's main process only (the pid in ``var/run/worker-N.pid``;
  the supervisor restarts it);
- ``--kill tree``: also its RQ work horse and the analysis child (a worker host or
  container dying).

Then every 0.5 s: the job's row (status, attempts), RQ's started registry, and the bot
messages of the conversation. Figures per round: seconds from the kill until the job is
re-queued, until it runs again, until it is done and until the findings are in the
conversation; how often the job ran; how many findings messages arrived (expected 1).

Run (after `make setup`; PostgreSQL and Redis running, nginx installed):
    .venv/actions/bin/python bench/worker_kill.py --kill tree --rounds 2
    WORKER_STALE_S=60 .venv/actions/bin/python bench/worker_kill.py   # the old default
Figures go to stdout as Markdown.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.e2e.cluster_stack import Cluster, missing_services, running_cluster  # noqa: E402
from tests.e2e.rest_runner import Runner  # noqa: E402
from tests.e2e.test_video_flow import (  # noqa: E402
    FINDINGS_INTRO,
    TREADMILL,
    upload,
    upload_token,
)
from tests.processes import children, parent  # noqa: E402
from tests.store.fixtures import write_clip  # noqa: E402

WATCH_S = 400


def one_round(cluster: Cluster, database: Any, clip: Path, mode: str,
              after_s: float) -> dict[str, Any]:
    """Upload, kill the worker running the job, watch until the findings arrive."""
    runner = Runner(cluster.url)
    runner.say("hi")
    runner.say("yes")
    status, answer = upload(cluster.url, upload_token(cluster.url, runner.sender), clip)
    assert status == 200, answer
    cursor = database.cursor()

    def job() -> tuple[Any, ...]:
        cursor.execute("SELECT id, status, attempts, worker_id FROM analysis_jobs "
                       "WHERE conversation_id = %s", (runner.sender,))
        return cursor.fetchone() or ("", "none", 0, None)

    def findings() -> list[str]:
        return [e.get("text") or "" for e in cluster.events(runner.sender)
                if e["event"] == "bot" and FINDINGS_INTRO in (e.get("text") or "")]

    deadline = time.monotonic() + 120
    while (row := job())[1] != "running" or not children(int(str(row[3]).split(":")[2])):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the job did not start: {row}")
        time.sleep(0.2)
    time.sleep(after_s)
    horse = int(str(row[3]).split(":")[2])  # the worker id names the work horse's pid
    main = parent(horse)
    name = next(n for n in ("worker-1", "worker-2") if cluster.pid(n) == main)
    victims = [main] if mode == "main" else [main, horse, *children(horse)]
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    killed = time.monotonic()
    marks: dict[str, float] = {}
    runs = {row[3]}
    while time.monotonic() - killed < WATCH_S:
        _, status_now, attempts, worker = job()
        since = round(time.monotonic() - killed, 1)
        if status_now == "queued":
            marks.setdefault("requeued_s", since)
        if status_now == "running" and worker not in runs:
            runs.add(worker)
            marks.setdefault("requeued_s", since)  # queued for less than one poll
            marks.setdefault("rerun_s", since)
        if status_now in ("done", "failed"):
            marks.setdefault(f"{status_now}_s", since)
            if status_now == "failed" or findings():
                marks.setdefault("findings_s", since)
                break
        time.sleep(0.5)
    time.sleep(10)  # a second notice would have arrived by now
    return {"worker": name, "killed": len(victims), **marks, "attempts": attempts,
            "status": status_now, "findings_messages": len(findings())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kill", choices=["main", "tree"], default="tree")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--after", type=float, default=3.0,
                        help="seconds of analysis before the kill")
    args = parser.parse_args()
    reason = missing_services()
    if reason:
        sys.exit(reason)
    import psycopg2

    (REPO / "var" / "bench").mkdir(parents=True, exist_ok=True)
    clip = write_clip(TREADMILL, REPO / "var" / "bench" / "worker_kill.mp4", max_frames=150)
    stale = os.environ.get("WORKER_STALE_S") or "default"
    rows = ["| kill -9 | WORKER_STALE_S | round | re-queued | re-run starts | done "
            "| findings in the conversation | runs | findings messages |",
            "|---|---|---|---|---|---|---|---|---|"]
    with running_cluster() as cluster:
        database = psycopg2.connect(cluster.env["DATABASE_URL"].replace("+psycopg2", ""))
        database.autocommit = True
        for index in range(1, args.rounds + 1):
            result = one_round(cluster, database, clip, args.kill, args.after)
            print(result, flush=True)

            def cell(key: str, figures: dict[str, Any] = result) -> str:
                return f"{figures[key]:.1f} s" if key in figures else "–"

            rows.append(f"| {args.kill} ({result['worker']}) | {stale} | {index} | "
                        f"{cell('requeued_s')} | {cell('rerun_s')} | {cell('done_s')} | "
                        f"{cell('findings_s')} | {result['attempts']} | "
                        f"{result['findings_messages']} |")
            time.sleep(15)  # the supervisor restarts the killed worker
        database.close()
    print("\n".join(rows), flush=True)


if __name__ == "__main__":
    main()
