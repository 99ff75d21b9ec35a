"""One optimistic Redis transaction on one key, retried until nobody changed the key meanwhile.

The lock store's tickets (``lock_store.py``) and the widget's message claims
(``resend_dedupe.py``) both read a key, decide, and write only if the key is still what they
read: ``WATCH`` the key, read it, queue the writes after ``MULTI``, ``EXEC``; when another
client changed the key in between, Redis refuses the ``EXEC`` and the whole step runs again
on the new value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

Result = TypeVar("Result")
#: What a step decided: its result, and the writes to queue (``None``: write nothing).
Decision = tuple[Result, Callable[[Any], None] | None]


def watched_change(red: Any, key: str, decide: Callable[[Any, Any], Decision[Result]]) -> Result:
    """Runs ``decide(pipe, raw)`` on the key's current value and applies its writes atomically.

    Args:
        red: A redis-py client.
        key: The key watched (the writes may touch others too).
        decide: Called with the pipeline (in immediate mode, for further reads) and the key's
            raw value (``None`` when it is missing); returns the result and the writes.

    Returns:
        The result of the ``decide`` call whose writes went through.
    """
    import redis

    with red.pipeline() as pipe:
        while True:
            try:
                pipe.watch(key)
                result, write = decide(pipe, pipe.get(key))
                if write is not None:
                    pipe.multi()
                    write(pipe)
                    pipe.execute()
                return result
            except redis.WatchError:
                continue
