"""The media store on disk (docs/video_flow.md, "Media store layout").

``MEDIA_DIR/uploads/<video_id>.<ext>`` and its sidecar ``<video_id>.json`` (written by the
upload connector), ``MEDIA_DIR/results/<job_id>/`` (written by the worker). Ids are checked
against ``^[0-9a-f]{32}$`` before any path is built, so an id coming from a message can
never point outside the store.

A result file is named in the chat by the path the upload connector serves it under,
``/webhooks/video/media/<job_id>/<file>``: the web widget fetches that URL, the messaging
channels and the clinician summary PDF read the file itself (:func:`result_file_from_url`).
Only names that cannot leave the job's folder are resolved.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from kneeapp import settings

ID_RE = re.compile(r"^[0-9a-f]{32}$")
CONTAINERS = ("mp4", "mov", "webm")
#: Where the upload connector serves ``MEDIA_DIR/results/<job_id>/<file>``.
MEDIA_URL_PREFIX = "/webhooks/video/media/"
RESULT_FILENAME_RE = re.compile(r"[A-Za-z0-9._-]+")
#: The result files that may be served or read, by extension.
MEDIA_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "json": "application/json",
    "mp4": "video/mp4",
}


class InvalidId(ValueError):
    """An id that is not 32 lowercase hex characters."""


def check_id(value: str) -> str:
    """Return ``value`` if it is a valid video or job id.

    Args:
        value: The id to check.

    Returns:
        The same id.

    Raises:
        InvalidId: It is not 32 lowercase hex characters.
    """
    if not isinstance(value, str) or not ID_RE.fullmatch(value):
        raise InvalidId("not a valid id")
    return value


def uploads_dir() -> Path:
    """``MEDIA_DIR/uploads``."""
    return settings.current().media_dir / "uploads"


def results_root() -> Path:
    """``MEDIA_DIR/results``."""
    return settings.current().media_dir / "results"


def result_dir(job_id: str) -> Path:
    """``MEDIA_DIR/results/<job_id>``."""
    return results_root() / check_id(job_id)


def sidecar_path(video_id: str) -> Path:
    """``MEDIA_DIR/uploads/<video_id>.json``."""
    return uploads_dir() / f"{check_id(video_id)}.json"


def upload_path(video_id: str, container: str | None = None) -> Path | None:
    """The raw upload of ``video_id``, or None when it is not on disk.

    Args:
        video_id: The video's id.
        container: ``mp4``/``mov``/``webm`` if known; otherwise every known extension is tried.

    Returns:
        The existing file's path, or None.
    """
    check_id(video_id)
    exts = [container] if container in CONTAINERS else list(CONTAINERS)
    for ext in exts:
        path = uploads_dir() / f"{video_id}.{ext}"
        if path.is_file():
            return path
    return None


def read_sidecar(video_id: str) -> dict[str, Any] | None:
    """The upload's sidecar JSON, or None when missing or unreadable.

    Args:
        video_id: The video's id.

    Returns:
        The sidecar's fields (``video_id``, ``conversation_id``, ``sha256``,
        ``size_bytes``, ``container``, ``received_at``) or None.
    """
    try:
        data = json.loads(sidecar_path(video_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def delete_upload(video_id: str) -> int:
    """Delete the raw upload and its sidecar.

    Args:
        video_id: The video's id.

    Returns:
        How many files were removed.
    """
    check_id(video_id)
    removed = 0
    for path in [uploads_dir() / f"{video_id}.{ext}" for ext in CONTAINERS] + [
        sidecar_path(video_id)
    ]:
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            continue
    return removed


def delete_result(job_id: str) -> int:
    """Delete ``MEDIA_DIR/results/<job_id>/`` and its temporary twin, if present.

    Args:
        job_id: The job's id.

    Returns:
        How many files were removed.
    """
    removed = 0
    for path in (result_dir(job_id), tmp_result_dir(job_id)):
        if path.is_dir():
            removed += sum(1 for p in path.rglob("*") if p.is_file())
            shutil.rmtree(path, ignore_errors=True)
    return removed


def tmp_result_dir(job_id: str) -> Path:
    """Where a running job writes before its result is moved into place."""
    return results_root() / f".{check_id(job_id)}.partial"


def uploads_of(conversation_id: str) -> list[str]:
    """Video ids of every sidecar in the uploads folder that names ``conversation_id``.

    Args:
        conversation_id: The conversation.

    Returns:
        The video ids (including uploads never registered in the database).
    """
    folder = uploads_dir()
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob("*.json"):
        if not ID_RE.fullmatch(path.stem):
            continue
        data = read_sidecar(path.stem)
        if data is not None and data.get("conversation_id") == conversation_id:
            found.append(path.stem)
    return found


def result_file(results_dir: Path, job_id: str, filename: str) -> Path | None:
    """The existing file ``filename`` of job ``job_id``, or None for any other name.

    Args:
        results_dir: ``MEDIA_DIR/results``.
        job_id: The job's id (32 lowercase hex characters).
        filename: A plain file name with a known extension (:data:`MEDIA_TYPES`).

    Returns:
        The resolved path inside ``results_dir/job_id``, or None (a bad id or name, a name
        leading elsewhere, or no such file).
    """
    if not ID_RE.fullmatch(job_id) or not RESULT_FILENAME_RE.fullmatch(filename):
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
    """The file a picture URL of the chat names, or None (another URL, or no such file)."""
    if not url.startswith(MEDIA_URL_PREFIX):
        return None
    job_id, _, filename = url[len(MEDIA_URL_PREFIX):].partition("/")
    return result_file(results_dir, job_id, filename)
