"""Capacity of the conversation stack over REST, compared with a stock `rasa init` bot.

(a) Open loop: N runners hold triage conversations, each sending its next message about
    10 s (think time, jittered) after the previous reply; N rises until the p95 turn
    latency passes 1 s. (b) Closed loop: 20 conversations sending without pause, our stack
    and the stock bot measured alternately in the same run.

Run (after `make setup`):  .venv/rasa/bin/python bench/capacity.py
Figures go to stdout as a Markdown table and to var/bench/capacity.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.e2e.stack import RASA_BIN, Stack, free_port, running_stack, stack_env

#: One full triage conversation (self-care path), as a runner would type it.
TRIAGE_SCRIPT = [
    "hi, my right knee hurts on the inside since I upped my mileage from 20 to 30 miles",
    "yes",
    "gradually",
    "I'm 38",
    "none of those",
    "no none",
    "no swelling",
    "over 3 weeks",
    "about 10 days",
    "after long runs",
    "3",
    "yes",
    "no",
    "nothing yet",
    "how do I do the clamshell?",
    "thanks",
]
#: A conversation with the stock `rasa init` bot.
STOCK_SCRIPT = ["hi", "I am sad", "yes", "great", "bye", "are you a bot?"]


@dataclass
class Result:
    label: str
    runners: int
    turns: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float

    @property
    def turns_per_s(self) -> float:
        return self.turns / self.seconds


async def _runner(
    session: aiohttp.ClientSession,
    url: str,
    script: list[str],
    think_s: float,
    start_delay: float,
    stop_at: float,
    latencies: list[float],
    errors: list[int],
) -> None:
    await asyncio.sleep(start_delay)
    while time.monotonic() < stop_at:
        sender = uuid.uuid4().hex
        for message in script:
            if time.monotonic() >= stop_at:
                return
            began = time.monotonic()
            try:
                async with session.post(
                    f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}
                ) as reply:
                    await reply.read()
                    if reply.status != 200:
                        errors.append(reply.status)
            except (aiohttp.ClientError, asyncio.TimeoutError):
                errors.append(0)
            latencies.append(time.monotonic() - began)
            if think_s:
                await asyncio.sleep(random.uniform(0.8, 1.2) * think_s)


async def load(
    label: str, url: str, script: list[str], runners: int, think_s: float, seconds: float
) -> Result:
    latencies: list[float] = []
    errors: list[int] = []
    timeout = aiohttp.ClientTimeout(total=60)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        began = time.monotonic()
        stop_at = began + seconds
        ramp = think_s or 1.0
        await asyncio.gather(
            *(
                _runner(
                    session, url, script, think_s, ramp * i / runners, stop_at, latencies, errors
                )
                for i in range(runners)
            )
        )
        elapsed = time.monotonic() - began
    ordered = sorted(latencies) or [float("nan")]
    return Result(
        label,
        runners,
        len(latencies),
        len(errors),
        elapsed,
        1000 * statistics.median(ordered),
        1000 * ordered[int(0.95 * (len(ordered) - 1))],
    )


def stock_model(workdir: Path) -> Path:
    """Creates the stock `rasa init` bot (which also trains it) once, kept in var/bench/stock."""
    model = workdir / "models" / "stock.tar.gz"
    if not model.exists():
        workdir.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [str(RASA_BIN), "init", "--no-prompt", "--init-dir", str(workdir)],
            check=True,
            capture_output=True,
            env=stack_env(0),
        )
        trained = sorted((workdir / "models").glob("*.tar.gz"))[-1]
        trained.rename(model)
    return model


def start_stock(model: Path, log_dir: Path, env_extra: dict[str, str]) -> Stack:
    stack = Stack(rasa_port=free_port(), actions_port=0, log_dir=log_dir)
    stack.start_process(
        "stock-rasa",
        [
            str(RASA_BIN),
            "run",
            "--enable-api",
            "-i",
            "127.0.0.1",
            "-p",
            str(stack.rasa_port),
            "-m",
            str(model),
        ],
        model.parent.parent,
        stack_env(0, env_extra),
    )
    stack.wait_until_up(f"{stack.url}/status", "stock-rasa")
    return stack


def table(results: list[Result]) -> str:
    lines = [
        "| run | runners | turns | errors | turns/s | p50 ms | p95 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.label} | {r.runners} | {r.turns} | {r.errors} | {r.turns_per_s:.1f} | "
        f"{r.p50_ms:.0f} | {r.p95_ms:.0f} |"
        for r in results
    ]
    return "\n".join(lines)


async def open_loop(url: str, levels: list[int], seconds: float, think_s: float) -> list[Result]:
    results = []
    for runners in levels:
        result = await load(
            f"ours, open loop ({think_s:.0f} s think)",
            url,
            TRIAGE_SCRIPT,
            runners,
            think_s,
            seconds,
        )
        results.append(result)
        print(table([result]).splitlines()[-1], flush=True)
        if result.p95_ms > 1000 or result.errors:
            break
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="100,200,300,400,500", help="open-loop runner counts")
    parser.add_argument("--seconds", type=float, default=60, help="duration of each load step")
    parser.add_argument("--think", type=float, default=10, help="open-loop think time (s)")
    parser.add_argument("--closed", type=int, default=20, help="closed-loop conversations")
    parser.add_argument("--rounds", type=int, default=2, help="alternating closed-loop rounds")
    parser.add_argument("--tf-threads", type=int, default=0,
                        help="TensorFlow intra/inter-op threads for Rasa (0: TensorFlow's default)")
    args = parser.parse_args()
    out = Path("var/bench")
    out.mkdir(parents=True, exist_ok=True)
    logs = Path(tempfile.mkdtemp(prefix="bench-logs-"))
    model = stock_model(out / "stock")
    results: list[Result] = []
    tf_env = {}
    if args.tf_threads:
        tf_env = {"TF_INTRA_OP_PARALLELISM_THREADS": str(args.tf_threads),
                  "TF_INTER_OP_PARALLELISM_THREADS": str(args.tf_threads)}
    levels = [int(n) for n in args.levels.split(",") if n]
    with running_stack(logs, tf_env) as ours:
        results += asyncio.run(
            open_loop(ours.url, levels, args.seconds, args.think)
        )
        for _ in range(args.rounds):
            results.append(
                asyncio.run(
                    load("ours, closed loop", ours.url, TRIAGE_SCRIPT, args.closed, 0, args.seconds)
                )
            )
            stock = start_stock(model, logs, tf_env)
            try:
                results.append(
                    asyncio.run(
                        load(
                            "stock rasa init, closed loop",
                            stock.url,
                            STOCK_SCRIPT,
                            args.closed,
                            0,
                            args.seconds,
                        )
                    )
                )
            finally:
                stock.stop()
    print(table(results))
    closed_ours = [r.turns_per_s for r in results if r.label == "ours, closed loop"]
    closed_stock = [r.turns_per_s for r in results if r.label.startswith("stock")]
    print(
        f"\nclosed-loop throughput ratio ours/stock: "
        f"{statistics.mean(closed_ours) / statistics.mean(closed_stock):.2f}"
    )
    (out / "capacity.json").write_text(
        json.dumps([asdict(r) | {"turns_per_s": r.turns_per_s} for r in results], indent=2)
    )


if __name__ == "__main__":
    main()
