"""Rasa 3.6 NLU component: mends slips of the keyboard before anything reads the message.

Place it first in the pipeline, before ``SpacyNLP``::

    - name: components.spelling_corrector.SpellingCorrector

When the server starts it builds its vocabulary (``spelling.build_speller``) from the NLU
examples and lookup tables (``rasa_project/data/nlu.yml``), the phrase tables and questions
in ``data/`` and the most frequent English words: built from the files in use, like the
red-flag scanner's phrases, so an edited phrase table needs no retraining. It then replaces
each message's text with the mended text, so the classifier, the extractor, the red-flag
scanner and the action server all read "swelling" where the runner typed "swleling".
Message text is never logged.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from content_schema import check_file

from .extraction import PROTECTED_WORDS, TYPO_TARGETS
from .spelling import Speller, build_speller, frequent_english_words

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
NLU_PATH = Path(__file__).resolve().parents[1] / "data" / "nlu.yml"
#: The files in ``data/`` whose words the readers know (phrases, questions, exercise names).
VOCABULARY_FILES = (
    "red_flag_phrases.yml",
    "red_flags.yml",
    "intent_guard.yml",
    "questions.yml",
    "exercises.yml",
)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False
)
class SpellingCorrector(GraphComponent):
    """Replaces each message's text with its mended text."""

    def __init__(self, speller: Speller) -> None:
        self._speller = speller

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SpellingCorrector:
        """Creates the corrector with the vocabulary of the files in use."""
        return cls(project_speller())

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Returns the training data unchanged (it is spelt as written)."""
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Mends each message's text in place (button payloads stay as they are)."""
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str) and text and not text.startswith("/"):
                message.set(TEXT, self._speller.correct(text))
        return messages


@functools.lru_cache(maxsize=1)
def project_speller() -> Speller:
    """The speller built from the project's files (once per process)."""
    return build_speller(
        _project_texts(load_data(str(NLU_PATH))),
        frequent_english_words(fold_case=True),
        protected=PROTECTED_WORDS,
    )


def _project_texts(training_data: TrainingData) -> Iterator[str]:
    for example in training_data.training_examples:
        text = example.get(TEXT)
        if isinstance(text, str) and not text.startswith("/"):
            yield text
    for table in training_data.lookup_tables:
        yield from (str(element) for element in table.get("elements", []))
    for name in VOCABULARY_FILES:
        yield from _strings(check_file(DATA_DIR / name))
    yield " ".join(TYPO_TARGETS)


def _strings(node: Any) -> Iterator[str]:
    """Every string value (and key) in a YAML document."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)

