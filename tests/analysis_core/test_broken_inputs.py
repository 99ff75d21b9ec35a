"""Hostile and broken inputs through the real CLI: one sentence on stderr, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from analysis_core import VideoError, probe

from .conftest import REPO, shared_clip

pytestmark = pytest.mark.timeout(120)


def _cli(*args: str, timeout: float = 90) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis_core", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=timeout)


def _assert_clean_failure(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode == 2
    lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
    assert "Traceback" not in proc.stderr
    assert lines and lines[-1].endswith(".")


@pytest.mark.parametrize("content", [b"", b"this is a text file, not a video\n" * 20])
def test_empty_and_text_files(tmp_path: Path, content: bytes):
    bad = tmp_path / "clip.mp4"
    bad.write_bytes(content)
    with pytest.raises(VideoError):
        probe(bad)
    _assert_clean_failure(_cli(str(bad), "--out", str(tmp_path / "out")))
    assert not (tmp_path / "out" / "report.json").exists()


def test_truncated_mp4(tmp_path: Path):
    data = shared_clip("treadmill_side_male.mp4").read_bytes()
    bad = tmp_path / "cut.mp4"
    bad.write_bytes(data[: len(data) // 3])  # moov atom sits at the end: unreadable
    proc = _cli(str(bad), "--out", str(tmp_path / "out"))
    if proc.returncode == 0:  # a container with the index first would still decode partly
        report = json.loads((tmp_path / "out" / "report.json").read_text())
        assert report["quality"]["frames"] > 0
    else:
        _assert_clean_failure(proc)


def test_missing_file(tmp_path: Path):
    _assert_clean_failure(_cli(str(tmp_path / "nope.mp4"), "--out", str(tmp_path / "o")))


def test_no_person_gives_report_with_retake_tip(tmp_path: Path):
    clip = tmp_path / "empty_room.mp4"
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (640, 480))
    if not writer.isOpened():
        pytest.skip("OpenCV cannot write mp4 files on this machine")
    rng = np.random.default_rng(0)
    for i in range(60):
        frame = np.full((480, 640, 3), 90, np.uint8)
        cv2.rectangle(frame, (50 + i, 300), (200 + i, 420), (30, 120, 200), -1)
        frame = cv2.add(frame, rng.integers(0, 20, frame.shape, dtype=np.uint8))
        writer.write(frame)
    writer.release()
    proc = _cli(str(clip), "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["quality"]["usable"] is False
    assert report["quality"]["issues"][0]["code"] == "not_a_person"
    assert report["quality"]["retake_tip"]
    assert report["metrics"] == {} and report["findings"] == []
