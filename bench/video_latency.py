"""Time from upload complete to the findings message, against the analysis alone.

Target (issue 4): the chat path takes at most 1.5x the analysis alone for a 10 s clip.
Measured alternately in the same run on the same clip: (a) the analysis CLI
(`python -m analysis_core clip --out dir`, a fresh process as the worker's child is);
(b) upload through the real endpoint, then poll Rasa's tracker until the findings message
is there (real Rasa, action server, worker).

Run (after `make setup`):  .venv/actions/bin/python bench/video_latency.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.e2e.stack import ACTIONS_PYTHON, REPO, Stack, running_stack
from tests.e2e.test_video_flow import (
    FINDINGS_INTRO,
    TREADMILL,
    upload,
    upload_token,
    wait_for_bot,
)
from tests.store.fixtures import write_clip


def analysis_alone(clip: Path, out: Path) -> float:
    began = time.monotonic()
    subprocess.run([str(ACTIONS_PYTHON), "-m", "analysis_core", str(clip), "--out", str(out)],
                   cwd=REPO, check=True, capture_output=True)
    return time.monotonic() - began


def through_the_chat(stack: Stack, clip: Path) -> float:
    url = stack.url
    sender = uuid.uuid4().hex
    token = upload_token(url, sender)
    status, reply = upload(url, token, clip)
    if status != 200:
        raise RuntimeError(f"upload refused: {reply}")
    began = time.monotonic()  # upload complete (the endpoint has answered)
    wait_for_bot(stack, sender, FINDINGS_INTRO, timeout_s=300)
    return time.monotonic() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="video-latency-"))
    clip = write_clip(TREADMILL, work / "ten_seconds.mp4", max_frames=300)  # 10 s at 30 fps
    alone: list[float] = []
    chat: list[float] = []
    env = {"UPLOAD_TOKEN_SECRET": uuid.uuid4().hex * 2}
    with running_stack(work / "stack", env, with_worker=True) as stack:
        through_the_chat(stack, clip)  # warm-up: first model loads, first migrations
        for round_ in range(args.rounds):
            alone.append(analysis_alone(clip, work / f"alone-{round_}"))
            chat.append(through_the_chat(stack, clip))
            print(f"round {round_ + 1}: analysis alone {alone[-1]:.1f} s, "
                  f"upload-to-findings {chat[-1]:.1f} s", flush=True)
    ratio = statistics.median(chat) / statistics.median(alone)
    print(f"\n| measure | median s | runs |\n|---|---|---|\n"
          f"| analysis alone (CLI) | {statistics.median(alone):.1f} | {len(alone)} |\n"
          f"| upload complete → findings message | {statistics.median(chat):.1f} | {len(chat)} |\n"
          f"\nratio chat / analysis alone: {ratio:.2f} (target ≤ 1.5)")


if __name__ == "__main__":
    main()
