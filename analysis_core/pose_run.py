"""The pose pass: stream frames, run the pose model, collect raw landmarks.

High-frame-rate clips are sampled down to a pose rate of at least 30 Hz
(``video_io.pose_stride``); frames between samples are only grabbed. Decoding runs in a
background thread (``video_io.iter_frames``) while the pose model runs.

On a machine with two or more cores, clips of a few seconds or more are split in two: this
process analyses the first part while a second process (``python -m
analysis_core._pose_process``, with its own MediaPipe graph) seeks to the split point and
analyses the rest. MediaPipe on its own keeps about 1.3 cores busy, so the second process
fills the idle share. Seeking is not frame-accurate for every file, so both processes take
thumbnails of the frames around the split and the second part is only used when they agree;
otherwise it is analysed again here, reached by decoding rather than seeking. The pose model
restarts its tracking at the split, which only affects the first sample or two there.

A few frames are also shown to OpenCV's HOG person detector to learn whether other people are
in view.
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from analysis_core.main_subject import count_people
from analysis_core.pose import N_LANDMARKS, MediaPipePose, PoseEstimator
from analysis_core.video_io import (
    MAX_DURATION_S,
    THUMB_MATCH_MAX_DIFF,
    VideoInfo,
    iter_frames,
    pose_stride,
    thumb_diff,
)

log = logging.getLogger(__name__)

POSE_MAX_LONG_SIDE = 960  # px; the model crops the person to 256 px anyway
MIN_POSE_RATE_HZ = 30.0
PEOPLE_CHECKS = 5  # frames shown to the person counter
MIN_SPLIT_SAMPLES = 120  # shorter clips are not worth a second process (~1.5 s start-up)
SPLIT_SHARE = 0.5  # share of the frames analysed by this process when split
VERIFY_FRAMES = 4  # frames each side of the split compared by thumbnail
WORKERS_ENV = "ANALYSIS_CORE_POSE_WORKERS"  # "1" forces a single process
DECODER_THREADS_ENV = "ANALYSIS_CORE_DECODER_THREADS"  # FFmpeg threads per decoder
SPLIT_DECODER_THREADS = 1  # with two pose processes the cores are busy: one decode thread each


@dataclass
class PoseRun:
    """Raw output of the pose pass."""

    landmarks: np.ndarray  # (T, 33, 4), NaN rows where no person was found
    frame_index: np.ndarray  # (T,)
    fs: float
    stride: int
    width: int  # analysed frame size
    height: int
    people_counts: list[int] = field(default_factory=list)
    timed_out: bool = False
    truncated: bool = False
    model: str = ""
    seconds: float = 0.0
    thumbs: dict[int, np.ndarray] = field(default_factory=dict)  # frame index -> thumbnail
    workers: int = 1
    split_note: str = ""


@dataclass
class Segment:
    """What one process found in its frame range."""

    landmarks: list[np.ndarray] = field(default_factory=list)
    indices: list[int] = field(default_factory=list)
    thumbs: dict[int, np.ndarray] = field(default_factory=dict)
    verify: dict[int, np.ndarray] = field(default_factory=dict)
    people: list[int] = field(default_factory=list)
    size: tuple[int, int] = (0, 0)
    timed_out: bool = False
    model: str = ""


def pose_segment(
    video_path: str | Path,
    fps: float,
    stride: int,
    start: int,
    stop: int,
    estimator: PoseEstimator,
    deadline: float | None = None,
    people_at: frozenset[int] = frozenset(),
    verify: range = range(0),
    seek: bool = True,
    parent_pid: int | None = None,
    decoder_threads: int = 0,
) -> Segment:
    """Run the pose model on frames ``start`` (inclusive) to ``stop`` (exclusive).

    Args:
        video_path: The video.
        fps: Frame rate for timestamps.
        stride: Pose on frames whose index is a multiple of ``stride``.
        start: First frame (reached by seeking when ``seek``).
        stop: End frame (exclusive).
        estimator: The pose model (not closed here).
        deadline: ``time.monotonic()`` value after which the segment stops early.
        people_at: Frame indices shown to the person counter.
        verify: Frame indices whose thumbnails are kept for the split check (may extend
            past ``stop``).
        seek: Reach ``start`` by seeking (else by decoding every frame before it).
        parent_pid: In a worker process, stop when this parent has gone.
        decoder_threads: FFmpeg decoding threads (0 = OpenCV's default, one per core).

    Returns:
        Landmarks, indices and thumbnails of the segment.
    """
    seg = Segment(model=getattr(estimator, "name", type(estimator).__name__))
    empty = np.full((N_LANDMARKS, 4), np.nan)
    for item in iter_frames(video_path, fps, stride, POSE_MAX_LONG_SIDE, max_frames=stop,
                            start=start, seek=seek, thumbs_for=verify,
                            decoder_threads=decoder_threads):
        if item.index in verify:
            seg.verify[item.index] = item.thumb
        if item.rgb is None:
            continue
        if deadline is not None and time.monotonic() > deadline:
            seg.timed_out = True
            break
        if parent_pid is not None and os.getppid() != parent_pid:
            break
        seg.size = (item.rgb.shape[1], item.rgb.shape[0])
        lm = estimator.process(item.rgb)
        seg.landmarks.append(empty if lm is None else lm)
        seg.indices.append(item.index)
        seg.thumbs[item.index] = item.thumb
        if item.index in people_at:
            seg.people.append(count_people(cv2.cvtColor(item.rgb, cv2.COLOR_RGB2BGR)))
    return seg


def _workers_wanted(samples: int, estimator_factory: Callable[[], PoseEstimator]) -> int:
    forced = os.environ.get(WORKERS_ENV, "").strip()
    if forced == "1":
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    if estimator_factory is not MediaPipePose:  # a custom model cannot be sent to a worker
        return 1
    if forced == "2":
        return 2
    return 2 if cores >= 2 and samples >= MIN_SPLIT_SAMPLES else 1


def split_agrees(first: dict[int, np.ndarray], second: dict[int, np.ndarray],
                 mid: int) -> bool:
    """Did the second process start exactly at frame ``mid``?

    ``first`` holds thumbnails of frames around ``mid`` decoded sequentially, ``second`` those
    the worker decoded after seeking to ``mid``. They must match frame for frame, and no
    shift of the second set may match better (a repeated frame may tie).
    """
    after_first = [i for i in first if i >= mid]
    if not second or not after_first:
        return not second and not after_first  # both at the end of the stream: nothing lost
    ks = sorted(second)
    if any(i not in first for i in ks):
        return False

    def mean_diff(shift: int) -> float | None:
        pairs = [(first[i + shift], second[i]) for i in ks if (i + shift) in first]
        if len(pairs) < 2:
            return None
        return float(np.mean([thumb_diff(a, b) for a, b in pairs]))

    exact = mean_diff(0)
    if exact is None or exact > THUMB_MATCH_MAX_DIFF:
        return False
    for shift in range(-VERIFY_FRAMES, VERIFY_FRAMES + 1):
        other = mean_diff(shift) if shift else None
        if other is not None and other < exact:
            return False
    return True


class _Worker:
    """The second pose process, started at once so its start-up overlaps our work."""

    def __init__(self, args: dict[str, Any]) -> None:
        self._err = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self._job = tempfile.NamedTemporaryFile(suffix=".job", delete=False)  # noqa: SIM115
        with self._job:
            pickle.dump(args, self._job)
        env = dict(os.environ)
        package_root = str(Path(__file__).resolve().parents[1])
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (package_root, env.get("PYTHONPATH", "")) if p)
        env.setdefault("GLOG_minloglevel", "2")
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "analysis_core._pose_process", self._job.name],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._err, env=env)

    def result(self, timeout: float) -> Segment | None:
        """The worker's segment, or None when it failed or overran ``timeout`` seconds."""
        try:
            out, _ = self.proc.communicate(timeout=max(1.0, timeout))
            if self.proc.returncode != 0:
                self._err.seek(0)
                log.warning("pose worker failed (exit %s): %s", self.proc.returncode,
                            self._err.read()[-500:].decode("utf-8", "replace"))
                return None
            seg = pickle.loads(out)  # produced by our own child
            return seg if isinstance(seg, Segment) else None
        except subprocess.TimeoutExpired:
            log.warning("pose worker overran its time; its part is dropped")
            return None
        finally:
            self.close()

    def close(self) -> None:
        """Stop the worker if it still runs."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._err.close()
        Path(self._job.name).unlink(missing_ok=True)


def run_pose(
    video_path: str | Path,
    info: VideoInfo,
    deadline: float | None = None,
    estimator_factory: Callable[[], PoseEstimator] = MediaPipePose,
    min_pose_rate_hz: float = MIN_POSE_RATE_HZ,
    workers: int | None = None,
) -> PoseRun:
    """Run the pose model over the video.

    Args:
        video_path: The video.
        info: Result of ``probe``.
        deadline: ``time.monotonic()`` value after which the pass stops early.
        estimator_factory: Builds the pose model (swap in a fake for tests; a custom model
            always runs in this process only).
        min_pose_rate_hz: Lowest pose sampling rate for high-fps clips.
        workers: 1 or 2 processes; None chooses (2 on a multi-core machine for clips of
            ``MIN_SPLIT_SAMPLES`` samples or more; the environment variable
            ``ANALYSIS_CORE_POSE_WORKERS=1`` forces one).

    Returns:
        The raw landmarks and bookkeeping.
    """
    start_t = time.monotonic()
    stride = pose_stride(info.fps, min_pose_rate_hz)
    max_frames = round(MAX_DURATION_S * info.fps)
    truncated = info.frame_count > max_frames + 1
    n_frames = max(1, min(info.frame_count, max_frames))
    expected = max(1, n_frames // stride)
    check_samples = np.linspace(0, expected - 1, PEOPLE_CHECKS).astype(int)
    people_at = frozenset(int(k) * stride for k in check_samples)
    if workers is None:
        workers = _workers_wanted(expected, estimator_factory)
    mid = n_frames
    if workers >= 2:
        mid = max(stride, round(n_frames * SPLIT_SHARE / stride) * stride)
    verify = range(mid - VERIFY_FRAMES, mid + VERIFY_FRAMES)
    worker = None
    threads = int(os.environ.get(DECODER_THREADS_ENV, "") or
                  (SPLIT_DECODER_THREADS if mid < n_frames else 0))
    if mid < n_frames:
        worker = _Worker({
            "video_path": str(video_path), "fps": info.fps, "stride": stride, "start": mid,
            "stop": max_frames, "people_at": people_at,
            "verify": range(mid, mid + VERIFY_FRAMES),
            "seconds_left": None if deadline is None else deadline - time.monotonic(),
            "parent_pid": os.getpid(), "decoder_threads": threads,
        })
    estimator = estimator_factory()
    second: Segment | None = None
    note = ""
    try:
        first = pose_segment(video_path, info.fps, stride, 0, mid if worker else max_frames,
                             estimator, deadline, people_at,
                             verify if worker else range(0), decoder_threads=threads)
        if worker is not None:
            left = 600.0 if deadline is None else deadline - time.monotonic() + 30.0
            second = worker.result(left)
            worker = None
            if first.timed_out:
                second = None  # the parts would not join up
            elif second is not None and not split_agrees(first.verify, second.verify, mid):
                note = "split check failed; second part decoded again in one process"
                log.warning("pose worker did not land on frame %d; redoing that part", mid)
                second = None
            if second is None and not first.timed_out:
                note = note or "pose worker failed; second part analysed in one process"
                second = pose_segment(video_path, info.fps, stride, mid, max_frames,
                                      estimator, deadline, people_at, seek=False,
                                      decoder_threads=threads)
    finally:
        if worker is not None:
            worker.close()
        estimator.close()
    parts = [first] + ([second] if second is not None else [])
    rows = [lm for p in parts for lm in p.landmarks]
    indices = [i for p in parts for i in p.indices]
    thumbs = {i: t for p in parts for i, t in p.thumbs.items()}
    size = next((p.size for p in parts if p.size != (0, 0)), (info.width, info.height))
    landmarks = np.stack(rows) if rows else np.zeros((0, N_LANDMARKS, 4))
    return PoseRun(
        landmarks=landmarks,
        frame_index=np.asarray(indices, dtype=int),
        fs=info.fps / stride,
        stride=stride,
        width=size[0],
        height=size[1],
        people_counts=[c for p in parts for c in p.people],
        timed_out=any(p.timed_out for p in parts),
        truncated=truncated,
        model=first.model,
        seconds=time.monotonic() - start_t,
        thumbs=thumbs,
        workers=2 if second is not None and not note else 1,
        split_note=note,
    )
