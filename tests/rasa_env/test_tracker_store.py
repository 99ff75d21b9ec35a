"""The tracker store: DATABASE_URL, SQLite tuning, and a cache that is never stale."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

pytest.importorskip("rasa")

from connectors.tracker_store import DatabaseUrlTrackerStore, connection_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

DOMAIN = Domain.from_yaml(
    "version: '3.1'\nslots:\n  side:\n    type: any\n    mappings: [{type: custom}]\n"
)


@pytest.fixture
def store(tmp_path: Path) -> DatabaseUrlTrackerStore:
    return DatabaseUrlTrackerStore(DOMAIN, url=f"sqlite:///{tmp_path / 'app.db'}")


def turn(tracker: DialogueStateTracker, text: str) -> None:
    tracker.update_with_events(
        [UserUttered(text), SlotSet("side", text), ActionExecuted("action_listen")], DOMAIN
    )


def conversation(store: DatabaseUrlTrackerStore, sender: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker.from_events(sender, [SessionStarted()], slots=DOMAIN.slots)
    turn(tracker, "left")
    asyncio.run(store.save(tracker))
    return tracker


def test_url_is_split_for_rasa() -> None:
    kwargs = connection_kwargs("postgresql+psycopg2://knee:secret@db.local:5433/knee")
    assert kwargs | {"query": None} == {
        "dialect": "postgresql",
        "host": "db.local",
        "port": 5433,
        "db": "knee",
        "username": "knee",
        "password": "secret",
        "query": None,
    }


def test_sqlite_runs_in_wal_mode(store: DatabaseUrlTrackerStore, tmp_path: Path) -> None:
    conversation(store, "a")
    with sqlite3.connect(tmp_path / "app.db") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_saved_tracker_comes_back_from_the_cache(store: DatabaseUrlTrackerStore) -> None:
    tracker = conversation(store, "a")
    assert asyncio.run(store.retrieve("a")) is tracker


def test_an_erased_conversation_is_not_served_from_the_cache(
    store: DatabaseUrlTrackerStore, tmp_path: Path
) -> None:
    conversation(store, "a")
    with sqlite3.connect(tmp_path / "app.db") as connection:
        connection.execute("DELETE FROM events WHERE sender_id = 'a'")
    assert asyncio.run(store.retrieve("a")) is None


def test_a_tracker_changed_without_saving_is_reloaded(store: DatabaseUrlTrackerStore) -> None:
    tracker = conversation(store, "a")
    turn(tracker, "right")  # a turn that failed before Rasa saved it
    loaded = asyncio.run(store.retrieve("a"))
    assert loaded is not tracker and loaded is not None
    assert loaded.get_slot("side") == "left"


def test_events_written_elsewhere_are_seen(store: DatabaseUrlTrackerStore, tmp_path: Path) -> None:
    conversation(store, "a")
    other = DatabaseUrlTrackerStore(DOMAIN, url=f"sqlite:///{tmp_path / 'app.db'}")
    theirs = asyncio.run(other.retrieve("a"))
    assert theirs is not None
    turn(theirs, "both")
    asyncio.run(other.save(theirs))
    assert asyncio.run(store.retrieve("a")).get_slot("side") == "both"  # type: ignore[union-attr]


def test_a_new_session_is_read_back_from_the_database(store: DatabaseUrlTrackerStore) -> None:
    tracker = conversation(store, "a")
    tracker.update_with_events([ActionExecuted("action_session_start"), SessionStarted()], DOMAIN)
    turn(tracker, "right")
    asyncio.run(store.save(tracker))
    loaded = asyncio.run(store.retrieve("a"))
    assert loaded is not tracker and loaded is not None
    assert sum(isinstance(e, SessionStarted) for e in loaded.events) == 1
    turn(loaded, "both")
    asyncio.run(store.save(loaded))
    assert store._rows("a") == len(tracker.events) + 3, "no event stored twice"


def test_cached_turns_store_each_event_exactly_once(store: DatabaseUrlTrackerStore) -> None:
    conversation(store, "a")
    for text in ("right", "both", "left"):
        tracker = asyncio.run(store.retrieve("a"))
        assert tracker is not None
        turn(tracker, text)
        asyncio.run(store.save(tracker))
    assert store._rows("a") == len(tracker.events)
    fresh = DatabaseUrlTrackerStore(DOMAIN, url=str(store.engine.url))
    reloaded = asyncio.run(fresh.retrieve("a"))
    assert reloaded is not None and list(reloaded.events) == list(tracker.events)
