"""Unit tests for content loading/validation (actions/content.py) and the content itself."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from actions import content
from actions.content import ContentError, clear_cache, data_dir, load_content

REPO = Path(__file__).resolve().parents[2]
EXPECTED_EXERCISES = {
    "wall_high_knee_drive": "quads", "single_leg_box_sit": "quads",
    "bulgarian_split_squat": "quads", "reverse_lunge": "quads",
    "side_lying_hip_abduction": "hip_core", "clamshell": "hip_core", "band_walk": "hip_core",
    "glute_bridge": "hip_core", "landing_glute_cue": "hip_core", "hip_mobility": "hip_core",
    "toe_waver": "foot_ankle", "toe_spread": "foot_ankle", "short_foot": "foot_ankle",
    "single_leg_balance": "foot_ankle", "foot_soft_tissue_release": "foot_ankle",
    "knee_to_wall": "foot_ankle", "a_drill": "form", "cadence_increase": "form",
    "step_down": "quads", "sit_to_stand": "quads", "wall_sit": "quads", "quad_set": "quads",
    "hip_hike": "hip_core", "side_plank": "hip_core", "single_leg_hip_hinge": "hip_core",
    "calf_raise": "foot_ankle", "arm_swing_drill": "form",
}
CONTENT_FILES = ("red_flags.yml", "triage_rules.yml", "exercises.yml", "guidance.yml")


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def broken_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Copy the real content to tmp, let a test edit one file, and point KNEE_DATA_DIR at it."""
    for name in CONTENT_FILES:
        shutil.copy(REPO / "data" / name, tmp_path / name)
    monkeypatch.setenv("KNEE_DATA_DIR", str(tmp_path))

    def edit(name: str, change: Callable[[dict[str, Any]], None]) -> None:
        path = tmp_path / name
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    return edit


def test_default_data_dir_is_repo_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KNEE_DATA_DIR", raising=False)
    assert data_dir() == REPO / "data"


def test_loaded_once_and_cached() -> None:
    assert load_content() is load_content()


def test_unchanged_copy_loads(broken_copy: Callable[..., None]) -> None:
    broken_copy("guidance.yml", lambda data: None)
    assert set(load_content().exercises) == set(EXPECTED_EXERCISES)


def test_exercise_library_complete() -> None:
    exercises = load_content().exercises
    assert {ex_id: ex.contributor for ex_id, ex in exercises.items()} == EXPECTED_EXERCISES


def test_exercise_ids_match_the_nlu_schema() -> None:
    schema = (REPO / "docs" / "nlu_schema.md").read_text(encoding="utf-8")
    section = schema.split("Exercise ids", 1)[1].split("##", 1)[0]
    assert set(re.findall(r"`([a-z_]+)`", section)) - {"data"} >= set(EXPECTED_EXERCISES)


def test_every_exercise_is_complete_and_sourced() -> None:
    for exercise in load_content().exercises.values():
        assert exercise.aliases, exercise.id
        assert "seed" in exercise.source or re.search(r"\d{4}", exercise.source), exercise.id
        assert len(exercise.how_to.split()) >= 15, exercise.id


def test_seed_004_dosages_kept() -> None:
    exercises = load_content().exercises
    assert "5–8" in exercises["single_leg_box_sit"].dosage
    assert "9–12" in exercises["bulgarian_split_squat"].dosage
    assert "6" in exercises["reverse_lunge"].dosage
    for ex_id in ("wall_high_knee_drive", "single_leg_box_sit", "bulgarian_split_squat",
                  "reverse_lunge"):
        assert "2–3 times a week" in exercises[ex_id].dosage
        assert "3 sets" in exercises[ex_id].dosage


def test_single_leg_bridge_is_the_bridge_progression() -> None:
    assert "single-leg" in load_content().exercises["glute_bridge"].progression.lower()


def test_every_rule_and_flag_cites_a_source() -> None:
    loaded = load_content()
    for flag in loaded.red_flags.values():
        assert flag.source.strip() and flag.label and flag.what_to_do
    for rule in loaded.triage.rules:
        assert rule.source.strip()
    for rule in loaded.guidance["contributor_rules"]:
        assert rule["source"].strip()


def test_pain_score_rule_documents_its_rationale() -> None:
    raw = yaml.safe_load((REPO / "data" / "triage_rules.yml").read_text(encoding="utf-8"))
    rule = next(r for r in raw["rules"] if r["id"] == "high_pain_score")
    assert "Silbernagel" in rule["rationale"] and "design choice" in rule["rationale"].lower()


def test_checklist_labels_are_short() -> None:
    for flag in load_content().red_flags.values():
        assert len(flag.label) <= 60, flag.id


# --------------------------------------------------------------------------- malformed content


def _drop(key: str, section: str = "red_flags", index: int = 0) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        del data[section][index][key]
    return change


