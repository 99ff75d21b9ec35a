"""The Rasa-environment tests import the project's components as Rasa does: with
``rasa_project`` and the repository root on the path (the Makefile sets PYTHONPATH too)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT / "rasa_project", ROOT):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


@pytest.fixture
def upload_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private SQLite database with the app's channel tables, ``upload_uses`` among them
    (every stored video is counted there against the upload bounds)."""
    from kneeapp.store import plain_sql
    from tests.rasa_env.channel_tables import create_channel_tables

    url = f"sqlite:///{tmp_path / 'app.db'}"
    create_channel_tables(url)
    monkeypatch.setenv("DATABASE_URL", url)
    yield url
    plain_sql.dispose()
