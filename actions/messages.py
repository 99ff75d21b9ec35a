"""Conversation texts from ``data/messages.yml`` and the clinic's contact from the environment."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

import yaml

from actions.content import data_dir

CLINIC_FIELDS = ("name", "phone", "email", "url")


@lru_cache(maxsize=1)
def _messages() -> dict[str, Any]:
    with (data_dir() / "messages.yml").open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


def text(*path: str, **values: str) -> str:
    """Returns the text at ``path`` in messages.yml, with ``{placeholders}`` filled."""
    node: Any = _messages()
    for key in path:
        node = node[key]
    return str(node).format(**values) if values else str(node)


def clinic_from_env() -> dict[str, str] | None:
    """The running clinic's contact (CLINIC_NAME, CLINIC_PHONE, CLINIC_EMAIL, CLINIC_URL)."""
    clinic = {
        f: os.environ[f"CLINIC_{f.upper()}"]
        for f in CLINIC_FIELDS
        if os.environ.get(f"CLINIC_{f.upper()}")
    }
    return clinic or None


def clinic_contact_line(clinic: dict[str, str]) -> str:
    """ "phone 0123 · email a@b · https://..." from whatever contact fields are set."""
    parts = [clinic[f] for f in ("phone", "email", "url") if clinic.get(f)]
    return " · ".join(parts) or clinic.get("name", "")
