"""Video analysis core: from a phone video to knee-relevant measures, findings and pictures.

Public interface::

    from analysis_core import analyze, probe, VideoError
    report = analyze("clip.mp4", "out/")      # writes out/report.json and PNGs
    facts = probe("clip.mp4")                  # width, height, fps, frame_count, ...
    change = compare_reports(before, after)     # what changed beyond the method's error
    side_by_side("a/", "b/", before, after, "pair.png")   # matching keyframes, or None

See docs/analysis_core.md for the report schema and the limits of 2-D video.
"""

from __future__ import annotations

import os
from typing import Any

# Native loggers of OpenCV and MediaPipe write to stderr, which the CLI keeps for one clear
# sentence; callers can still turn them on by setting these variables themselves.
os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")
os.environ.setdefault("GLOG_minloglevel", "2")

from analysis_core.errors import AnalysisError, AnalysisTimeout, VideoError
from analysis_core.pipeline import SCHEMA_VERSION, analyze

# isort: split
# After the pipeline: imported first, the comparison's modules pull in SciPy before OpenCV,
# and under a small RLIMIT_AS (the analysis child's memory limit) SciPy's import then spins
# in the kernel instead of failing with MemoryError (tests/jobs/test_limits.py).
from analysis_core.compare import compare_reports
from analysis_core.compare_picture import side_by_side
from analysis_core.video_io import probe as _probe


def probe(video_path: str | os.PathLike[str]) -> dict[str, Any]:
    """Container facts read with OpenCV (one frame decoded): width, height, fps, frame_count,
    duration_s, rotation.

    Raises:
        VideoError: The file is not a readable video (message is one friendly sentence).
    """
    return dict(_probe(video_path).to_dict())


__all__ = ["SCHEMA_VERSION", "AnalysisError", "AnalysisTimeout", "VideoError", "analyze",
           "compare_reports", "probe", "side_by_side"]
