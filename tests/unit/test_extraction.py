"""Unit tests for the rule-based entity extractor (``rasa_project/components/extraction.py``).

Spans are checked exactly (they are what ``rasa test nlu`` scores), values are checked
after normalisation (km, weeks, 0-10, schema value names).
"""

from __future__ import annotations

import itertools
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "rasa_project"))

from components import extraction  # noqa: E402
from components.extraction import Extracted, correct_typo, extract  # noqa: E402

MI = 1.609344


def triples(text: str) -> list[tuple[str, object, str]]:
    """(entity, value, span text) for every entity, in order."""
    return [(e.entity, e.value, e.text) for e in extract(text)]


def only(text: str, entity: str) -> list[tuple[object, str]]:
    return [(e.value, e.text) for e in extract(text) if e.entity == entity]


# --------------------------------------------------------------------------- API


def test_extracted_is_frozen_and_offsets_match_text() -> None:
    text = "My RIGHT knee hurts on the inside"
    ents = extract(text)
    assert ents, "expected entities"
    for e in ents:
        assert isinstance(e, Extracted)
        assert text[e.start : e.end] == e.text
        assert e.text == e.text.strip(" .,!?")
    with pytest.raises(AttributeError):
        ents[0].value = "left"  # type: ignore[misc]


@pytest.mark.parametrize("text", ["", "   ", "hello", "ok thanks", "what's bitcoin at"])
def test_no_entities(text: str) -> None:
    assert extract(text) == []


def test_results_are_sorted_and_non_overlapping() -> None:
    text = (
        "Hi, my lefft knee has hurt on the inner side for 3 weeks since I went from 20 to "
        "35 miles a week. No swelling, it doesn't lock, pain about 6/10 going downstairs. "
        "I'm 52, iced it which didn't help."
    )
    ents = extract(text)
    assert [e.start for e in ents] == sorted(e.start for e in ents)
    for a, b in itertools.pairwise(ents):
        assert a.end <= b.start


# --------------------------------------------------------------------------- side

SIDE_CASES = [
    ("left", [("left", "left")]),
    ("the right one", [("right", "right")]),
    ("both", [("both", "both")]),
    ("both knees", [("both", "both")]),
    ("my right knee hurts", [("right", "right")]),
    ("Rigth knee", [("right", "Rigth")]),
    ("my lefft knee", [("left", "lefft")]),
    ("letf", [("left", "letf")]),
    ("L knee", [("left", "L")]),
    ("it's the R knee", [("right", "R")]),
    ("that's right, the left knee", [("left", "left")]),
    ("all right, it's my left", [("left", "left")]),
    ("alright then", []),
    ("right now it's fine", []),
    ("is that right?", []),
    ("you're right", []),
    ("I went right after my run", []),
    ("it doesn't feel right", []),
    ("I left work early", []),
    ("there's nothing left in my legs", []),
    ("both during and after runs", []),
    ("yes right knee", [("right", "right")]),
    ("on the right side", [("right", "right")]),
    ("I'll go", []),
]


@pytest.mark.parametrize(("text", "expected"), SIDE_CASES)
def test_side(text: str, expected: list[tuple[str, str]]) -> None:
    assert only(text, "side") == expected


# --------------------------------------------------------------------------- location

LOCATION_CASES = [
    ("my right knee hurts on the inside", ("medial", "inside")),
    ("inner side", ("medial", "inner side")),
    ("it's medial", ("medial", "medial")),
    ("along the inner joint line", ("inner_joint_line", "inner joint line")),
    ("deep inside the knee", ("inner_joint_line", "deep inside")),
    ("on the inner surface", ("inner_surface", "inner surface")),
    ("around the pes anserine", ("inner_surface", "pes anserine")),
    ("under the kneecap", ("kneecap", "under the kneecap")),
    ("around the knee cap", ("kneecap", "around the knee cap")),
    ("on the outside of my knee", ("outer", "outside")),
    ("the outer side", ("outer", "outer side")),
    ("back of the knee", ("back", "back of the knee")),
    ("behind my knee", ("back", "behind my knee")),
    ("at the front of the knee", ("front", "front")),
]


@pytest.mark.parametrize(("text", "expected"), LOCATION_CASES)
def test_location(text: str, expected: tuple[str, str]) -> None:
    assert only(text, "location") == [expected]


@pytest.mark.parametrize(
    "text", ["I run outside", "I ran inside on the treadmill", "my back hurts"]
)
def test_location_false_positives(text: str) -> None:
    assert only(text, "location") == []


# --------------------------------------------------------------------------- onset, injury

