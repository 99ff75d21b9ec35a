"""The pose pass: stream frames, run the pose model, collect raw landmarks.

Decoding runs in a background thread (see ``video_io.iter_frames``) while this thread runs
the pose model, which uses both cores. High-frame-rate clips are sampled down to a pose rate
of at least 30 Hz (``video_io.pose_stride``). A few frames are also shown to OpenCV's HOG
person detector to learn whether other people are in view.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from analysis_core.pose import N_LANDMARKS, MediaPipePose, PoseEstimator
from analysis_core.tracking import count_people
from analysis_core.video_io import MAX_DURATION_S, VideoInfo, iter_frames, pose_stride

log = logging.getLogger(__name__)

POSE_MAX_LONG_SIDE = 960  # px; the model crops the person to 256 px anyway
MIN_POSE_RATE_HZ = 30.0
PEOPLE_CHECKS = 5  # frames shown to the person counter


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
    jpegs: dict[int, bytes] = field(default_factory=dict)  # frame index -> JPEG of the frame


def run_pose(
    video_path: str | Path,
    info: VideoInfo,
    deadline: float | None = None,
    estimator_factory: Callable[[], PoseEstimator] = MediaPipePose,
    min_pose_rate_hz: float = MIN_POSE_RATE_HZ,
) -> PoseRun:
    """Run the pose model over the video.

    Args:
        video_path: The video.
        info: Result of ``probe``.
        deadline: ``time.monotonic()`` value after which the pass stops early.
        estimator_factory: Builds the pose model (swap in a fake for tests).
        min_pose_rate_hz: Lowest pose sampling rate for high-fps clips.

    Returns:
        The raw landmarks and bookkeeping.
    """
    start = time.monotonic()
    stride = pose_stride(info.fps, min_pose_rate_hz)
    max_frames = round(MAX_DURATION_S * info.fps)
    truncated = info.frame_count > max_frames + 1
    expected = max(1, min(info.frame_count, max_frames) // stride)
    check_at = set(np.linspace(0, expected - 1, PEOPLE_CHECKS).astype(int).tolist())
    rows: list[np.ndarray] = []
    indices: list[int] = []
    people: list[int] = []
    jpegs: dict[int, bytes] = {}
    size = (info.width, info.height)
    timed_out = False
    estimator = estimator_factory()
    empty = np.full((N_LANDMARKS, 4), np.nan)
    try:
        for k, item in enumerate(iter_frames(video_path, info.fps, stride, POSE_MAX_LONG_SIDE,
                                             max_frames=max_frames, keep_jpeg=True)):
            if deadline is not None and time.monotonic() > deadline:
                timed_out = True
                break
            size = (item.rgb.shape[1], item.rgb.shape[0])
            lm = estimator.process(item.rgb)
            rows.append(empty if lm is None else lm)
            indices.append(item.index)
            jpegs[item.index] = item.jpeg
            if k in check_at:
                people.append(count_people(cv2.cvtColor(item.rgb, cv2.COLOR_RGB2BGR)))
    finally:
        estimator.close()
    landmarks = np.stack(rows) if rows else np.zeros((0, N_LANDMARKS, 4))
    return PoseRun(
        landmarks=landmarks,
        frame_index=np.asarray(indices, dtype=int),
        fs=info.fps / stride,
        stride=stride,
        width=size[0],
        height=size[1],
        people_counts=people,
        timed_out=timed_out,
        truncated=truncated,
        model=getattr(estimator, "name", type(estimator).__name__),
        seconds=time.monotonic() - start,
        jpegs=jpegs,
    )
