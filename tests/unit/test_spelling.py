"""Unit tests for the speller (``rasa_project/components/spelling.py``), pure Python.

A small made-up vocabulary stands in for the project's texts; the frequent-English list is
given with made-up log probabilities. The component over the real vocabulary is tested in
tests/rasa_env/test_spelling_corrector.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "rasa_project"))

from components.spelling import build_speller, edit_distance  # noqa: E402

PROJECT_TEXTS = [
    "my right knee is swollen and sore after runs",
    "the left knee locks and gives way on the stairs",
    "both knees hurt, the calf is warm",
    "i ran 20 miles a week, now 30 km a week",
    "not sure, no idea, none of those",
    "a knee knee knee week week week weak",  # "week" used far more than "weak"
    "sure sure sore sore",
]
ENGLISH = [  # (word, log probability)
    ("the", -3.5), ("sure", -7.2), ("week", -8.0), ("weak", -10.0), ("knee", -10.9),
    ("sore", -11.8), ("miles", -10.1), ("cancel", -11.4), ("cancer", -10.2),
    ("swollen", -13.3), ("calf", -13.0), ("none", -9.7), ("idea", -8.5), ("right", -6.5),
    ("left", -7.5), ("stairs", -10.5), ("locks", -11.9), ("warm", -10.0),
    ("nothign", -16.2),  # web text is full of slips: rare "words" are not protected
    ("hurst", -15.0),  # a real (if rare) word: protected
]


@pytest.fixture(scope="module")
def speller():
    return build_speller(PROJECT_TEXTS, ENGLISH, protected=["weeknd"])


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("rihgt", "right"),  # two letters swapped
        ("swolen", "swollen"),  # a letter dropped
        ("kneee", "knee"),  # a letter doubled
        ("cqlf", "calf"),  # a neighbouring key
        ("clf", "calf"),  # three letters: read as a longer word
        ("lfet", "left"),
        ("stiars", "stairs"),
        ("wekk", "week"),
        ("mils", "miles"),
        ("srue", "sure"),
    ],
)
def test_slips_are_mended(speller, typed: str, meant: str) -> None:
    assert speller.correct_word(typed) == meant


@pytest.mark.parametrize(
    "word",
    [
        "cancel",  # a common word one edit from another ("cancer"): never a slip
        "hurst",  # a real word, frequent enough
        "weeknd",  # protected
        "cant", "dont", "didnt",  # contractions without the apostrophe keep their "not"
        "km", "ok",  # too short to judge
        "xyzzy",  # nothing near
        "sore", "sure",  # known words stay, however close to each other
    ],
)
def test_known_and_unmendable_words_stay(speller, word: str) -> None:
    assert speller.correct_word(word) == word


def test_two_equally_close_words_about_as_common_leave_the_word_alone(speller) -> None:
    # "spre" is one edit from "sore" and from "sure", used as often: no guess
    assert speller.correct_word("spre") == "spre"
    # "wek" is one edit from "week" and "weak", but "week" is used three times as often
    assert speller.correct_word("wek") == "week"


def test_a_rare_web_spelling_is_still_a_slip() -> None:
    speller = build_speller([*PROJECT_TEXTS, "nothing nothing nothing"], ENGLISH)
    assert speller.correct_word("nothign") == "nothing"


def test_correct_keeps_everything_but_the_mended_words(speller) -> None:
    text = "My rihgt kneee is SWOLEN, can't walk; 20mi/wk 👍 cancel"
    assert speller.correct(text) == "My right knee is swollen, can't walk; 20mi/wk 👍 cancel"


def test_edit_distance_counts_a_swap_as_one() -> None:
    assert edit_distance("rihgt", "right") == 1
    assert edit_distance("knee", "knee") == 0
    assert edit_distance("clf", "calf") == 1
    assert edit_distance("abc", "xyz") == 3


def test_a_slip_in_a_contraction_is_mended_so_its_not_is_read(speller) -> None:
    assert speller.correct("no, i havvent cut back") == "no, i havent cut back"


@pytest.mark.parametrize(("typed", "meant"), [("doenst", "doesnt"), ("dosent", "doesnt"),
                                              ("didnt", "didnt"), ("cnat", "cant")])  # fmt: skip
def test_a_negation_with_two_letters_swapped_is_read_even_if_web_text_knows_it(
    typed: str, meant: str
) -> None:
    speller = build_speller(PROJECT_TEXTS, [*ENGLISH, ("doenst", -15.6), ("dosent", -14.1)])
    assert speller.correct_word(typed) == meant
