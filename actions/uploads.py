"""The upload offer the bot hands out: a short-lived token bound to this conversation."""

from __future__ import annotations

import os
import time
from typing import Any

from rasa_project.connectors.upload_token import create, secret_from_env

UPLOAD_PATH = "/webhooks/video/upload"
ACCEPTED_TYPES = ("video/mp4", "video/quicktime", "video/webm")
DEFAULT_MAX_BYTES = 200 * 1024 * 1024


def upload_ttl_s() -> int:
    """``UPLOAD_TOKEN_TTL_S``: how long an upload link stays valid (default 30 minutes)."""
    return int(os.environ.get("UPLOAD_TOKEN_TTL_S", "1800"))


def upload_offer(conversation_id: str) -> dict[str, Any]:
    """The ``custom`` payload that lets the widget upload one clip into this conversation."""
    ttl_s = upload_ttl_s()
    return {
        "upload": {
            "url": UPLOAD_PATH,
            "token": create(conversation_id, secret_from_env(), ttl_s),
            "expires_at": int(time.time()) + ttl_s,
            "max_bytes": int(os.environ.get("UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)),
            "accept": list(ACCEPTED_TYPES),
        }
    }
