"""Benchmark of analysis_core: speed against a naive loop, and peak memory.

Usage:
    .venv/actions/bin/python bench/bench_analysis.py [--rounds 2] [--skip-memory]

Speed: a 10 s 1080×1920 60 fps clip is made from the shared treadmill clip (upscaled, each
frame written twice). The naive baseline decodes every frame and runs MediaPipe pose (full
model) on each, nothing else. ``analyze`` runs the whole pipeline (pose, signals, report,
pictures). Both are run alternately in the same process run, each in a fresh child process,
and the ratio of median wall times is printed.

Memory: ``analyze`` on a 60 s 1080×1920 clip in a child process; peak RSS from
``resource.getrusage(RUSAGE_CHILDREN)``.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / ".." / "shared" / "testdata" / "treadmill_side_male.mp4"

NAIVE = """
import sys, cv2, mediapipe as mp
pose = mp.solutions.pose.Pose(model_complexity=1)
cap = cv2.VideoCapture(sys.argv[1])
while True:
    ok, frame = cap.read()
    if not ok:
        break
    pose.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
"""
OURS = "import sys; from analysis_core import analyze; analyze(sys.argv[1], sys.argv[2])"


def make_clip(dst: Path, seconds: float) -> Path:
    """1080x1920 60 fps clip: the 30 fps source upscaled, each frame written twice, looped."""
    writer = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), 60.0, (1080, 1920))
    written = 0
    target = int(seconds * 60)
    while written < target:
        cap = cv2.VideoCapture(str(SRC))
        while written < target:
            ok, frame = cap.read()
            if not ok:
                break
            big = cv2.resize(frame, (1080, 1920), interpolation=cv2.INTER_CUBIC)
            writer.write(big)
            writer.write(big)
            written += 2
        cap.release()
    writer.release()
    return dst


def timed(code: str, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *args], cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    if not SRC.is_file():
        sys.exit("shared/testdata/treadmill_side_male.mp4 is needed beside the repository")
    with tempfile.TemporaryDirectory() as tmp:
        clip = make_clip(Path(tmp) / "bench10.mp4", 10.0)
        naive, ours = [], []
        for r in range(args.rounds):
            naive.append(timed(NAIVE, str(clip)))
            ours.append(timed(OURS, str(clip), str(Path(tmp) / f"out{r}")))
            print(f"round {r + 1}: naive {naive[-1]:.1f} s, analyze {ours[-1]:.1f} s")
        ratio = statistics.median(ours) / statistics.median(naive)
        print(f"speed: analyze / naive = {ratio:.2f} (target <= 0.60)")
        if not args.skip_memory:
            clip60 = make_clip(Path(tmp) / "bench60.mp4", 60.0)
            t = timed(OURS, str(clip60), str(Path(tmp) / "out60"))
            peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(f"memory: 60 s 1080x1920 60 fps clip analysed in {t:.1f} s, "
                  f"peak RSS of the largest child {peak_mb:.0f} MB (target < 1024 MB)")


if __name__ == "__main__":
    main()
