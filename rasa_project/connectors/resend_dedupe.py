"""Each web widget message handled once, also when the widget sends it again (issue 14).

The widget gives every message a random id and keeps it until the server acknowledges it
(socket.io's acknowledgement, sent when the turn is over); after a lost connection it sends
the messages still waiting again, with the same ids. A message can then arrive twice:

* its turn was saved, but the acknowledgement died with the connection (or the instance);
* its first copy is still running on a live instance (a network blip, not a death) when the
  second copy arrives, on the same instance or on another one;
* its first copy died with its instance before the turn was saved (Rasa stores a turn's
  events only at its end): this one must run, once.

So a message's id is *claimed* before its turn runs (:class:`Claims`): one instance runs
it; a copy that finds a live claim waits for it; a copy that finds the claim of a dead
instance (its lock store heartbeat key expired, ``connectors/lock_store.py``) takes it over
and first asks the tracker whether the turn was saved (Rasa's ``UserUttered`` keeps the
id as its ``message_id``). A handled message's copies are acknowledged without a second
turn; the server sends the turn's replies once more, each tagged with the message id and
its position in the turn, and the widget drops the replies it already shows.

Two stores: :class:`RedisClaims` (several Rasa instances, next to the Redis lock store)
and :class:`MemoryClaims` (one process, ``make run``). Messages without an id (older
widgets, other socket.io clients) are handled as before, without any of this.

Limitations: a turn that is not deterministic (a random response variation) and died
after some of its replies were sent shows the first replies of the first run and the rest
of the second. A reply sent outside the tracker (Rasa's "try again" when the action server
fails, ``rasa_fixes.py``) shifts the positions of a replayed turn by one. An instance whose
heartbeat stalls for ``OWNER_TTL_S`` loses its claims as it loses its lock tickets.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from enum import Enum
from typing import Any, Protocol

from .redis_watch import Decision, watched_change

#: What a client's message id may look like (the widget sends 32 hex digits).
MESSAGE_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
#: How long a claim of a message in flight stands (far above any turn: Rasa's lock lasts
#: 60 s, its action timeout 300 s), and how long a handled message is remembered (after
#: that, the tracker still answers for a copy that says it was sent again).
IN_FLIGHT_TTL_S = 900
DONE_TTL_S = 3600
#: How often a copy waiting for a live instance's run looks again, and for how long at
#: most (after that it is acknowledged unrun: the live run answers through the room).
POLL_S = 0.25
WAIT_S = 90.0
#: The most handled ids one process remembers without Redis.
MEMORY_CAPACITY = 50_000
DONE = "done"
RUNNING = "run:"


class Claim(Enum):
    """What claiming a message id found."""

    NEW = "new"  # nobody had it: run the turn
    TAKEN_OVER = "taken_over"  # its instance died: run it unless the tracker has it
    BUSY = "busy"  # a live instance runs it: wait
    DONE = "done"  # handled: acknowledge, replay the replies


class Status(str, Enum):
    """The acknowledgement's ``status``."""

    HANDLED = "handled"
    ALREADY_HANDLED = "already_handled"
    STILL_RUNNING = "still_running"  # waited WAIT_S for a live run; not run here
    FAILED = "failed"


def client_message_id(value: Any) -> str | None:
    """The client's message id when it is a plausible one, else None (no dedupe)."""
    if isinstance(value, str) and MESSAGE_ID.fullmatch(value):
        return value
    return None


def claim_key(conversation_id: str, message_id: str) -> str:
    """One message of one conversation."""
    return f"{conversation_id}:{message_id}"


def turn_replies(events: Iterable[Any], message_id: str) -> list[Any] | None:
    """The bot messages the turn of ``message_id`` stored, in order (None: no such turn).

    ``events`` are Rasa events (duck-typed: ``type_name`` "user" or "bot", ``message_id``);
    the turn's replies are the bot events from the user message to the next one.
    """
    replies: list[Any] | None = None
    for event in events:
        kind = getattr(event, "type_name", None)
        if kind == "user":
            if replies is not None:
                return replies
            if getattr(event, "message_id", None) == message_id:
                replies = []
        elif kind == "bot" and replies is not None:
            replies.append(event)
    return replies


class Claims(Protocol):
    """Who runs which message."""

    def claim(self, key: str) -> Claim:
        """Takes ``key`` for this instance when nobody live has it; says what it found."""

    def finish(self, key: str) -> None:
        """Marks ``key`` handled."""

    def release(self, key: str) -> None:
        """Gives up this instance's claim (its turn failed: a copy may run it)."""


