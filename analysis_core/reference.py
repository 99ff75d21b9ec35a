"""Loading the reference data (thresholds with sources, texts, retake tips)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "data" / "video_reference.yml"


@functools.lru_cache(maxsize=4)
def load(path: str | None = None) -> dict[str, Any]:
    """Parse ``data/video_reference.yml`` (cached)."""
    with open(path or DEFAULT_PATH, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if not isinstance(data, dict) or "measures" not in data:
        raise ValueError("video reference file has no 'measures' section")
    return data


def by_activity(value: Any, activity: str) -> Any:
    """A value that may be given per activity (a dict) or once for all."""
    if isinstance(value, dict):
        return value.get(activity)
    return value
