"""Erasing a conversation when the runner asks for it in the chat."""

from __future__ import annotations

import logging
import threading

from kneeapp.store.erase import erase_conversation

logger = logging.getLogger(__name__)

#: Rasa saves the turn's events after the action returns; erase only once that is done.
ERASE_DELAY_S = 5.0


def erase_after_turn(conversation_id: str, delay_s: float = ERASE_DELAY_S) -> threading.Thread:
    """Erases everything of ``conversation_id`` in a background thread after ``delay_s``."""

    def erase() -> None:
        try:
            removed = erase_conversation(conversation_id)
        except Exception:  # logged without ids or health text; the erase CLI can retry
            logger.exception("erasing a conversation failed")
            return
        logger.info("conversation erased: %d rows and files", sum(removed.values()))

    timer = threading.Timer(delay_s, erase)
    timer.daemon = True
    timer.start()
    return timer
