"""End-to-end analysis of real licensed clips (see ../shared/testdata/README.md and
tests/fixtures/video/README.md for sources and licences)."""

from __future__ import annotations

import json
import re
import subprocess

import cv2
import numpy as np
import pytest

from analysis_core import analyze
from analysis_core.pose_run import run_pose
from analysis_core.track import build_track
from analysis_core.video_io import probe
from tests.footage import CLIPS, VARIANTS, derive, ffmpeg_available

from .conftest import FIXTURES, shared_clip, write_clip

pytestmark = pytest.mark.timeout(240)


def test_treadmill_cadence_matches_pixel_truth(treadmill_report):
    """zzzhushi/running-gait-analysis male_side.mp4 (MIT): cadence 168.9 ± 0.5 steps/min
    measured from raw pixels by its authors."""
    r = treadmill_report
    assert r["activity"] == "running" and r["view"] == "side"
    assert r["quality"]["usable"] is True
    assert r["metrics"]["cadence_spm"]["value"] == pytest.approx(168.9, abs=1.0)
    assert r["metrics"]["cadence_spm"]["confidence"] in ("medium", "high")


def test_treadmill_report_schema_and_images(treadmill_report, tmp_path):
    r = treadmill_report
    for key in ("schema_version", "activity", "view", "quality", "metrics", "findings", "images"):
        assert key in r
    for key in ("usable", "issues", "fps", "frames", "frames_with_person", "retake_tip"):
        assert key in r["quality"]
    assert r["quality"]["frames"] == 360 and r["quality"]["frames_with_person"] > 300
    # side view: frontal measures are omitted with a reason, never guessed
    assert "knee_fppa_deg" not in r["metrics"]
    assert "side" in r["metrics_omitted"]["knee_fppa_deg"] or "front" in r["metrics_omitted"][
        "knee_fppa_deg"]
    assert any(i["code"] == "low_fps" for i in r["quality"]["issues"])  # 30 fps clip
    for f in r["findings"]:
        assert f["contributor"] in ("hip_core", "foot_ankle", "quads", "form", "training_load")
        assert f["severity"] in ("none", "mild", "marked") and f["text"]
    kinds = {i["kind"] for i in r["images"]}
    assert kinds == {"keyframe", "plot"}
    json.dumps(r, allow_nan=False)


def test_squat_clip_detected_with_reps(squat_report):
    """rohanx01/Squat-Analysis-Model squat.mp4 (MIT), side view with people behind."""
    r = squat_report
    assert r["activity"] == "squat" and r["view"] == "side"
    assert r["counts"]["reps"] >= 2
    depth = r["metrics"]["knee_flexion_at_depth_deg"]["value"]
    assert 70 <= depth <= 150
    assert "knee_fppa_deg" in r["metrics_omitted"]


def test_sports2d_demo_is_not_called_running(tmp_path):
    """Sports2D demo (BSD-3): a walker and a man doing jumping jacks, among others."""
    r = analyze(shared_clip("sports2d_demo.mp4"), tmp_path)
    assert r["activity"] != "running"
    assert r["subject"]["several_people"] is True


def test_half_resolution_gives_same_measures(tmp_path, treadmill_report):
    src = shared_clip("treadmill_side_male.mp4")
    half = write_clip(src, tmp_path / "half.mp4",
                      lambda f: cv2.resize(f, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA))
    assert probe(half).width == 360
    r = analyze(half, tmp_path / "out")
    m0, m1 = treadmill_report["metrics"], r["metrics"]
    assert m1["cadence_spm"]["value"] == pytest.approx(m0["cadence_spm"]["value"], abs=1.5)
    assert m1["trunk_lean_deg"]["value"] == pytest.approx(m0["trunk_lean_deg"]["value"], abs=3.0)
    assert any(i["code"] == "low_resolution" for i in r["quality"]["issues"])


def test_dropping_every_second_frame_of_60fps_keeps_cadence(tmp_path, treadmill_report):
    """A 60 fps copy (each frame written twice: no real 60 fps running clip is available),
    analysed at every frame, against its every-second-frame version (the 30 fps clip)."""
    src = shared_clip("treadmill_side_male.mp4")
    clip60 = write_clip(src, tmp_path / "c60.mp4", fps=60.0, repeat=2)
    info = probe(clip60)
    assert info.fps == pytest.approx(60.0)
    pose = run_pose(clip60, info, min_pose_rate_hz=60.0)
    assert pose.fs == pytest.approx(60.0) and pose.stride == 1
    from analysis_core.metrics import running_side

    track = build_track(pose.landmarks, pose.fs, pose.frame_index, pose.width, pose.height,
                        fix_swaps=True)
    cad60 = running_side(track, 60.0).metrics["cadence_spm"]["value"]
    assert cad60 == pytest.approx(treadmill_report["metrics"]["cadence_spm"]["value"], abs=1.0)


@pytest.mark.parametrize("name", ["pose2sim_balance_front_60fps.mp4",
                                  "pose2sim_balance_back_60fps.mp4"])
