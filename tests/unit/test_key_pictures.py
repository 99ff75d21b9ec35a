"""Which analysis pictures the printed summary shows (kneeapp/clinic/pictures.py)."""

from __future__ import annotations

import json
from pathlib import Path

from kneeapp.clinic.pictures import caption, key_pictures, notable_measures, summary_pictures
from tests.clinic_cases import JOB_ID, analysis_report, level_summary, write_results

PREFIX = f"/webhooks/video/media/{JOB_ID}/"


def test_keyframes_of_what_stood_out_come_first_and_the_limit_holds(tmp_path: Path) -> None:
    write_results(tmp_path)
    video = level_summary("self_care", video=True)["triage"]["video"]
    chosen = [path.name for path in summary_pictures(video, tmp_path)]
    assert chosen == ["keyframe_2_knee_fppa_deg_right.png", "keyframe_3_knee_fppa_deg_left.png",
                      "keyframe_1_cadence_spm.png"]
    assert len(summary_pictures(video, tmp_path, limit=1)) == 1
    assert summary_pictures(None, tmp_path) == []


def test_without_findings_the_analysis_order_holds_keyframes_before_plots(
        tmp_path: Path) -> None:
    folder = write_results(tmp_path)
    urls = [PREFIX + image["path"] for image in analysis_report()["images"]]
    chosen = key_pictures(urls, tmp_path, limit=4)
    assert [path.name for path in chosen] == [
        "keyframe_1_cadence_spm.png", "keyframe_2_knee_fppa_deg_right.png",
        "keyframe_3_knee_fppa_deg_left.png", "plot_knee_fppa.png"]
    assert all(path.parent == folder.resolve() for path in chosen)


def test_only_existing_pictures_inside_the_results_folder_are_returned(tmp_path: Path) -> None:
    results = tmp_path / "results"
    folder = write_results(results)
    (tmp_path / "secret.png").write_bytes(b"not for the pdf")
    (folder / "notes.json").write_text("{}")
    (folder / "link.png").symlink_to(tmp_path / "secret.png")
    urls = [
        PREFIX + "../../secret.png", PREFIX + "..%2F..%2Fsecret.png", "/etc/passwd",
        f"/webhooks/video/media/{'0' * 31}/keyframe_1_cadence_spm.png", PREFIX + "missing.png",
        PREFIX + "notes.json", PREFIX + "report.json", PREFIX + "link.png",
        "https://example.org/x.png", PREFIX + "keyframe_1_cadence_spm.png",
        PREFIX + "keyframe_1_cadence_spm.png",
    ]
    assert key_pictures(urls, results) == [folder.resolve() / "keyframe_1_cadence_spm.png"]


def test_marked_outranks_mild_for_the_same_measure() -> None:
    video = {"findings": [{"measure": "knee_fppa_deg", "severity": "mild"},
                          {"measure": "knee_fppa_deg", "severity": "marked"},
                          {"measure": "cadence_spm", "severity": "none"}]}
    assert notable_measures(video) == {"knee_fppa_deg": "marked"}


def test_captions_come_from_the_report_beside_the_picture(tmp_path: Path) -> None:
    folder = write_results(tmp_path)
    assert caption(folder / "keyframe_1_cadence_spm.png") == "A step at landing"
    assert caption(folder / "unknown.png") == ""
    (folder / "report.json").write_text(json.dumps(["not", "a", "report"]))
    assert caption(folder / "keyframe_1_cadence_spm.png") == ""
    (folder / "report.json").unlink()
    assert caption(folder / "keyframe_1_cadence_spm.png") == ""
