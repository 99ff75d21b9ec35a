"""Tests for the Rasa NLU component ``RuleEntityExtractor`` (run in ``.venv/rasa``).

Skipped, with a reason, when ``rasa`` cannot be imported (e.g. in ``.venv/actions``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("rasa", reason="needs the Rasa virtualenv (.venv/rasa)")

from components.rule_entity_extractor import RuleEntityExtractor
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from tests.rasa_env.graph import create_component

pytestmark = pytest.mark.rasa_env

COMPONENT_PATH = "components.rule_entity_extractor.RuleEntityExtractor"


def make_component(tmp_path: Path, **config: Any) -> RuleEntityExtractor:
    return create_component(RuleEntityExtractor, tmp_path, config)


def entities_of(component: RuleEntityExtractor, text: str) -> list[dict[str, Any]]:
    message = Message.build(text=text)
    (processed,) = component.process([message])
    return processed.get("entities", [])


def test_process_adds_normalised_entities(tmp_path: Path) -> None:
    component = make_component(tmp_path)
    text = "my rigth knee hurts on the inside, went from 20 to 35 miles a week, no swelling"
    entities = entities_of(component, text)
    simple = [(e["entity"], e["value"], text[e["start"] : e["end"]]) for e in entities]
    assert simple == [
        ("side", "right", "rigth"),
        ("location", "medial", "inside"),
        ("distance_before", round(20 * 1.609344, 3), "20"),
        ("distance_now", round(35 * 1.609344, 3), "35 miles"),
        ("symptom", "swelling", "swelling"),
    ]
    for entity in entities:
        assert entity["extractor"] == "RuleEntityExtractor"
        assert entity["confidence_entity"] == 1.0
    assert [e.get("negated", False) for e in entities] == [False, False, False, False, True]


def test_entities_are_output_and_appended(tmp_path: Path) -> None:
    component = make_component(tmp_path)
    existing = {"entity": "other", "value": "x", "start": 0, "end": 1}
    message = Message.build(text="left")
    message.set("entities", [existing], add_to_output=True)
    component.process([message])
    assert message.get("entities")[0] == existing
    assert message.get("entities")[1]["value"] == "left"
    assert "entities" in message.as_dict_nlu()


def test_all_right_is_not_a_side(tmp_path: Path) -> None:
    assert entities_of(make_component(tmp_path), "all right, sounds good") == []


def test_message_without_entities_is_untouched(tmp_path: Path) -> None:
    message = Message.build(text="hello there")
    make_component(tmp_path).process([message])
    assert message.get("entities") is None


def test_entity_filter_from_config(tmp_path: Path) -> None:
    component = make_component(tmp_path, entities=["pain_score"])
    assert [e["entity"] for e in entities_of(component, "left knee, about 6/10")] == [
        "pain_score"
    ]


def test_training_data_passes_through_unchanged(tmp_path: Path) -> None:
    examples = [Message.build(text="my left knee", intent="inform")]
    data = TrainingData(training_examples=examples)
    assert make_component(tmp_path).process_training_data(data) is data
    assert data.training_examples[0].get("entities") is None


def test_registered_as_untrainable_entity_extractor() -> None:
    registered = DefaultV1Recipe._from_registry(COMPONENT_PATH)
    assert registered.clazz is RuleEntityExtractor
    assert DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR in registered.types
    assert registered.is_trainable is False


def test_pipeline_with_component_validates() -> None:
    """The graph built from a config using the component passes Rasa's validation."""
    from rasa.engine.recipes.recipe import Recipe
    from rasa.engine.validation import validate
    from rasa.shared.data import TrainingType

    config = {
        "recipe": "default.v1",
        "language": "en",
        "pipeline": [
            {"name": "WhitespaceTokenizer"},
            {"name": COMPONENT_PATH},
            {"name": "KeywordIntentClassifier"},
        ],
    }
    recipe = Recipe.recipe_for_name("default.v1")
    model_config = recipe.graph_config_for_recipe(config, {}, training_type=TrainingType.NLU)
    validate(model_config)
