"""The Redis lock store several Rasa instances share (``connectors/lock_store.py``), against
the real Redis on 127.0.0.1:6379 (skipped, with the reason, when it is not running)."""

from __future__ import annotations

import asyncio
import itertools
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


def _store(monkeypatch: pytest.MonkeyPatch) -> lock_store.RedisUrlLockStore:
    if not _redis_up():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    monkeypatch.setenv("LOCK_STORE_URL", REDIS_URL)
    return lock_store.RedisUrlLockStore()


async def _waited(store: LockStore, conversation: str, lifetime: float, poll_s: float,
                  timeout_s: float) -> float:
    """How long ``store`` waited for the conversation's lock (TimeoutError after
    ``timeout_s``)."""
    start = time.monotonic()

    async def take() -> None:
        async with store.lock(conversation, lock_lifetime=lifetime,
                              wait_time_in_seconds=poll_s):
            pass

    await asyncio.wait_for(take(), timeout_s)
    return time.monotonic() - start


def test_rasas_own_store_loses_a_waiter_queued_just_behind_a_dead_ticket() -> None:
    """Why the store replaces Rasa's ticket handling (what ``kill -9`` of a Rasa instance
    did under load): a ticket of a dead instance, a retried turn's ticket issued just
    after it, both expire within one poll, and the waiter never gets its turn."""
    if not _redis_up():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    from rasa.core.lock_store import RedisLockStore

    stock = RedisLockStore(host="127.0.0.1", port=6379, db=9)
    conversation = f"lock-test-{uuid.uuid4().hex}"
    stock.issue_ticket(conversation, 1.0)  # the killed instance's, never cleaned up
    with pytest.raises(asyncio.TimeoutError):
        asyncio.run(_waited(stock, conversation, lifetime=1.0, poll_s=1.0, timeout_s=4))
    stock.delete_lock(conversation)


def test_a_waiter_queued_just_behind_an_expiring_ticket_gets_its_turn(
        monkeypatch: pytest.MonkeyPatch) -> None:
    store = _store(monkeypatch)
    conversation = f"lock-test-{uuid.uuid4().hex}"
    store.issue_ticket(conversation, 1.0)  # a holder that never finishes
    waited = asyncio.run(_waited(store, conversation, lifetime=1.0, poll_s=1.0, timeout_s=4))
    assert 0.9 < waited < 3
    assert store.get_lock(conversation) is None, "the last ticket takes the key with it"


def test_a_killed_instances_conversations_are_free_after_its_owner_key_expires(
        monkeypatch: pytest.MonkeyPatch) -> None:
    killed, survivor = _store(monkeypatch), _store(monkeypatch)
    killed.owner_ttl_s = 1
    killed._renew()
    killed._stopped.set()  # as kill -9: no more heartbeats, nothing cleaned up
    conversation = f"lock-test-{uuid.uuid4().hex}"
    killed.issue_ticket(conversation, 60.0)  # the turn it was handling when killed
    waited = asyncio.run(_waited(survivor, conversation, lifetime=60.0, poll_s=0.1,
                                 timeout_s=10))
    assert waited < 2.5, "not the 60 s lock lifetime"
    survivor.stop()


def test_a_killed_instances_message_claims_are_taken_over_with_its_tickets(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The socket.io channel's message claims (``resend_dedupe.RedisClaims``) use the same
    heartbeat: a widget message in flight on a killed instance runs on the survivor once
    the killed instance's key expired, not before (a live instance's run is waited for)."""
    from connectors.resend_dedupe import Claim, RedisClaims

    killed, survivor = _store(monkeypatch), _store(monkeypatch)
    killed.owner_ttl_s = 1
    killed._renew()
    killed._stopped.set()  # as kill -9: no more heartbeats
    prefix = killed.related_key("turn-once", "")
    assert prefix == survivor.related_key("turn-once", "") == "turn-once:"
    key = f"claim-test-{uuid.uuid4().hex}:{uuid.uuid4().hex}"
    first = RedisClaims(killed.red, killed.owner, killed.alive, prefix)
    second = RedisClaims(survivor.red, survivor.owner, survivor.alive, prefix)
    assert first.claim(key) is Claim.NEW
    assert second.claim(key) is Claim.BUSY, "its owner is still alive"
    time.sleep(1.2)
    assert second.claim(key) is Claim.TAKEN_OVER
    assert not survivor.alive(killed.owner) and survivor.alive(survivor.owner)
    survivor.red.delete(prefix + key)
    survivor.stop()


def test_many_turns_on_two_instances_never_overlap(monkeypatch: pytest.MonkeyPatch) -> None:
    stores = [_store(monkeypatch), _store(monkeypatch)]
    conversation = f"lock-test-{uuid.uuid4().hex}"
    spans: list[tuple[float, float]] = []

    async def turn(store: lock_store.RedisUrlLockStore) -> None:
        async with store.lock(conversation, lock_lifetime=10, wait_time_in_seconds=0.01):
            start = time.monotonic()
            await asyncio.sleep(0.02)
            spans.append((start, time.monotonic()))

    async def all_turns() -> None:
        await asyncio.gather(*(turn(stores[i % 2]) for i in range(16)))

    asyncio.run(all_turns())
    spans.sort()
    assert len(spans) == 16
    assert all(later[0] >= earlier[1] for earlier, later in itertools.pairwise(spans))
    assert stores[0].get_lock(conversation) is None
    for store in stores:
        store.stop()