class MemoryClaims:
    """Claims in one process's memory: the process is the only owner, always alive."""

    def __init__(self, capacity: int = MEMORY_CAPACITY,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._entries: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._capacity = capacity
        self._clock = clock

    def _get(self, key: str) -> str | None:
        entry = self._entries.get(key)
        if entry is None or entry[1] <= self._clock():
            self._entries.pop(key, None)
            return None
        return entry[0]

    def _set(self, key: str, state: str, ttl_s: float) -> None:
        self._entries[key] = (state, self._clock() + ttl_s)
        self._entries.move_to_end(key)
        while len(self._entries) > self._capacity:
            self._entries.popitem(last=False)

    def claim(self, key: str) -> Claim:
        state = self._get(key)
        if state == DONE:
            return Claim.DONE
        if state is not None:
            return Claim.BUSY
        self._set(key, RUNNING, IN_FLIGHT_TTL_S)
        return Claim.NEW

    def finish(self, key: str) -> None:
        self._set(key, DONE, DONE_TTL_S)

    def release(self, key: str) -> None:
        if self._get(key) != DONE:
            self._entries.pop(key, None)


class RedisClaims:
    """Claims in Redis, shared by the Rasa instances (one key per message).

    Args:
        red: A redis-py client (the lock store's).
        owner: This instance's id (the lock store's ``owner``).
        alive: Whether an instance's heartbeat key is still there (the lock store's).
        prefix: Key prefix of the claims.
    """

    def __init__(self, red: Any, owner: str, alive: Callable[[str], bool],
                 prefix: str = "turn-once:") -> None:
        self.red, self.owner, self.alive, self.prefix = red, owner, alive, prefix

    def claim(self, key: str) -> Claim:
        def decide(_pipe: Any, raw: Any) -> Decision[Claim]:
            state = _text(raw)
            if state == DONE:
                return Claim.DONE, None
            if state is not None:
                holder = state.removeprefix(RUNNING)
                if holder == self.owner or self.alive(holder):
                    return Claim.BUSY, None
            found = Claim.NEW if state is None else Claim.TAKEN_OVER
            return found, lambda pipe: pipe.set(name, RUNNING + self.owner, ex=IN_FLIGHT_TTL_S)

        name = self.prefix + key
        return watched_change(self.red, name, decide)

    def finish(self, key: str) -> None:
        self.red.set(self.prefix + key, DONE, ex=DONE_TTL_S)

    def release(self, key: str) -> None:
        """Drops this instance's claim; a claim someone else took or finished is theirs."""
        def decide(_pipe: Any, raw: Any) -> Decision[None]:
            if _text(raw) != RUNNING + self.owner:
                return None, None
            return None, lambda pipe: pipe.delete(name)

        name = self.prefix + key
        watched_change(self.red, name, decide)


def _text(raw: Any) -> str | None:
    return raw.decode() if isinstance(raw, bytes) else raw


async def handle_once(
    claims: Claims,
    key: str,
    *,
    sent_again: bool,
    run: Callable[[], Awaitable[Any]],
    replay_saved: Callable[[], Awaitable[bool]],
    poll_s: float = POLL_S,
    wait_s: float = WAIT_S,
    clock: Callable[[], float] = time.monotonic,
) -> Status:
    """Runs a message's turn unless it ran or runs elsewhere.

    Args:
        claims: The claims store.
        key: The message (:func:`claim_key`).
        sent_again: The client says this is a copy: the claim may have been forgotten
            (expired, or a single process restarted) while the tracker has the turn.
        run: Runs the turn.
        replay_saved: Sends the stored turn's replies again; False when the tracker has
            no such turn.
        poll_s: How often to look again while a live instance runs it.
        wait_s: How long to wait for a live instance at most.
        clock: Monotonic seconds.

    Returns:
        What the acknowledgement says.
    """
    deadline = clock() + wait_s
    while (found := claims.claim(key)) is Claim.BUSY:
        if clock() >= deadline:
            return Status.STILL_RUNNING
        await asyncio.sleep(poll_s)
    if found is Claim.DONE:
        await replay_saved()
        return Status.ALREADY_HANDLED
    try:
        if (found is Claim.TAKEN_OVER or sent_again) and await replay_saved():
            claims.finish(key)
            return Status.ALREADY_HANDLED
        await run()
    except BaseException:
        claims.release(key)
        raise
    claims.finish(key)
    return Status.HANDLED
