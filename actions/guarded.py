"""A friendly reply instead of silence when an action fails.

The rasa-sdk action server answers an unhandled exception with the whole request (the
runner's conversation) and Rasa then sends the runner nothing. Actions that read what the
runner said are wrapped with :func:`friendly_on_error`: the exception's type is logged (never
the message or the tracker), the runner is told to try again, and nothing is stored.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.messages import text

logger = logging.getLogger(__name__)

Run = Callable[[Any, CollectingDispatcher, Tracker, DomainDict], Awaitable[list[EventType]]]


def friendly_on_error(run: Run) -> Run:
    """Wraps an action's ``run`` so that a failure becomes a polite "please try again"."""

    @functools.wraps(run)
    async def guarded(
        self: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            return await run(self, dispatcher, tracker, domain)
        except Exception as error:
            logger.error("%s failed: %s", self.name(), type(error).__name__)
            dispatcher.messages.clear()
            dispatcher.utter_message(text=text("action_failed"))
            return []

    return guarded
