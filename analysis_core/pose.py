"""Pose estimation behind a small interface.

``PoseEstimator`` is all the rest of the pipeline knows about. ``MediaPipePose`` wraps
MediaPipe 0.10.21's ``solutions.pose`` with the bundled "full" model (model_complexity=1),
which works offline; another backend (e.g. a ``.task`` model through the tasks API) only
needs to return the same array layout.

Landmark layout: an array of shape (33, 4) per frame with x and y in pixels of the frame
that was passed in, z (MediaPipe's relative depth, scaled like x) and visibility in 0..1.
The 33 indices follow BlazePose.
"""

from __future__ import annotations

import logging
import os
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)

N_LANDMARKS = 33

# BlazePose landmark indices used by the analysis.
NOSE = 0
L_EAR, R_EAR = 7, 8
L_SHOULDER, R_SHOULDER = 11, 12
L_ELBOW, R_ELBOW = 13, 14
L_WRIST, R_WRIST = 15, 16
L_HIP, R_HIP = 23, 24
L_KNEE, R_KNEE = 25, 26
L_ANKLE, R_ANKLE = 27, 28
L_HEEL, R_HEEL = 29, 30
L_FOOT, R_FOOT = 31, 32

SIDES = ("left", "right")
LEG = {
    "left": {"hip": L_HIP, "knee": L_KNEE, "ankle": L_ANKLE, "heel": L_HEEL, "foot": L_FOOT},
    "right": {"hip": R_HIP, "knee": R_KNEE, "ankle": R_ANKLE, "heel": R_HEEL, "foot": R_FOOT},
}
ARM = {
    "left": {"shoulder": L_SHOULDER, "elbow": L_ELBOW, "wrist": L_WRIST},
    "right": {"shoulder": R_SHOULDER, "elbow": R_ELBOW, "wrist": R_WRIST},
}
# Pairs swapped together when left and right labels are exchanged.
LR_PAIRS = [(1, 4), (2, 5), (3, 6), (7, 8), (9, 10), (11, 12), (13, 14), (15, 16), (17, 18),
            (19, 20), (21, 22), (23, 24), (25, 26), (27, 28), (29, 30), (31, 32)]
LEG_PAIRS = [(23, 24), (25, 26), (27, 28), (29, 30), (31, 32)]

SKELETON = [(11, 12), (11, 13), (13, 15), (12, 14), (14, 16), (11, 23), (12, 24), (23, 24),
            (23, 25), (25, 27), (27, 29), (29, 31), (27, 31), (24, 26), (26, 28), (28, 30),
            (30, 32), (28, 32)]


class PoseEstimator(Protocol):
    """What the pipeline needs from a pose model."""

    name: str

    def process(self, rgb: np.ndarray) -> np.ndarray | None:
        """Return a (33, 4) landmark array in pixels of ``rgb``, or None if nobody is found."""
        ...

    def close(self) -> None:
        """Free the model."""
        ...


class MediaPipePose:
    """MediaPipe ``solutions.pose`` with the bundled full model (offline).

    MediaPipe's own landmark smoothing is switched off: the pipeline filters the signals
    itself with a zero-phase filter, which does not delay events.
    """

    name = "mediapipe-0.10.21-pose-full"

    def __init__(self, min_detection_confidence: float = 0.5,
                 min_tracking_confidence: float = 0.5) -> None:
        os.environ.setdefault("GLOG_minloglevel", "2")
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import mediapipe as mp  # imported lazily: heavy, and unit tests of maths skip it

        self._pose = mp.solutions.pose.Pose(
            static_image_mode=False,
            model_complexity=1,
            smooth_landmarks=False,
            enable_segmentation=False,
            min_detection_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence,
        )

    def process(self, rgb: np.ndarray) -> np.ndarray | None:
        """Run the model on one RGB frame."""
        result = self._pose.process(rgb)
        if result.pose_landmarks is None:
            return None
        h, w = rgb.shape[:2]
        out = np.empty((N_LANDMARKS, 4), dtype=np.float64)
        for i, lm in enumerate(result.pose_landmarks.landmark):
            out[i] = (lm.x * w, lm.y * h, lm.z * w, lm.visibility)
        return out

    def close(self) -> None:
        """Release the graph."""
        self._pose.close()


def swap_left_right(landmarks: np.ndarray) -> np.ndarray:
    """Exchange every left landmark with its right counterpart (last-but-one axis)."""
    out = landmarks.copy()
    for a, b in LR_PAIRS:
        out[..., a, :] = landmarks[..., b, :]
        out[..., b, :] = landmarks[..., a, :]
    return out