@pytest.mark.parametrize(
    ("file", "change", "message"),
    [
        ("red_flags.yml", _drop("what_to_do"),
         r"red_flags\.yml: field 'red_flags\[0\]\.what_to_do'"),
        ("red_flags.yml", lambda d: d["red_flags"][1].update(level="clinician"),
         r"red_flags\[1\]\.level"),
        ("red_flags.yml", lambda d: d["red_flags"].append(dict(d["red_flags"][0])),
         "duplicate id 'cannot_bear_weight'"),
        ("triage_rules.yml", lambda d: d["rules"][0].update(level="soon"),
         r"rules\[0\]\.level': unknown level 'soon'"),
        ("triage_rules.yml", lambda d: d["rules"][0].update(when={"field": "colour", "equals": 1}),
         r"rules\[0\]\.when\.field': unknown field 'colour'"),
        ("triage_rules.yml", lambda d: d["rules"][0].update(when={"field": "side", "like": "b"}),
         "exactly one operator"),
        ("triage_rules.yml",
         lambda d: d["rules"][0].update(when={"field": "location", "in": ["medial", "shin"]}),
         r"rules\[0\]\.when\.in': unknown location value 'shin'"),
        ("triage_rules.yml",
         lambda d: d["rules"][0].update(when={"field": "injury", "equals": "tumble"}),
         r"rules\[0\]\.when\.equals': unknown injury value 'tumble'"),
        ("guidance.yml", lambda d: d["level_cards"]["urgent"].pop("advice"),
         r"level_cards\.urgent\.advice"),
        ("triage_rules.yml",
         lambda d: d["rules"][0].update(when={"field": "pain_score", "gt": "7"}),
         "expected a number"),
        ("triage_rules.yml", lambda d: d["rules"][0].update(when={"all": []}),
         "non-empty list"),
        ("triage_rules.yml", lambda d: d["rules"][0].update(reason="Score {painscore}"),
         "unknown placeholder"),
        ("triage_rules.yml", lambda d: d["symptom_map"][0].update(red_flag="sore_knee"),
         "unknown red flag 'sore_knee'"),
        ("triage_rules.yml", lambda d: d.update(levels=["self_care", "urgent"]), "levels"),
        ("triage_rules.yml", lambda d: d["rules"][0].update(id="locking"), "clashes"),
        ("triage_rules.yml", _drop("source", "rules", 2), r"rules\[2\]\.source"),
        ("exercises.yml", lambda d: d["exercises"][0].update(contributor="knees"),
         r"exercises\[0\]\.contributor"),
        ("exercises.yml", lambda d: d["exercises"][0].update(gentle="yes"), "expected bool"),
        ("exercises.yml", lambda d: d["exercises"][3].update(aliases=["ok", ""]),
         r"exercises\[3\]\.aliases\[1\]"),
        ("guidance.yml", lambda d: d["contributors"]["quads"]["exercise_order"].append("clamshell"),
         "belongs to 'hip_core'"),
        ("guidance.yml", lambda d: d["contributors"]["form"]["exercise_order"].append("jog"),
         "unknown exercise 'jog'"),
        ("guidance.yml", lambda d: d["level_messages"].pop("urgent"), r"level_messages\.urgent"),
        ("guidance.yml", lambda d: d["contributor_rules"][0].update(contributor="luck"),
         "unknown contributor 'luck'"),
    ],
)
def test_malformed_content_names_file_and_field(
    broken_copy: Callable[..., None],
    file: str,
    change: Callable[[dict[str, Any]], None],
    message: str,
) -> None:
    broken_copy(file, change)
    with pytest.raises(ContentError, match=message) as error:
        load_content()
    assert file in str(error.value)


def test_missing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KNEE_DATA_DIR", str(tmp_path))
    with pytest.raises(ContentError, match=r"red_flags\.yml"):
        load_content()


def test_invalid_yaml(broken_copy: Callable[..., None], tmp_path: Path) -> None:
    (tmp_path / "exercises.yml").write_text("exercises: [unclosed", encoding="utf-8")
    with pytest.raises(ContentError, match=r"exercises\.yml: not valid YAML"):
        load_content()


def test_top_level_must_be_mapping(broken_copy: Callable[..., None], tmp_path: Path) -> None:
    (tmp_path / "guidance.yml").write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"guidance\.yml"):
        load_content()


def test_condition_fields_cover_every_answer_key() -> None:
    answer_keys = {
        "side", "location", "onset", "injury", "distance_before_km", "distance_now_km",
        "stated_change_pct", "weeks_since_change", "swelling", "red_flags", "pain_triggers",
        "pain_score", "settles_by_next_day", "pain_duration_weeks", "load_reduced", "tried",
        "tried_outcome", "age_band", "limp", "self_test_hip", "self_test_foot",
    }
    assert answer_keys <= content.CONDITION_FIELDS


# --------------------------------------------------------------------------- own wording


SEEDS = REPO.parent / "shared" / "seeds"
if not SEEDS.is_dir():
    SEEDS = Path("/work/shared/seeds")
RUN = 9


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("’", "'").replace("'", ""))


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="source articles not available")
def test_no_sentences_copied_from_the_seed_articles() -> None:
    seed_runs: set[tuple[str, ...]] = set()
    for seed in SEEDS.glob("*.txt"):
        words = _words(seed.read_text(encoding="utf-8"))
        seed_runs |= {tuple(words[i:i + RUN]) for i in range(len(words) - RUN + 1)}
    for name in CONTENT_FILES:
        raw = yaml.safe_load((REPO / "data" / name).read_text(encoding="utf-8"))
        for text in _strings(raw):
            words = _words(text)
            copied = [words[i:i + RUN] for i in range(len(words) - RUN + 1)
                      if tuple(words[i:i + RUN]) in seed_runs]
            assert not copied, f"{name}: {' '.join(copied[0])}"


def test_no_drug_names_in_content() -> None:
    for name in CONTENT_FILES:
        text = (REPO / "data" / name).read_text(encoding="utf-8").lower()
        for word in ("ibuprofen", "paracetamol", "naproxen", "aspirin", "diclofenac", " mg "):
            assert word not in text, (name, word)
