"""The Redis lock store several Rasa instances share (``connectors/lock_store.py``), against
the real Redis on 127.0.0.1:6379 (skipped, with the reason, when it is not running)."""

from __future__ import annotations

import asyncio
import socket
import sys
import time
import uuid
from pathlib import Path

import pytest

pytest.importorskip("rasa", reason="needs the Rasa virtualenv (.venv/rasa)")

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT / "rasa_project", ROOT):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from connectors import lock_store  # noqa: E402
from rasa.core.lock_store import LockStore  # noqa: E402
from rasa.utils.endpoints import EndpointConfig  # noqa: E402

pytestmark = pytest.mark.rasa_env
REDIS_URL = "redis://127.0.0.1:6379/9"


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=2):
            return True
    except OSError:
        return False


def test_redis_urls_become_the_lock_stores_options() -> None:
    assert lock_store.redis_options("redis://127.0.0.1:6380/3") == {
        "host": "127.0.0.1", "port": 6380, "db": 3, "username": None, "password": None,
        "use_ssl": False}
    secure = lock_store.redis_options("rediss://knee:p%40ss@redis.example/")
    assert (secure["host"], secure["port"], secure["db"]) == ("redis.example", 6379, 0)
    assert (secure["username"], secure["password"], secure["use_ssl"]) == ("knee", "p@ss", True)
    with pytest.raises(ValueError, match="LOCK_STORE_URL"):
        lock_store.redis_options("http://127.0.0.1:6379/0")


def test_rasa_builds_it_from_the_endpoints_type(monkeypatch: pytest.MonkeyPatch) -> None:
    if not _redis_up():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    monkeypatch.setenv("LOCK_STORE_URL", REDIS_URL)
    store = LockStore.create(EndpointConfig(type="connectors.lock_store.RedisUrlLockStore"))
    assert isinstance(store, lock_store.RedisUrlLockStore)
    assert store.red.connection_pool.connection_kwargs["db"] == 9


def test_two_instances_take_turns_on_one_conversation(monkeypatch: pytest.MonkeyPatch) -> None:
    if not _redis_up():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    monkeypatch.setenv("LOCK_STORE_URL", REDIS_URL)
    first, second = lock_store.RedisUrlLockStore(), lock_store.RedisUrlLockStore()
    conversation = f"lock-test-{uuid.uuid4().hex}"
    spans: dict[str, tuple[float, float]] = {}

    async def hold(store: lock_store.RedisUrlLockStore, name: str, delay_s: float) -> None:
        await asyncio.sleep(delay_s)
        async with store.lock(conversation, lock_lifetime=10, wait_time_in_seconds=0.05):
            start = time.monotonic()
            await asyncio.sleep(0.5)
            spans[name] = (start, time.monotonic())

    async def both() -> None:
        await asyncio.gather(hold(first, "first", 0), hold(second, "second", 0.1))

    asyncio.run(both())
    assert spans["second"][0] >= spans["first"][1], "instance 2 waited for instance 1's lock"
    assert first.get_lock(conversation) is None or not first.get_lock(conversation).tickets
