"""probe_limited and the plausibility checks."""

from __future__ import annotations

import pytest

from kneeapp.jobs.probe import VideoRejected, check_facts, estimate_analysis_s, probe_limited

GOOD = {"width": 720, "height": 1280, "fps": 30.0, "frame_count": 360, "duration_s": 12.0}


def test_probe_of_a_real_clip(short_clip):
    facts = probe_limited(short_clip)
    assert (facts["width"], facts["height"]) == (360, 640)
    assert facts["fps"] == pytest.approx(30.0)
    assert facts["frame_count"] == 90


@pytest.mark.parametrize("content", [b"", b"this is a text file, not a video\n" * 50,
                                     b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 2000])
def test_unreadable_files_are_rejected(tmp_path, content):
    path = tmp_path / "clip.mp4"
    path.write_bytes(content)
    with pytest.raises(VideoRejected) as info:
        probe_limited(path)
    assert info.value.code == "unreadable"
    assert info.value.message.endswith(".") and "Traceback" not in info.value.message


def test_missing_file_is_unreadable(tmp_path):
    with pytest.raises(VideoRejected) as info:
        probe_limited(tmp_path / "nope.mp4")
    assert info.value.code == "unreadable"


@pytest.mark.parametrize("change", [
    {"width": 10}, {"width": 7680, "height": 4320}, {"width": 4000, "height": 3000},
    {"fps": 0.2}, {"fps": 1000.0}, {"duration_s": 3600.0}, {"frame_count": 10_000_000},
    {"frame_count": 0}, {"fps": float("nan")}, {"width": None},
])
def test_absurd_facts_are_rejected(change):
    with pytest.raises(VideoRejected) as info:
        check_facts({**GOOD, **change})
    assert info.value.code == "rejected"


def test_plausible_facts_pass():
    check_facts(GOOD)
    check_facts({**GOOD, "width": 3840, "height": 2160, "fps": 240.0, "frame_count": 2400,
                 "duration_s": 10.0})


def test_estimate():
    assert estimate_analysis_s(GOOD, time_limit_s=240) == 25  # 8 + 360/25 = 22.4 -> 25
    assert estimate_analysis_s(GOOD, jobs_ahead=2, time_limit_s=240) == 85
    high_fps = {**GOOD, "fps": 240.0, "frame_count": 2880}  # sampled every 8th frame
    assert estimate_analysis_s(high_fps, time_limit_s=240) == 25
    long = {**GOOD, "frame_count": 100_000}
    assert estimate_analysis_s(long, time_limit_s=60) == 60
