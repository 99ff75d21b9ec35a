"""data/scanner_real_words.txt is current for data/red_flag_phrases.yml (run in .venv/rasa)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

pytest.importorskip("spacy_lookups_data", reason="needs the Rasa virtualenv (.venv/rasa)")

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.rasa_env


def test_the_real_word_list_matches_the_phrases() -> None:
    spec = importlib.util.spec_from_file_location(
        "build_scanner_real_words", ROOT / "scripts" / "build_scanner_real_words.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    assert module.OUT.read_text(encoding="utf-8") == module.render(), (
        "run scripts/build_scanner_real_words.py after editing data/red_flag_phrases.yml"
    )
