"""Settings read from the environment at call time (docs/video_flow.md, "Settings").

Every function reads ``os.environ`` when called, so a test or a process can change a
variable without reloading modules.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ANALYSIS_TIME_LIMIT_S = 240.0
DEFAULT_ANALYSIS_MEMORY_MB = 1500


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number") from exc


def _int(name: str, default: int) -> int:
    return int(_float(name, float(default)))


def database_url() -> str:
    """``DATABASE_URL``, default ``sqlite:///<repo>/var/app.db``."""
    url = os.environ.get("DATABASE_URL", "").strip()
    return url or f"sqlite:///{REPO_ROOT / 'var' / 'app.db'}"


def media_dir() -> Path:
    """``MEDIA_DIR``, default ``<repo>/var/media``."""
    raw = os.environ.get("MEDIA_DIR", "").strip()
    return Path(raw) if raw else REPO_ROOT / "var" / "media"


def queue_backend() -> str:
    """``QUEUE_BACKEND``: ``local`` (default) or ``rq``."""
    backend = os.environ.get("QUEUE_BACKEND", "").strip().lower() or "local"
    if backend not in ("local", "rq"):
        raise ValueError("QUEUE_BACKEND must be 'local' or 'rq'")
    return backend


def redis_url() -> str:
    """``REDIS_URL``, default ``redis://127.0.0.1:6379/0``."""
    return os.environ.get("REDIS_URL", "").strip() or "redis://127.0.0.1:6379/0"


def rq_queue_name() -> str:
    """``RQ_QUEUE``, the RQ queue's name (default ``analysis``)."""
    return os.environ.get("RQ_QUEUE", "").strip() or "analysis"


def rasa_url() -> str:
    """``RASA_URL``, default ``http://127.0.0.1:${RASA_PORT:-5005}``."""
    url = os.environ.get("RASA_URL", "").strip()
    if url:
        return url.rstrip("/")
    port = os.environ.get("RASA_PORT", "").strip() or "5005"
    return f"http://127.0.0.1:{port}"


def rasa_token() -> str | None:
    """``RASA_TOKEN``: Rasa's ``--auth-token`` if the server was started with one."""
    return os.environ.get("RASA_TOKEN", "").strip() or None


def video_retention_s() -> float:
    """``VIDEO_RETENTION_S``: seconds a raw upload is kept after its analysis (0 = none)."""
    return max(0.0, _float("VIDEO_RETENTION_S", 0.0))


def analysis_time_limit_s() -> float:
    """``ANALYSIS_TIME_LIMIT_S``: wall-clock limit of one analysis (default 240)."""
    return max(1.0, _float("ANALYSIS_TIME_LIMIT_S", DEFAULT_ANALYSIS_TIME_LIMIT_S))


def analysis_memory_mb() -> int:
    """``ANALYSIS_MEMORY_MB``: address-space limit of the analysis process (default 1500)."""
    return max(64, _int("ANALYSIS_MEMORY_MB", DEFAULT_ANALYSIS_MEMORY_MB))


def worker_concurrency() -> int:
    """``WORKER_CONCURRENCY``: jobs one local worker runs at once (default 1)."""
    return max(1, _int("WORKER_CONCURRENCY", 1))


def heartbeat_s() -> float:
    """``WORKER_HEARTBEAT_S``: seconds between heartbeats of a running job (default 5)."""
    return max(0.05, _float("WORKER_HEARTBEAT_S", 5.0))


def stale_after_s() -> float:
    """``WORKER_STALE_S``: a running job without heartbeat for this long is lost (default 60)."""
    return max(0.2, _float("WORKER_STALE_S", 60.0))


def poll_s() -> float:
    """``WORKER_POLL_S``: seconds between looks for queued jobs when idle (default 1)."""
    return max(0.05, _float("WORKER_POLL_S", 1.0))


def notify_attempts() -> int:
    """``NOTIFY_ATTEMPTS``: tries to reach Rasa before giving up (default 5)."""
    return max(1, _int("NOTIFY_ATTEMPTS", 5))


def notify_backoff_s() -> float:
    """``NOTIFY_BACKOFF_S``: first wait between tries, doubled each time (default 1)."""
    return max(0.0, _float("NOTIFY_BACKOFF_S", 1.0))


def video_clarify_s() -> float:
    """``VIDEO_CLARIFY_S``: how long an upload is kept when its analysis could not tell the
    activity or camera view, so it can be analysed again once the runner says (default 900)."""
    return max(0.0, _float("VIDEO_CLARIFY_S", 900.0))


def orphan_upload_s() -> float:
    """``ORPHAN_UPLOAD_S``: an upload never registered as a video is deleted after this
    many seconds (default 3600)."""
    return max(60.0, _float("ORPHAN_UPLOAD_S", 3600.0))
