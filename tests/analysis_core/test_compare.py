"""Before/after comparison of two reports (analysis_core/compare.py) and its picture
(analysis_core/compare_picture.py): constructed reports, then two real ones."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from analysis_core import analyze, compare_reports, side_by_side
from analysis_core.compare_picture import MAX_WIDTH, keyframe_key
from analysis_core.measures import MEASURES
from analysis_core.reference import load
from content_schema.vocabulary import ACTIVITIES, VIEWS
from tests.footage import VARIANTS, derive, ffmpeg_available

from .conftest import SHARED

FPPA = "knee_fppa_deg"


def _report(metrics: dict[str, dict[str, Any]], activity: str = "running",
            view: str = "front", usable: bool = True, duration_s: float = 12.0
            ) -> dict[str, Any]:
    return {"activity": activity, "view": view, "metrics": metrics,
            "quality": {"usable": usable}, "video": {"duration_s": duration_s}, "images": []}


def _sided(left: float | None, right: float | None, unit: str = "deg",
           confidence: str = "high") -> dict[str, Any]:
    return {"left": left, "right": right, "unit": unit, "confidence": confidence,
            "n": {"left": 12, "right": 12}}


def _single(value: Any, unit: str, confidence: str = "high") -> dict[str, Any]:
    return {"value": value, "unit": unit, "confidence": confidence, "n": 30}


def _cadence(value: Any, confidence: str = "high") -> dict[str, Any]:
    return _single(value, "steps/min", confidence)


def _change(result: dict[str, Any], measure: str, side: str | None = None) -> dict[str, Any]:
    found = [c for c in result["changes"] if c["measure"] == measure and c["side"] == side]
    assert len(found) == 1, (measure, side, result["changes"])
    return found[0]


def _fppa_pair(before_left: float, after_left: float) -> dict[str, Any]:
    return compare_reports(_report({FPPA: _sided(before_left, 6.0)}),
                           _report({FPPA: _sided(after_left, 6.0)}))


# --------------------------------------------------------------------------- noise band


@pytest.mark.parametrize(
    ("after_left", "beyond", "direction"),
    [
        (5.0, False, "no real change"),  # 7° less inward: within Munro's ~8°
        (3.0, True, "improved"),  # 9° less inward
        (4.0, True, "improved"),  # exactly 8°: the smallest real change counts
        (19.0, False, "no real change"),  # 7° more inward
        (21.0, True, "worse"),  # 9° more inward
    ],
)
def test_fppa_noise_band_is_8_degrees(after_left: float, beyond: bool, direction: str) -> None:
    left = _change(_fppa_pair(12.0, after_left), FPPA, "left")
    assert left["beyond_noise"] is beyond
    assert left["direction"] == direction
    assert left["noise"] == 8.0 and left["unit"] == "deg"
    assert left["change"] == pytest.approx(after_left - 12.0)


def test_fppa_closer_to_in_line_is_better_on_either_side_of_zero() -> None:
    assert _change(_fppa_pair(-12.0, -2.0), FPPA, "left")["direction"] == "improved"
    assert _change(_fppa_pair(2.0, -10.0), FPPA, "left")["direction"] == "worse"


def test_sentence_of_a_change_within_noise() -> None:
    sentence = _change(_fppa_pair(12.0, 5.0), FPPA, "left")["sentence"]
    assert sentence.startswith("Knee angle seen from the front (inward = positive), left leg:")
    assert "12° before, 5° now (down 7°)" in sentence
    assert "within the 8°" in sentence and "no real change" in sentence


# --------------------------------------------------------------------------- cadence


@pytest.mark.parametrize(
    ("after", "pct", "beyond", "direction"),
    [
        (164.0, 2.5, False, "no real change"),
        (166.0, 3.8, True, "improved"),  # +3.75 %: beyond the 3 % band
        (176.0, 10.0, True, "improved"),  # +10 %: the most the interventions aim for
        (180.0, 12.5, True, "changed"),  # past the usual aim: a change, not "better"
        (152.0, -5.0, True, "worse"),
    ],
)
def test_cadence_is_judged_in_per_cent(after: float, pct: float, beyond: bool,
                                       direction: str) -> None:
    result = compare_reports(_report({"cadence_spm": _cadence(160.0)}, view="side"),
                             _report({"cadence_spm": _cadence(after)}, view="side"))
    cadence = _change(result, "cadence_spm")
    assert cadence["change"] == pytest.approx(after - 160.0)
    assert cadence["change_pct"] == pytest.approx(pct)
    assert cadence["noise"] == 3.0 and cadence["noise_unit"] == "%"
    assert cadence["beyond_noise"] is beyond and cadence["direction"] == direction


def test_cadence_sentences() -> None:
    def sentence(after: float) -> str:
        result = compare_reports(_report({"cadence_spm": _cadence(160.0)}, view="side"),
                                 _report({"cadence_spm": _cadence(after)}, view="side"))
        return str(_change(result, "cadence_spm")["sentence"])

    assert sentence(166.0) == (
        "Step rate (cadence): 160 steps/min before, 166 steps/min now (up 6 steps/min, "
        "+3.8 %), more than the 3 % the method can be off by: better.")
    assert "more than the 10 % usually aimed for" in sentence(180.0)


def test_only_cadence_has_a_per_cent_change() -> None:
    result = _fppa_pair(12.0, 3.0)
    assert all(c["change_pct"] is None for c in result["changes"])


# --------------------------------------------------------------------------- comparable?


def test_different_view_is_not_compared_and_says_why() -> None:
    result = compare_reports(_report({"cadence_spm": _cadence(160.0)}, view="front"),
                             _report({"cadence_spm": _cadence(170.0)}, view="side"))
    assert result["comparable"] is False
    assert result["changes"] == []
    assert "from the front before, from the side now" in result["reason"]
    assert result["summary_lines"] == [result["reason"]]


@pytest.mark.parametrize(
    ("before", "after", "words"),
    [
        (_report({}, activity="running"), _report({}, activity="squat"),
         "different activities (running before, squats now)"),
        (_report({}, usable=False), _report({}), "The earlier clip could not be measured"),
        (_report({}), _report({}, activity="unknown"),
         "activity in the later clip could not be recognised"),
        (_report({}, view="unknown"), _report({}, view="unknown"),
         "camera position in the earlier clip could not be recognised"),
        ({}, {}, "The earlier clip could not be measured"),
    ],
)
def test_reasons_not_to_compare(before: dict[str, Any], after: dict[str, Any],
                                words: str) -> None:
    result = compare_reports(before, after)
    assert result["comparable"] is False
    assert words in result["reason"]


def test_walking_cadence_does_not_depend_on_the_view() -> None:
    result = compare_reports(_report({"cadence_spm": _cadence(100.0)}, "walking", "front"),
                             _report({"cadence_spm": _cadence(110.0)}, "walking", "unknown"))
    assert result["comparable"] is True
    assert _change(result, "cadence_spm")["beyond_noise"] is True


def test_every_activity_and_view_has_words() -> None:
    words = load()["comparison"]
    assert set(words["activities"]) == set(ACTIVITIES)
    assert set(words["views"]) == set(VIEWS)


# --------------------------------------------------------------------------- missing values


def test_a_measure_made_in_one_clip_only_is_listed_not_compared() -> None:
    result = compare_reports(
        _report({"cadence_spm": _cadence(160.0), "trunk_lean_deg": _single(6.0, "deg")},
                view="side"),
        _report({"cadence_spm": _cadence(161.0)}, view="side"))
    assert [c["measure"] for c in result["changes"]] == ["cadence_spm"]
    assert result["not_compared"] == [{"measure": "trunk_lean_deg",
                                       "label": "Forward trunk lean"}]
    assert result["summary_lines"][-1] == (
        "Not measured in both clips, so not compared: Forward trunk lean.")


@pytest.mark.parametrize("bad", [None, math.nan, math.inf, "168", True])
def test_missing_or_broken_values_are_not_compared(bad: Any) -> None:
    result = compare_reports(
        _report({"cadence_spm": _cadence(bad), "trunk_lean_deg": _single(6.0, "deg")},
                view="side"),
        _report({"cadence_spm": _cadence(170.0), "trunk_lean_deg": _single(7.0, "deg")},
                view="side"))
    assert [c["measure"] for c in result["changes"]] == ["trunk_lean_deg"]
    assert [n["measure"] for n in result["not_compared"]] == ["cadence_spm"]
    json.dumps(result, allow_nan=False)


def test_malformed_metrics_are_not_compared() -> None:
    broken = {**_report({}, view="side"), "metrics": ["cadence_spm"]}
    odd_entry = _report({"cadence_spm": 168.0}, view="side")
    for before in (broken, odd_entry):
        result = compare_reports(before, _report({"cadence_spm": _cadence(170.0)}, view="side"))
        assert result["comparable"] is False
        assert "no measure in common" in result["reason"]


def test_nothing_in_common_is_not_comparable() -> None:
    result = compare_reports(_report({"trunk_lean_deg": _single(6.0, "deg")}, view="side"),
                             _report({"cadence_spm": _cadence(170.0)}, view="side"))
    assert result["comparable"] is False
    assert "no measure in common" in result["reason"]


def test_clips_of_different_lengths_are_compared_by_their_medians() -> None:
    short = _report({"cadence_spm": {**_cadence(165.0), "n": 8}}, view="side", duration_s=4.0)
    long = _report({"cadence_spm": {**_cadence(166.0), "n": 90}}, view="side",
                   duration_s=40.0)
    result = compare_reports(short, long)
    assert result["comparable"] is True
    assert _change(result, "cadence_spm")["direction"] == "no real change"


# --------------------------------------------------------------------------- per leg


def test_per_leg_measures_are_compared_per_leg_and_on_their_difference() -> None:
    result = compare_reports(_report({FPPA: _sided(14.0, 4.0)}),
                             _report({FPPA: _sided(5.0, 5.0)}))
    assert [(c["side"], c["direction"]) for c in result["changes"]] == [
        ("left", "improved"), ("difference", "improved"), ("right", "no real change")]
    difference = _change(result, FPPA, "difference")
    assert (difference["before"], difference["after"]) == (10.0, 0.0)
    assert "difference between the legs" in difference["sentence"]


def test_one_leg_missing_compares_the_other_and_no_difference() -> None:
    result = compare_reports(_report({FPPA: _sided(14.0, None)}),
                             _report({FPPA: _sided(5.0, 5.0)}))
    assert [c["side"] for c in result["changes"]] == ["left"]


def test_toe_out_has_no_better_way_but_its_difference_does() -> None:
    key = "foot_progression_deg"
    result = compare_reports(_report({key: _sided(20.0, 5.0)}), _report({key: _sided(8.0, 6.0)}))
    assert _change(result, key, "left")["direction"] == "changed"
    assert _change(result, key, "difference")["direction"] == "improved"


def test_a_measured_difference_is_not_worked_out_again() -> None:
    metrics = {FPPA: _sided(15.0, 3.0), "knee_fppa_lr_difference_deg": _single(12.0, "deg")}
    after = {FPPA: _sided(6.0, 4.0), "knee_fppa_lr_difference_deg": _single(2.0, "deg")}
    result = compare_reports(_report(metrics, "squat"), _report(after, "squat"))
    assert [c["side"] for c in result["changes"] if c["measure"] == FPPA] == ["left", "right"]
    assert _change(result, "knee_fppa_lr_difference_deg")["direction"] == "improved"


# --------------------------------------------------------------------------- words


def _every_measure_twice() -> tuple[dict[str, Any], dict[str, Any]]:
    """A before and an after report with every running front-view measure."""
    metrics: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
    for step, when in ((0.0, "before"), (20.0, "after")):
        metrics[when] = [
            _sided(10.0 + step, 5.0, d.unit) if d.per_side else _single(30.0 + step, d.unit)
            for d in MEASURES]
    before = _report({d.key: m for d, m in zip(MEASURES, metrics["before"], strict=True)})
    after = _report({d.key: m for d, m in zip(MEASURES, metrics["after"], strict=True)})
    return before, after


def test_sentences_have_units_and_no_internal_names() -> None:
    result = compare_reports(*_every_measure_twice())
    spec = load()["measures"]
    ids = {d.key for d in MEASURES} | {d.unit for d in MEASURES if "_" in d.unit}
    assert len(result["changes"]) > len(MEASURES)
    for change in result["changes"]:
        sentence = change["sentence"]
        assert spec[change["measure"]]["unit_text"].strip() in sentence, sentence
        assert not any(name in sentence for name in ids), sentence
        assert "_" not in sentence and "{" not in sentence, sentence
        assert " deg" not in sentence and "None" not in sentence, sentence


def test_real_changes_come_first_in_changes_and_summary() -> None:
    before = _report({FPPA: _sided(6.0, 6.0), "pelvic_drop_deg": _sided(8.0, 8.0)})
    after = _report({FPPA: _sided(7.0, 6.5), "pelvic_drop_deg": _sided(3.0, 8.5)})
    result = compare_reports(before, after)
    assert [c["beyond_noise"] for c in result["changes"]][:2] == [True, True]
    lines = result["summary_lines"]
    assert lines[0].startswith("Pelvic drop, left leg: 8° before, 3° now (down 5°)")
    assert lines[1].startswith("Pelvic drop, difference between the legs")
    assert lines[2] == ("No real change in: Knee angle seen from the front (inward = positive),"
                        " Pelvic drop (right leg).")


def test_nothing_beyond_noise_is_said_plainly() -> None:
    lines = _fppa_pair(12.0, 10.0)["summary_lines"]
    assert lines[0] == "Nothing changed by more than the method can be off by."


def test_low_confidence_is_noted() -> None:
    before = _report({"cadence_spm": _cadence(160.0, confidence="low")}, view="side")
    after = _report({"cadence_spm": _cadence(170.0)}, view="side")
    result = compare_reports(before, after)
    cadence = _change(result, "cadence_spm")
    assert cadence["confidence"] == {"before": "low", "after": "high"}
    assert cadence["low_confidence_note"].startswith("The earlier measurement was less certain")
    assert "less certain" in result["summary_lines"][1]
    both = compare_reports(before, {**after, "metrics": {"cadence_spm": _cadence(170, "low")}})
    assert _change(both, "cadence_spm")["low_confidence_note"].startswith("Both")
    sure = compare_reports(after, after)
    assert _change(sure, "cadence_spm")["low_confidence_note"] is None


def test_comparison_is_json() -> None:
    result = compare_reports(*_every_measure_twice())
    assert json.loads(json.dumps(result, allow_nan=False)) == result


# --------------------------------------------------------------------------- picture


def _keyframes(folder: Path, colour: tuple[int, int, int], size: tuple[int, int],
               names: list[str]) -> dict[str, Any]:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        cv2.imwrite(str(folder / name), np.full((*size, 3), colour, dtype=np.uint8))
    images = [{"path": n, "kind": "keyframe", "caption": "x"} for n in names]
    return {**_report({}), "images": [*images, {"path": "plot_knee_fppa.png", "kind": "plot"}]}


RED, BLUE = (0, 0, 255), (255, 0, 0)  # BGR


def test_picture_puts_the_matching_keyframes_side_by_side(tmp_path: Path) -> None:
    name = "keyframe_1_knee_fppa_deg_left.png"
    before = _keyframes(tmp_path / "a", RED, (400, 300),
                        [name, "keyframe_2_knee_fppa_deg_right.png"])
    after = _keyframes(tmp_path / "b", BLUE, (200, 100), [name])
    out = side_by_side(tmp_path / "a", tmp_path / "b", before, after, tmp_path / "pair.png")
    assert out == str(tmp_path / "pair.png")
    img = cv2.imread(out)
    # both halves scaled to the smaller height (200): 150 + gap 8 + 100 wide, one row
    assert img.shape[0] > 200 and img.shape[0] < 300
    assert img.shape[1] == 150 + 8 + 100
    bottom = img.shape[0] - 5
    assert tuple(img[bottom, 75]) == RED
    assert tuple(img[bottom, 150 + 8 + 50]) == BLUE
    assert tuple(img[5, 75]) == (255, 255, 255)  # the label bar


def test_picture_stays_under_the_width_limit(tmp_path: Path) -> None:
    name = "keyframe_1_knee_flexion_at_contact_deg_right.png"
    before = _keyframes(tmp_path / "a", RED, (720, 1280), [name])
    after = _keyframes(tmp_path / "b", BLUE, (1080, 1920), [name])
    img = cv2.imread(side_by_side(tmp_path / "a", tmp_path / "b", before, after,
                                  tmp_path / "wide.png"))
    assert img.shape[1] <= MAX_WIDTH
    assert tuple(img[-5, 10]) == RED and tuple(img[-5, img.shape[1] - 10]) == BLUE


def test_no_matching_keyframe_gives_no_picture(tmp_path: Path) -> None:
    before = _keyframes(tmp_path / "a", RED, (40, 30), ["keyframe_1_knee_fppa_deg_left.png"])
    after = _keyframes(tmp_path / "b", BLUE, (40, 30), ["keyframe_1_knee_fppa_deg_right.png"])
    assert side_by_side(tmp_path / "a", tmp_path / "b", before, after, tmp_path / "x.png") is None
    assert not (tmp_path / "x.png").exists()
    missing = {**after, "images": [{"path": "keyframe_1_knee_fppa_deg_left.png",
                                    "kind": "keyframe"}]}
    (tmp_path / "c").mkdir()
    assert side_by_side(tmp_path / "a", tmp_path / "c", before, missing,
                        tmp_path / "x.png") is None


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("keyframe_1_knee_flexion_at_contact_deg_left.png",
         ("knee_flexion_at_contact_deg", "left")),
        ("keyframe_3_squat_depth_pct_leg.png", ("squat_depth_pct_leg", None)),
        ("../keyframe_1_knee_fppa_deg_left.png", None),
        ("keyframe_1_knee_fppa_deg_left.png/../../etc", None),
    ],
)
def test_keyframe_names(path: str, key: tuple[str, str | None] | None) -> None:
    assert keyframe_key({"path": path, "kind": "keyframe"}) == key


# --------------------------------------------------------------------------- real clips


@pytest.mark.timeout(120)
def test_a_re_encoded_clip_shows_no_real_change(treadmill_analysis, tmp_path: Path) -> None:
    """The treadmill clip against the ~480p, 600 kbit/s copy WhatsApp would deliver: the
    runner did not change, so no measure may change beyond its noise band."""
    if not ffmpeg_available():
        pytest.skip("ffmpeg is not installed (make setup installs it)")
    if not (SHARED / "treadmill_side_male.mp4").is_file():
        pytest.skip("shared test footage not available beside the repository")
    before, before_dir = treadmill_analysis
    variant = next(v for v in VARIANTS if v.name == "whatsapp_480p")
    copy = derive(SHARED / "treadmill_side_male.mp4", variant, tmp_path, 12.0)
    after = analyze(copy, tmp_path / "after")
    result = compare_reports(before, after)
    assert result["comparable"] is True
    measures = {c["measure"] for c in result["changes"]}
    assert {"cadence_spm", "knee_flexion_at_contact_deg", "trunk_lean_deg"} <= measures
    assert [c["sentence"] for c in result["changes"] if c["beyond_noise"]] == []
    assert result["summary_lines"][0] == "Nothing changed by more than the method can be off by."
    picture = side_by_side(before_dir, tmp_path / "after", before, after, tmp_path / "pair.png")
    assert picture is not None
    assert cv2.imread(picture).shape[1] <= MAX_WIDTH
