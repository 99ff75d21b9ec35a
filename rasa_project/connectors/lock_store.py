"""Rasa's Redis lock store, configured by one URL (``LOCK_STORE_URL``).

Several Rasa instances serving the same conversations must take turns on each one: Rasa
holds a per-conversation lock while it handles a message, and its default lock store lives
in one process's memory. Rasa 3.6's ``lock_store: type: redis`` takes host, port and db as
separate keys; the launchers (``scripts/launch.py``) instead name this class and the URL
comes from the environment, as ``REDIS_URL`` and ``DATABASE_URL`` do:
``redis://[user:password@]host[:port][/db]`` (``rediss://`` for TLS).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from rasa.core.lock_store import RedisLockStore

from kneeapp import settings

DEFAULT_REDIS_PORT = 6379


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
