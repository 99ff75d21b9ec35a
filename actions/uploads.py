"""The upload offer the bot hands out: a short-lived token bound to this conversation."""

from __future__ import annotations

import time
from typing import Any

from kneeapp import settings
from rasa_project.connectors.upload_token import create, secret_from_env

UPLOAD_PATH = "/webhooks/video/upload"
ACCEPTED_TYPES = ("video/mp4", "video/quicktime", "video/webm")


def upload_offer(conversation_id: str) -> dict[str, Any]:
    """The ``custom`` payload that lets the widget upload one clip into this conversation."""
    config = settings.current()
    ttl_s = config.upload_token_ttl_s
    return {
        "upload": {
            "url": UPLOAD_PATH,
            "token": create(conversation_id, secret_from_env(), ttl_s),
            "expires_at": int(time.time()) + ttl_s,
            "max_bytes": config.upload_max_bytes,
            "accept": list(ACCEPTED_TYPES),
        }
    }
