"""A widget message handled once however often it arrives
(``rasa_project/connectors/resend_dedupe.py``): the pure logic with the in-memory claims,
and the Redis claims against the real Redis at 127.0.0.1:6379 (skipped when it is not
running)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from rasa_project.connectors.resend_dedupe import (
    DONE_TTL_S,
    IN_FLIGHT_TTL_S,
    Claim,
    MemoryClaims,
    RedisClaims,
    Status,
    claim_key,
    client_message_id,
    handle_once,
    turn_replies,
)

REDIS_URL = "redis://127.0.0.1:6379/9"
KEY = claim_key("conversation-1", "a" * 32)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Turns:
    """Counts the turns run and the replays asked for; ``saved`` says whether the tracker
    has the turn; a run can be held open (``gate``) or fail."""

    def __init__(self, saved: bool = False, fail: bool = False) -> None:
        self.saved, self.fail = saved, fail
        self.runs = self.replays = 0
        self.gate: asyncio.Event | None = None
        self.started = asyncio.Event()

    async def run(self) -> None:
        self.runs += 1
        self.started.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            raise RuntimeError("the turn failed")
        self.saved = True

    async def replay_saved(self) -> bool:
        self.replays += 1
        return self.saved

    def handle(self, claims: Any, sent_again: bool = False, **options: Any) -> Any:
        return handle_once(claims, KEY, sent_again=sent_again, run=self.run,
                           replay_saved=self.replay_saved, poll_s=0.01, **options)


def test_only_plausible_client_ids_count() -> None:
    assert client_message_id("0123456789abcdef0123456789abcdef") == "0123456789abcdef" * 2
    assert client_message_id("msg_1-AB") == "msg_1-AB"
    for value in (None, "", "short", "x" * 65, "has space!", 12345678, {"id": "abc"}, "ab/../cd"):
        assert client_message_id(value) is None, value


def test_a_turns_replies_are_the_bot_messages_up_to_the_next_user_message() -> None:
    def user(message_id: str) -> Any:
        return SimpleNamespace(type_name="user", message_id=message_id)

    def bot(text: str) -> Any:
        return SimpleNamespace(type_name="bot", text=text)

    other = SimpleNamespace(type_name="action")
    events = [user("m1"), bot("hello"), other, user("m2"), other, bot("one"), bot("two"),
              user("m3"), bot("three")]
    assert [e.text for e in turn_replies(events, "m2") or []] == ["one", "two"]
    assert [e.text for e in turn_replies(events, "m3") or []] == ["three"]
    assert turn_replies([user("m4")], "m4") == []
    assert turn_replies(events, "unknown") is None
    assert turn_replies([], "m1") is None


def test_memory_claims_new_busy_done_and_released() -> None:
    clock = Clock()
    claims = MemoryClaims(clock=clock)
    assert claims.claim(KEY) is Claim.NEW
    assert claims.claim(KEY) is Claim.BUSY
    claims.release(KEY)
    assert claims.claim(KEY) is Claim.NEW
    claims.finish(KEY)
    assert claims.claim(KEY) is Claim.DONE
    claims.release(KEY)  # a handled message stays handled
    assert claims.claim(KEY) is Claim.DONE
    clock.now += DONE_TTL_S + 1
    assert claims.claim(KEY) is Claim.NEW, "forgotten after DONE_TTL_S (the tracker answers)"
    clock.now += IN_FLIGHT_TTL_S + 1
    assert claims.claim(KEY) is Claim.NEW, "a claim in flight lapses too"


def test_memory_claims_keep_the_newest_up_to_their_capacity() -> None:
    claims = MemoryClaims(capacity=3)
    for n in range(5):
        claims.claim(f"k{n}")
        claims.finish(f"k{n}")
    assert [claims.claim(f"k{n}") for n in range(2, 5)] == [Claim.DONE] * 3
    assert claims.claim("k0") is Claim.NEW


def test_a_message_runs_once_and_its_copy_is_acknowledged_with_its_replies() -> None:
    async def scenario() -> tuple[Status, Status, Turns]:
        turns, claims = Turns(), MemoryClaims()
        first = await turns.handle(claims)
        second = await turns.handle(claims, sent_again=True)
        return first, second, turns

    first, second, turns = asyncio.run(scenario())
    assert (first, second) == (Status.HANDLED, Status.ALREADY_HANDLED)
    assert turns.runs == 1
    assert turns.replays == 1, "the copy gets the stored replies once more"


def test_a_copy_arriving_while_the_first_runs_waits_for_it_and_never_runs() -> None:
    async def scenario() -> tuple[list[Status], Turns]:
        turns, claims = Turns(), MemoryClaims()
        turns.gate = asyncio.Event()
        first = asyncio.create_task(turns.handle(claims))
        await turns.started.wait()
        copy = asyncio.create_task(turns.handle(claims, sent_again=True))
        await asyncio.sleep(0.1)
        assert not copy.done(), "the copy waits while the first copy runs"
        turns.gate.set()
        return list(await asyncio.gather(first, copy)), turns

    statuses, turns = asyncio.run(scenario())
    assert statuses == [Status.HANDLED, Status.ALREADY_HANDLED]
    assert turns.runs == 1


def test_a_copy_stops_waiting_after_wait_s_without_running_it() -> None:
    async def scenario() -> tuple[Status, Turns]:
        turns, claims = Turns(), MemoryClaims()
        claims.claim(KEY)  # a live run that never ends
        return await turns.handle(claims, wait_s=0.05), turns

    status, turns = asyncio.run(scenario())
    assert status is Status.STILL_RUNNING and turns.runs == 0


def test_a_failed_turn_gives_up_its_claim_so_that_a_copy_runs_it() -> None:
    async def scenario() -> tuple[Status, Turns]:
        turns, claims = Turns(fail=True), MemoryClaims()
        with pytest.raises(RuntimeError):
            await turns.handle(claims)
        turns.fail = False
        return await turns.handle(claims, sent_again=True), turns

    status, turns = asyncio.run(scenario())
    assert status is Status.HANDLED and turns.runs == 2


def test_a_copy_the_claims_forgot_asks_the_tracker_first() -> None:
    """E.g. ``make run`` restarted between the turn and its acknowledgement."""

    async def scenario(saved: bool) -> tuple[Status, Turns]:
        turns = Turns(saved=saved)
        return await turns.handle(MemoryClaims(), sent_again=True), turns

    status, turns = asyncio.run(scenario(saved=True))
    assert status is Status.ALREADY_HANDLED and turns.runs == 0
    status, turns = asyncio.run(scenario(saved=False))
    assert status is Status.HANDLED and turns.runs == 1


def test_a_first_copy_does_not_read_the_tracker() -> None:
    async def scenario() -> Turns:
        turns = Turns()
        await turns.handle(MemoryClaims())
        return turns

    assert asyncio.run(scenario()).replays == 0


# --- Redis -------------------------------------------------------------------------------


@pytest.fixture
def red() -> Iterator[Any]:
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except Exception as problem:
        pytest.skip(f"Redis at {REDIS_URL} unreachable ({type(problem).__name__})")
    yield client
    client.close()


def _instances(red: Any, alive: set[str]) -> tuple[RedisClaims, RedisClaims]:
    prefix = f"test-turn-once-{uuid.uuid4().hex}:"
    return (RedisClaims(red, "one", lambda owner: owner in alive, prefix),
            RedisClaims(red, "two", lambda owner: owner in alive, prefix))


def test_redis_claims_of_a_live_instance_make_the_other_wait(red: Any) -> None:
    one, two = _instances(red, alive={"one", "two"})
    assert one.claim(KEY) is Claim.NEW
    assert two.claim(KEY) is Claim.BUSY
    assert one.claim(KEY) is Claim.BUSY, "its own copy on the same instance waits too"
    assert 0 < red.ttl(one.prefix + KEY) <= IN_FLIGHT_TTL_S
    one.finish(KEY)
    assert two.claim(KEY) is Claim.DONE
    assert 0 < red.ttl(one.prefix + KEY) <= DONE_TTL_S
    red.delete(one.prefix + KEY)


def test_redis_claims_of_a_dead_instance_are_taken_over_once(red: Any) -> None:
    alive = {"one", "two"}
    one, two = _instances(red, alive)
    assert one.claim(KEY) is Claim.NEW
    alive.discard("one")  # its heartbeat key expired
    assert two.claim(KEY) is Claim.TAKEN_OVER
    assert two.claim(KEY) is Claim.BUSY, "taken over once: now the live one's"
    one.release(KEY)  # a late release of the dead owner changes nothing
    assert two.claim(KEY) is Claim.BUSY
    two.release(KEY)
    assert one.claim(KEY) is Claim.NEW
    red.delete(one.prefix + KEY)


def test_redis_claims_race_one_winner(red: Any) -> None:
    """Many copies claiming at once from many instances: exactly one runs it."""
    import threading

    prefix = f"test-turn-once-{uuid.uuid4().hex}:"
    won: list[Claim] = []
    barrier = threading.Barrier(8)

    def claim(owner: str) -> None:
        claims = RedisClaims(type(red).from_url(REDIS_URL), owner, lambda _: True, prefix)
        barrier.wait()
        won.append(claims.claim(KEY))

    threads = [threading.Thread(target=claim, args=(f"i{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(c.value for c in won) == ["busy"] * 7 + ["new"]
    red.delete(prefix + KEY)
