"""The widget's level labels and advice come from data/guidance.yml, its one copy."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def _build_module():
    spec = importlib.util.spec_from_file_location("widget_build", REPO / "web" / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_bundle_carries_every_level_card_of_the_guidance_file() -> None:
    cards = yaml.safe_load((REPO / "data" / "guidance.yml").read_text(encoding="utf-8"))
    found = re.search(r"^var LEVEL_CARDS = (.*);$", _build_module().bundle(), re.M)
    assert found, "the bundle defines no LEVEL_CARDS"
    assert json.loads(found.group(1)) == {
        level: {"label": card["label"], "advice": card["advice"]}
        for level, card in cards["level_cards"].items()
    }


def test_the_bundle_converts_miles_with_the_apps_one_factor() -> None:
    from content_schema.vocabulary import KM_PER_MILE

    bundle = _build_module().bundle()
    assert f"var KM_PER_MILE = {KM_PER_MILE!r};" in bundle
    assert "1.609" not in (REPO / "web" / "src" / "widget.js").read_text(encoding="utf-8")


def test_the_widget_source_writes_no_level_advice_of_its_own() -> None:
    source = (REPO / "web" / "src" / "widget.js").read_text(encoding="utf-8")
    cards = yaml.safe_load((REPO / "data" / "guidance.yml").read_text(encoding="utf-8"))
    for card in cards["level_cards"].values():
        assert card["advice"] not in source


def test_the_bundle_carries_the_summary_words_the_pdf_reads() -> None:
    words = yaml.safe_load((REPO / "data" / "summary_words.yml").read_text(encoding="utf-8"))
    flags = yaml.safe_load((REPO / "data" / "red_flags.yml").read_text(encoding="utf-8"))
    found = re.search(r"^var SUMMARY_WORDS = (.*);$", _build_module().bundle(), re.M)
    assert found, "the bundle defines no SUMMARY_WORDS"
    bundled = json.loads(found.group(1))
    for part in ("answers", "hidden_answers", "values", "empty_lists", "formats", "video"):
        assert bundled[part] == words[part], part
    assert bundled["warning_signs"] == {flag["id"]: flag["label"] for flag in flags["red_flags"]}
    assert "document" not in bundled, "the PDF's own texts stay out of the widget"


def test_the_widget_source_writes_no_answer_words_of_its_own() -> None:
    source = (REPO / "web" / "src" / "widget.js").read_text(encoding="utf-8")
    words = yaml.safe_load((REPO / "data" / "summary_words.yml").read_text(encoding="utf-8"))
    written = [item["label"] for item in words["answers"]]
    written += [text for values in words["values"].values() for text in values.values()]
    assert not [text for text in written if f'"{text}"' in source]
