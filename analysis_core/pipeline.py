"""``analyze``: the whole chain from a video file to ``report.json`` and pictures."""

from __future__ import annotations

import json
import logging
import secrets
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from analysis_core import classify, metrics, quality, render
from analysis_core.findings import make_findings, measure_table, with_unit
from analysis_core.main_subject import main_subject_mask
from analysis_core.pose_run import POSE_MAX_LONG_SIDE, PoseRun, run_pose
from analysis_core.reference import load
from analysis_core.track import build_track
from analysis_core.video_io import probe, read_frames_at
from content_schema.vocabulary import ACTIVITIES, VIEWS

log = logging.getLogger(__name__)

SCHEMA_VERSION = "1.0"


def analyze(video_path: str | Path, out_dir: str | Path, activity: str | None = None,
            view: str | None = None, time_limit_s: float | None = None) -> dict[str, Any]:
    """Analyse one video and write ``out_dir/report.json`` plus pictures.

    Args:
        video_path: The video file (mp4, mov, webm...).
        out_dir: Output folder (created if needed).
        activity: Override of the detected activity (running, squat, single_leg_squat,
            walking).
        view: Override of the detected camera view (front, back, side).
        time_limit_s: Wall-clock budget; the pose pass stops when it is spent and the
            report is built from the frames analysed so far.

    Returns:
        The report dict (also written as JSON).

    Raises:
        VideoError: When the file is not a readable video.
        ValueError: For an unknown activity or view override.
    """
    if activity is not None and activity not in ACTIVITIES:
        raise ValueError(f"activity must be one of {ACTIVITIES}")
    if view is not None and view not in VIEWS:
        raise ValueError(f"view must be one of {VIEWS}")
    started = time.monotonic()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    run_id = secrets.token_hex(4)
    info = probe(video_path)
    log.info("analysis %s: %dx%d %.1f fps %d frames", run_id, info.width, info.height,
             info.fps, info.frame_count)
    deadline = started + time_limit_s if time_limit_s else None
    pose = run_pose(video_path, info, deadline=deadline)
    report = _build(pose, info, activity, view, out, run_id, str(video_path))
    report["timing"] = {"pose_s": round(pose.seconds, 2),
                        "total_s": round(time.monotonic() - started, 2),
                        "pose_processes": pose.workers}
    if pose.split_note:
        report["notes"].append(pose.split_note)
    (out / "report.json").write_text(json.dumps(report, indent=2, allow_nan=False),
                                     encoding="utf-8")
    return report


def _readable_seconds(pose: PoseRun, info: Any) -> float | None:
    """Seconds that could be decoded when the file ends early, else None.

    A container cut off part-way announces more frames than it holds; a shortfall of more
    than a tenth (beyond the time limits, which are reported on their own) means the same.
    """
    if pose.timed_out or pose.truncated or not len(pose.frame_index):
        return None
    decoded = int(pose.frame_index[-1]) + 1
    if info.cut_off or decoded < 0.9 * info.frame_count:
        return decoded / info.fps
    return None


def _subject_section(pose: PoseRun, sub: Any) -> dict[str, Any]:
    others = max(pose.people_counts, default=0) >= 2
    several = others or sub.segments > 1
    if several:
        note = ("More than one person appeared; the analysis followed the person tracked "
                "longest and ignored the others.")
    else:
        note = "One person was followed."
    return {
        "several_people": bool(several),
        "tracked_segments": int(sub.segments),
        "track_switches": int(sub.switches),
        "people_detector_max": int(max(pose.people_counts, default=0)),
        "note": note,
    }


