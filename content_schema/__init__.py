"""Typed schemas of the content files in ``data/`` and the one checker that applies them.

Pure (stdlib and PyYAML): both virtualenvs import it. ``load(path)`` reads a data file and
returns its typed form; a malformed file raises :class:`ContentError` naming file, path and
reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .checker import ContentError, Where, content_field, parse, read_yaml
from .schemas import FILE_SCHEMAS

__all__ = [
    "FILE_SCHEMAS", "ContentError", "Where", "check_file", "content_field", "load", "parse",
    "read_yaml", "schema_for",
]  # fmt: skip


def schema_for(path: Path) -> type:
    """The schema of the data file ``path`` (by its name).

    Raises:
        KeyError: If no schema describes a file of that name.
    """
    return FILE_SCHEMAS[path.name]


def load(path: Path, schema: type | None = None) -> Any:
    """Read the data file ``path`` and return it as its typed schema.

    Args:
        path: The file.
        schema: Its schema (default: the one for its name in :data:`FILE_SCHEMAS`).

    Raises:
        ContentError: If the file is missing, not valid YAML or does not fit its schema.
    """
    return parse(read_yaml(path), schema or schema_for(path), path.name)


def check_file(path: Path, schema: type | None = None) -> Any:
    """Read the data file ``path``, check it against its schema, and return the plain YAML.

    For code that walks a file as a tree (by key paths) rather than through its fields.
    Arguments and errors as for :func:`load`.
    """
    raw = read_yaml(path)
    parse(raw, schema or schema_for(path), path.name)
    return raw
