"""Telling Rasa that a job finished: ``trigger_intent`` ``EXTERNAL_analysis_ready``.

Logs name the job id only, never the conversation, the URL's token or any health text.

The retry loop is written out rather than urllib3's ``Retry``: each try is logged with its
job id, the first wait is ``NOTIFY_BACKOFF_S`` (``Retry`` retries the first time at once),
and only the statuses below are retried.
"""

from __future__ import annotations

import logging
import re
import time
from urllib.parse import quote

import requests

from kneeapp import rasa_api, settings
from kneeapp.jobs import queue

log = logging.getLogger(__name__)

INTENT = "EXTERNAL_analysis_ready"
TIMEOUT_S = 10.0
_RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}
_TOKEN_RE = re.compile(r"(token=)[^&\s\"']+")


class _RedactToken(logging.Filter):
    """Hides ``token=...`` in urllib3's debug lines (they print the request URL)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "token=" in message:
            record.msg, record.args = _TOKEN_RE.sub(r"\1***", message), ()
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_RedactToken())


def notify_rasa(conversation_id: str, job_id: str, attempts: int | None = None) -> bool:
    """POST ``{RASA_URL}/conversations/{id}/trigger_intent?output_channel=latest``,
    authenticated with ``RASA_TOKEN`` or a JWT from ``RASA_JWT_SECRET`` (:mod:`rasa_api`).

    Body ``{"name": "EXTERNAL_analysis_ready", "entities": {"job_id": job_id}}``. Retries
    ``NOTIFY_ATTEMPTS`` times with doubling waits from ``NOTIFY_BACKOFF_S`` while Rasa is
    unreachable or answers 5xx/408/429.

    Args:
        conversation_id: Rasa's sender id.
        job_id: The finished job.
        attempts: Tries; default ``NOTIFY_ATTEMPTS``.

    Returns:
        True when Rasa accepted the intent.
    """
    config = settings.current()
    url = f"{config.rasa_base_url}/conversations/{quote(conversation_id, safe='')}/trigger_intent"
    credentials = rasa_api.auth(config)
    params = {"output_channel": "latest", **credentials.params}
    body = {"name": INTENT, "entities": {"job_id": job_id}}
    attempts = attempts or config.notify_attempts
    wait = config.notify_backoff_s
    for attempt in range(1, attempts + 1):
        try:
            response = requests.post(url, params=params, json=body, timeout=TIMEOUT_S,
                                     headers=rasa_api.auth(config).headers)
        except requests.RequestException as exc:
            log.warning("job %s: Rasa not reachable (%s), try %d of %d", job_id,
                        type(exc).__name__, attempt, attempts)
        else:
            if 200 <= response.status_code < 300:
                log.info("job %s: Rasa notified", job_id)
                return True
            log.warning("job %s: Rasa answered HTTP %d, try %d of %d", job_id,
                        response.status_code, attempt, attempts)
            if response.status_code not in _RETRY_STATUS:
                break
        if attempt < attempts:
            time.sleep(wait)
            wait *= 2
    log.error("job %s: Rasa could not be notified; the result stays in the database", job_id)
    return False


def tell_rasa(conversation_id: str, job_id: str, attempts: int | None = None) -> None:
    """:func:`notify_rasa`, and record it (``notified_at``) when Rasa accepted: a notice
    that is not recorded is sent again by the housekeeping round."""
    if notify_rasa(conversation_id, job_id, attempts):
        queue.mark_notified(job_id)
