"""Fixtures for the persistence tests (shared with tests/jobs)."""

from tests.store.fixtures import (  # noqa: F401 - pytest fixtures
    blank_clip,
    db_url,
    env,
    pg_url,
    rasa_stub,
    short_clip,
    sqlite_env,
    sqlite_url,
)
