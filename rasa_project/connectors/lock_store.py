"""Rasa's Redis lock store, configured by one URL (``LOCK_STORE_URL``).

Several Rasa instances serving the same conversations must take turns on each one: Rasa
holds a per-conversation lock while it handles a message, and its default lock store lives
in one process's memory. Rasa 3.6's ``lock_store: type: redis`` takes host, port and db as
separate keys; the launchers (``scripts/launch.py``) instead name this class and the URL
comes from the environment, as ``REDIS_URL`` and ``DATABASE_URL`` do:
``redis://[user:password@]host[:port][/db]`` (``rediss://`` for TLS).

Rasa 3.6's ticket lock loses a waiter when an instance dies holding a ticket (measured with
``bench/cluster.py --kill rasa-1``, docs/benchmarks.md): a ticket's lifetime runs from its
issue, also while it waits; a turn retried on the other instance right after the kill gets
the next ticket a fraction of a second after the dead one, both expire within one
one-second poll, and ``now_serving`` (the first live ticket, 0 when there is none) then
never equals the waiter's number again, so it polls until the client gives up (nginx's
120 s read timeout) and the conversation's next turns queue behind it. Its read-modify-write
of the lock's JSON is also not atomic across instances. This store keeps Rasa's key and
JSON format and replaces the ticket handling:

* every change to a conversation's lock is one Redis transaction (``WATCH``/``MULTI``);
* each ticket names the instance that holds it; each instance keeps a key alive in Redis
  (``OWNER_HEARTBEAT_S``, expiring after ``OWNER_TTL_S``), and a ticket of an instance
  whose key expired is void: a killed instance's conversations are free after at most
  ``OWNER_TTL_S`` instead of the lock lifetime;
* a waiting ticket is renewed on every poll and the lifetime counts from the moment the
  lock is taken, so it bounds holding, not waiting.

Limitation: an instance whose heartbeat thread stalls for ``OWNER_TTL_S`` (a process
stopped with SIGSTOP, a machine swapping hard) loses its tickets while it still runs, so
another instance may handle the same conversation at the same time; Rasa's own lifetime
has the same failure mode after 60 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import unquote, urlsplit

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore

from kneeapp import settings

from .redis_watch import Decision, watched_change

DEFAULT_REDIS_PORT = 6379
#: How often an instance renews its key, and after how long without renewal its tickets
#: are void (a killed instance's conversations wait at most this long).
OWNER_HEARTBEAT_S = 2.0
OWNER_TTL_S = 10

logger = logging.getLogger(__name__)
Tickets = list[dict[str, Any]]


def redis_options(url: str) -> dict[str, Any]:
    """``RedisLockStore``'s keyword arguments for a ``redis://`` or ``rediss://`` URL.

    Raises:
        ValueError: The URL is not a Redis URL.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise ValueError("LOCK_STORE_URL must look like redis://host:port/db")
    database = parts.path.strip("/") or "0"
    return {"host": parts.hostname, "port": parts.port or DEFAULT_REDIS_PORT,
            "db": int(database), "username": unquote(parts.username) if parts.username else None,
            "password": unquote(parts.password) if parts.password else None,
            "use_ssl": parts.scheme == "rediss"}


