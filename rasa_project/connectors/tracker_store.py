"""Rasa's SQL tracker store, configured from the app's one ``DATABASE_URL``.

Rasa 3.6's ``SQLTrackerStore`` takes dialect, host, port, database, user and password
separately; the rest of the product uses one URL (SQLite file by default, PostgreSQL in
production). Trackers live in the same database as the app's tables (table ``events``),
which is what lets ``kneeapp/store/erase.py`` erase a conversation completely.

Stock Rasa rebuilds every conversation from all its stored events on every turn. This
store keeps the trackers it saved recently and hands one back only while it is provably
current: the database still holds exactly the rows it saved (an erased conversation, or
one another Rasa instance wrote to, has a different count) and the object was not changed
since (a turn that failed before saving). Anything else is loaded from the database.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connectors.handover_relay import relay_paused_messages
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ConversationPaused, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import event, func
from sqlalchemy.engine.url import make_url

from kneeapp import settings
from kneeapp.store.sqlite_pragmas import tune_sqlite_connection


def connection_kwargs(url: str) -> dict[str, Any]:
    """SQLTrackerStore's keyword arguments for a SQLAlchemy URL."""
    parsed = make_url(url)
    dialect = parsed.drivername.split("+")[0]
    if dialect == "sqlite" and parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return {
        "dialect": dialect,
        "host": parsed.host,
        "port": parsed.port,
        "db": parsed.database,
        "username": parsed.username,
        "password": parsed.password,
        "query": dict(parsed.query) or None,
    }


@dataclass
class _Saved:
    tracker: DialogueStateTracker
    events_in_tracker: int
    rows_in_database: int


class DatabaseUrlTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` whose connection comes from ``DATABASE_URL``, with a safe cache."""

    def __init__(self, domain: Domain | None = None, url: str | None = None, **kwargs: Any) -> None:
        config = settings.current()
        for key in ("dialect", "host", "port", "db", "username", "password", "query"):
            kwargs.pop(key, None)
        super().__init__(domain, **connection_kwargs(url or config.database_url), **kwargs)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", tune_sqlite_connection)
            self.engine.dispose()  # connections opened while creating tables get the pragmas too
        self._saved: OrderedDict[str, _Saved] = OrderedDict()
        self._cache_size = config.tracker_cache_size
        self._new_events: dict[str, list[Any]] = {}

    def _rows(self, sender_id: str) -> int:
        with self.session_scope() as session:
            query = session.query(func.count(self.SQLEvent.id))
            return int(query.filter(self.SQLEvent.sender_id == sender_id).scalar() or 0)

    def _remember(self, tracker: DialogueStateTracker, rows: int) -> None:
        # Rasa reads and saves one session at a time: a tracker that has started a new
        # session since it was loaded must be read back from the database.
        sessions = sum(isinstance(e, SessionStarted) for e in tracker.events)
        if not self._cache_size or sessions > 1:
            self._saved.pop(tracker.sender_id, None)
            return
        self._saved[tracker.sender_id] = _Saved(tracker, len(tracker.events), rows)
        self._saved.move_to_end(tracker.sender_id)
        while len(self._saved) > self._cache_size:
            self._saved.popitem(last=False)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The conversation's tracker: the saved object while it is current, else loaded."""
        rows = self._rows(sender_id)
        saved = self._saved.get(sender_id)
        if (
            saved is not None
            and saved.rows_in_database == rows
            and len(saved.tracker.events) == saved.events_in_tracker
        ):
            self._saved.move_to_end(sender_id)
            return saved.tracker
        self._saved.pop(sender_id, None)
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            self._remember(tracker, rows)
        return tracker

    def _verified(self, tracker: DialogueStateTracker) -> _Saved | None:
        """The cache entry of this very object (checked against the database in retrieve)."""
        saved = self._saved.get(tracker.sender_id)
        return saved if saved is not None and saved.tracker is tracker else None

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Any]:
        """New events: those after the stored ones (Rasa counts them with a query instead).

        They are also kept for :meth:`save`, which relays what a paused conversation's
        runner said to the clinic (``handover_relay``)."""
        saved = self._verified(tracker)
        if saved is None:
            new_events = list(super()._additional_events(session, tracker))
        else:
            new_events = list(itertools.islice(tracker.events, saved.events_in_tracker,
                                               len(tracker.events)))
        self._new_events[tracker.sender_id] = new_events
        return iter(new_events)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Stores the new events (as Rasa does), relays a paused conversation's messages to
        the clinic, and remembers the tracker."""
        saved = self._verified(tracker)
        await super().save(tracker)
        new_events = self._new_events.pop(tracker.sender_id, [])
        if tracker.is_paused() or any(isinstance(e, ConversationPaused) for e in new_events):
            relay_paused_messages(tracker, new_events)
        if saved is None:
            rows = self._rows(tracker.sender_id)
        else:
            rows = saved.rows_in_database + len(tracker.events) - saved.events_in_tracker
        self._remember(tracker, rows)