def test_mirrored_video_swaps_left_and_right(tmp_path, name):
    """Pose2Sim demo cameras 2 and 3 (front- and back-facing, 60 fps, BSD-3).

    In the mirrored clip, the leg labelled left must sit where the original right leg
    appears after mirroring (and not where the original left leg does).
    """
    src = FIXTURES / name
    mirrored = write_clip(src, tmp_path / "mirror.mp4", lambda f: cv2.flip(f, 1))
    a = run_pose(src, probe(src))
    b = run_pose(mirrored, probe(mirrored))
    flipped_x = a.width - a.landmarks[..., 0]
    for left, right in [(23, 24), (25, 26), (27, 28)]:
        swapped = np.nanmedian(np.abs(b.landmarks[:, left, 0] - flipped_x[:, right]))
        same = np.nanmedian(np.abs(b.landmarks[:, left, 0] - flipped_x[:, left]))
        assert swapped < 0.03 * a.width
        assert same > 3 * swapped


def test_treadmill_stance_time_is_sound_or_omitted_with_its_reason(treadmill_report):
    """Contact times must leave a flight phase (shorter than the step time) to be reported;
    otherwise the omission names the actual problem."""
    r = treadmill_report
    step_s = 60.0 / r["metrics"]["cadence_spm"]["value"]
    m = r["metrics"].get("stance_time_asymmetry_pct")
    if m is not None:
        assert 0.1 <= m["left_s"] < step_s and 0.1 <= m["right_s"] < step_s
        assert m["confidence"] in ("low", "medium")  # 30 fps clip: timing is coarse
    else:
        reason = r["metrics_omitted"]["stance_time_asymmetry_pct"]
        assert "strides" not in reason and ("toe-off" in reason or "contact" in reason)


def test_screen_recorded_track_clip_with_frozen_start_and_slow_motion_is_running(tmp_path):
    """BetterForerunner run.mp4 (MIT repository): a phone's video player screen-recorded,
    paused for the first second, with a cut and a slow-motion part. The rhythm is unreadable
    there, the running posture is not."""
    r = analyze(shared_clip("track_side_screen_recording.mp4"), tmp_path)
    assert (r["activity"], r["view"]) == ("running", "side")
    assert r["detection"]["activity"]["evidence"]["knee_flexion_p95_deg"] >= 100


def test_walking_towards_and_away_from_the_camera_is_not_a_squat(tmp_path):
    """stream-pose-ml example video (MIT): the body grows and sinks in the picture as the
    person approaches, which once read as a squat; the feet travel, so it is not one."""
    r = analyze(FIXTURES / "streamposeml_walk_front_back.webm", tmp_path)
    assert r["activity"] not in ("squat", "single_leg_squat", "running")
    assert r["detection"]["activity"]["evidence"]["planted_foot_travel_leg"] > 0.5


@pytest.mark.parametrize(("clip_name", "variant_name"), [
    ("treadmill_side_male.mp4", "whatsapp_480p"),
    ("track_side_screen_recording.mp4", "whatsapp_480p"),
    ("squat_side_gym.mp4", "small_360p"),
])
def test_messaging_app_copies_keep_activity_view_and_cadence(tmp_path, clip_name, variant_name):
    """The compressed-footage matrix (all variants in bench/footage_eval.py), fast subset:
    the copy a messaging app delivers gives the same decisions as the original."""
    if not ffmpeg_available():
        pytest.skip("Debian's ffmpeg is needed to derive the compressed copies")
    clip = next(c for c in CLIPS if c.name == clip_name)
    variant = next(v for v in VARIANTS if v.name == variant_name)
    src = shared_clip(clip_name)
    copy = derive(src, variant, tmp_path, probe(src).duration_s)
    assert min(probe(copy).width, probe(copy).height) == variant.short_side
    r = analyze(copy, tmp_path / "out")
    assert (r["activity"], r["view"]) == (clip.activity, clip.view)
    if clip.cadence_spm:
        assert r["metrics"]["cadence_spm"]["value"] == pytest.approx(clip.cadence_spm, rel=0.04)


def test_a_single_squat_repetition_is_measured_with_low_confidence_and_a_tip(tmp_path):
    """rohanx01 squat.mp4 (MIT) cut to its one repetition between 7 s and 13 s."""
    if not ffmpeg_available():
        pytest.skip("Debian's ffmpeg is needed to cut the clip")
    one = tmp_path / "one_rep.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-ss", "7", "-i", str(shared_clip(
        "squat_side_gym.mp4")), "-t", "6", "-an", "-c:v", "libx264", str(one)], check=True)
    r = analyze(one, tmp_path / "out")
    assert r["activity"] == "squat" and r["counts"]["reps"] == 1
    assert r["quality"]["usable"] is True
    assert r["metrics"]["knee_flexion_at_depth_deg"]["confidence"] == "low"
    assert any(i["code"] == "too_few_reps" and i["severity"] == "warning"
               for i in r["quality"]["issues"])
    assert "repetitions" in r["quality"]["retake_tip"]
    row = next(m for m in r["measures"] if m["measure"] == "knee_flexion_at_depth_deg")
    assert row["value"].endswith("°") and row["typical"] == "70° or more"
    assert all(re.search(r"\d(°| %| leg| steps)", i["caption"]) for i in r["images"]
               if i["kind"] == "keyframe")