ONSET_INJURY_CASES = [
    ("gradually", [("onset", "gradual", "gradually")]),
    ("it came on slowly", [("onset", "gradual", "slowly")]),
    ("grdually", [("onset", "gradual", "grdually")]),
    ("it built up over weeks", [("onset", "gradual", "built up over weeks")]),
    ("all of a sudden", [("onset", "sudden", "all of a sudden")]),
    ("out of nowhere", [("onset", "sudden", "out of nowhere")]),
    ("suddenly, I twisted it", [("onset", "sudden", "suddenly"), ("injury", "twist", "twisted")]),
    ("I fell on ice", [("injury", "fall", "fell"), ("treatment", "ice", "ice")]),
    ("heard a pop", [("injury", "pop", "pop")]),
    ("I got hit by a bike", [("injury", "blow", "got hit")]),
    ("collided with another player", [("injury", "blow", "collided")]),
    ("landed badly off a kerb", [("injury", "twist", "landed badly")]),
    ("no injury", [("injury", "none", "no injury")]),
    ("I didn't fall or anything", [("injury", "none", "didn't fall")]),
    ("didn't injure it", [("injury", "none", "didn't injure it")]),
    ("I ran slowly", []),
    ("in the fall I ran more", []),
    ("I tripped over a root", [("injury", "fall", "tripped")]),
]


