"""The key pictures of a video analysis, for the printed summary.

The summary names its pictures by the URLs the chat shows them under
(``/webhooks/video/media/<job_id>/<file>.png``, ``triage.video.images``); the files are in
``MEDIA_DIR/results/<job_id>/``. Only names that resolve inside the job's folder are used
(:func:`kneeapp.store.media.result_file_from_url`), so a summary can never make the PDF read
another file.

Which pictures are key: the annotated keyframes of measures that stood out clearly
(``marked``) first, then of those slightly outside the usual range (``mild``), then the
other keyframes, then the plots over time, each group in the analysis's own order.
Captions come from the analysis's ``report.json`` next to the pictures.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from kneeapp.store.media import result_file_from_url

#: At most this many pictures go into the printed summary.
MAX_KEY_PICTURES = 3
#: A report larger than this is not read for captions.
MAX_REPORT_BYTES = 2_000_000
KEYFRAME_PREFIX = "keyframe_"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


def key_pictures(
    image_urls: Sequence[str],
    results_dir: Path,
    *,
    notable_measures: Mapping[str, str] | Collection[str] = (),
    limit: int = MAX_KEY_PICTURES,
) -> list[Path]:
    """The analysis pictures worth printing, as existing files inside ``results_dir``.

    Args:
        image_urls: ``triage.video.images`` of a summary.
        results_dir: ``MEDIA_DIR/results``.
        notable_measures: Measures whose finding stood out, with its severity (``marked``
            or ``mild``; a plain collection counts as ``mild``): their keyframes come first,
            ``marked`` before ``mild``.
        limit: How many pictures at most.

    Returns:
        Up to ``limit`` resolved paths, most telling first; URLs that do not name a picture
        of the results folder (another URL, ``..``, a missing file, not an image) are left
        out.
    """
    found: list[Path] = []
    for url in image_urls:
        path = result_file_from_url(results_dir, str(url))
        if path is not None and path.suffix.lower() in IMAGE_SUFFIXES and path not in found:
            found.append(path)
    severities = (dict(notable_measures) if isinstance(notable_measures, Mapping)
                  else dict.fromkeys(notable_measures, "mild"))
    return sorted(found, key=lambda path: _rank(path, severities))[:max(limit, 0)]


#: The order of pictures: keyframes by how much their measure stood out, then the plots.
_KEYFRAME_RANK = {"marked": 0, "mild": 1}
_OTHER_KEYFRAME, _PLOT = 2, 3


def _rank(path: Path, severities: Mapping[str, str]) -> int:
    if not path.name.startswith(KEYFRAME_PREFIX):
        return _PLOT
    ranks = [_KEYFRAME_RANK.get(severity, _OTHER_KEYFRAME)
             for measure, severity in severities.items() if f"_{measure}" in path.stem]
    return min(ranks, default=_OTHER_KEYFRAME)


def notable_measures(video: Mapping[str, Any]) -> dict[str, str]:
    """Measures of a summary's video block whose finding is mild or marked, with the worst
    severity of each."""
    found: dict[str, str] = {}
    for finding in video.get("findings") or []:
        if not isinstance(finding, Mapping) or finding.get("severity") not in _KEYFRAME_RANK:
            continue
        measure, severity = str(finding.get("measure")), str(finding["severity"])
        if _KEYFRAME_RANK[severity] < _KEYFRAME_RANK.get(found.get(measure, ""), 9):
            found[measure] = severity
    return found


def summary_pictures(video: Mapping[str, Any] | None, results_dir: Path,
                     limit: int = MAX_KEY_PICTURES) -> list[Path]:
    """:func:`key_pictures` of a summary's video block (none without one)."""
    if not video:
        return []
    return key_pictures(list(video.get("images") or []), results_dir,
                        notable_measures=notable_measures(video), limit=limit)


def caption(picture: Path) -> str:
    """The picture's caption from the analysis report beside it, or "" when it has none."""
    report = picture.parent / "report.json"
    try:
        if report.stat().st_size > MAX_REPORT_BYTES:
            return ""
        images = json.loads(report.read_text(encoding="utf-8")).get("images") or []
    except (OSError, ValueError, AttributeError):
        return ""
    for image in images:
        if isinstance(image, Mapping) and Path(str(image.get("path", ""))).name == picture.name:
            return " ".join(str(image.get("caption") or "").split())
    return ""
