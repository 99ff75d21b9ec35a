"""The ``triage.video`` block of the clinic summary, from an analysis report.

Pure (no Rasa, no database): the action server puts it in the summary at the end of an
assessment, and the worker sends it to the clinic's helpdesk when an analysis finishes later.
The report is ``analysis_core``'s report.json (docs/analysis_core.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kneeapp.store.media import MEDIA_URL_PREFIX

#: Measures whose raw numbers the clinic receives (``measures``), when the report has them.
KEY_MEASURES = (
    "cadence_spm",
    "knee_fppa_deg",
    "pelvic_drop_deg",
    "foot_progression_deg",
    "knee_flexion_at_contact_deg",
    "overstride",
    "trunk_lean_deg",
)
def media_url(job_id: str, relative_path: str) -> str:
    """The URL the chat shows for one of the job's pictures (served by the upload connector)."""
    name = relative_path.rsplit("/", 1)[-1]
    return f"{MEDIA_URL_PREFIX}{job_id}/{name}"


def counted(report: Mapping[str, Any]) -> str:
    """"14 steps" or "2 repetitions": what the measures rest on."""
    counts = report.get("counts") or {}
    for key, one, many in (("reps", "repetition", "repetitions"), ("steps", "step", "steps")):
        if counts.get(key):
            return f"{counts[key]} {one if counts[key] == 1 else many}"
    return ""


def video_summary(job_id: str, report: Mapping[str, Any]) -> dict[str, Any]:
    """The ``triage.video`` block of the clinic summary."""
    metrics = report.get("metrics", {})
    return {
        "job_id": job_id,
        "activity": report.get("activity"),
        "view": report.get("view"),
        "usable": bool(report.get("quality", {}).get("usable")),
        "measures": {name: metrics[name] for name in KEY_MEASURES if name in metrics},
        "counted": counted(report),
        "measures_in_words": [
            {k: row.get(k) for k in ("measure", "label", "value", "typical", "confidence",
                                     "severity")}
            for row in report.get("measures") or []
        ],
        "findings": [
            {
                k: f.get(k)
                for k in ("id", "measure", "side", "severity", "contributor", "confidence")
            }
            for f in report.get("findings", [])
        ],
        "images": [media_url(job_id, image["path"]) for image in report.get("images", [])],
    }