@pytest.mark.parametrize(("text", "expected"), ONSET_INJURY_CASES)
def test_onset_and_injury(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert triples(text) == expected


# --------------------------------------------------------------------------- distances

DISTANCE_CASES = [
    ("about 40k a week", [("distance", 40.0, "40k")]),
    ("30 km", [("distance", 30.0, "30 km")]),
    ("30k", [("distance", 30.0, "30k")]),
    ("20 miles a week", [("distance", round(20 * MI, 3), "20 miles")]),
    ("twenty miles a week", [("distance", round(20 * MI, 3), "twenty miles")]),
    ("twenty-five kms", [("distance", 25.0, "twenty-five kms")]),
    ("35mi per week", [("distance", round(35 * MI, 3), "35mi")]),
    ("40 mls", [("distance", round(40 * MI, 3), "40 mls")]),
    ("50 kilometres weekly", [("distance", 50.0, "50 kilometres")]),
    ("30-40k a week", [("distance", 35.0, "30-40k")]),
    ("I went from 20 to 35 miles a week", [
        ("distance_before", round(20 * MI, 3), "20"),
        ("distance_now", round(35 * MI, 3), "35 miles"),
    ]),
    ("went from 30k to 50k a week", [
        ("distance_before", 30.0, "30k"), ("distance_now", 50.0, "50k"),
    ]),
    ("upped my mileage from 20 to 30", [
        ("distance_before", 20.0, "20"), ("distance_now", 30.0, "30"),
    ]),
    ("I used to run 25 miles, now 40", [
        ("distance_before", round(25 * MI, 3), "25 miles"),
        ("distance_now", round(40 * MI, 3), "40"),
    ]),
    ("I was doing 30k, now I'm doing 45k a week", [
        ("distance_before", 30.0, "30k"), ("distance_now", 45.0, "45k"),
    ]),
    ("currently 50km per week, previously 30", [
        ("distance_now", 50.0, "50km"), ("distance_before", 30.0, "30"),
    ]),
    ("running 25 miles a week, used to be 15", [
        ("distance_now", round(25 * MI, 3), "25 miles"),
        ("distance_before", round(15 * MI, 3), "15"),
    ]),
    ("I'm running 40k a week now", [("distance_now", 40.0, "40k")]),
]


@pytest.mark.parametrize(("text", "expected"), DISTANCE_CASES)
def test_distances(text: str, expected: list[tuple[str, float, str]]) -> None:
    got = [t for t in triples(text) if t[0].startswith("distance")]
    assert got == expected


@pytest.mark.parametrize(
    "text",
    ["training for a 10k", "my first half marathon", "I run 5 days a week", "I weigh 70kg",
     "pain went from 3 to 7", "did a 20 mile run"],
)
def test_not_a_weekly_distance(text: str) -> None:
    assert [t for t in triples(text) if t[0].startswith("distance")] == []


def test_mile_conversion_is_exact() -> None:
    (e,) = extract("1 mile")
    assert e.value == pytest.approx(1.609, abs=1e-3)


# --------------------------------------------------------------------------- load change

LOAD_CASES = [
    ("doubled my mileage", (100.0, "doubled")),
    ("I tripled it", (200.0, "tripled")),
    ("halved my runs", (-50.0, "halved")),
    ("50% more", (50.0, "50% more")),
    ("increased by half", (50.0, "increased by half")),
    ("increased my mileage by 30%", (30.0, "increased my mileage by 30%")),
    ("cut it by 20 percent", (-20.0, "cut it by 20 percent")),
]


@pytest.mark.parametrize(("text", "expected"), LOAD_CASES)
def test_load_change(text: str, expected: tuple[float, str]) -> None:
    assert only(text, "load_change") == [expected]


# --------------------------------------------------------------------------- durations

DURATION_CASES = [
    ("3 weeks", (3.0, "3 weeks")),
    ("for a month", (round(52 / 12, 2), "a month")),
    ("ten days", (round(10 / 7, 2), "ten days")),
    ("6 wks", (6.0, "6 wks")),
    ("two months", (round(2 * 52 / 12, 2), "two months")),
    ("a couple of weeks", (2.0, "a couple of weeks")),
    ("about a fortnight", (2.0, "a fortnight")),
    ("2-3 weeks", (2.5, "2-3 weeks")),
    ("7 weeks", (7.0, "7 weeks")),
]


@pytest.mark.parametrize(("text", "expected"), DURATION_CASES)
def test_duration(text: str, expected: tuple[float, str]) -> None:
    assert only(text, "duration") == [expected]


@pytest.mark.parametrize(
    "text", ["40k a week", "I run 3 times a week", "5 days a week", "I'm 58 years old"]
)
def test_not_a_duration(text: str) -> None:
    assert only(text, "duration") == []


# --------------------------------------------------------------------------- pain scores

SCORE_CASES = [
    ("6/10", [(6, "6/10")]),
    ("6 out of 10", [(6, "6 out of 10")]),
    ("six out of ten", [(6, "six out of ten")]),
    ("a 7", [(7, "a 7")]),
    ("about 6", [(6, "about 6")]),
    ("it's about 4", [(4, "about 4")]),
    ("I'd give it a 7", [(7, "a 7")]),
    ("the pain is 5 when running", [(5, "5")]),
    ("5 or 6", [(6, "5 or 6")]),
    ("3-4/10 on a bad day", [(4, "3-4/10")]),
    ("7 weeks", []),
    ("I run 5 days a week", []),
    ("I have 2 kids and my knee is sore", []),
    ("training for a 10k", []),
    ("the right one", []),
    ("I'm 58", []),
    ("it started at 6 this morning", []),
]


@pytest.mark.parametrize(("text", "expected"), SCORE_CASES)
def test_pain_score(text: str, expected: list[tuple[int, str]]) -> None:
    assert only(text, "pain_score") == expected


def test_pain_score_is_int() -> None:
    (e,) = extract("about 6")
    assert isinstance(e.value, int)


# --------------------------------------------------------------------------- symptoms + negation

SYMPTOM_CASES = [
    ("it's swollen", [("swelling", "swollen", False)]),
    ("no swelling", [("swelling", "swelling", True)]),
    ("it doesn't lock", [("locking", "lock", True)]),
    ("never gives way", [("giving_way", "gives way", True)]),
    ("it locks sometimes", [("locking", "locks", False)]),
    ("no swelling but it locks", [
        ("swelling", "swelling", True), ("locking", "locks", False),
    ]),
    ("no swelling, locking or giving way", [
        ("swelling", "swelling", True), ("locking", "locking", True),
        ("giving_way", "giving way", True),
    ]),
    ("no swelling and it locks", [
        ("swelling", "swelling", True), ("locking", "locks", False),
    ]),
    ("I'm not sure if it's swollen", [("swelling", "swollen", False)]),
    ("swelling: none", [("swelling", "swelling", True)]),
    ("I can't straighten it", [("cannot_straighten", "can't straighten it", False)]),
    ("it wakes me up at night", [
        ("night_pain", "wakes me up", False), ("night_pain", "at night", False),
    ]),
    ("I have a fever and feel unwell", [
        ("fever", "fever", False), ("unwell", "unwell", False),
    ]),
    ("hot and red", [("hot_red", "hot and red", False)]),
    ("my calf is swollen", [("calf_pain_swelling", "calf is swollen", False)]),
    ("chest pain and short of breath", [
        ("chest_pain", "chest pain", False), ("breathless", "short of breath", False),
    ]),
    ("my foot feels numb", [("numb_cold_foot", "numb", False)]),
    ("I can't put weight on it", [("cannot_bear_weight", "can't put weight on it", False)]),
    ("I'm limping", [("limp", "limping", False)]),
    ("it looks out of place", [("deformity", "looks out of place", False)]),
    ("it's swolen", [("swelling", "swolen", False)]),
    ("it looks fine", []),
    ("I never run at weekends", []),
]


@pytest.mark.parametrize(("text", "expected"), SYMPTOM_CASES)
def test_symptoms_and_negation(text: str, expected: list[tuple[str, str, bool]]) -> None:
    got = [(e.value, e.text, e.negated) for e in extract(text) if e.entity == "symptom"]
    assert got == expected


def test_negated_only_for_symptoms() -> None:
    assert all(not e.negated for e in extract("no injury, didn't help") if e.entity != "symptom")


# --------------------------------------------------------------------------- triggers etc.

PHRASE_CASES = [
    ("going down stairs", [("pain_trigger", "stairs", "stairs")]),
    ("hurts downhill", [("pain_trigger", "downhill", "downhill")]),
    ("during runs", [("pain_trigger", "during_runs", "during runs")]),
    ("after runs", [("pain_trigger", "after_runs", "after runs")]),
    ("squatting", [("pain_trigger", "squatting", "squatting")]),
    ("after sitting for ages", [("pain_trigger", "sitting", "sitting")]),
    ("ice and rest", [("treatment", "ice", "ice"), ("treatment", "rest", "rest")]),
    ("foam rolling and stretching", [
        ("treatment", "foam_rolling", "foam rolling"), ("treatment", "stretching", "stretching"),
    ]),
    ("a knee brace", [("treatment", "brace", "brace")]),
    ("got new shoes", [("treatment", "new_shoes", "new shoes")]),
    ("saw a physio", [("treatment", "physio", "physio")]),
    ("took ibuprofen", [("treatment", "painkillers", "ibuprofen")]),
    ("made it worse", [("outcome", "worse", "made it worse")]),
    ("didn't help", [("outcome", "no_change", "didn't help")]),
    ("no difference", [("outcome", "no_change", "no difference")]),
    ("it helped", [("outcome", "helped", "helped")]),
    ("the rest of the day", []),
    ("tried the glute squeeze", [("self_test", "hip", "glute squeeze")]),
    ("did the foot test", [("self_test", "foot", "foot test")]),
    ("toe grip made it better", [
        ("self_test", "foot", "toe grip"), ("outcome", "helped", "made it better"),
    ]),
]


@pytest.mark.parametrize(("text", "expected"), PHRASE_CASES)
def test_phrase_entities(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert triples(text) == expected


# --------------------------------------------------------------------------- age

AGE_CASES = [
    ("I'm 58", [(58, "58")]),
    ("58 years old", [(58, "58")]),
    ("a 45-year-old runner", [(45, "45")]),
    ("16yo", [(16, "16")]),
    ("over 55", [("55_plus", "over 55")]),
    ("I'm a teenager", [("under_18", "teenager")]),
    ("in my late fifties", [("55_plus", "late fifties")]),
    ("in my 30s", [("18_54", "30s")]),
    ("I'm 5 weeks into training", []),
    ("over 55 km", []),
]


@pytest.mark.parametrize(("text", "expected"), AGE_CASES)
def test_age(text: str, expected: list[tuple[object, str]]) -> None:
    assert only(text, "age") == expected


# --------------------------------------------------------------------------- exercises

EXERCISE_CASES = [
    ("how do I do the clamshell?", ("clamshell", "clamshell")),
    ("clamshells", ("clamshell", "clamshells")),
    ("tell me more about the box sit", ("single_leg_box_sit", "box sit")),
    ("knee to wall", ("knee_to_wall", "knee to wall")),
    ("bulgarian split squats", ("bulgarian_split_squat", "bulgarian split squats")),
    ("the single-leg box sit", ("single_leg_box_sit", "single-leg box sit")),
]


@pytest.mark.parametrize(("text", "expected"), EXERCISE_CASES)
def test_exercise(text: str, expected: tuple[str, str]) -> None:
    assert only(text, "exercise") == [expected]


def test_exercise_fallback_when_library_missing(tmp_path: Path) -> None:
    aliases = extraction.load_exercise_aliases(tmp_path / "missing.yml")
    assert aliases["clamshell"] == "clamshell"
    assert aliases["box sit"] == "single_leg_box_sit"
    assert set(aliases.values()) == set(extraction.FALLBACK_EXERCISE_ALIASES)


def test_exercise_library_file_is_read(tmp_path: Path) -> None:
    lib = tmp_path / "exercises.yml"
    lib.write_text(
        "exercises:\n  - id: clamshell\n    name: Clamshell\n    aliases: [oyster]\n",
        encoding="utf-8",
    )
    aliases = extraction.load_exercise_aliases(lib)
    assert aliases == {"clamshell": "clamshell", "oyster": "clamshell"}


def test_all_fallback_ids_are_schema_ids() -> None:
    schema = (ROOT / "docs" / "nlu_schema.md").read_text(encoding="utf-8")
    for ex_id in extraction.FALLBACK_EXERCISE_ALIASES:
        assert f"`{ex_id}`" in schema


# --------------------------------------------------------------------------- typos


@pytest.mark.parametrize(
    ("word", "expected"),
    [("rigth", "right"), ("lefft", "left"), ("letf", "left"), ("swolen", "swollen"),
     ("kneee", "knee"), ("milage", "mileage"), ("gradualy", "gradually"),
     # real words are never "corrected"
     ("never", "never"), ("tripped", "tripped"), ("looks", "looks"), ("light", "light"),
     ("might", "might"), ("there", "there"), ("thirsty", "thirsty"), ("lift", "lift")],
)
def test_correct_typo(word: str, expected: str) -> None:
    assert correct_typo(word) == expected


# --------------------------------------------------------------------------- multi-fact


def test_long_multi_fact_message() -> None:
    text = (
        "Hi, I'm 34. My rigth knee has been sore on the inside for about 3 weeks. It came on "
        "gradually after I went from 30k to 50k a week. No swelling and it never gives way, "
        "pain is 5/10 on stairs. Ice helped a bit."
    )
    assert triples(text) == [
        ("age", 34, "34"),
        ("side", "right", "rigth"),
        ("location", "medial", "inside"),
        ("duration", 3.0, "3 weeks"),
        ("onset", "gradual", "gradually"),
        ("distance_before", 30.0, "30k"),
        ("distance_now", 50.0, "50k"),
        ("symptom", "swelling", "swelling"),
        ("symptom", "giving_way", "gives way"),
        ("pain_score", 5, "5/10"),
        ("pain_trigger", "stairs", "stairs"),
        ("treatment", "ice", "Ice"),
        ("outcome", "helped", "helped"),
    ]
    negated = {e.value: e.negated for e in extract(text) if e.entity == "symptom"}
    assert negated == {"swelling": True, "giving_way": True}


def test_unicode_and_odd_spacing_keep_offsets() -> None:
    text = "İ think  my   left\tknee’s  swollen"
    for e in extract(text):
        assert text[e.start : e.end] == e.text
    assert [e.text for e in extract(text)] == ["left", "swollen"]


def test_speed() -> None:
    text = (
        "I'm 45, my left knee hurts on the inside when running downhill, about 6/10, "
        "went from 20 to 35 miles a week over 3 weeks, no swelling, tried ice and rest"
    )
    extract(text)  # warm caches
    start = time.perf_counter()
    for _ in range(200):
        extract(text)
    per_message = (time.perf_counter() - start) / 200
    assert per_message < 0.01, f"{per_message * 1000:.2f} ms per message"


# --------------------------------------------------------------------------- regressions

REGRESSION_CASES = [
    ("good morning", []),
    ("that's not right", []),
    ("I want a real physio", []),
    ("can I talk to a physio", []),
    ("I went to see a physio", [("treatment", "physio", "physio")]),
    ("should I film from the front or the side", []),
    ("it's been about a month and a half", [("duration", 6.5, "a month and a half")]),
    ("two and a half weeks", [("duration", 2.5, "two and a half weeks")]),
    ("probably a 4 at rest and 7 on the downhills", [
        ("pain_score", 4, "a 4"), ("symptom", "rest_pain", "at rest"),
        ("pain_score", 7, "7"), ("pain_trigger", "downhill", "downhills"),
    ]),
    ("the glute squeeze made it feel better", [
        ("self_test", "hip", "glute squeeze"), ("outcome", "helped", "made it feel better"),
    ]),
    ("it hurts more on stairs", [("pain_trigger", "stairs", "stairs")]),
    ("deep inside the joint line", [
        ("location", "inner_joint_line", "deep inside the joint line"),
    ]),
]


@pytest.mark.parametrize(("text", "expected"), REGRESSION_CASES)
def test_regressions(text: str, expected: list[tuple[str, object, str]]) -> None:
    assert triples(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tripled it basically, 10k to 30k", [("distance_before", 10.0), ("distance_now", 30.0)]),
        ("my weekly distance jumped to 60km", [("distance_now", 60.0)]),
        ("increased it to 40 miles", [("distance_now", 64.4)]),
        ("I run 5k to work", [("distance", 5.0)]),
    ],
)
def test_to_pairs_and_verb_to_give_roles(text: str, expected: list[tuple[str, float]]) -> None:
    found = [(e.entity, round(e.value, 1)) for e in extract(text) if "distance" in e.entity]
    assert found == expected
