"""Hostile and broken inputs through the real CLI: one sentence on stderr, no traceback."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from analysis_core import VideoError, analyze, probe
from analysis_core.video_io import iso_media_cut_off
from tests.footage import ffmpeg_available, truncate

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


def test_truncated_mp4_with_its_index_at_the_end_asks_to_send_it_again(tmp_path: Path):
    """A phone's MP4 keeps its index (moov) at the end: cut off, nothing can be decoded,
    and the runner is told the file is incomplete rather than 'not a video'."""
    data = shared_clip("treadmill_side_male.mp4").read_bytes()
    assert data.find(b"moov") > len(data) // 2
    bad = tmp_path / "cut.mp4"
    bad.write_bytes(data[: len(data) // 3])
    assert iso_media_cut_off(bad)
    with pytest.raises(VideoError, match=r"incomplete.*send it again"):
        probe(bad)
    _assert_clean_failure(_cli(str(bad), "--out", str(tmp_path / "out")))


def test_truncated_mp4_with_its_index_first_is_measured_in_part_and_says_so(tmp_path: Path):
    """Messaging apps move the index to the front: a cut-off copy still decodes its first
    part, which is measured, with a warning that names the seconds read."""
    if not ffmpeg_available():
        pytest.skip("Debian's ffmpeg is needed to move the index to the front")
    src = shared_clip("treadmill_side_male.mp4")
    fast = tmp_path / "faststart.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(src), "-c", "copy", "-movflags",
                    "+faststart", str(fast)], check=True)
    assert not iso_media_cut_off(fast)
    cut = truncate(fast, tmp_path / "cut.mp4", keep_share=0.6)
    assert iso_media_cut_off(cut)
    report = analyze(cut, tmp_path / "out")
    issue = report["quality"]["issues"][0]
    assert issue["code"] == "incomplete" and issue["severity"] == "warning"
    assert re.search(r"only the first \d+ of 12 seconds", issue["message"])
    assert "send the video again" in report["quality"]["retake_tip"].lower()
    assert report["activity"] == "running" and report["metrics"]["cadence_spm"]["value"]


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


def _box(kind: bytes, payload: bytes) -> bytes:
    return (8 + len(payload)).to_bytes(4, "big") + kind + payload


@pytest.mark.parametrize(("data", "cut_off"), [
    (_box(b"ftyp", b"isom") + _box(b"mdat", b"x" * 100) + _box(b"moov", b"y" * 20), False),
    ((_box(b"ftyp", b"isom") + _box(b"mdat", b"x" * 100) + _box(b"moov", b"y" * 20))[:-5], True),
    (_box(b"ftyp", b"isom") + _box(b"moov", b"y" * 20) + _box(b"mdat", b"x" * 100)[:50], True),
    (_box(b"ftyp", b"isom") + (0).to_bytes(4, "big") + b"mdat" + b"x" * 10, False),
    (b"\x1a\x45\xdf\xa3" + b"webm" * 10, False),  # not an MP4: not judged here
])
def test_iso_media_cut_off_reads_the_box_sizes(tmp_path: Path, data: bytes, cut_off: bool):
    path = tmp_path / "clip.mp4"
    path.write_bytes(data)
    assert iso_media_cut_off(path) is cut_off
