"""Rasa 3.6 NLU component: the safety net and intent guard that run on every message.

Place it last in the pipeline (after the classifiers and the FallbackClassifier)::

    - name: components.message_guard.MessageGuard

For every message it (1) adds a ``red_flag`` entity for each warning sign the red-flag
scanner finds (``red_flag_scan.scan``), with ``certain`` true or false, and (2) replaces the
classifier's intent where a guess must not act (``intent_guard.guard_intent``). What it does
is in docs/conversation.md. Message text is never logged.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from .intent_guard import guard_intent
from .red_flag_scan import RedFlagHit, scan

EXTRACTOR_NAME = "MessageGuard"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class MessageGuard(GraphComponent):
    """Adds warning signs as ``red_flag`` entities and guards the intent."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MessageGuard:
        """Creates the component (no configuration, nothing to train)."""
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Returns the training data unchanged."""
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Scans and guards each message in place."""
        for message in messages:
            text = message.get(TEXT)
            if not text or not isinstance(text, str) or text.startswith("/"):
                continue  # button payloads are explicit: nothing to guess
            hits = [_as_entity(hit, text) for hit in scan(text)]
            entities = message.get(ENTITIES, []) + hits
            if hits:
                message.set(ENTITIES, entities, add_to_output=True)
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            guarded = guard_intent(intent, text, entities)
            if guarded != intent:
                _set_intent(message, guarded)
        return messages


def _as_entity(hit: RedFlagHit, text: str) -> dict[str, Any]:
    return {
        ENTITY_ATTRIBUTE_TYPE: "red_flag",
        ENTITY_ATTRIBUTE_VALUE: hit.flag,
        ENTITY_ATTRIBUTE_START: hit.start,
        ENTITY_ATTRIBUTE_END: hit.end,
        "certain": hit.certain,
        EXTRACTOR: EXTRACTOR_NAME,
    }


def _set_intent(message: Message, name: str) -> None:
    intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}
    message.set(INTENT, intent, add_to_output=True)
    ranking = [i for i in message.get(INTENT_RANKING_KEY, []) if i.get(INTENT_NAME_KEY) != name]
    message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
