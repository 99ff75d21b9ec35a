"""The SpellingCorrector NLU component with the project's real vocabulary (``.venv/rasa``).

Runner messages typed fast are mended before the classifier, the extractor and the
red-flag scanner read them; words that matter clinically are never changed into others.
"""

from __future__ import annotations

import pytest

pytest.importorskip("rasa", reason="needs the Rasa virtualenv (.venv/rasa)")

import yaml
from components.red_flag_scan import scan
from components.spelling_corrector import SpellingCorrector
from rasa.shared.nlu.training_data.message import Message

from tests.rasa_env.conftest import ROOT
from tests.rasa_env.graph import create_component

pytestmark = pytest.mark.rasa_env


@pytest.fixture(scope="module")
def mended(tmp_path_factory: pytest.TempPathFactory):
    component = create_component(SpellingCorrector, tmp_path_factory.mktemp("speller"))

    def run(text: str) -> str:
        (message,) = component.process([Message.build(text=text)])
        return str(message.get("text"))

    return run


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("boht of em, left and rihgt", "both of em, left and right"),
        ("about two wekes", "about two weeks"),
        ("the inisde of my knee", "the inside of my knee"),
        ("im not srue", "im not sure"),
        ("made it wrose", "made it worse"),
        ("stiars and downhill", "stairs and downhill"),
        ("i ran 20 mils a week", "i ran 20 miles a week"),
        ("no feevr", "no fever"),
        ("gradually, oveer a cuople of weeks.", "gradually, over a couple of weeks."),
    ],
)
def test_runner_typos_are_mended(mended, typed: str, meant: str) -> None:
    assert mended(typed) == meant


@pytest.mark.parametrize(
    "text",
    [
        "I cant bend it and it doesnt straighten",  # negations survive without apostrophes
        "cancel that, I had cancer years ago",
        "medial knee pain, glute medius weak, clamshells helped",
        "pes anserine, ITB, 5k parkrun, 30kms, 20mi/wk",
        "/inform{\"side\": \"rihgt\"}",  # button payloads are explicit: untouched
        "hips, four, width, thick, plank, taping, slid, gait, sole",  # real words
        "aye, nae swelling, naw it disnae lock, a wee niggle",  # Scots: "nae" is no "name"
        # words with accents are another language, never a slip ("perdón" is no "perón")
        "perdón, no, it did NOT help, igual, the same as before",
        "sous la rotule, pas gonflé, não incha, müde",
    ],
)
def test_words_that_are_no_slips_stay(mended, text: str) -> None:
    assert mended(text) == text


def test_a_sign_behind_a_typo_reaches_the_red_flag_scanner(mended) -> None:
    typed = "yes, my right clf is swolen, warm and tender"
    assert not any(hit.flag == "calf_swollen_warm" for hit in scan(typed.replace("swolen", "sw")))
    assert any(hit.flag == "calf_swollen_warm" and hit.certain for hit in scan(mended(typed)))


def test_the_corrector_runs_first_in_the_pipeline() -> None:
    config = yaml.safe_load((ROOT / "rasa_project" / "config.yml").read_text(encoding="utf-8"))
    assert config["pipeline"][0]["name"] == "components.spelling_corrector.SpellingCorrector"
