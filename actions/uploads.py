"""The links the bot hands out with a short-lived token bound to this conversation: the
upload offer, and the summary PDF's download."""

from __future__ import annotations

import time
from typing import Any

from kneeapp import settings
from rasa_project.connectors.upload_token import create, secret_from_env

UPLOAD_PATH = "/webhooks/video/upload"
#: The Rasa route that serves the latest assessment as the clinician PDF
#: (rasa_project/connectors/summary_pdf.py).
SUMMARY_PDF_PATH = "/webhooks/summary/pdf"
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


def summary_pdf_link(conversation_id: str) -> dict[str, Any]:
    """What the summary message adds for the web widget: where its PDF is, and the token that
    opens it (``{"pdf": {"url", "token", "expires_at"}}``; docs/clinic_summary.md, "PDF")."""
    ttl_s = settings.current().upload_token_ttl_s
    return {
        "pdf": {
            "url": SUMMARY_PDF_PATH,
            "token": create(conversation_id, secret_from_env(), ttl_s),
            "expires_at": int(time.time()) + ttl_s,
        }
    }
