"""The cluster through nginx: capacity with 2 Rasa instances against 1, and a failover.

Starts ``make cluster``'s topology on free ports (``tests/e2e/cluster_stack.py``: nginx,
2 Rasa, 2 action servers, 2 RQ workers, PostgreSQL, Redis), then, all through nginx's
public port over the REST channel:

(a) Capacity: ``--clients`` conversations send the triage script without pause (closed
    loop) for ``--seconds``; alternately with both Rasa instances in nginx's upstreams and
    with the second one marked ``down`` (nginx reloaded), ``--rounds`` times each, in the
    same run. Turn latency p50/p95 and turns per second.
(b) Failover, once per process named in ``--kill`` (default rasa-1, then actions-1): the
    same load with both instances; after a third of the time the process gets
    ``kill -9`` (the supervisor restarts it; it takes about a minute to load). Failed
    turns (not 200) and the longest stall: the longest time no turn completed.

Run (after `make setup`; PostgreSQL and Redis running, nginx installed):
    .venv/actions/bin/python bench/cluster.py
Figures go to stdout as Markdown and to var/bench/cluster.json.
"""

from __future__ import annotations

import argparse
import ast
import itertools
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))
import launch  # noqa: E402

from tests.e2e.cluster_stack import Cluster, missing_services, running_cluster  # noqa: E402


def triage_script() -> list[str]:
    """``bench/capacity.py``'s triage conversation (read from its source: that module needs
    aiohttp, which the actions environment has not)."""
    tree = ast.parse((REPO / "bench" / "capacity.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.AnnAssign | ast.Assign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "TRIAGE_SCRIPT" for t in targets):
                assert node.value is not None
                return list(ast.literal_eval(node.value))
    raise LookupError("TRIAGE_SCRIPT not found in bench/capacity.py")


TRIAGE_SCRIPT = triage_script()


@dataclass
class Load:
    """What one load phase saw."""

    label: str
    seconds: float
    turns: list[tuple[float, float, int]] = field(default_factory=list)  # end, latency, status
    started: float = field(default_factory=time.monotonic)

    def summary(self) -> dict[str, float]:
        """Figures of the phase. The longest stall is the longest time *within the load*
        in which no turn completed for any client (before 2026-12-01 it also counted the
        wait after the load for turns still open, which made one stuck turn look like a
        stall of every client); a single conversation's wait is the longest turn."""
        ok = sorted(latency for _, latency, status in self.turns if status == 200)
        stop = self.started + self.seconds
        ends = sorted([self.started, stop] + [end for end, _, _ in self.turns if end < stop])
        gaps = [b - a for a, b in itertools.pairwise(ends)]
        quantiles = statistics.quantiles(ok, n=20) if len(ok) > 1 else [0.0] * 19
        return {"turns_ok": len(ok), "failed": len(self.turns) - len(ok),
                "turns_per_s": len(ok) / self.seconds, "p50_s": statistics.median(ok or [0]),
                "p95_s": quantiles[18], "longest_stall_s": max(gaps or [0.0]),
                "longest_turn_s": max((latency for _, latency, _ in self.turns), default=0.0),
                "turns_over_5s": sum(1 for _, latency, _ in self.turns if latency > 5)}


def _turn(url: str, sender: str, text: str) -> int:
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook", headers={"Content-Type": "application/json"},
        data=json.dumps({"sender": sender, "message": text}).encode())
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return 0


def run_load(url: str, label: str, clients: int, seconds: float,
             during: object = None) -> Load:
    """``clients`` closed-loop conversations for ``seconds``; ``during(load)`` runs in a
    thread alongside (the failover's kill)."""
    load = Load(label, seconds)
    lock = threading.Lock()
    stop_at = load.started + seconds

    def client() -> None:
        while time.monotonic() < stop_at:
            sender = f"bench-{uuid.uuid4().hex}"
            for text in TRIAGE_SCRIPT:
                if time.monotonic() >= stop_at:
                    return
                start = time.monotonic()
                status = _turn(url, sender, text)
                end = time.monotonic()
                with lock:
                    load.turns.append((end, end - start, status))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    if during is not None:
        threads.append(threading.Thread(target=during))  # type: ignore[arg-type]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return load


def set_second_rasa(cluster: Cluster, up: bool) -> None:
    """Marks the second Rasa instance ``down`` in nginx's upstreams (or not) and reloads."""
    conf = cluster.var / "nginx" / "nginx.conf"
    text = conf.read_text(encoding="utf-8")
    server = f"server 127.0.0.1:{cluster.rasa_ports[1]} max_fails=1 fail_timeout=5s"
    text = re.sub(re.escape(server) + r"( down)?;", server + ("" if up else " down") + ";", text)
    conf.write_text(text, encoding="utf-8")
    prefix = cluster.var / "nginx"
    subprocess.run([launch.find_nginx(), "-p", f"{prefix}/", "-c", str(conf), "-s", "reload"],
                   check=True)
    time.sleep(2)  # old workers finish their requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--rounds", type=int, default=2,
                        help="capacity rounds (0: failover only)")
    parser.add_argument("--kill", default="rasa-1,actions-1",
                        help="the processes killed, one failover each (comma-separated)")
    args = parser.parse_args()
    reason = missing_services()
    if reason:
        sys.exit(reason)
    results: dict[str, list[dict[str, float]]] = {"2 Rasa": [], "1 Rasa": []}
    with running_cluster({"PUBLIC_CHAT_RATE": "10000"}) as cluster:
        run_load(cluster.url, "warm-up", args.clients, 10)
        for _ in range(args.rounds):
            for label, up in (("2 Rasa", True), ("1 Rasa", False)):
                set_second_rasa(cluster, up)
                results[label].append(run_load(cluster.url, label, args.clients,
                                               args.seconds).summary())
        set_second_rasa(cluster, True)
        failover = {}
        for victim in [name for name in args.kill.split(",") if name]:
            failover[victim] = run_load(cluster.url, f"failover {victim}", args.clients,
                                        args.seconds, killer(cluster, victim,
                                                             args.seconds / 3)).summary()
            time.sleep(RECOVERY_S)  # the supervisor restarts it; a Rasa loads for ~1 min
        report = {"clients": args.clients, "seconds": args.seconds, "capacity": results,
                  "failover": failover,
                  "lock_lifetime_s": os.environ.get("TICKET_LOCK_LIFETIME", "60 (Rasa's)")}
        out = REPO / "var" / "bench" / "cluster.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2), encoding="utf-8")
        print(table(results, failover), flush=True)


