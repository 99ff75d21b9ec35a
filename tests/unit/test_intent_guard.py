"""The intent guard: no erase/stop/restart on a guess, and "not sure" is an answer."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "rasa_project"))

from components.intent_guard import DONT_KNOW, guard_intent, guard_words


def ent(name: str, value: object = "x") -> dict[str, object]:
    return {"entity": name, "value": value}


# Real sentences that a classifier took for delete_data, stop or start_over.
@pytest.mark.parametrize(
    ("intent", "text", "entities", "expected"),
    [
        ("delete_data", "Sorry, I should be clearer: it doesn't keep me awake", [], "nlu_fallback"),
        ("delete_data", "Is it really that urgent?", [], "nlu_fallback"),
        ("delete_data", "no I wanted an answer, is it the MCL?", [ent("location")], "inform"),
        ("start_over", "slowly since the season started", [ent("onset")], "inform"),
        ("stop", "a couple of months I guess", [ent("duration", 8.7)], "inform"),
        ("stop", "is it my MCL though?", [ent("location")], "inform"),
        ("stop", "I'm done with running for now, it hurts", [], "stop"),
    ],
)
def test_guessed_destructive_intents_are_demoted(
    intent: str, text: str, entities: list[dict[str, object]], expected: str
) -> None:
    assert guard_intent(intent, text, entities) == expected


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("delete_data", "please delete my data"),
        ("delete_data", "Forget everything I told you"),
        ("delete_data", "wipe it all"),
        ("stop", "stop"),
        ("stop", "I want to quit"),
        ("stop", "cancel this please"),
        ("start_over", "can we start over"),
        ("start_over", "restart"),
        ("start_over", "let's begin again from scratch"),
    ],
)
def test_destructive_intents_in_their_own_words_are_kept(intent: str, text: str) -> None:
    assert guard_intent(intent, text, []) == intent


def test_a_destructive_request_that_also_answers_is_read_as_the_answer() -> None:
    assert guard_intent("stop", "stop, it's the left one", [ent("side", "left")]) == "inform"


@pytest.mark.parametrize(
    "text",
    ["not sure", "no idea", "I can't remember", "dunno", "skip", "I'd rather not say",
     "Hmm, hard to say", "idk tbh", "No clue really", "can’t recall"],
)
@pytest.mark.parametrize("intent", ["deny", "affirm", "inform", "nlu_fallback", "stop"])
def test_not_sure_is_dont_know_whatever_was_guessed(intent: str, text: str) -> None:
    assert guard_intent(intent, text, []) == DONT_KNOW


def test_not_sure_with_an_answer_keeps_the_answer() -> None:
    assert guard_intent("inform", "not sure, maybe 30k", [ent("distance", 30.0)]) == "inform"


@pytest.mark.parametrize("intent", ["thank", "chitchat", "greet", "delete_data", "nlu_fallback"])
def test_a_warning_sign_makes_any_message_information(intent: str) -> None:
    flag = {"entity": "red_flag", "value": "calf_swollen_warm", "certain": True}
    assert guard_intent(intent, "thanks! my calf is swollen and hot", [flag]) == "inform"


@pytest.mark.parametrize(
    ("intent", "text", "expected"),
    [
        ("affirm", "yes and it locks", "affirm"),
        ("deny", "no, but it locks now and then", "deny"),
        ("inform", "it locks", "inform"),
        ("deny", "there's a lump behind the knee that wasn't there before", "inform"),
    ],
)
def test_a_warning_sign_keeps_a_yes_or_no_only_when_said(
    intent: str, text: str, expected: str
) -> None:
    flag = {"entity": "red_flag", "value": "locking", "certain": True}
    assert guard_intent(intent, text, [flag]) == expected


@pytest.mark.parametrize(
    ("text", "entities", "expected"),
    [
        ("KT tape seems to have helped", [{"entity": "treatment", "value": "taping"}], "inform"),
        ("hmm right", [], "nlu_fallback"),
    ],
)
def test_a_guessed_not_sure_needs_the_words(
    text: str, entities: list[dict[str, object]], expected: str
) -> None:
    assert guard_intent("dont_know", text, entities) == expected


def test_every_destructive_intent_has_words() -> None:
    words = guard_words()
    assert set(words.destructive) == {"delete_data", "stop", "start_over"}
    assert words.uncertain.search("no idea")


@pytest.mark.parametrize(
    ("intent", "text", "expected"),
    [
        ("chitchat", "yep it settles overnight, plus I'm not limping", "affirm"),
        ("chitchat", "nope, walking normally", "deny"),
        ("out_of_scope", "no, haven't changed anything", "deny"),
        ("chitchat", "are you a robot?", "chitchat"),
        ("thank", "no thanks", "thank"),
    ],
)
def test_an_answer_typed_casually_is_not_small_talk(intent: str, text: str, expected: str) -> None:
    assert guard_intent(intent, text, []) == expected


def test_an_answer_is_not_a_video_description() -> None:
    squatting = [{"entity": "pain_trigger", "value": "squatting"}]
    assert guard_intent("describe_video", "squatting", squatting) == "inform"
    assert guard_intent("share_video", "bending it, squatting", squatting) == "inform"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("physio", "inform"), ("saw a physio", "inform"), ("can I talk to a physio", "request_human")],
)
def test_a_request_for_a_person_needs_its_words(text: str, expected: str) -> None:
    physio = [{"entity": "treatment", "value": "physio"}]
    assert guard_intent("request_human", text, physio) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("wala po", "deny"), ("nahi, none", "deny"), ("hindi pa po, same pa rin", "deny"),
     ("ㄴㄴ no limp", "deny"), ("haan, by morning theek", "affirm"), ("joo, a little", "affirm"),
     ("opo", "affirm"), ("ㅇㅇ yes", "affirm")],
)
def test_a_yes_or_no_in_another_language_is_an_answer(text: str, expected: str) -> None:
    assert guard_intent("out_of_scope", text, []) == expected
    assert guard_intent("affirm" if expected == "deny" else "deny", text, []) == expected


@pytest.mark.parametrize("text", ["ok", "hindsight is great", "no thanks", "non-stop pain"])
def test_other_words_are_no_yes_or_no(text: str) -> None:
    assert guard_intent("out_of_scope", text, []) in ("out_of_scope", "thank")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("slow", "nlu_fallback"), ("slow, 3wk", "nlu_fallback"),
     ("how should I film my run?", "ask_filming"), ("do you need slow motion", "ask_filming"),
     ("can I send a clip from my phone", "ask_filming")],
)
def test_the_filming_guide_needs_a_video_word(text: str, expected: str) -> None:
    assert guard_intent("ask_filming", text, []) == expected


def test_every_filming_example_of_the_training_data_keeps_its_intent() -> None:
    import yaml

    nlu = yaml.safe_load((Path(__file__).resolve().parents[2] / "rasa_project" / "data"
                          / "nlu.yml").read_text())["nlu"]
    for block in nlu:
        if block.get("intent") in ("ask_filming", "share_video"):
            for example in block["examples"].splitlines():
                text = example.removeprefix("- ").strip()
                if text:
                    assert guard_intent(block["intent"], text, []) == block["intent"], text


@pytest.mark.parametrize(
    ("text", "entities", "expected"),
    [("hola, me lesioné la rodilla jugando fútbol", [], "nlu_fallback"),
     ("hola, me lesioné la rodilla jugando fútbol", [ent("exercise")], "ask_exercise_detail"),
     ("how many reps of the bridge should I do", [], "ask_exercise_detail"),
     ("can you explain the short foot one", [], "ask_exercise_detail")],
)
def test_a_question_about_an_exercise_needs_one_named_or_asked_about(
        text: str, entities: list[dict[str, Any]], expected: str) -> None:
    assert guard_intent("ask_exercise_detail", text, entities) == expected


def test_every_exercise_question_of_the_training_data_keeps_its_intent() -> None:
    import yaml

    nlu = yaml.safe_load((Path(__file__).resolve().parents[2] / "rasa_project" / "data"
                          / "nlu.yml").read_text())["nlu"]
    examples = [line.removeprefix("- ").strip() for block in nlu
                if block.get("intent") == "ask_exercise_detail"
                for line in block["examples"].splitlines() if line.strip()]
    assert len(examples) > 20
    for example in examples:
        text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", example)
        entities = [ent("exercise")] if "(exercise)" in example else []
        assert guard_intent("ask_exercise_detail", text, entities) == "ask_exercise_detail", text


@pytest.mark.parametrize(
    ("intent", "text", "expected"),
    [("deny", "thirty nine", "inform"), ("deny", "nine", "inform"),
     ("nlu_fallback", "about 40", "inform"), ("affirm", "twenty-five", "inform"),
     # look-alikes: a yes or no is still one
     ("deny", "nein", "deny"), ("deny", "no", "deny"), ("affirm", "yes 1", "affirm")],
)
def test_a_message_that_is_only_a_number_is_an_answer(intent: str, text: str,
                                                      expected: str) -> None:
    assert guard_intent(intent, text, []) == expected
