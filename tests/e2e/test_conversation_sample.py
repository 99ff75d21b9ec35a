"""A fast sample of the whole-conversation benchmark (bench/conversations.py) as a test.

About a dozen simulated runners from the tuning corpus, chosen to cover the hard styles:
"not sure" answers, a corrected answer, a warning sign said in a non-safety answer, in the
opening and after the plan, emergencies and outer/back-of-knee routing. Each conversation
must reach a level (or be routed), never below the persona's expected level, never repeat
one bot message more than twice in a row, and never stop, erase or restart unasked.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.e2e.stack import MODEL, Stack, running_stack
from tests.paths import REPO

pytestmark = pytest.mark.e2e

#: (persona id, style): what each one covers.
SAMPLE = [
    ("sc01", "unsure"),  # "not sure" to everything non-essential
    ("cl03", "unsure"),  # ... while the level rests on duration + cutting back
    ("sc02", "correction"),  # "sorry, I meant 40 not 55"
    ("cl05", "correction"),  # "actually it's the right one"
    ("sc03", "chatty"),  # several facts per message, volunteered early
    ("ur03", "flag_in_answer"),  # locking said in the onset answer
    ("ur01", "flag_in_answer"),  # swollen warm calf said in the location answer (not the knee)
    ("ur04", "flag_opening"),  # locking in the first message
    ("em03", "flag_opening"),  # kneecap out of place in the first message
    ("ur07", "flag_after_plan"),  # night pain mentioned after the plan
    ("em01", "terse"),  # cannot bear weight after a fall
    ("em05", "typos"),  # hot swollen knee with fever, typed in a hurry
    ("rt01", "terse"),  # outer side: routed after the safety checks
    ("rt03", "chatty"),  # back of the knee, said in the opening
]


def _bench() -> ModuleType:
    path = REPO / "bench" / "conversations.py"
    spec = importlib.util.spec_from_file_location("bench_conversations", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


bench = _bench()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.skip("no trained model: `make test` trains it first")
    with running_stack(tmp_path_factory.mktemp("logs")) as s:
        yield s


@pytest.fixture(scope="module")
def results(stack: Stack) -> dict[tuple[str, str], Any]:
    personas = {p.id: p for p in bench.load_half("tuning")}
    plan = [(personas[pid], style) for pid, style in SAMPLE]
    played = bench.play_all(stack.url, plan, keep_going=True, env=stack.env)
    return {(r.persona, r.style): r for r in played}


def transcript(result: Any) -> str:
    lines = [
        f"{result.persona}/{result.style}: expected {result.expected}, "
        f"got {result.outcome or result.level} ({result.stop_reason})"
    ]
    for turn in result.transcript:
        lines.append(f"RUNNER: {turn.runner}  [{turn.note}]")
        lines += [f"   BOT: {text[:200]}" for text in turn.bot]
        lines.append(f"   -> requested={turn.requested} level={turn.level}")
    return "\n".join(lines)


def test_the_sample_is_in_the_corpus() -> None:
    personas = {p.id: p for p in bench.load_half("tuning")}
    for pid, style in SAMPLE:
        assert pid in personas and style in personas[pid].styles, (pid, style)


@pytest.mark.parametrize(("persona", "style"), SAMPLE, ids=[f"{p}-{s}" for p, s in SAMPLE])
def test_conversation(results: dict[tuple[str, str], Any], persona: str, style: str) -> None:
    result = results[(persona, style)]
    story = transcript(result)
    assert result.error is None, f"{result.error}\n{story}"
    assert result.completed, f"no level reached\n{story}"
    assert not result.under_triage, f"under-triage\n{story}"
    assert not result.misrouted, f"routed wrongly\n{story}"
    assert result.longest_repeat <= 2, f"one bot message {result.longest_repeat}x in a row\n{story}"
    assert not result.destructive, f"unconfirmed {result.destructive}\n{story}"


def test_the_runners_words_stay_out_of_the_logs(
    stack: Stack, results: dict[tuple[str, str], Any]
) -> None:
    logs = " ".join(p.read_text(errors="replace") for p in Path(stack.log_dir).glob("*.log"))
    assert results and "kneecap has moved" not in logs and "calf underneath" not in logs
