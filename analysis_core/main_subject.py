"""Keeping one main subject, and repairing left/right label swaps.

MediaPipe's pose solution follows one person, but when that person leaves the frame or is
hidden it can jump to somebody else. ``main_subject_mask`` cuts the track where the body's
box jumps, and keeps the segments that belong to the longest-tracked person. A separate
people count with OpenCV's HOG person detector on a few frames tells the report whether
other people were in view.

In a pure side view MediaPipe sometimes exchanges the left and right legs for a few frames;
``fix_leg_swaps`` exchanges them back wherever the swapped assignment is closer to the
previous frame than the given one.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from analysis_core.pose import LEG_PAIRS

BODY_POINTS = [11, 12, 23, 24, 25, 26, 27, 28]


@dataclass
class SubjectResult:
    """Which pose samples belong to the main subject."""

    mask: np.ndarray
    segments: int
    switches: int


def body_boxes(landmarks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centre (T, 2) and height (T,) of the body box per sample (NaN where no person)."""
    pts = landmarks[:, BODY_POINTS, :2]
    centre = np.nanmean(pts, axis=1) if pts.size else np.zeros((0, 2))
    top = np.nanmin(landmarks[:, :, 1], axis=1)
    bottom = np.nanmax(landmarks[:, :, 1], axis=1)
    return centre, bottom - top


def main_subject_mask(landmarks: np.ndarray, jump: float = 0.6,
                      size_ratio: float = 1.6) -> SubjectResult:
    """Keep the samples of the main (longest-tracked) subject.

    A new segment starts when the body box centre moves by more than ``jump`` body heights
    between consecutive detected samples, or its height changes by more than ``size_ratio``.
    Segments similar in place and size to the longest one are kept with it.
    """
    n = len(landmarks)
    present = ~np.isnan(landmarks[:, 23, 0])
    mask = np.zeros(n, dtype=bool)
    if not present.any():
        return SubjectResult(mask, 0, 0)
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            centre, height = body_boxes(landmarks)
    labels = np.full(n, -1)
    seg = -1
    prev: int | None = None
    for i in np.flatnonzero(present):
        if prev is None:
            seg += 1
        else:
            h = max(height[prev], 1e-6)
            moved = np.linalg.norm(centre[i] - centre[prev]) / h
            ratio = max(height[i], 1e-6) / h
            if moved > jump or ratio > size_ratio or ratio < 1 / size_ratio:
                seg += 1
        labels[i] = seg
        prev = i
    counts = np.bincount(labels[labels >= 0])
    main = int(np.argmax(counts))
    ref_c = np.nanmedian(centre[labels == main], axis=0)
    ref_h = float(np.nanmedian(height[labels == main]))
    keep = {main}
    for s in range(seg + 1):
        if s == main:
            continue
        c = np.nanmedian(centre[labels == s], axis=0)
        h = float(np.nanmedian(height[labels == s]))
        if np.linalg.norm(c - ref_c) / ref_h < jump and 1 / size_ratio < h / ref_h < size_ratio:
            keep.add(s)
    mask = np.isin(labels, list(keep))
    switches = int(np.sum(np.diff(labels[present]) != 0))
    return SubjectResult(mask, seg + 1, switches)


def fix_leg_swaps(landmarks: np.ndarray) -> tuple[np.ndarray, int]:
    """Undo frame-to-frame exchanges of the left and right legs.

    Returns:
        The corrected copy and the number of samples that were swapped back.
    """
    out = landmarks.copy()
    left = [a for a, _ in LEG_PAIRS[1:]]
    right = [b for _, b in LEG_PAIRS[1:]]
    fixed = 0
    prev: int | None = None
    for i in range(len(out)):
        if np.isnan(out[i, 25, 0]) or np.isnan(out[i, 26, 0]):
            continue
        if prev is not None:
            cur_l, cur_r = out[i, left, :2], out[i, right, :2]
            pl, pr = out[prev, left, :2], out[prev, right, :2]
            norm = np.linalg.norm
            keep = np.nansum(norm(cur_l - pl, axis=1) + norm(cur_r - pr, axis=1))
            swap = np.nansum(norm(cur_l - pr, axis=1) + norm(cur_r - pl, axis=1))
            if swap < 0.5 * keep:
                for a, b in LEG_PAIRS[1:]:
                    out[i, [a, b]] = out[i, [b, a]]
                fixed += 1
        prev = i
    return out, fixed


_HOG: cv2.HOGDescriptor | None = None


def count_people(frame_bgr: np.ndarray) -> int:
    """Number of upright people found by OpenCV's HOG detector (bundled, offline)."""
    global _HOG
    if _HOG is None:
        _HOG = cv2.HOGDescriptor()
        _HOG.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())  # type: ignore[attr-defined]
    img = frame_bgr
    scale = 640 / max(img.shape[:2])
    if scale < 1:
        img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    rects, weights = _HOG.detectMultiScale(img, winStride=(8, 8), padding=(8, 8), scale=1.05)
    if len(rects) == 0:
        return 0
    boxes = [list(map(int, r)) for r in rects]
    scores = [float(w) for w in np.ravel(weights)]
    keep = cv2.dnn.NMSBoxes(boxes, scores, 0.5, 0.3)
    return len(keep)