def _build(pose: PoseRun, info: Any, activity: str | None, view: str | None, out: Path,
           run_id: str, video_path: str) -> dict[str, Any]:
    sub = main_subject_mask(pose.landmarks)
    q = quality.frame_checks(pose.landmarks, sub.mask, pose.width, pose.height,
                             min(info.width, info.height), info.fps)
    if pose.timed_out:
        q.add("time_limit", "warning",
              "The time limit was reached; only the first part of the clip was analysed.")
    if pose.truncated:
        q.add("time_limit", "warning", "Only the first 60 seconds of the clip were analysed.")
    readable_s = _readable_seconds(pose, info)
    if readable_s is not None:
        q.add("incomplete", "warning",
              f"The file seems to have been cut off while it was sent: only the first "
              f"{readable_s:.0f} of {info.duration_s:.0f} seconds could be read, and the "
              "measures come from that part.", first=True)
    subject = _subject_section(pose, sub)
    if subject["several_people"]:
        q.add("several_people", "warning", subject["note"])
    report: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "analysis_id": run_id,
        "generator": {"package": "analysis_core", "pose_model": pose.model},
        "video": info.to_dict(),
        "activity": activity or "unknown",
        "activity_source": "override" if activity else "auto",
        "view": view or "unknown",
        "view_source": "override" if view else "auto",
        "subject": subject,
        "metrics": {},
        "measures": [],
        "metrics_omitted": {},
        "findings": [],
        "images": [],
        "limits": list(load()["limits"]),
        "notes": [],
    }
    track = None
    if q.usable:
        track = build_track(pose.landmarks, pose.fs, pose.frame_index, pose.width, pose.height,
                            sub.mask)
        v = classify.detect_view(track)
        view = view or v.label
        a = classify.detect_activity(track, view)
        activity = activity or a.label
        report.update(activity=activity, view=view,
                      detection={"activity": {"label": a.label, "confidence": a.confidence,
                                              "evidence": _clean(a.evidence)},
                                 "view": {"label": v.label, "confidence": v.confidence,
                                          "evidence": _clean(v.evidence)}})
        if view == "side":
            track = build_track(pose.landmarks, pose.fs, pose.frame_index, pose.width,
                                pose.height, sub.mask, fix_swaps=True)
        res = metrics.compute(track, activity, view, info.fps)
        quality.activity_checks(q, activity, view, res.counts)
        report["counts"] = res.counts
        report["notes"] = track.notes + res.notes
        if q.usable:
            report["metrics"] = res.metrics
            report["metrics_omitted"] = res.omitted
            report["findings"] = make_findings(res.metrics, activity)
            report["measures"] = measure_table(res.metrics, activity, report["findings"])
            report["images"] = _pictures(res, track, pose, video_path, out, activity)
        else:
            report["metrics_omitted"] = {"all": "footage did not pass the quality checks"}
    else:
        report["metrics_omitted"] = {"all": "footage did not pass the quality checks"}
    report["quality"] = {
        "usable": q.usable,
        "issues": q.issues,
        "fps": round(info.fps, 3),
        "pose_rate_hz": round(pose.fs, 3),
        "frames": int(info.frame_count),
        "frames_analysed": len(pose.landmarks),
        "frames_with_person": int(q.stats.get("frames_with_person", 0)) * pose.stride,
        "stats": q.stats,
        "retake_tip": q.retake_tip(),
    }
    return report


def _clean(d: dict[str, float]) -> dict[str, float | None]:
    return {k: (None if not np.isfinite(v) else v) for k, v in d.items()}


def _pictures(res: metrics.MetricsResult, track: Any, pose: PoseRun, video_path: str,
              out: Path, activity: str) -> list[dict[str, str]]:
    images: list[dict[str, str]] = []
    wanted = [int(track.frame_index[m.sample]) for m in res.key_moments]
    frames = read_frames_at(video_path, wanted, POSE_MAX_LONG_SIDE, thumbs=pose.thumbs)
    for k, m in enumerate(res.key_moments):
        frame = frames.get(int(track.frame_index[m.sample]))
        if frame is None:
            continue
        sx = frame.shape[1] / track.width
        sy = frame.shape[0] / track.height
        lm = track.lm[m.sample].copy()
        lm[:, 0] *= sx
        lm[:, 1] *= sy
        name = f"keyframe_{k + 1}_{m.measure}{'_' + m.side if m.side else ''}.png"
        cv2.imwrite(str(out / name), render.draw_keyframe(frame, lm, m))
        images.append({"path": name, "kind": "keyframe",
                       "caption": f"{m.caption}: {with_unit(m.value, m.measure)}."})
    for key, group in render.group_series(res.series).items():
        title, ylabel = render.plot_labels(key)
        caption = f"{title}; {render.dots_meaning(key, activity)}"
        name = f"plot_{key}.png"
        render.plot_series(out / name, title, group, ylabel)
        images.append({"path": name, "caption": caption, "kind": "plot"})
    return images
