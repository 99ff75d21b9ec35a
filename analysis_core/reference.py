"""Loading the reference data (thresholds with sources, texts, retake tips)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from content_schema import check_file
from content_schema.video_reference import VideoReferenceFile

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "data" / "video_reference.yml"


@functools.lru_cache(maxsize=4)
def load(path: str | None = None) -> dict[str, Any]:
    """Parse ``data/video_reference.yml`` (cached), checked against
    :class:`content_schema.video_reference.VideoReferenceFile`.

    Raises:
        content_schema.ContentError: If the file is missing or malformed.
    """
    data: dict[str, Any] = check_file(Path(path or DEFAULT_PATH), VideoReferenceFile)
    return data


def by_activity(value: Any, activity: str) -> Any:
    """A value that may be given per activity (a dict) or once for all."""
    if isinstance(value, dict):
        return value.get(activity)
    return value
