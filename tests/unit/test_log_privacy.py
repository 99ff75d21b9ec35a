"""The log filter (``kneeapp/log_privacy.py``) on the lines Rasa, rasa-sdk and Sanic write
on error paths; the whole stack's logs are grepped in ``tests/e2e/test_hardening.py``."""

from __future__ import annotations

import io
import json
import logging
import warnings

import pytest

from kneeapp import log_privacy

WORDS = "my left knee hurts on the inside after long runs"
SENDER = "5f0c3a9e8b7d4c21a0e9f8d7c6b5a4e3"


@pytest.fixture()
def installed() -> logging.Logger:
    """A handler on a fresh logger, with the filter installed as the processes do."""
    before = logging.getLogRecordFactory()
    log_privacy._INSTALLED = False
    log_privacy.install()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    handler.stream_text = stream  # type: ignore[attr-defined]
    yield handler
    root.removeHandler(handler)
    root.setLevel(old_level)
    logging.setLogRecordFactory(before)
    logging.captureWarnings(False)
    log_privacy._INSTALLED = False


@pytest.mark.parametrize("line", [
    f"Received user message '{WORDS}' with intent '{{\"name\": \"inform\"}}' and entities '[]'",
    f"Starting a new session for conversation ID '{SENDER}'.",
    f"Failed to parse arguments in line '/inform{{\"x\": 1}} {WORDS}'. Failed to interpret "
    f"some parts. Continuing without {WORDS}. ",
    f"500, Internal Server Error, body='{{\"sender_id\": \"{SENDER}\", \"text\": \"{WORDS}\"}}'",
    f"POST /conversations/{SENDER}/trigger_intent?output_channel=latest&token=abc 200",
    f"Current slot values: \n\tpain_where: {WORDS}\n\tage: 38",
    f"emitting event \"bot_uttered\" to {SENDER} [/]",
    f"Tracker {{'sender_id': '{SENDER}', 'events': [{{'text': '{WORDS}'}}]}}",
    f"whatsapp message from +447700900123: {SENDER}",
])
def test_third_party_lines_lose_words_and_ids(line: str) -> None:
    redacted = log_privacy.redact(line)
    assert "knee" not in redacted and SENDER not in redacted and "abc" not in redacted
    assert "447700900123" not in redacted and "38" not in redacted
    assert len(redacted) <= log_privacy.MAX_CHARS + 1


def test_a_line_keeps_what_an_operator_needs() -> None:
    line = "Encountered an exception while running action 'action_ask_age'. Bot will continue"
    assert log_privacy.redact(line) == line
    assert log_privacy.redact("Request timed out after 300 s") == "Request timed out after 300 s"


def test_structured_lines_keep_only_the_event() -> None:
    line = json.dumps({"text": WORDS, "event": "rest.message.received.failure",
                       "level": "error", "exception": [{"exc_value": WORDS}]})
    assert json.loads(log_privacy.redact(line)) == {"event": "rest.message.received.failure",
                                                     "level": "error"}


def test_every_logger_and_level_through_any_handler(installed: logging.Handler) -> None:
    try:
        raise RuntimeError(f"500, body='{WORDS} {SENDER}'")
    except RuntimeError:
        logging.getLogger("rasa.core.processor").exception("Encountered an exception %s",
                                                          f"'{WORDS}'")
        logging.getLogger("kneeapp.jobs.worker").exception("job %s failed", "j" * 8)
    logging.getLogger("sanic.access").debug("GET /conversations/%s/tracker", SENDER)
    with warnings.catch_warnings():  # pytest records warnings itself: route them again
        logging.captureWarnings(False)
        logging.captureWarnings(True)
        warnings.simplefilter("always")
        warnings.warn(f"Failed to parse arguments in line '{WORDS}'. Continuing without "
                      f"{WORDS}", UserWarning, stacklevel=1)
    written = installed.stream_text.getvalue()  # type: ignore[attr-defined]
    assert "knee" not in written and SENDER not in written and "Traceback" not in written
    assert "job jjjjjjjj failed [exception: RuntimeError]" in written
    assert "Encountered an exception" in written and "Failed to parse arguments" in written


def test_exception_types_follow_the_causes() -> None:
    try:
        try:
            raise ValueError("inner " + WORDS)
        except ValueError as inner:
            raise KeyError("outer") from inner
    except KeyError as error:
        assert log_privacy.exception_types(error) == "KeyError <- ValueError"
