"""Rasa 3.6 NLU component wrapping the rule-based extractor in ``extraction/``.

Use in ``config.yml`` (with ``rasa_project`` on ``PYTHONPATH``)::

    pipeline:
      - name: components.rule_entity_extractor.RuleEntityExtractor
        # entities: [side, location]   # optional: only emit these entity types

Each entity gets ``entity``, ``value`` (normalised, see ``docs/nlu_schema.md``),
``start``, ``end``, ``confidence_entity`` (1.0), ``extractor`` ("RuleEntityExtractor")
and, for a negated symptom, ``negated: true``. The component is not trainable: training
data passes through unchanged. Message text is never logged (it is health data).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import ENTITY_ATTRIBUTE_CONFIDENCE_TYPE
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_ROLE,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from .extraction import Extracted, extract

logger = logging.getLogger(__name__)

NEGATED = "negated"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class RuleEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Adds entities found by the project's rule-based extractor to each message."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Default config: emit every entity type of the schema."""
        return {"entities": None}

    def __init__(self, config: dict[str, Any]) -> None:
        """Creates the component.

        Args:
            config: ``entities`` (optional list): only these entity types are emitted.
        """
        wanted = config.get("entities")
        self._wanted: frozenset[str] | None = frozenset(wanted) if wanted else None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RuleEntityExtractor:
        """Creates a new component (see ``GraphComponent.create``)."""
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Returns the training data unchanged: annotations come from the data files."""
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Extracts entities and appends them to each message's ``entities``.

        Args:
            messages: Messages to process (modified in place).

        Returns:
            The same messages.
        """
        for message in messages:
            text = message.get(TEXT)
            if not text or not isinstance(text, str):
                continue
            found = [self._to_dict(e) for e in extract(text) if self._keep(e)]
            if not found:
                continue
            found = self.add_extractor_name(found)
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages

    def _keep(self, entity: Extracted) -> bool:
        return self._wanted is None or entity.entity in self._wanted

    @staticmethod
    def _to_dict(entity: Extracted) -> dict[str, Any]:
        result: dict[str, Any] = {
            ENTITY_ATTRIBUTE_TYPE: entity.entity,
            ENTITY_ATTRIBUTE_VALUE: entity.value,
            ENTITY_ATTRIBUTE_START: entity.start,
            ENTITY_ATTRIBUTE_END: entity.end,
            ENTITY_ATTRIBUTE_CONFIDENCE_TYPE: 1.0,  # "confidence_entity"
        }
        if entity.negated:
            result[NEGATED] = True
        if entity.role:
            result[ENTITY_ATTRIBUTE_ROLE] = entity.role
        return result