#: How long the next failover waits for the killed process to be back.
RECOVERY_S = 90


def killer(cluster: Cluster, name: str, after_s: float) -> object:
    """What kills ``name`` with SIGKILL ``after_s`` into the load."""

    def kill() -> None:
        time.sleep(after_s)
        os.kill(cluster.pid(name), signal.SIGKILL)

    return kill


def table(results: dict[str, list[dict[str, float]]],
          failover: dict[str, dict[str, float]]) -> str:
    """The figures as Markdown."""
    rows = ["| upstreams | round | turns/s | p50 | p95 | failed |", "|---|---|---|---|---|---|"]
    for label, rounds in results.items():
        for index, figures in enumerate(rounds, 1):
            rows.append(f"| {label} | {index} | {figures['turns_per_s']:.2f} | "
                        f"{figures['p50_s']:.2f} s | {figures['p95_s']:.2f} s | "
                        f"{figures['failed']:.0f} |")
    rows += ["", "| kill -9 | turns ok | failed | longest stall (no turn completed) "
             "| longest turn | turns over 5 s | p95 |", "|---|---|---|---|---|---|---|"]
    rows += [f"| {victim} | {f['turns_ok']:.0f} | {f['failed']:.0f} | "
             f"{f['longest_stall_s']:.2f} s | {f['longest_turn_s']:.2f} s | "
             f"{f['turns_over_5s']:.0f} | {f['p95_s']:.2f} s |"
             for victim, f in failover.items()]
    return "\n".join(rows)


if __name__ == "__main__":
    main()
