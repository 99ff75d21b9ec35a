"""One generic checker: loaded YAML in, typed frozen dataclasses out, or a :class:`ContentError`.

A schema is a frozen dataclass whose field annotations say what the YAML holds. The checker
understands ``str`` (never empty), ``bool``, ``int``, ``float`` (a whole number is accepted
and converted), ``Any`` (taken as it is), ``Literal[...]`` (one of the choices),
``tuple[X, ...]`` (a YAML list), ``dict[K, V]`` (a YAML mapping; ``K`` is ``str`` or a
``Literal``), ``X | Y`` and ``X | None``, and nested dataclasses. A field with a default may
be left out; every other field is required; a key the dataclass does not name is an error.
:func:`content_field` gives a field a YAML key that is not a Python name, or forbids an
empty list.

Every error names the file, the path to the value and the reason, e.g.
``exercises.yml: field 'exercises[3].fits[0].bonus': expected a number, got str``.

Stdlib plus PyYAML only: it is imported by both virtualenvs (Rasa and the action server).
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

import yaml

T = TypeVar("T")

_YAML_KEY = "yaml_key"
_NON_EMPTY = "non_empty"
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ContentError(ValueError):
    """Raised when a content file is missing or malformed (the message says where and why)."""


@dataclass(frozen=True)
class Where:
    """A place in a content file: the file name and the path to a value inside it."""

    file: str
    path: str = ""

    def sub(self, key: str | int) -> Where:
        """The place of ``key`` (a mapping key, or a list index) inside this one."""
        if isinstance(key, int):
            return Where(self.file, f"{self.path}[{key}]")
        return Where(self.file, f"{self.path}.{key}" if self.path else key)

    def fail(self, reason: str) -> ContentError:
        """An error naming this place and ``reason`` (raise it)."""
        return ContentError(f"{self.file}: field '{self.path or '<top level>'}': {reason}")

    def label(self) -> str:
        """The last mapping key of the path (``level`` for ``rules[0].level``)."""
        return self.path.rsplit(".", 1)[-1].split("[", 1)[0] or "value"


def content_field(*, key: str | None = None, non_empty: bool = False, **kwargs: Any) -> Any:
    """A dataclass field with checker options.

    Args:
        key: The YAML key, when it is not the field name (``55_plus_from``, ``all``).
        non_empty: A list that must have at least one entry.
        **kwargs: Passed on to :func:`dataclasses.field` (``default=...``).
    """
    return dataclasses.field(metadata={_YAML_KEY: key, _NON_EMPTY: non_empty}, **kwargs)


def read_yaml(path: Path) -> Any:
    """The parsed YAML of ``path`` (safe loader).

    Raises:
        ContentError: If the file is missing or not valid YAML.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ContentError(f"{path}: content file not found") from exc
    try:
        return yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        raise ContentError(f"{path.name}: not valid YAML: {exc}") from exc


def parse(raw: Any, schema: type[T], file: str) -> T:
    """Turn loaded YAML into ``schema`` (a dataclass), checking every value on the way.

    Args:
        raw: What the YAML loader returned.
        schema: The dataclass describing the whole file.
        file: The file name used in error messages.

    Raises:
        ContentError: Naming file, path and reason: a missing or unknown key, a wrong type,
            an empty text or list, or a value that is not one of the allowed choices.
    """
    return typing.cast(T, _convert(raw, schema, Where(file)))


# --------------------------------------------------------------------------- conversion

_Converter = Callable[[Any, Any, Where], Any]


def _convert(value: Any, kind: Any, where: Where) -> Any:
    if kind is Any:
        return value
    if dataclasses.is_dataclass(kind):
        return _dataclass(value, kind, where)
    origin = get_origin(kind)
    converter = _BY_ORIGIN.get(origin) if origin else _SCALARS.get(kind)
    if converter is None:
        raise TypeError(f"the content checker does not support {kind!r}")
    return converter(value, kind, where)


def _dataclass(value: Any, kind: Any, where: Where) -> Any:
    mapping = _expect(value, kind, where)
    by_key = {_key_of(f): f for f in dataclasses.fields(kind)}
    for key in mapping:
        if key not in by_key:
            raise where.sub(str(key)).fail(f"unknown key (allowed: {', '.join(by_key)})")
    hints = _hints(kind)
    values = {}
    for key, spec in by_key.items():
        if key in mapping:
            values[spec.name] = _field_value(mapping[key], spec, hints[spec.name], where.sub(key))
        elif not _has_default(spec):
            raise where.sub(key).fail("is required")
    return kind(**values)


