"""Checking an upload before it is queued: ``probe_limited`` and the time estimate.

The probe decodes the container header and one frame in a limited child process (the
file is hostile input) and then rejects sizes, rates and lengths no phone clip has.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from kneeapp.jobs import failure_texts
from kneeapp.jobs.limits import Limits, run_child

PROBE_MEMORY_MB = 1024
PROBE_CPU_S = 15
PROBE_WALL_S = 20.0

MIN_SIDE_PX = 64
MAX_LONG_SIDE_PX = 3840
MAX_SHORT_SIDE_PX = 2160
MIN_FPS = 1.0
MAX_FPS = 300.0
MAX_DURATION_S = 180.0
MAX_FRAMES = 36_000

#: Pose frames per second assumed by the estimate (measured ~40 on 2 cores; kept lower).
ESTIMATE_POSE_FPS = 25.0
ESTIMATE_OVERHEAD_S = 8.0
ESTIMATE_PER_JOB_AHEAD_S = 30.0


class VideoRejected(Exception):
    """The upload cannot be analysed; ``message`` is one sentence for the runner.

    Attributes:
        code: ``unreadable`` (not a readable video) or ``rejected`` (readable, but outside
            what the analysis accepts).
        message: The runner-facing sentence.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def check_facts(facts: dict[str, Any]) -> None:
    """Reject absurd container facts.

    Args:
        facts: ``width``, ``height``, ``fps``, ``frame_count``, ``duration_s``.

    Raises:
        VideoRejected: With code ``rejected`` and a sentence saying what to change.
    """
    try:
        width, height = int(facts["width"]), int(facts["height"])
        fps, frames = float(facts["fps"]), int(facts["frame_count"])
        duration = float(facts["duration_s"])
    except (KeyError, TypeError, ValueError) as exc:
        raise VideoRejected("rejected", failure_texts.PROBE_FAILED) from exc
    if not all(math.isfinite(v) for v in (fps, duration)):
        raise VideoRejected("rejected", failure_texts.PROBE_FAILED)
    if min(width, height) < MIN_SIDE_PX:
        raise VideoRejected("rejected", "The video's picture is too small to see a runner; "
                                        "please film at 720p or more.")
    if max(width, height) > MAX_LONG_SIDE_PX or min(width, height) > MAX_SHORT_SIDE_PX:
        raise VideoRejected("rejected", "The video's resolution is larger than 4K; please "
                                        "film at 1080p or send a smaller copy.")
    if not MIN_FPS <= fps <= MAX_FPS:
        raise VideoRejected("rejected", "The video's frame rate is not one a phone camera "
                                        "records; please film it again with the camera app.")
    if duration > MAX_DURATION_S or frames > MAX_FRAMES:
        raise VideoRejected("rejected", "The video is longer than 3 minutes; please send a "
                                        "clip of 10 to 30 seconds.")
    if frames < 1 or duration <= 0:
        raise VideoRejected("rejected", "The video seems to have no frames; please film it "
                                        "again.")


def probe_limited(path: str | os.PathLike[str] | None) -> dict[str, Any]:
    """Probe a video in a limited child process and check that it is plausible.

    Args:
        path: The upload (None when it is no longer on disk).

    Returns:
        ``{width, height, fps, frame_count, duration_s, rotation}`` (analysis_core.probe).

    Raises:
        VideoRejected: ``unreadable`` when the file is not a readable video (or the probe
            failed, ran out of time or memory), ``rejected`` when its facts are absurd.
    """
    video = Path(path) if path is not None else None
    if video is None or not video.is_file() or video.stat().st_size == 0:
        raise VideoRejected("unreadable", failure_texts.UNREADABLE)
    outcome = run_child("kneeapp.jobs.child", {"op": "probe", "video": str(video)},
                        Limits(PROBE_MEMORY_MB, PROBE_CPU_S, PROBE_WALL_S))
    if outcome.kind == "error":
        raise VideoRejected("unreadable", str(outcome.answer.get("message") or
                                              failure_texts.UNREADABLE))
    facts = outcome.answer.get("facts")
    if outcome.kind != "ok" or not isinstance(facts, dict):
        raise VideoRejected("unreadable", failure_texts.PROBE_FAILED)
    check_facts(facts)
    return facts


def estimate_analysis_s(facts: dict[str, Any], jobs_ahead: int = 0,
                        time_limit_s: float | None = None) -> int:
    """A rough "about N seconds" for the runner, rounded up to 5 s.

    Args:
        facts: From :func:`probe_limited`.
        jobs_ahead: Jobs queued or running before this one
            (:func:`kneeapp.jobs.queue.jobs_ahead`).
        time_limit_s: Cap of one analysis (default ``ANALYSIS_TIME_LIMIT_S``).

    Returns:
        Seconds.
    """
    from kneeapp import settings

    limit = time_limit_s if time_limit_s is not None else settings.current().analysis_time_limit_s
    fps = float(facts.get("fps") or 30.0)
    frames = float(facts.get("frame_count") or 0)
    step = max(1, int(fps // 30.0))  # the analysis samples high-fps clips to ~30 Hz
    own = min(limit, ESTIMATE_OVERHEAD_S + frames / step / ESTIMATE_POSE_FPS)
    total = own + max(0, jobs_ahead) * ESTIMATE_PER_JOB_AHEAD_S
    return int(math.ceil(total / 5.0) * 5)
