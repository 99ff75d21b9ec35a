"""The before/after picture: matching keyframes of two reports side by side.

A keyframe is matched by the measure and leg it shows, read from its file name
(``keyframe_<n>_<measure>[_<side>].png``, as ``pipeline`` writes them). Each matched pair
becomes one row, "Before" on the left and "After" on the right, both scaled to the same
height; rows are stacked and the whole picture is kept under :data:`MAX_WIDTH` pixels wide.

Limitations: the keyframe is the typical stride or repetition of each clip, not the same
moment of the same movement; the picture shows the pose, the numbers are in the comparison.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import cv2
import numpy as np

MAX_WIDTH = 1600  # px, the whole picture
MAX_ROW_HEIGHT = 720  # px, one before/after pair
MAX_ROWS = 4
LABEL_HEIGHT = 44  # px, the "Before"/"After" bar above each half
GAP = 8  # px between the halves and between rows
BACKGROUND = (255, 255, 255)  # BGR
INK = (30, 30, 30)  # BGR

_KEYFRAME = re.compile(r"keyframe_\d+_(?P<measure>[a-z0-9_]+?)(?:_(?P<side>left|right))?\.png")


def keyframe_key(image: dict[str, Any]) -> tuple[str, str | None] | None:
    """The measure and leg a report's image entry shows, or None when it is not a keyframe
    (or its name is not a plain file name)."""
    name = str(image.get("path", ""))
    match = _KEYFRAME.fullmatch(name)
    if image.get("kind") != "keyframe" or match is None:
        return None
    return match["measure"], match["side"]


def matching_keyframes(before_report: dict[str, Any], after_report: dict[str, Any]
                       ) -> list[tuple[str, str, str | None]]:
    """File names of keyframes showing the same measure and leg in both reports:
    ``(before_name, after_name, side)`` in the earlier report's order."""
    after: dict[tuple[str, str | None], str] = {}
    for image in after_report.get("images") or []:
        key = keyframe_key(image)
        if key is not None:
            after.setdefault(key, str(image["path"]))
    pairs = []
    for image in before_report.get("images") or []:
        key = keyframe_key(image)
        if key is not None and key in after:
            pairs.append((str(image["path"]), after.pop(key), key[1]))
    return pairs


def _scaled_to_height(img: np.ndarray, height: int) -> np.ndarray:
    width = max(1, int(img.shape[1] * height / img.shape[0]))
    return cv2.resize(img, (width, height), interpolation=cv2.INTER_AREA)


def _labelled(img: np.ndarray, label: str) -> np.ndarray:
    """``img`` under a white bar with ``label`` written on it."""
    bar = np.full((LABEL_HEIGHT, img.shape[1], 3), BACKGROUND, dtype=np.uint8)
    cv2.putText(bar, label, (10, LABEL_HEIGHT - 14), cv2.FONT_HERSHEY_SIMPLEX, 0.8, INK, 2,
                cv2.LINE_AA)
    return cv2.vconcat([bar, img])


def _padded(img: np.ndarray, height: int, width: int) -> np.ndarray:
    """``img`` padded with the background to ``height`` × ``width`` (bottom and right)."""
    return cv2.copyMakeBorder(img, 0, height - img.shape[0], 0, width - img.shape[1],
                              cv2.BORDER_CONSTANT, value=BACKGROUND)


def pair_row(before: np.ndarray, after: np.ndarray, labels: tuple[str, str]) -> np.ndarray:
    """Two BGR images side by side at the same height, each under its label, together at
    most :data:`MAX_WIDTH` wide."""
    height = min(before.shape[0], after.shape[0], MAX_ROW_HEIGHT)
    widths = [img.shape[1] * height / img.shape[0] for img in (before, after)]
    height = min(height, int(height * (MAX_WIDTH - GAP) / sum(widths)))
    halves = [_labelled(_scaled_to_height(img, height), label)
              for img, label in zip((before, after), labels, strict=True)]
    gap = np.full((halves[0].shape[0], GAP, 3), BACKGROUND, dtype=np.uint8)
    return cv2.hconcat([halves[0], gap, halves[1]])


def stack_rows(rows: list[np.ndarray]) -> np.ndarray:
    """Rows one under the other, padded to the widest."""
    width = max(row.shape[1] for row in rows)
    padded: list[np.ndarray] = []
    for row in rows:
        if padded:
            padded.append(np.full((GAP, width, 3), BACKGROUND, dtype=np.uint8))
        padded.append(_padded(row, row.shape[0], width))
    return cv2.vconcat(padded)


def _read(folder: Path, name: str) -> np.ndarray | None:
    img = cv2.imread(str(folder / name), cv2.IMREAD_COLOR)
    return img if img is not None and img.size else None


def _labels(side: str | None) -> tuple[str, str]:
    leg = f", {side} leg" if side else ""
    return f"Before{leg}", f"After{leg}"


def side_by_side(before_dir: str | Path, after_dir: str | Path, before_report: dict[str, Any],
                 after_report: dict[str, Any], out_path: str | Path) -> str | None:
    """Write a picture of the matching keyframes of two reports, before left, after right.

    Args:
        before_dir: Folder of the earlier report's pictures.
        after_dir: Folder of the later report's pictures.
        before_report: The earlier ``report.json`` as a dict.
        after_report: The later one.
        out_path: Where to write the picture (PNG or JPEG by its extension).

    Returns:
        ``out_path`` as a string, or None when no keyframe of the same measure and leg is
        found (and readable) in both.
    """
    rows = []
    for before_name, after_name, side in matching_keyframes(before_report, after_report):
        before = _read(Path(before_dir), before_name)
        after = _read(Path(after_dir), after_name)
        if before is not None and after is not None:
            rows.append(pair_row(before, after, _labels(side)))
    if not rows:
        return None
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(out), stack_rows(rows[:MAX_ROWS])):
        raise OSError(f"could not write {out}")
    return str(out)
