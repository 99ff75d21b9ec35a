"""The generic content checker (content_schema/) and the schema of every file in data/."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest
import yaml

from analysis_core import reference
from content_schema import FILE_SCHEMAS, ContentError, content_field, load, parse, read_yaml

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"


@dataclass(frozen=True)
class Fit:
    when: dict[str, Any]
    bonus: float
    because: str | None = None


@dataclass(frozen=True)
class Item:
    id: str
    level: Literal["low", "high"]
    gentle: bool
    aliases: tuple[str, ...]
    limit: float | dict[Literal["running", "squat"], float]
    bands: tuple[Literal["a", "b"], ...] = content_field(non_empty=True)
    fits: tuple[Fit, ...] = ()
    from_55: int = content_field(key="55_from", default=55)


@dataclass(frozen=True)
class File:
    items: tuple[Item, ...]


def _item(**changes: Any) -> dict[str, Any]:
    item = {"id": "a", "level": "low", "gentle": True, "aliases": ["x"], "limit": 1,
            "bands": ["a"], "fits": [{"when": {"field": "x"}, "bonus": 2}]}  # fmt: skip
    item.update(changes)
    return {"items": [{"id": "first", "level": "high", "gentle": False, "aliases": [],
                       "limit": {"running": 2}, "bands": ["b"]}, item]}  # fmt: skip


def _error(raw: Any) -> str:
    with pytest.raises(ContentError) as error:
        parse(raw, File, "test.yml")
    return str(error.value)


# --------------------------------------------------------------------------- every file


def test_every_data_file_has_a_schema_and_fits_it() -> None:
    files = {path.name for path in DATA.glob("*.yml")}
    assert files == set(FILE_SCHEMAS)
    for name, schema in FILE_SCHEMAS.items():
        assert isinstance(load(DATA / name), schema), name


def test_a_valid_file_becomes_typed_objects() -> None:
    loaded = parse(_item(limit=1), File, "test.yml")
    second = loaded.items[1]
    assert second == Item("a", "low", True, ("x",), 1.0, ("a",),
                          (Fit({"field": "x"}, 2.0),), 55)  # fmt: skip
    assert isinstance(second.limit, float) and isinstance(second.fits[0].bonus, float)
    assert loaded.items[0].limit == {"running": 2.0}


# --------------------------------------------------------------------------- one per error


def test_missing_key_names_file_and_path() -> None:
    raw = _item()
    del raw["items"][1]["gentle"]
    assert _error(raw) == "test.yml: field 'items[1].gentle': is required"


def test_unknown_key_lists_the_allowed_ones() -> None:
    message = _error(_item(colour="red"))
    assert message.startswith("test.yml: field 'items[1].colour': unknown key (allowed: id, ")
    assert "55_from" in message


def test_wrong_type() -> None:
    assert _error(_item(gentle="yes")) == (
        "test.yml: field 'items[1].gentle': expected bool, got str"
    )
    assert "expected a number, got bool" in _error(_item(fits=[{"when": {}, "bonus": True}]))
    assert "'items[1].aliases': expected a list, got str" in _error(_item(aliases="x"))
    assert "'items[1].fits[0]': expected a mapping, got a list" in _error(_item(fits=[[1]]))


def test_nested_path() -> None:
    message = _error(_item(fits=[{"when": {}, "bonus": "high"}]))
    assert message == "test.yml: field 'items[1].fits[0].bonus': expected a number, got str"


def test_not_one_of_the_choices() -> None:
    assert _error(_item(level="medium")) == (
        "test.yml: field 'items[1].level': unknown level 'medium' (not one of ['low', 'high'])"
    )
    assert "'items[1].bands[0]': expected a non-empty string, got int" in _error(_item(bands=[1]))


def test_unknown_key_of_a_mapping_with_choices() -> None:
    message = _error(_item(limit={"swimming": 1}))
    assert "'items[1].limit.swimming': unknown key (not one of ['running', 'squat'])" in message


def test_none_of_the_alternatives() -> None:
    assert "'items[1].limit': expected a number or a mapping, got str" in _error(_item(limit="x"))


def test_empty_text_and_empty_list() -> None:
    assert "'items[1].aliases[0]': must not be empty" in _error(_item(aliases=["  "]))
    assert "'items[1].bands': must not be empty" in _error(_item(bands=[]))


def test_key_that_is_not_a_string() -> None:
    assert "key 1 must be a string (quote it)" in _error(_item(limit={1: 2}))


def test_top_level_must_be_a_mapping() -> None:
    assert _error(["a"]) == "test.yml: field '<top level>': expected a mapping, got a list"


def test_missing_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="content file not found"):
        read_yaml(tmp_path / "nope.yml")
    (tmp_path / "bad.yml").write_text("a: [unclosed", encoding="utf-8")
    with pytest.raises(ContentError, match=r"bad\.yml: not valid YAML"):
        read_yaml(tmp_path / "bad.yml")


def test_unsupported_annotation_is_a_programming_error() -> None:
    @dataclass(frozen=True)
    class Odd:
        values: set[str]

    with pytest.raises(TypeError, match="does not support"):
        parse({"values": []}, Odd, "odd.yml")


# --------------------------------------------------------------------------- the loaders


def _edited_copy(tmp_path: Path, name: str, change: Any) -> Path:
    data = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "change", "message"),
    [
        ("messages.yml", lambda d: d["video"].pop("accepted"), r"'video\.accepted': is required"),
        ("questions.yml", lambda d: d["questions"][0].update(buttons="yes"),
         r"'questions\[0\]\.buttons': expected a list"),
        ("intent_guard.yml", lambda d: d["destructive"].update(stop=[]),
         r"'destructive\.stop': must not be empty"),
        ("red_flag_phrases.yml", lambda d: d["flags"]["locking"].update(colour="red"),
         r"'flags\.locking\.colour': unknown key"),
        ("video_reference.yml", lambda d: d["measures"]["cadence_spm"].update(direction="up"),
         r"'measures\.cadence_spm\.direction': unknown direction 'up'"),
        ("video_reference.yml",
         lambda d: d["measures"]["cadence_spm"]["change"].update(better="up"),
         r"'measures\.cadence_spm\.change\.better': unknown better 'up'"),
        ("video_reference.yml", lambda d: d["measures"]["overstride"].pop("change"),
         r"'measures\.overstride\.change': is required"),
        ("video_reference.yml", lambda d: d["comparison"]["views"].update(above="x"),
         r"'comparison\.views\.above': unknown key"),
    ],
)
def test_other_files_are_checked_by_their_schema(
    tmp_path: Path, name: str, change: Any, message: str
) -> None:
    path = _edited_copy(tmp_path, name, change)
    with pytest.raises(ContentError, match=re.escape(name) + ": field " + message):
        load(path)


def test_video_reference_loader_checks_the_schema(tmp_path: Path) -> None:
    path = _edited_copy(tmp_path, "video_reference.yml", lambda d: d.pop("retake_tips"))
    with pytest.raises(ContentError, match=r"'retake_tips': is required"):
        reference.load(str(path))
