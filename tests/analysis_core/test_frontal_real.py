"""Front- and back-view measures on real footage (Pose2Sim demo, BSD-3; see
tests/fixtures/video/README.md).

The clips show 1.7 s of a single-leg balance-and-reach drill filmed from the front and from
behind at 60 fps: real people, real camera, but no complete squat repetition and no running
stride. Nothing here is a hard-coded expected value: the tests check that the report either
gives per-side numbers with a confidence and in a plausible range, or omits them with a
reason, and that mirroring the clip exchanges the left and right values.
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis_core import analyze, geometry
from analysis_core.classify import detect_view
from analysis_core.main_subject import main_subject_mask
from analysis_core.pose import L_HIP, R_HIP
from analysis_core.pose_run import run_pose
from analysis_core.track import build_track, fppa_series
from analysis_core.video_io import probe

from .conftest import FIXTURES, write_clip

pytestmark = pytest.mark.timeout(240)

CLIPS = {"front": "pose2sim_balance_front_60fps.mp4", "back": "pose2sim_balance_back_60fps.mp4"}
PER_SIDE = {"knee_fppa_deg": 30.0, "pelvic_drop_deg": 15.0}  # plausible magnitude at most
CONFIDENCE = ("low", "medium", "high")


@pytest.fixture(scope="module", params=sorted(CLIPS))
def clip_pair(request, tmp_path_factory):
    import cv2

    src = FIXTURES / CLIPS[request.param]
    tmp = tmp_path_factory.mktemp(f"mirror_{request.param}")
    mirrored = write_clip(src, tmp / "mirror.mp4", lambda f: cv2.flip(f, 1))
    return request.param, src, mirrored, tmp


def _report(path, out, view=None):
    # the drill is closest to a single-leg squat; the override asks for frontal measures
    return analyze(path, out, activity="single_leg_squat", view=view)


def _check_reported_or_omitted(r: dict, name: str) -> dict | None:
    if name in r["metrics"]:
        m = r["metrics"][name]
        assert m["confidence"] in CONFIDENCE
        for side in ("left", "right"):
            if m[side] is not None:
                assert abs(m[side]) <= PER_SIDE[name], (name, side, m[side])
        return m
    reason = r["metrics_omitted"].get(name) or r["metrics_omitted"].get("all")
    assert isinstance(reason, str) and reason.strip()
    if "quality" in reason:  # the gate failed: the report says what blocked and how to retake
        blocking = [i for i in r["quality"]["issues"] if i["severity"] == "blocking"]
        assert blocking and all(i["message"] for i in blocking)
        assert r["quality"]["retake_tip"]
    return None


def test_frontal_measures_reported_with_confidence_or_omitted_with_reason(clip_pair):
    view, src, mirrored, tmp = clip_pair
    r = _report(src, tmp / "orig")
    assert r["view"] == view and r["view_source"] == "auto"
    # mirroring keeps the camera view; the view is given here because the automatic view
    # detection is borderline on the mirrored front clip (see the next test)
    rm = _report(mirrored, tmp / "mirr", view=view)
    for rep in (r, rm):
        assert rep["activity"] == "single_leg_squat"
    for name in PER_SIDE:
        a = _check_reported_or_omitted(r, name)
        b = _check_reported_or_omitted(rm, name)
        assert (a is None) == (b is None), f"{name}: mirroring changed whether it is measured"
        if a is not None and b is not None:
            for side, other in (("left", "right"), ("right", "left")):
                if a[side] is not None and b[other] is not None:
                    assert b[other] == pytest.approx(a[side], abs=5.0)


def _frontal_series(path):
    run = run_pose(path, probe(path))
    sub = main_subject_mask(run.landmarks)
    track = build_track(run.landmarks, run.fs, run.frame_index, run.width, run.height, sub.mask)
    fppa = {s: fppa_series(track, s) for s in ("left", "right")}
    # hip-line tilt with the left leg as the standing leg (right side lower = positive)
    tilt = geometry.pelvic_drop_deg(track.p(L_HIP), track.p(R_HIP))
    return fppa, tilt, detect_view(track).label


def test_mirrored_real_clip_swaps_knee_angles_and_pelvic_tilt(clip_pair):
    """Frame by frame, on real landmarks: the mirrored clip's left-knee FPPA is the original
    right-knee FPPA, and the hip-line tilt changes sign (left-stance drop becomes right-stance
    drop). Both legs move differently in this drill, so a failed swap would show."""
    view, src, mirrored, _ = clip_pair
    fppa, tilt, view_o = _frontal_series(src)
    fppa_m, tilt_m, view_m = _frontal_series(mirrored)
    assert view_o == view
    assert view_m in (view, "unknown")  # may be unsure, never the wrong view
    for side, other in (("left", "right"), ("right", "left")):
        swapped = float(np.nanmedian(np.abs(fppa_m[side] - fppa[other])))
        same = float(np.nanmedian(np.abs(fppa_m[side] - fppa[side])))
        assert np.isfinite(fppa[side]).sum() >= 20
        assert swapped < 6.0, (side, swapped)
        assert same > 2 * swapped, (side, same, swapped)
    swapped_tilt = float(np.nanmedian(np.abs(tilt_m + tilt)))
    same_tilt = float(np.nanmedian(np.abs(tilt_m - tilt)))
    assert swapped_tilt < 5.0 and same_tilt > 2 * swapped_tilt