class RedisUrlLockStore(RedisLockStore):
    """``RedisLockStore`` connected to ``LOCK_STORE_URL`` (or the endpoint's ``url``)."""

    def __init__(self, endpoint_config: Any = None, **_: Any) -> None:
        url = getattr(endpoint_config, "url", None) or settings.current().lock_store_url
        if not url:
            raise ValueError("LOCK_STORE_URL is not set")
        kwargs = dict(getattr(endpoint_config, "kwargs", None) or {})
        key_prefix = kwargs.get("key_prefix")
        super().__init__(**redis_options(url), key_prefix=key_prefix)
        self.owner = uuid.uuid4().hex
        self.owner_ttl_s = OWNER_TTL_S
        self._stopped = threading.Event()
        self._renew()
        threading.Thread(target=self._heartbeat, name="lock-owner-heartbeat",
                         daemon=True).start()

    # --- the instance's liveness ------------------------------------------------------

    def related_key(self, kind: str, name: str) -> str:
        """A key of this store's kind ``kind`` beside the locks' keys (never one of them)."""
        return f"{self.key_prefix[:-len('lock:')]}{kind}:{name}"

    def owner_key(self, owner: str) -> str:
        """The Redis key that says ``owner`` is alive."""
        return self.related_key("lock-owner", owner)

    def alive(self, owner: str) -> bool:
        """Whether instance ``owner``'s key is still renewed (the socket.io channel's
        message claims use it too, ``resend_dedupe.py``)."""
        return owner == self.owner or bool(self.red.exists(self.owner_key(owner)))

    def _renew(self) -> None:
        self.red.set(self.owner_key(self.owner), "1", ex=self.owner_ttl_s)

    def _heartbeat(self, interval_s: float = OWNER_HEARTBEAT_S) -> None:
        while not self._stopped.wait(interval_s):
            try:
                self._renew()
            except Exception as problem:  # Redis away: retry at the next beat
                logger.warning("Could not renew the lock owner key: %s", type(problem).__name__)

    def stop(self) -> None:
        """Stops the heartbeat and drops the instance's key: its tickets are void at once."""
        self._stopped.set()
        self.red.delete(self.owner_key(self.owner))

    # --- tickets, one transaction per change ------------------------------------------

    def _change(self, conversation_id: str, change: Callable[[Tickets], Any]) -> Any:
        """Runs ``change`` on the live tickets of a conversation (in place) and saves them,
        in one Redis transaction; returns what ``change`` returned."""
        def decide(pipe: Any, raw: Any) -> Decision[Any]:
            tickets = self._live(pipe, json.loads(raw)["tickets"] if raw else [])
            return change(tickets), lambda queue: self._save(queue, key, conversation_id,
                                                             tickets)

        key = self.key_prefix + conversation_id
        return watched_change(self.red, key, decide)

    @staticmethod
    def _save(pipe: Any, key: str, conversation_id: str, tickets: Tickets) -> None:
        """Queues the write of a conversation's tickets (the key expires with the last)."""
        if not tickets:
            pipe.delete(key)
            return
        ttl = max(t["expires"] for t in tickets) - time.time()
        pipe.set(key, json.dumps({"conversation_id": conversation_id,
                                  "tickets": [json.dumps(t) for t in tickets]}),
                 px=max(1, int(ttl * 1000)) + 1000)

    def _live(self, pipe: Any, serialised: list[str]) -> Tickets:
        """The tickets that have neither expired nor lost their owner."""
        now, alive = time.time(), {self.owner: True}
        tickets = []
        for ticket in (json.loads(text) for text in serialised):
            owner = ticket.get("owner")
            if owner and owner not in alive:
                alive[owner] = bool(pipe.exists(self.owner_key(owner)))
            if ticket["expires"] > now and (not owner or alive[owner]):
                tickets.append(ticket)
        return tickets

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """A new ticket at the end of the conversation's queue (its number)."""
        return int(self._issue(conversation_id, lock_lifetime)["number"])

    def _issue(self, conversation_id: str, lifetime: float) -> dict[str, Any]:
        def issue(tickets: Tickets) -> dict[str, Any]:
            ticket = {"number": max((t["number"] for t in tickets), default=-1) + 1,
                      "expires": time.time() + lifetime, "owner": self.owner,
                      "id": uuid.uuid4().hex}
            tickets.append(ticket)
            return ticket

        return dict(self._change(conversation_id, issue))

    def _turn(self, conversation_id: str, ticket_id: str, lifetime: float,
              poll_s: float) -> bool:
        """Renews the ticket (till the next poll); True when it is first in line (its
        lifetime then starts now).

        Raises:
            LockError: The ticket is gone (it expired or its owner key did).
        """

        def renew(tickets: Tickets) -> bool:
            mine = next((t for t in tickets if t.get("id") == ticket_id), None)
            if mine is None:
                raise LockError(f"Lost the ticket for conversation '{conversation_id}'.")
            first = tickets[0] is mine
            mine["expires"] = time.time() + lifetime + (0 if first else poll_s)
            return first

        return bool(self._change(conversation_id, renew))

    def _drop(self, conversation_id: str, match: Callable[[dict[str, Any]], bool]) -> None:
        def drop(tickets: Tickets) -> None:
            tickets[:] = [t for t in tickets if not match(t)]

        self._change(conversation_id, drop)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        """Removes this instance's ticket ``ticket_number`` (the key goes with the last)."""
        self._drop(conversation_id, lambda t: t["number"] == ticket_number
                   and t.get("owner") in (None, self.owner))

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """As Rasa's (the ticket goes, the key with it when no one waits), atomically."""
        self.finish_serving(conversation_id, ticket_number)

    @contextlib.asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncIterator[TicketLock]:
        """Waits for the conversation's turn (polling every ``wait_time_in_seconds``) and
        holds it for at most ``lock_lifetime`` seconds.

        Raises:
            LockError: The ticket was lost (its owner key expired while waiting).
        """
        ticket = self._issue(conversation_id, lock_lifetime)["id"]
        try:
            while not self._turn(conversation_id, ticket, lock_lifetime,
                                 wait_time_in_seconds):
                await asyncio.sleep(wait_time_in_seconds)
            yield self.get_lock(conversation_id) or TicketLock(conversation_id)
        finally:
            self._drop(conversation_id, lambda t: t.get("id") == ticket)