def _field_value(value: Any, spec: dataclasses.Field[Any], kind: Any, where: Where) -> Any:
    converted = _convert(value, kind, where)
    if spec.metadata.get(_NON_EMPTY) and not converted:
        raise where.fail("must not be empty")
    return converted


def _tuple(value: Any, kind: Any, where: Where) -> tuple[Any, ...]:
    item_kind = get_args(kind)[0]
    items = _expect(value, kind, where)
    return tuple(_convert(item, item_kind, where.sub(index)) for index, item in enumerate(items))


def _dict(value: Any, kind: Any, where: Where) -> dict[Any, Any]:
    key_kind, value_kind = get_args(kind)
    out = {}
    for key, item in _expect(value, kind, where).items():
        if not isinstance(key, str):
            raise where.fail(f"key {key!r} must be a string (quote it)")
        choices = get_args(key_kind) if get_origin(key_kind) is Literal else (key,)
        if key not in choices:
            raise where.sub(key).fail(f"unknown key (not one of {list(choices)})")
        out[key] = _convert(item, value_kind, where.sub(key))
    return out


def _literal(value: Any, kind: Any, where: Where) -> Any:
    choices = get_args(kind)
    _expect(value, type(choices[0]), where)  # the choices of one Literal share a type
    if not any(value == choice and type(value) is type(choice) for choice in choices):
        raise where.fail(f"unknown {where.label()} {value!r} (not one of {list(choices)})")
    return value


def _union(value: Any, kind: Any, where: Where) -> Any:
    options = get_args(kind)
    if value is None and type(None) in options:
        return None
    for option in options:
        if option is not type(None) and _has_shape(value, option):
            return _convert(value, option, where)
    raise where.fail(f"expected {_describe(kind)}, got {_type_name(value)}")


def _scalar(value: Any, kind: Any, where: Where) -> Any:
    _expect(value, kind, where)
    if kind is str and not value.strip():
        raise where.fail("must not be empty")
    return float(value) if kind is float else value


_BY_ORIGIN: dict[Any, _Converter] = {
    tuple: _tuple,
    dict: _dict,
    Mapping: _dict,
    Literal: _literal,
    Union: _union,
    types.UnionType: _union,
}
_SCALARS: dict[Any, _Converter] = {str: _scalar, bool: _scalar, int: _scalar, float: _scalar}


# --------------------------------------------------------------------------- shapes


def _expect(value: Any, kind: Any, where: Where) -> Any:
    """``value`` itself if its YAML shape fits ``kind``; else a "wrong type" error."""
    if not _has_shape(value, kind):
        raise where.fail(f"expected {_describe(kind)}, got {_type_name(value)}")
    return value


def _has_shape(value: Any, kind: Any) -> bool:
    """Whether ``value`` has the outer YAML type of ``kind`` (contents not yet checked)."""
    if kind is Any:
        return True
    origin = get_origin(kind)
    if origin is Literal:
        return any(_has_shape(value, type(choice)) for choice in get_args(kind))
    if origin in (Union, types.UnionType):
        return any(_has_shape(value, option) for option in get_args(kind))
    if dataclasses.is_dataclass(kind) or origin in (dict, Mapping):
        return isinstance(value, Mapping)
    if origin is tuple:
        return isinstance(value, list)
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is type(None):
        return value is None
    return isinstance(value, kind) and (kind is bool or not isinstance(value, bool))


def _describe(kind: Any) -> str:
    origin = get_origin(kind)
    if origin in (Union, types.UnionType):
        return " or ".join(_describe(option) for option in get_args(kind))
    if origin is Literal:
        return f"one of {list(get_args(kind))}"
    if dataclasses.is_dataclass(kind) or origin in (dict, Mapping):
        return "a mapping"
    if origin is tuple:
        return "a list"
    if kind is float:
        return "a number"
    if kind is str:
        return "a non-empty string"
    return "null" if kind is type(None) else getattr(kind, "__name__", str(kind))


def _type_name(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "null" if value is None else type(value).__name__


# --------------------------------------------------------------------------- dataclass fields


@functools.cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)


def _key_of(spec: dataclasses.Field[Any]) -> str:
    return spec.metadata.get(_YAML_KEY) or spec.name


def _has_default(spec: dataclasses.Field[Any]) -> bool:
    return (spec.default is not dataclasses.MISSING
            or spec.default_factory is not dataclasses.MISSING)  # fmt: skip
