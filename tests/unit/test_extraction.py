"""Unit tests for the rule-based entity extractor (``rasa_project/components/extraction/``).

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
    ("its my r knee", [("right", "r")]),
    ("l", [("left", "l")]),
    ("plan b: l side r side", []),
    ("my left knee doesn't look right", [("left", "left")]),
    ("my knee hasn't been right since the marathon", []),
    ("it's been right sore all week", []),
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
    # the ice fallen on is no treatment tried (it used to be read as one)
    ("I fell on ice", [("injury", "fall", "fell")]),
    ("I fell, then iced it", [("injury", "fall", "fell"), ("treatment", "ice", "iced")]),
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
    ("never gives way", [("giving_way", "gives way", True)]),
    ("it gives way sometimes", [("giving_way", "gives way", False)]),
    ("no swelling but it gives way", [
        ("swelling", "swelling", True), ("giving_way", "gives way", False),
    ]),
    ("no swelling, locking or giving way", [
        ("swelling", "swelling", True), ("giving_way", "giving way", True),
    ]),
    ("no swelling and it gives way", [
        ("swelling", "swelling", True), ("giving_way", "gives way", False),
    ]),
    ("no swelling, it buckles", [
        ("swelling", "swelling", True), ("giving_way", "buckles", False),
    ]),
    ("I'm not sure if it's swollen", [("swelling", "swollen", False)]),
    ("swelling: none", [("swelling", "swelling", True)]),
    ("I'm limping", [("limp", "limping", False)]),
    ("it's stiff in the mornings", [("stiffness", "stiff", False)]),
    ("it's swolen", [("swelling", "swolen", False)]),
    ("it looks fine", []),
    ("I never run at weekends", []),
    # swelling of another body part is not knee swelling
    ("the knee's fine but my calf is puffy, hot and tender", []),
    ("my calf is swollen", []),
    ("swollen calf", []),
    ("there's swelling in my left calf", []),
    ("my ankles swell after long flights", []),
    ("calf is tight and the knee is swollen", [("swelling", "swollen", False)]),
    ("my calf is fine but the knee is puffy", [("swelling", "puffy", False)]),
    ("swelling behind the knee", [("swelling", "swelling", False)]),
]


@pytest.mark.parametrize(("text", "expected"), SYMPTOM_CASES)
def test_symptoms_and_negation(text: str, expected: list[tuple[str, str, bool]]) -> None:
    got = [(e.value, e.text, e.negated) for e in extract(text) if e.entity == "symptom"]
    assert got == expected


#: Warning signs are no longer symptom values: the red-flag scanner finds them.
RED_FLAG_HANDOVER = [
    ("it locks sometimes", "locking"),
    ("I can't straighten it", "locking"),
    ("it wakes me up at night", "night_rest_pain"),
    ("I have a fever and feel unwell", "hot_swollen_fever"),
    ("my calf is swollen, hot and sore", "calf_swollen_warm"),
    ("chest pain and short of breath", "chest_pain_breathless"),
    ("my foot feels numb", "foot_numb_cold"),
    ("I can't put weight on it", "cannot_bear_weight"),
    ("it looks out of place", "deformity"),
    ("lost weight without trying and found a lump", "weight_loss_lump_cancer"),
]


@pytest.mark.parametrize(("text", "flag"), RED_FLAG_HANDOVER)
def test_red_flag_signs_are_the_scanners_not_symptoms(text: str, flag: str) -> None:
    from components.red_flag_scan import scan

    assert not [e for e in extract(text) if e.entity == "symptom"]
    assert flag in {hit.flag for hit in scan(text)}


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


def test_typo_word_file_errors_name_file_and_key(tmp_path: Path) -> None:
    from components.extraction.typos import WordListError, load_word_lists

    words = tmp_path / "typo_words.yml"
    words.write_text("key_words: |\n  knee Knee\nprotected_words: never\n", encoding="utf-8")
    with pytest.raises(WordListError, match=r"typo_words\.yml: field 'key_words': .*'Knee'"):
        load_word_lists(words)
    words.write_text("key_words: knee\n", encoding="utf-8")
    with pytest.raises(WordListError,
                       match=r"typo_words\.yml: field 'protected_words': is required"):
        load_word_lists(words)
    with pytest.raises(WordListError, match=r"missing\.yml: content file not found"):
        load_word_lists(tmp_path / "missing.yml")


# --------------------------------------------------------------------------- multi-fact


def test_a_beginners_programme_is_neither_a_distance_nor_a_score() -> None:
    text = ("I'm 52 and doing couch to 5k, week 6. The inside of my right knee aches after "
            "runs. I was doing about 4 miles a week, now about 9.")
    found = triples(text)
    assert ("distance_before", 6.437, "4 miles") in found
    assert ("distance_now", 14.484, "9") in found
    assert not [t for t in found if t[0] == "pain_score" or t[1] == 5.0]


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
        ("pain_score", 4, "a 4"), ("pain_score", 7, "7"), ("pain_trigger", "downhill", "downhills"),
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


# --------------------------------------------------------------------------- conversation-test
# classes: each class of message the whole-conversation tests with simulated runners missed,
# in several phrasings, plus messages that must not fire.

SCORE_PUNCTUATION_CASES = [
    ("an 8 out of 10.", [(8, "8 out of 10")]),
    ("maybe 5 out of 10.", [(5, "5 out of 10")]),
    ("6/10.", [(6, "6/10")]),
    ("I'd say 6/10. Hurts on stairs", [(6, "6/10")]),
    ("6 / 10!", [(6, "6 / 10")]),
    ("seven out of ten.", [(7, "seven out of ten")]),
    ("it's a 6 or 7 out of 10.", [(7, "6 or 7 out of 10")]),
    ("it's a 7.", [(7, "a 7")]),
    ("maybe 4.", [(4, "4")]),
    ("about a 6 I'd say", [(6, "about a 6")]),
    ("hmm about a 6 I'd say, worse on stairs", [(6, "about a 6")]),
    ("8 at worst", [(8, "8")]),
    ("it gets to 8 at worst", [(8, "8")]),
    ("I'd say 6 at worst, 3 at best", [(6, "6"), (3, "3")]),
    ("it gets to about 8 at its worst", [(8, "about 8")]),
    # must not fire
    ("6/10.5", []),
    ("I ran 5 miles. It was fine", []),
    ("I have 2 kids.", []),
    ("I run 3 times a week.", []),
    ("7 weeks.", []),
]


@pytest.mark.parametrize(("text", "expected"), SCORE_PUNCTUATION_CASES)
def test_pain_score_before_punctuation_and_hedges(
    text: str, expected: list[tuple[int, str]]
) -> None:
    assert only(text, "pain_score") == expected


BOTH_SIDES_CASES = [
    ("both my knees hurt", [("both", "both")]),
    ("both of my knees", [("both", "both")]),
    ("both of the knees", [("both", "both")]),
    ("both the knees are sore", [("both", "both")]),
    ("both my legs ache", [("both", "both")]),
    ("my knees both hurt", [("both", "both")]),
    ("my knees are both sore", [("both", "both")]),
    ("on both legs", [("both", "both")]),
    ("it's in both knees", [("both", "both")]),
    # must not fire
    ("both my hips hurt", []),
    ("I do both running and cycling", []),
    ("both of us run", []),
    ("we both feel fine", []),
    ("we both hurt after the race", []),
    ("both stairs and hills", []),
]


@pytest.mark.parametrize(("text", "expected"), BOTH_SIDES_CASES)
def test_side_both(text: str, expected: list[tuple[str, str]]) -> None:
    assert only(text, "side") == expected


INJURY_CLASS_CASES = [
    # blow: a knock / bang / blow as a noun
    ("after a knock to my left knee", [("blow", "knock")]),
    ("took a knock", [("blow", "took a knock")]),
    ("I got a nasty knock in football", [("blow", "knock")]),
    ("had a bang on the knee", [("blow", "bang")]),
    ("a blow to the left knee", [("blow", "blow")]),
    # pop: noun or verb, also with "in my knee" after it
    ("I felt a pop", [("pop", "pop")]),
    ("heard a pop in my knee", [("pop", "pop")]),
    ("felt something pop in my knee", [("pop", "pop")]),
    ("something popped", [("pop", "popped")]),
    ("my knee popped going downhill", [("pop", "popped")]),
    ("it popped out of place", [("pop", "popped")]),
    # none
    ("without any injury", [("none", "without any injury")]),
    ("it started without injury", [("none", "without injury")]),
    ("no injury at all", [("none", "no injury")]),
    ("wasn't injured", [("none", "wasn't injured")]),
    ("nothing happened, it just started", [("none", "nothing happened")]),
    ("nothing in particular happened", [("none", "nothing in particular happened")]),
    ("I didn't have a fall or anything", [("none", "didn't have a fall")]),
    ("it wasn't from an injury", [("none", "wasn't from an injury")]),
    ("no specific incident", [("none", "no specific incident")]),
    # must not fire
    ("I'll pop in to the shop", []),
    ("pop out for a run", []),
    ("I popped into the physio", []),
    ("I'll pop by later", []),
    ("listening to pop music", []),
    ("my knee pops when I squat", []),
    ("there was a knock at the door", []),
    ("a knock-on effect on my training", []),
    ("it's a blow to my training", []),
]


@pytest.mark.parametrize(("text", "expected"), INJURY_CLASS_CASES)
def test_injury_classes(text: str, expected: list[tuple[str, str]]) -> None:
    assert only(text, "injury") == expected


LOCATION_WITH_SIDE_CASES = [
    ("pain behind my left knee", [("location", "back", "behind"), ("side", "left", "left")]),
    ("at the back of my right knee", [
        ("location", "back", "back"), ("side", "right", "right"),
    ]),
    ("back of both knees", [("location", "back", "back"), ("side", "both", "both")]),
    ("outside of both knees", [("location", "outer", "outside"), ("side", "both", "both")]),
    ("on the outer side of my left knee", [
        ("location", "outer", "outer side"), ("side", "left", "left"),
    ]),
    ("on the outside of my left knee", [
        ("location", "outer", "outside"), ("side", "left", "left"),
    ]),
    ("at the front of my left knee", [
        ("location", "front", "front"), ("side", "left", "left"),
    ]),
    ("inside of my right knee", [("location", "medial", "inside"), ("side", "right", "right")]),
    ("my left knee, on the edge that faces away from my other leg", [
        ("side", "left", "left"), ("location", "outer", "faces away from my other leg"),
    ]),
    ("the side of the knee facing my other knee", [
        ("location", "medial", "facing my other knee"),
    ]),
    # without a side word the whole phrase is the location, as before
    ("it's behind the knee", [("location", "back", "behind the knee")]),
    ("behind my sore knee", [("location", "back", "behind my sore knee")]),
    # must not fire
    ("I run behind my friend", []),
    ("at the back of the pack", []),
    ("my back hurts", []),
]


@pytest.mark.parametrize(("text", "expected"), LOCATION_WITH_SIDE_CASES)
def test_location_with_side_word(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert [t for t in triples(text) if t[0] in ("location", "side")] == expected


def _dist(text: str) -> list[tuple[str, float, str]]:
    return [(e, round(v, 1), s) for e, v, s in triples(text) if e.startswith("distance")]


DISTANCE_CHANGE_CASES = [
    # two numbers joined by to / -> / → / up to, with an increase cue: before + now
    ("15 to 25 miles a week over three weeks", [
        ("distance_before", 24.1, "15"), ("distance_now", 40.2, "25 miles"),
    ]),
    ("I went 15 to 25 miles a week", [
        ("distance_before", 24.1, "15"), ("distance_now", 40.2, "25 miles"),
    ]),
    ("upped it 20 to 30 miles a week in 3 weeks", [
        ("distance_before", 32.2, "20"), ("distance_now", 48.3, "30 miles"),
    ]),
    ("I went 15 up to 25 miles over 3 weeks", [
        ("distance_before", 24.1, "15"), ("distance_now", 40.2, "25 miles"),
    ]),
    ("went 50k -> 70k a week", [("distance_before", 50.0, "50k"), ("distance_now", 70.0, "70k")]),
    ("went 50k->70k a week", [("distance_before", 50.0, "50k"), ("distance_now", 70.0, "70k")]),
    ("from 20k to 30k", [("distance_before", 20.0, "20k"), ("distance_now", 30.0, "30k")]),
    ("30 \u2192 45 km", [("distance_before", 30.0, "30"), ("distance_now", 45.0, "45 km")]),
    ("30 -> 45km per week", [("distance_before", 30.0, "30"), ("distance_now", 45.0, "45km")]),
    # a plain range with no increase cue stays one distance (the midpoint)
    ("about 15-20 miles a week", [("distance", 28.2, "15-20 miles")]),
    ("about 15 to 20 miles a week", [("distance", 28.2, "15 to 20 miles")]),
    ("15 to 20 miles a week, knee sore over the last 3 weeks", [
        ("distance", 28.2, "15 to 20 miles"),
    ]),
    ("I went to the physio, I run 15 to 20 miles a week", [
        ("distance", 28.2, "15 to 20 miles"),
    ]),
    # "(up from N)" after "my N miles"
    ("still doing my 40 miles (up from 30)", [
        ("distance_now", 64.4, "40 miles"), ("distance_before", 48.3, "30"),
    ]),
    # a bare number after "was" / "used to be" is the earlier distance, same unit
    ("running 15 miles a week now, was 10", [
        ("distance_now", 24.1, "15 miles"), ("distance_before", 16.1, "10"),
    ]),
    ("I'm at 40 km a week, was 30", [
        ("distance_now", 40.0, "40 km"), ("distance_before", 30.0, "30"),
    ]),
    ("50 km now, used to be 35", [
        ("distance_now", 50.0, "50 km"), ("distance_before", 35.0, "35"),
    ]),
    ("40k a week and it was 30 before", [
        ("distance_now", 40.0, "40k"), ("distance_before", 30.0, "30"),
    ]),
    # per-run distance stays a distance; "was" with no distance meaning is not one
    ("I run 5k three times a week", [("distance", 5.0, "5k")]),
    ("I'm at 40 km a week, pain was 6", [("distance", 40.0, "40 km")]),
    ("40k a week. I was 10 when I started", [("distance", 40.0, "40k")]),
    ("my 10k was slow", []),
    ("did my 20 miles on Sunday", []),
    ("pain went from 3 to 7 over 2 weeks", []),
]


@pytest.mark.parametrize(("text", "expected"), DISTANCE_CHANGE_CASES)
def test_distance_change_classes(text: str, expected: list[tuple[str, float, str]]) -> None:
    assert _dist(text) == expected


DURATION_CLASS_CASES = [
    ("over the last month", [(round(52 / 12, 2), "last month")]),
    ("it's been hurting for the past month", [(round(52 / 12, 2), "past month")]),
    ("in the past month", [(round(52 / 12, 2), "past month")]),
    ("this past week it's been worse", [(1.0, "past week")]),
    ("for the last week", [(1.0, "last week")]),
    ("the last couple of weeks", [(2.0, "couple of weeks")]),
    ("over the last couple weeks", [(2.0, "couple weeks")]),
    ("since last week", [(1.0, "last week")]),
    ("since last month", [(round(52 / 12, 2), "last month")]),
    ("for a fortnight", [(2.0, "a fortnight")]),
    ("a month and a bit", [(round(1.25 * 52 / 12, 2), "a month and a bit")]),
    ("6 weeks or so", [(6.0, "6 weeks")]),
    ("it's been 6 weeks or so", [(6.0, "6 weeks")]),
    ("I've been running for years", [(104.0, "years")]),
    ("all at once, since yesterday", [(0.14, "yesterday")]),
    ("since this morning", [(0.07, "this morning")]),
    ("been feeling a bit breathless since yesterday", []),
    ("gradually, 12 das", [(round(12 / 7, 2), "12 das")]),
    ("it came on gradually, 2 mo", [(round(2 * 52 / 12, 2), "2 mo")]),
    ("I've had it for months", [(round(2 * 52 / 12, 2), "months")]),
    ("10d", [(round(10 / 7, 2), "10d")]),
    ("about 6w", [(6.0, "6w")]),
    # must not fire
    ("3d printed insoles", []),
    ("last week I ran 40k", []),
    ("the last week of my plan", []),
    ("years ago I hurt it", []),
    ("in the past", []),
]


@pytest.mark.parametrize(("text", "expected"), DURATION_CLASS_CASES)
def test_duration_classes(text: str, expected: list[tuple[float, str]]) -> None:
    assert only(text, "duration") == expected


TRIGGER_CLASS_CASES = [
    ("after track sessions", [("after_runs", "after track sessions")]),
    ("after my long run on Sunday", [("after_runs", "after my long run")]),
    ("after workouts", [("after_runs", "after workouts")]),
    ("after intervals", [("after_runs", "after intervals")]),
    ("after races", [("after_runs", "after races")]),
    ("sore after parkrun", [("after_runs", "after parkrun")]),
    ("after my tempo runs", [("after_runs", "after my tempo runs")]),
    ("after every run", [("after_runs", "after every run")]),
    ("after speed work", [("after_runs", "after speed work")]),
    ("on hills going up", [("uphill", "hills going up")]),
    ("it hurts on the hills, going up", [("uphill", "hills, going up")]),
    ("it hurts going uphill and downhill", [("uphill", "uphill"), ("downhill", "downhill")]),
    ("pain behind my knee when running uphill", [
        ("during_runs", "when running"), ("uphill", "uphill"),
    ]),
    ("climbing stairs", [("stairs", "stairs")]),
    ("climbing up the stairs", [("stairs", "stairs")]),
    ("climbing flights of stairs", [("stairs", "stairs")]),
    # must not fire
    ("stretching and icing after every session", []),
    ("after a session with the physio", []),
    ("after race day", []),
    ("after 3 weeks", []),
]


@pytest.mark.parametrize(("text", "expected"), TRIGGER_CLASS_CASES)
def test_pain_trigger_classes(text: str, expected: list[tuple[str, str]]) -> None:
    assert only(text, "pain_trigger") == expected


TREATMENT_CLASS_CASES = [
    ("gave me mini squats", [("treatment", "exercises", "mini squats")]),
    ("the physio gave me some mini squats and lunges", [
        ("treatment", "physio", "physio"), ("treatment", "exercises", "mini squats"),
        ("exercise", "reverse_lunge", "lunges"),
    ]),
    ("doing some exercises from YouTube", [("treatment", "exercises", "exercises")]),
    ("I've been doing strength work", [("treatment", "exercises", "strength work")]),
    ("been doing clamshells", [
        ("treatment", "exercises", "doing"), ("exercise", "clamshell", "clamshells"),
    ]),
    ("I've been doing clamshells and bridges", [
        ("treatment", "exercises", "doing"), ("exercise", "clamshell", "clamshells"),
        ("exercise", "glute_bridge", "bridges"),
    ]),
    ("started doing some lunges", [
        ("treatment", "exercises", "doing"), ("exercise", "reverse_lunge", "lunges"),
    ]),
    ("tried clamshells", [
        ("treatment", "exercises", "tried"), ("exercise", "clamshell", "clamshells"),
    ]),
    ("a few days off", [("treatment", "rest", "a few days off")]),
    ("took a week off", [("treatment", "rest", "a week off")]),
    ("took a couple of weeks off", [("treatment", "rest", "a couple of weeks off")]),
    ("had a day or two off", [("treatment", "rest", "a day or two off")]),
    ("took 2 weeks off running", [("treatment", "rest", "2 weeks off")]),
    ("I'm resting it", [("treatment", "rest", "resting")]),
    # must not fire (as a treatment)
    ("it hurts when doing squats", [("pain_trigger", "squatting", "squats")]),
    ("it hurts when I'm doing squats", [("pain_trigger", "squatting", "squats")]),
    ("how do I do clamshells", [("exercise", "clamshell", "clamshells")]),
    ("what if I'm doing clamshells wrong", [("exercise", "clamshell", "clamshells")]),
    ("tried the glute squeeze", [("self_test", "hip", "glute squeeze")]),
    ("gave me pain", []),
    ("it's fine when I'm resting", []),
    ("sorry I meant 3, hit the wrong key", []),
    ("it hurts even while resting", []),
    ("I've had pain for a few days off and on", [("duration", 0.43, "a few days")]),
    ("on the downhill stretches", [("pain_trigger", "downhill", "downhill")]),
    ("a long stretch of road", []),
    ("I do stretches after runs", [
        ("treatment", "stretching", "stretches"), ("pain_trigger", "after_runs", "after runs"),
    ]),
    ("the exercises haven't changed anything", [
        ("treatment", "exercises", "exercises"),
        ("outcome", "no_change", "haven't changed anything"),
    ]),
    ("nothing has changed", [("outcome", "no_change", "nothing has changed")]),
    ("had 2 weeks completely off", [("treatment", "rest", "2 weeks completely off")]),
    ("even when I am lying down resting it does not go", []),
    ("swollen warm calf", []),
    ("it's still aching when I get up the next morning", []),
    ("it hurts when I get up", [("pain_trigger", "morning", "when I get up")]),
    ("they've made my right kneecap pain worse", [
        ("outcome", "worse", "made my"), ("side", "right", "right"),
        ("location", "kneecap", "kneecap"),
    ]),
]


@pytest.mark.parametrize(("text", "expected"), TREATMENT_CLASS_CASES)
def test_treatment_classes(text: str, expected: list[tuple[str, object, str]]) -> None:
    assert triples(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "my knees both hurt behind my left knee after a knock, 6/10. Went 30 -> 45 km a week",
        "been doing clamshells and took a week off, about a 6 I'd say",
    ],
)
def test_new_classes_keep_spans_non_overlapping(text: str) -> None:
    ents = extract(text)
    for e in ents:
        assert text[e.start : e.end] == e.text
        assert e.text == e.text.strip(" .,!?")
    for a, b in itertools.pairwise(ents):
        assert a.end <= b.start


@pytest.mark.parametrize("text", ["it doest lock or buckle", "it dsnt buckle"])
def test_typed_negatives_negate_the_sign(text: str) -> None:
    assert [(e.value, e.negated) for e in extract(text) if e.entity == "symptom"] == [
        ("giving_way", True)]


@pytest.mark.parametrize(
    ("text", "giving_way"),
    [("aye, every so often on the stair it just disnae hold me and I've to grab the bannister",
      True),
     ("now and then the knee just disnae hold and I've to grab something", True),
     ("every now n then it just switches off going downstairs n i have to grab the rail", True),
     ("since then it can't be trusted: twice now it's let me down going round a corner", True),
     ("my shoes let me down in the race", False),
     ("the tape doesn't hold on a sweaty leg", False),
     ("I switched off the alarm", False)],
)
def test_lay_words_for_giving_way(text: str, giving_way: bool) -> None:
    found = [e for e in extract(text) if e.entity == "symptom" and e.value == "giving_way"]
    assert bool(found) is giving_way


@pytest.mark.parametrize(
    "text",
    ["never rolled or twisted it or anything", "I never fell or twisted it",
     "didn't fall or twist it", "Didnae fall or bang it."],
)
def test_a_denied_list_of_mishaps_is_no_injury(text: str) -> None:
    assert [e.value for e in extract(text) if e.entity == "injury"] == ["none"]
