"""Benchmark of analysis_core: speed against a naive loop, and peak memory.

Usage:
    .venv/actions/bin/python bench/bench_analysis.py [--rounds 2] [--skip-memory]
    .venv/actions/bin/python bench/bench_analysis.py --real [--rounds 3]

``--real`` times the real clips of tests/footage.py (5 to 60 s, as runners send them)
instead of the made-up 10 s clip, each alternated with the naive loop on the same clip.

Speed: a 10 s 1080×1920 60 fps clip is made from the shared treadmill clip (upscaled, each
frame written twice). The naive baseline decodes every frame and runs MediaPipe pose (full
model) on each, nothing else. ``analyze`` runs the whole pipeline (pose, signals, report,
pictures). Both are run alternately in the same process run, each in a fresh child process,
and the ratio of median wall times is printed.

``analyze`` splits the pose pass over two processes on a multi-core machine (see
analysis_core/pose_run.py); the naive loop is one process, as written.

Memory: ``analyze`` on a 60 s 1080×1920 clip in a child process. Two figures: the largest
single process (``resource.getrusage(RUSAGE_CHILDREN)``, which also covers the pose worker the
child starts) and the peak of the summed RSS of the child and its descendants, sampled every
50 ms from /proc (Linux).
"""

from __future__ import annotations

import argparse
import os
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
WORKERS_ENV = "ANALYSIS_CORE_POSE_WORKERS"
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


def timed(code: str, *args: str, env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *args], cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env={**os.environ, **(env or {})})
    return time.perf_counter() - start


def _tree_rss_kb(root: int) -> int:
    """Summed VmRSS (kB) of ``root`` and its descendants, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", encoding="ascii", errors="replace") as fh:
                fields = dict(line.split(":", 1) for line in fh if ":" in line)
        except OSError:
            continue
        pid = int(entry)
        parents[pid] = int(fields.get("PPid", "0").strip() or 0)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0] or 0)
    tree = {root}
    grew = True
    while grew:
        grew = False
        for pid, ppid in parents.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return sum(rss.get(pid, 0) for pid in tree)


def timed_with_memory(code: str, *args: str) -> tuple[float, float]:
    """Wall time and peak summed RSS (MB) of the child process tree."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss_kb(proc.pid))
        time.sleep(0.05)
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, "analyze")
    return time.perf_counter() - start, peak / 1024


def real_clips(rounds: int, tmp: Path) -> None:
    """analyze / naive on every real clip, alternated in the same run (issue 10's target:
    <= 0.5 on every clip from 5 s to 60 s)."""
    sys.path.insert(0, str(REPO))
    from analysis_core.video_io import probe
    from tests.footage import CLIPS

    for clip in CLIPS:
        if not clip.path.is_file():
            continue
        info = probe(clip.path)
        naive: list[float] = []
        ours: list[float] = []
        for r in range(rounds):
            naive.append(timed(NAIVE, str(clip.path)))
            ours.append(timed(OURS, str(clip.path), str(tmp / f"{clip.path.stem}{r}")))
        ratio = statistics.median(ours) / statistics.median(naive)
        print(f"| {clip.name} | {info.width}x{info.height} {info.fps:.0f} fps "
              f"{info.duration_s:.1f} s | {' / '.join(f'{t:.1f}' for t in naive)} | "
              f"{' / '.join(f'{t:.1f}' for t in ours)} | {ratio:.2f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--real", action="store_true", help="time the real clips instead")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--one-process", action="store_true",
                        help="also time analyze forced to one process (each round)")
    args = parser.parse_args()
    if args.real:
        with tempfile.TemporaryDirectory() as tmp:
            real_clips(args.rounds, Path(tmp))
        return
    if not SRC.is_file():
        sys.exit("shared/testdata/treadmill_side_male.mp4 is needed beside the repository")
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_memory:
            clip60 = make_clip(Path(tmp) / "bench60.mp4", 60.0)
            t, tree_mb = timed_with_memory(OURS, str(clip60), str(Path(tmp) / "out60"))
            peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(f"memory: 60 s 1080x1920 60 fps clip analysed in {t:.1f} s, "
                  f"peak RSS of the largest process {peak_mb:.0f} MB, peak summed RSS of "
                  f"all its processes {tree_mb:.0f} MB (target < 1024 MB)")
        clip = make_clip(Path(tmp) / "bench10.mp4", 10.0)
        naive: list[float] = []
        ours: list[float] = []
        one: list[float] = []
        for r in range(args.rounds):
            naive.append(timed(NAIVE, str(clip)))
            ours.append(timed(OURS, str(clip), str(Path(tmp) / f"out{r}")))
            line = f"round {r + 1}: naive {naive[-1]:.1f} s, analyze {ours[-1]:.1f} s"
            if args.one_process:
                one.append(timed(OURS, str(clip), str(Path(tmp) / f"one{r}"),
                                 env={WORKERS_ENV: "1"}))
                line += f", analyze in one process {one[-1]:.1f} s"
            print(line)
        ratio = statistics.median(ours) / statistics.median(naive)
        print(f"speed: analyze / naive = {ratio:.2f} (target <= 0.60)")
        if one:
            one_ratio = statistics.median(one) / statistics.median(naive)
            print(f"one process: analyze / naive = {one_ratio:.2f}")


if __name__ == "__main__":
    main()
