"""Shared fixtures: real clips and cached analysis results (computed once per session)."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO / ".." / "shared" / "testdata"
FIXTURES = REPO / "tests" / "fixtures" / "video"


def shared_clip(name: str) -> Path:
    """A clip from ../shared/testdata, or skip when that folder is not beside the repo."""
    path = SHARED / name
    if not path.is_file():
        pytest.skip(f"shared test footage {name} not available beside the repository")
    return path


def write_clip(src: Path, dst: Path, transform=None, fps: float | None = None,
               repeat: int = 1, keep_every: int = 1, max_frames: int | None = None) -> Path:
    """Re-encode ``src`` with OpenCV, applying a per-frame transform, frame repetition or
    frame dropping. Skips the test when OpenCV cannot write mp4 here."""
    cap = cv2.VideoCapture(str(src))
    src_fps = cap.get(cv2.CAP_PROP_FPS)
    writer = None
    i = 0
    while True:
        ok, frame = cap.read()
        if not ok or (max_frames is not None and i >= max_frames):
            break
        if i % keep_every == 0:
            out = transform(frame) if transform else frame
            if writer is None:
                h, w = out.shape[:2]
                writer = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"),
                                         fps or src_fps, (w, h))
                if not writer.isOpened():
                    pytest.skip("OpenCV cannot write mp4 files on this machine")
            for _ in range(repeat):
                writer.write(out)
        i += 1
    cap.release()
    if writer is not None:
        writer.release()
    return dst


@pytest.fixture(scope="session")
def treadmill_analysis(tmp_path_factory):
    """The treadmill clip's report and the folder holding it and its pictures."""
    from analysis_core import analyze

    clip = shared_clip("treadmill_side_male.mp4")
    out = tmp_path_factory.mktemp("treadmill")
    return analyze(clip, out), out


@pytest.fixture(scope="session")
def treadmill_report(treadmill_analysis):
    return treadmill_analysis[0]


@pytest.fixture(scope="session")
def squat_report(tmp_path_factory):
    from analysis_core import analyze

    clip = shared_clip("squat_side_gym.mp4")
    return analyze(clip, tmp_path_factory.mktemp("squat"))
