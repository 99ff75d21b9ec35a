"""The analysis pictures a chat may show: ``MEDIA_DIR/results/<job_id>/<file>``, by name.

The bot's messages point at a picture with the path the upload connector serves it under
(``/webhooks/video/media/<job_id>/<file>``): the web widget fetches that URL, a messaging
channel reads the file and sends its bytes (clinical images get no public URL). Only
names that cannot leave the job's folder are resolved.
"""

from __future__ import annotations

import re
from pathlib import Path

MEDIA_URL_PREFIX = "/webhooks/video/media/"
JOB_ID_RE = re.compile(r"[0-9a-f]{32}")
FILENAME_RE = re.compile(r"[A-Za-z0-9._-]+")
MEDIA_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "json": "application/json",
    "mp4": "video/mp4",
}


def result_file(results_dir: Path, job_id: str, filename: str) -> Path | None:
    """The existing file ``filename`` of job ``job_id``, or None for any other name."""
    if not JOB_ID_RE.fullmatch(job_id) or not FILENAME_RE.fullmatch(filename):
        return None
    if filename.startswith(".") or ".." in filename:
        return None
    if filename.rpartition(".")[2].lower() not in MEDIA_TYPES:
        return None
    root = results_dir.resolve()
    path = (root / job_id / filename).resolve()
    if not path.is_relative_to(root / job_id) or not path.is_file():
        return None
    return path


def result_file_from_url(results_dir: Path, url: str) -> Path | None:
    """The file a bot message's picture URL names, or None (another URL, or no such file)."""
    if not url.startswith(MEDIA_URL_PREFIX):
        return None
    job_id, _, filename = url[len(MEDIA_URL_PREFIX):].partition("/")
    return result_file(results_dir, job_id, filename)
