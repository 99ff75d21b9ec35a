"""The analysis pictures a chat may show, by the URL the bot's messages use.

The resolution itself lives in :mod:`kneeapp.store.media` (one copy, shared with the
clinician summary PDF in both environments); the connectors import it from here.
"""

from __future__ import annotations

from kneeapp.store.media import (
    MEDIA_TYPES,
    MEDIA_URL_PREFIX,
    result_file,
    result_file_from_url,
)

__all__ = ["MEDIA_TYPES", "MEDIA_URL_PREFIX", "result_file", "result_file_from_url"]
