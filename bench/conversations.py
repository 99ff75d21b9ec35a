"""Whole conversations: simulated runners play complete triage chats over the real stack.

Per-message NLU scores say little about whether a runner reaches a level. Here each persona
of ``bench/conversation_corpus/`` (schema: its README) chats over the REST channel
(``POST {rasa}/webhooks/rest/webhook``) with the real Rasa + action servers
(``tests.e2e.stack.running_stack``: free ports, SQLite in a temp dir). After every bot turn
the runner reads ``requested_slot`` from ``GET {rasa}/conversations/{id}/tracker`` and
answers the question actually asked, in the conversation's style (terse, chatty, typos,
units, unsure, offtopic, correction, flag_in_answer, flag_opening, flag_after_plan; see the
corpus README). The expected level of each persona was written by hand from CLINICAL.md:
nothing here calls the triage code to decide what is right.

Run (after `make setup`):
    .venv/actions/bin/python bench/conversations.py [--half tuning|heldout…heldout4|all]
        [--limit N] [--styles terse,chatty] [--personas sc01,ur03] [--json out.json] [--keep-going]
        [--show-failures [file]]
        [--url http://127.0.0.1:5005]   # an already running stack instead of a fresh one
                                        # (with its RASA_TOKEN or RASA_JWT_SECRET set)
Figures go to stdout as a Markdown table per half and, as JSON, to var/bench/conversations.json
(or --json). Transcripts of failed conversations (synthetic data) go to a file, never to logs.
Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import secrets
import signal
import statistics
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from actions.questions import all_questions  # noqa: E402
from tests.e2e.stack import authenticated, running_stack, say  # noqa: E402

CORPUS = REPO / "bench" / "conversation_corpus"
#: The corpus folders: tuning (looked at while fixing), heldout … heldout10 (each written
#: blind after a round of fixes, measured once, then looked at), heldout11 (written blind
#: during round 14; the figure to quote).
HALVES = ("tuning", "heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6",
          "heldout7", "heldout8", "heldout9", "heldout10", "heldout11")
LEVELS = ("self_care", "clinician", "urgent", "emergency")
EXPECTED = (*LEVELS, "routed")
STYLES = (
    "terse",
    "chatty",
    "typos",
    "units",
    "unsure",
    "offtopic",
    "correction",
    "flag_in_answer",
    "flag_opening",
    "flag_after_plan",
)
FLAG_STYLES = frozenset({"flag_in_answer", "flag_opening", "flag_after_plan"})
#: Styles that accept the consent by typing; the others press the button (payload /affirm).
TYPED_CONSENT = frozenset({"chatty", "typos", "unsure", "offtopic"})
MAX_TURNS = 40
WORKERS = 8
KM_PER_MILE = 1.609344
WEEKS_PER = {"days": 1 / 7, "weeks": 1.0, "months": 52 / 12}
ROUTED_LOCATIONS = frozenset({"outer", "back"})
DESTRUCTIVE = ("action_delete_data", "action_stop", "action_start_over")
PSEUDO_QUESTIONS = ("red_flag_confirm", "confirm_action")
SAFETY = ("emergency_check", "urgent_check")
#: Answer slots asked by data/questions.yml (besides consent), in asking order.
ANSWER_SLOTS = (
    "side",
    "location",
    "onset",
    "injury",
    "age_band",
    "emergency_check",
    "urgent_check",
    "swelling",
    "distance_before_km",
    "distance_now_km",
    "weeks_since_change",
    "pain_duration_weeks",
    "load_reduced",
    "pain_triggers",
    "pain_score",
    "settles_by_next_day",
    "limp",
    "tried",
    "tried_outcome",
)
#: Two-part questions (data/questions.yml ``together``): the first slot's question also asks
#: for the second while it is open, and the simulated runner answers both parts.
COMPANIONS = {q.slot: q.together.slot for q in all_questions() if q.together}
#: Persona fact -> the answer slot it fills.
FACT_SLOT = {
    "side": "side",
    "location": "location",
    "onset": "onset",
    "injury": "injury",
    "age": "age_band",
    "age_band": "age_band",
    "distance_before": "distance_before_km",
    "distance_now": "distance_now_km",
    "weeks_since_change": "weeks_since_change",
    "pain_duration": "pain_duration_weeks",
    "load_reduced": "load_reduced",
    "pain_triggers": "pain_triggers",
    "pain_score": "pain_score",
    "settles_by_next_day": "settles_by_next_day",
    "limp": "limp",
    "tried": "tried",
    "tried_outcome": "tried_outcome",
    "swelling": "swelling",
}
#: Slots the "unsure" style never skips: consent-free routing and the safety checks.
NEVER_SKIPPED = frozenset({"side", "location", "onset", "injury", *SAFETY})
#: Nudges when the bot asks nothing but the triage is not done.
NUDGES = ("hello?", "so what should I do about my knee?", "can we carry on?", "ok, what now?")
UNSURE = ("not sure", "no idea", "can't remember", "skip", "dunno", "not sure tbh", "no clue")
TYPED_YES = ("yes", "yes please", "ok, go ahead", "sure", "yep let's start", "fine by me")
CONFIRM_YES = ("yes", "yes, that's right", "yeah")
CONFIRM_NO = ("no", "no, not that", "nope")
ACTION_NO = ("no", "no, carry on", "no, let's continue")
CONNECTIVES = ("and", "also", "oh and", "btw", "plus")
TARGETS = {
    "completion_rate": "100 %",
    "under_triage": "0",
    "volunteered_reasked": "0",
    "longest_repeat_run": "≤ 2",
    "turns_median": "≤ 14",
    "destructive_unconfirmed": "0",
}


# --------------------------------------------------------------------------- corpus


@dataclass
class Persona:
    """One runner of the corpus (schema: bench/conversation_corpus/README.md)."""

    id: str
    half: str
    file: str
    expected_level: str
    why: str
    facts: dict[str, Any]
    opening: dict[str, dict[str, Any]]
    answers: dict[str, list[str]]
    styles: list[str]
    level_facts: list[str] = field(default_factory=list)
    expected_route: str | None = None
    units: dict[str, list[str]] = field(default_factory=dict)
    volunteer: list[dict[str, Any]] = field(default_factory=list)
    no_flag_answers: dict[str, list[str]] = field(default_factory=dict)
    already_said: list[str] = field(default_factory=list)
    flag_in_answer: dict[str, str] | None = None
    after_plan: str | None = None
    correction: dict[str, str] | None = None

    @property
    def flags(self) -> list[str]:
        return list(self.facts.get("red_flags") or [])

    def fact_slots(self) -> set[str]:
        """Answer slots this persona has a fact for (the safety checks always)."""
        slots = {FACT_SLOT[k] for k, v in self.facts.items() if k in FACT_SLOT and v is not None}
        return slots | set(SAFETY)


@lru_cache(maxsize=1)
def red_flag_levels() -> dict[str, str]:
    """Red-flag id -> level, from data/red_flags.yml (vocabulary only, not the triage code)."""
    data = yaml.safe_load((REPO / "data" / "red_flags.yml").read_text(encoding="utf-8"))
    return {item["id"]: item["level"] for item in data["red_flags"]}


def _check(persona: Mapping[str, Any], where: str, flag_levels: Mapping[str, str]) -> None:
    problems = []
    for key in ("id", "expected_level", "why", "facts", "opening", "answers", "styles"):
        if key not in persona:
            problems.append(f"missing `{key}`")
    if problems:
        raise ValueError(f"{where}: {'; '.join(problems)}")
    if persona["expected_level"] not in EXPECTED:
        problems.append(f"expected_level {persona['expected_level']!r} not in {EXPECTED}")
    if persona["expected_level"] == "routed" and persona.get("expected_route") not in (
        "outer",
        "back",
    ):
        problems.append("expected_level routed needs expected_route outer|back")
    unknown = set(persona["facts"]) - set(FACT_SLOT) - {"red_flags", "symptoms"}
    if unknown:
        problems.append(f"unknown facts {sorted(unknown)}")
    for flag in persona["facts"].get("red_flags") or []:
        if flag not in flag_levels:
            problems.append(f"unknown red flag {flag!r}")
    bad_slots = set(persona["answers"]) - set(ANSWER_SLOTS)
    if bad_slots:
        problems.append(f"answers for unknown slots {sorted(bad_slots)}")
    bad_styles = set(persona["styles"]) - set(STYLES)
    if bad_styles:
        problems.append(f"unknown styles {sorted(bad_styles)}")
    if "plain" not in persona["opening"]:
        problems.append("opening.plain is required")
    needs = {
        "chatty": ("opening", "chatty"),
        "flag_opening": ("opening", "flag"),
        "flag_in_answer": ("flag_in_answer", None),
        "flag_after_plan": ("after_plan", None),
        "correction": ("correction", None),
    }
    for style, (key, sub) in needs.items():
        if style in persona["styles"]:
            value = persona.get(key)
            if value is None or (sub and sub not in value):
                problems.append(f"style {style} needs `{key}{'.' + sub if sub else ''}`")
    if "offtopic" in persona["styles"] and not persona.get("volunteer"):
        problems.append("style offtopic needs `volunteer`")
    if FLAG_STYLES & set(persona["styles"]) and not persona["facts"].get("red_flags"):
        problems.append("flag styles need facts.red_flags")
    if problems:
        raise ValueError(f"{where} ({persona['id']}): {'; '.join(problems)}")


def load_half(half: str) -> list[Persona]:
    """The personas of one half (every *.yml under conversation_corpus/<half>/)."""
    folder = CORPUS / half
    flag_levels = red_flag_levels()
    personas: list[Persona] = []
    for path in sorted(folder.glob("*.y*ml")) if folder.is_dir() else []:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for index, raw in enumerate(data.get("personas") or []):
            _check(raw, f"{path.relative_to(REPO)}[{index}]", flag_levels)
            known = set(Persona.__dataclass_fields__) - {"half", "file"}
            personas.append(
                Persona(
                    half=half,
                    file=str(path.relative_to(REPO)),
                    **{k: v for k, v in raw.items() if k in known},
                )
            )
    ids = Counter(p.id for p in personas)
    duplicates = [i for i, n in ids.items() if n > 1]
    if duplicates:
        raise ValueError(f"{half}: duplicate persona ids {duplicates}")
    return personas


# --------------------------------------------------------------------------- HTTP


def _tracker(
    url: str, sender: str, env: Mapping[str, str], timeout_s: float = 60
) -> dict[str, Any]:
    """The tracker, read with the ``RASA_TOKEN`` or ``RASA_JWT_SECRET`` of ``env``."""
    quoted = urllib.parse.quote(sender, safe="")
    address, headers = authenticated(url, f"/conversations/{quoted}/tracker", env)
    request = urllib.request.Request(address, headers=headers)
    with urllib.request.urlopen(request, timeout=timeout_s) as r:
        tracker: dict[str, Any] = json.loads(r.read())
    return tracker


# --------------------------------------------------------------------------- text helpers

_NEAR_KEYS = {
    "a": "sq", "e": "wr", "i": "uo", "o": "ip", "n": "bm", "t": "ry", "s": "ad", "r": "et",
    "h": "gj", "l": "k", "g": "fh", "k": "jl", "m": "n", "u": "yi", "d": "sf", "w": "qe",
}  # fmt: skip


def typos(text: str, rng: random.Random) -> str:
    """A fast typist's version: lower case, dropped apostrophes, one or two slips."""
    text = text.lower().replace("'", "")
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    for i in rng.sample(candidates, min(len(candidates), 1 if len(words) <= 4 else 2)):
        word = words[i]
        j = rng.randrange(1, len(word) - 1)
        kind = rng.choice(("swap", "drop", "double", "near"))
        if kind == "swap":
            word = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
        elif kind == "drop":
            word = word[:j] + word[j + 1 :]
        elif kind == "double":
            word = word[:j] + word[j] + word[j:]
        elif word[j] in _NEAR_KEYS:
            word = word[:j] + rng.choice(_NEAR_KEYS[word[j]]) + word[j + 1 :]
        words[i] = word
    return " ".join(words)


def to_km(value: Mapping[str, Any]) -> float:
    km = float(value["value"])
    return km * KM_PER_MILE if value.get("unit", "km") in ("mi", "mile", "miles") else km


def to_weeks(value: Any) -> float:
    if isinstance(value, Mapping):
        return float(value["value"]) * WEEKS_PER[value.get("unit", "weeks")]
    return float(value)


def band_of(facts: Mapping[str, Any]) -> str | None:
    if facts.get("age_band"):
        return str(facts["age_band"])
    age = facts.get("age")
    if age is None:
        return None
    return "under_18" if age < 18 else "55_plus" if age >= 55 else "18_54"


# --------------------------------------------------------------------------- one conversation


@dataclass
class Turn:
    runner: str
    note: str
    bot: list[str]
    requested: str | None
    level: str | None
    done: bool


@dataclass
class Result:
    persona: str
    style: str
    half: str
    expected: str
    outcome: str | None = None  # a level, "routed", or None
    level: str | None = None
    completed: bool = False
    turns: int = 0
    turns_to_completion: int | None = None
    stop_reason: str = ""
    under_triage: bool = False
    over_triage: bool = False
    misrouted: bool = False
    volunteered_reasked: list[str] = field(default_factory=list)
    answered_reasked: list[str] = field(default_factory=list)
    longest_repeat: int = 0
    longest_repeat_text: str = ""
    destructive: list[str] = field(default_factory=list)
    fabricated: dict[str, Any] = field(default_factory=dict)
    flag_missed_at_mention: bool | None = None
    plan: list[str] | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    transcript: list[Turn] = field(default_factory=list)

    def failures(self) -> list[str]:
        found = []
        if self.error:
            found.append("error")
        if not self.completed:
            found.append(f"incomplete:{self.stop_reason}")
        if self.under_triage:
            found.append("under_triage")
        if self.over_triage:
            found.append("over_triage")
        if self.misrouted:
            found.append("misrouted")
        found += [f"volunteered_reasked:{s}" for s in self.volunteered_reasked]
        if self.longest_repeat > 2:
            found.append("repeated_message")
        found += [f"destructive:{a}" for a in self.destructive]
        found += [f"fabricated:{s}" for s in self.fabricated]
        if self.flag_missed_at_mention:
            found.append("flag_missed_at_mention")
        return found


class Runner:
    """Plays one persona in one style, answering whatever the bot asks."""

    def __init__(
        self,
        url: str,
        persona: Persona,
        style: str,
        env: Mapping[str, str],
        max_turns: int = MAX_TURNS,
    ):
        self.url, self.persona, self.style, self.max_turns = url, persona, style, max_turns
        self.env = env  # the stack's credentials for the tracker reads
        self.rng = random.Random(f"{persona.half}/{persona.id}/{style}")
        self.sender = f"bench-{persona.id}-{style}-{uuid.uuid4().hex[:8]}"
        self.result = Result(persona.id, style, persona.half, persona.expected_level)
        self.stated: dict[str, str] = {}  # slot -> "volunteered" | "answered"
        self.attempts: Counter[str] = Counter()
        self.last_requested: str | None = None
        self.flag_said = style == "flag_opening"
        self.flag_turn: int | None = 0 if style == "flag_opening" else None
        self.after_sent = False
        self.correction_state = "pending" if style == "correction" else "done"
        self.offtopic_left = 2 if style == "offtopic" else 0
        self.next_offtopic_at = 2
        self.questions_seen = 0
        self.nudges = 0
        self.post_plan_turns = 0
        self.tracker: dict[str, Any] = {}

    # -------------------------------------------------------------- plumbing

    @property
    def slots(self) -> dict[str, Any]:
        return dict(self.tracker.get("slots") or {})

    def done(self) -> bool:
        slots = self.slots
        return bool(slots.get("triage_done")) and bool(slots.get("triage_level"))

    def send(self, text: str, note: str = "", states: Iterable[str] = ()) -> None:
        for slot in states:
            self.stated.setdefault(
                slot, "answered" if slot == self.last_requested else "volunteered"
            )
        replies = say(self.url, self.sender, text, timeout_s=60)
        self.tracker = _tracker(self.url, self.sender, self.env)
        self.result.turns += 1
        slots = self.slots
        bot = [
            " ".join(str(r.get("text") or "").split())
            for r in replies
            if r.get("text") or r.get("buttons")
        ]
        self.result.transcript.append(
            Turn(
                text, note, bot, slots.get("requested_slot"), slots.get("triage_level"), self.done()
            )
        )
        if self.done() and self.result.turns_to_completion is None:
            self.result.turns_to_completion = self.result.turns

    # -------------------------------------------------------------- choosing words

    def phrase(self, options: Sequence[str], slot: str, attempt: int | None = None) -> str:
        """One of ``options`` in the conversation's style; another one on a re-ask."""
        options = list(options)
        attempt = self.attempts[slot] if attempt is None else attempt
        if self.style == "terse":
            base = 0
        elif self.style == "chatty":
            base = max(range(len(options)), key=lambda i: len(options[i]))
        else:
            base = self.rng.randrange(len(options))
        return options[(base + attempt - 1) % len(options)]

    def styled(self, text: str) -> str:
        return typos(text, self.rng) if self.style == "typos" else text

    def unstated_volunteer(self, exclude: Iterable[str] = ()) -> dict[str, Any] | None:
        excluded = set(exclude) | set(self.stated)
        pool = [
            v
            for v in self.persona.volunteer
            if not excluded & set(v["states"]) and not set(v["states"]) & set(SAFETY)
        ]
        return self.rng.choice(pool) if pool else None

    def flag_checklist(self) -> set[str]:
        levels = red_flag_levels()
        return {
            "emergency_check" if levels[f] == "emergency" else "urgent_check"
            for f in self.persona.flags
        }

    def skippable(self, slot: str) -> bool:
        """Non-essential for this persona: "not sure" cannot change its expected level."""
        essential = set(self.persona.level_facts) | NEVER_SKIPPED
        if "tried" in essential:
            essential.add("tried_outcome")
        return slot not in essential

    def answer_text(self, slot: str) -> tuple[str, str, list[str]]:
        """(message, note, slots it states) answering ``slot``."""
        p = self.persona
        if slot in SAFETY and self.style in FLAG_STYLES and slot in self.flag_checklist():
            if self.flag_said:
                return self.phrase(p.already_said or ["no, nothing else"], slot), "said", [slot]
            if self.style in ("flag_in_answer", "flag_after_plan"):
                options = p.no_flag_answers.get(slot) or ["no"]
                return self.phrase(options, slot), "sign not recognised", [slot]
        if (
            self.style == "flag_in_answer"
            and not self.flag_said
            and p.flag_in_answer
            and p.flag_in_answer["slot"] == slot
        ):
            self.flag_said, self.flag_turn = True, self.result.turns + 1
            return p.flag_in_answer["text"], "warning sign", [slot, *self.flag_checklist()]
        if (
            self.style == "correction"
            and self.correction_state == "pending"
            and p.correction
            and p.correction["slot"] == slot
        ):
            self.correction_state = "fix_next"
            return p.correction["wrong"], "wrong answer", [slot]
        if self.style == "unsure" and self.skippable(slot):
            return self.phrase(UNSURE, slot), "unsure", [slot]
        if (
            self.offtopic_left
            and slot not in SAFETY
            and self.attempts[slot] == 1
            and self.questions_seen >= self.next_offtopic_at
        ):
            other = self.unstated_volunteer(exclude=[slot])
            if other:
                self.offtopic_left -= 1
                self.next_offtopic_at = self.questions_seen + 2
                return other["text"], "off topic", list(other["states"])
        if slot not in p.fact_slots():
            return "not sure", "no such fact", []
        options = self.plain_options(slot)
        if not options:
            return "not sure", "no phrasing", []
        return self.phrase(options, slot), "", [slot]

    def plain_options(self, slot: str) -> Sequence[str]:
        p = self.persona
        if self.style == "units" and p.units.get(slot):
            return p.units[slot]
        return p.answers.get(slot) or ()

    def companion_answer(self, slot: str) -> str | None:
        """The plain answer to the second part of a two-part question, if the runner gives
        one: not when that part is the one this style does something special with (a
        warning sign, a slip to correct, "not sure"); that part is then left to its own
        question."""
        p = self.persona
        special = (
            (self.style == "flag_in_answer" and (p.flag_in_answer or {}).get("slot") == slot)
            or (self.style == "correction" and (p.correction or {}).get("slot") == slot)
            or (self.style == "unsure" and self.skippable(slot))
        )
        options = self.plain_options(slot) if slot in p.fact_slots() else ()
        if special or not options:
            return None
        return self.phrase(options, slot, attempt=max(1, self.attempts[slot]))

    # -------------------------------------------------------------- one step

    def opening(self) -> None:
        key = {"chatty": "chatty", "flag_opening": "flag"}.get(self.style, "plain")
        opening = self.persona.opening[key]
        self.send(self.styled(opening["text"]), f"opening ({key})", opening.get("states") or [])

    def step(self) -> bool:
        """Sends the next message; False when the conversation is over."""
        slots = self.slots
        requested = slots.get("requested_slot")
        if self.correction_state == "fix_next" and self.persona.correction:
            # sent even when the wrong answer was the last one and the level is out: a
            # runner who sees the plan built on a slip corrects it
            self.correction_state = "done"
            fix = self.persona.correction
            self.send(self.styled(fix["fix"]), "correction", [fix["slot"]])
            return True
        if self.done():
            return self.after_triage(requested)
        if not requested:
            if self.nudges >= len(NUDGES):
                self.result.stop_reason = "no_question"
                return False
            self.send(NUDGES[self.nudges], "nudge: the bot asked nothing")
            self.nudges += 1
            return True
        self.record_ask(requested)
        text, note, states = self.reply_to(requested)
        self.send(text, note or requested, states)
        return True

    def record_ask(self, requested: str) -> None:
        first_time = requested != self.last_requested
        self.attempts[requested] += 1
        # The safety checklists are asked even after one sign was volunteered: the other
        # signs on the list still have to be checked (docs/conversation.md). Not a re-ask.
        checklist = requested in ("emergency_check", "urgent_check")
        if requested in ANSWER_SLOTS and first_time and requested in self.stated and not checklist:
            how = self.stated[requested]
            target = (
                self.result.volunteered_reasked
                if how == "volunteered"
                else self.result.answered_reasked
            )
            if requested not in target:
                target.append(requested)
        elif (
            requested in ANSWER_SLOTS
            and not first_time
            and requested in self.stated
            and requested not in self.result.answered_reasked
        ):
            self.result.answered_reasked.append(requested)
        if first_time and requested in ANSWER_SLOTS and requested != "consent":
            self.questions_seen += 1
        self.last_requested = requested

    def reply_to(self, requested: str) -> tuple[str, str, list[str]]:
        slots = self.slots
        if requested == "consent":
            if self.style not in TYPED_CONSENT:
                return "/affirm", "consent (button)", []
            text = self.phrase(TYPED_YES, "consent")
            if self.style == "chatty":
                extra = self.unstated_volunteer()
                if extra:
                    return f"{text}, {extra['text']}", "consent + fact", list(extra["states"])
            return self.styled(text), "consent (typed)", []
        if requested == "red_flag_confirm":
            pending = slots.get("pending_red_flag") or slots.get("pending_red_flags")
            if isinstance(pending, list):
                pending = pending[0] if pending else None
            yes = pending in self.persona.flags
            options = CONFIRM_YES if yes else CONFIRM_NO
            return self.phrase(options, requested), f"confirm {pending}", []
        if requested == "confirm_action":
            return self.phrase(ACTION_NO, requested), "decline destructive action", []
        text, note, states = self.answer_text(requested)
        companion = COMPANIONS.get(requested)
        if companion and note == "" and slots.get(companion) is None:
            more = self.companion_answer(companion)
            if more:
                text, states = f"{text}, {more}", [*states, companion]
        if self.style == "chatty" and requested not in SAFETY and note == "":
            extra = self.unstated_volunteer(exclude=[requested])
            if extra:
                text = f"{text}, {self.rng.choice(CONNECTIVES)} {extra['text']}"
                states = [*states, *extra["states"]]
        return self.styled(text), note, states

    def after_triage(self, requested: str | None) -> bool:
        """After the level: answer a pending confirm, say the late warning sign, then stop."""
        self.post_plan_turns += 1
        if self.post_plan_turns > 4:
            return False
        if requested in PSEUDO_QUESTIONS:
            self.record_ask(requested)
            text, note, states = self.reply_to(requested)
            self.send(text, note, states)
            return True
        late = None
        if self.style == "flag_after_plan" and not self.after_sent:
            late = self.persona.after_plan
        elif self.style == "flag_in_answer" and not self.flag_said and not self.after_sent:
            late = (self.persona.flag_in_answer or {}).get("text")  # its question never came
        if late:
            self.after_sent = self.flag_said = True
            self.flag_turn = self.result.turns + 1
            self.last_requested = None
            self.send(self.styled(late), "warning sign after the plan", self.flag_checklist())
            return True
        return False

    # -------------------------------------------------------------- whole conversation

    def play(self) -> Result:
        try:
            self.opening()
            while self.result.turns < self.max_turns:
                if not self.step():
                    break
            else:
                self.result.stop_reason = self.result.stop_reason or "turn_cap"
        except (urllib.error.URLError, OSError, ValueError, KeyError) as error:
            self.result.error = f"{type(error).__name__}: {error}"
            self.result.stop_reason = "error"
        self.assess()
        return self.result

    def assess(self) -> None:
        r, p, slots = self.result, self.persona, self.slots
        r.completed = self.done()
        r.level = slots.get("triage_level")
        if r.completed and not r.stop_reason:
            r.stop_reason = "done"
        elif not r.completed and not r.stop_reason:
            r.stop_reason = "stuck"
        routed = (
            r.completed
            and slots.get("location") in ROUTED_LOCATIONS
            and r.level
            not in (
                "urgent",
                "emergency",
            )
        )
        r.outcome = "routed" if routed else r.level if r.completed else None
        if p.expected_level == "routed":
            r.misrouted = r.completed and not routed
        else:
            rank = LEVELS.index(p.expected_level)
            got = LEVELS.index(r.level) if r.level in LEVELS else -1
            if r.completed:
                r.under_triage = got < rank
                r.over_triage = got > rank
            else:  # never told to get care although urgent/emergency: hazardous too
                r.under_triage = rank >= LEVELS.index("urgent") and got < rank
            r.misrouted = routed and p.expected_route is None and got < rank
        texts = [" ".join(t.bot) for t in r.transcript if t.bot]
        r.longest_repeat, r.longest_repeat_text = longest_run(texts)
        events = self.tracker.get("events") or []
        r.destructive = [
            e["name"] for e in events if e.get("event") == "action" and e.get("name") in DESTRUCTIVE
        ]
        r.answers = {s: slots.get(s) for s in (*ANSWER_SLOTS, "red_flags", "symptoms")}
        r.fabricated = fabricated(p, slots)
        r.plan = slots.get("plan")
        if self.flag_turn is not None and p.flags:
            r.flag_missed_at_mention = not self.caught_at(self.flag_turn)

    def caught_at(self, turn: int) -> bool:
        """True when the bot escalated (or asked its yes/no question) right after the sign.

        The reply to the turn that carried the sign counts; when that reply asks for consent
        (a sign in the opening), the reply to the consent counts.
        """
        transcript = self.result.transcript
        index = max(turn - 1, 0)
        while index < len(transcript) and transcript[index].requested == "consent":
            index += 1
        if index >= len(transcript):
            return False
        after = transcript[index]
        expected = self.persona.expected_level
        rank = LEVELS.index(expected) if expected in LEVELS else LEVELS.index("urgent")
        level_ok = after.level in LEVELS and LEVELS.index(after.level) >= rank
        return level_ok or after.requested == "red_flag_confirm"


def longest_run(texts: Sequence[str]) -> tuple[int, str]:
    best, best_text, run = 0, "", 0
    for i, text in enumerate(texts):
        run = run + 1 if i and text == texts[i - 1] else 1
        if run > best:
            best, best_text = run, text
    return best, best_text[:160]


def fabricated(persona: Persona, slots: Mapping[str, Any]) -> dict[str, Any]:
    """Final answer slots holding a value the persona never had (slot -> stored value)."""
    facts = persona.facts
    found: dict[str, Any] = {}

    def wrong(slot: str, value: Any) -> None:
        found[slot] = value

    for slot in ANSWER_SLOTS:
        value = slots.get(slot)
        if value is None or value == "unknown" or slot in SAFETY:
            continue
        if slot == "side":
            if value != facts.get("side"):
                wrong(slot, value)
        elif slot == "location":
            expected = facts.get("location")
            inner = {"medial", "inner_surface", "inner_joint_line"}
            same = value == expected or (value in inner and expected in inner)
            same = same or {value, expected} <= {"kneecap", "front"}
            if not same:
                wrong(slot, value)
        elif slot == "onset":
            expected = facts.get("onset")
            if expected is None and facts.get("injury") not in (None, "none"):
                expected = "sudden"
            if value != expected:
                wrong(slot, value)
        elif slot == "injury":
            if value != facts.get("injury", "none" if facts.get("onset") == "gradual" else None):
                wrong(slot, value)
        elif slot == "age_band":
            if value != band_of(facts):
                wrong(slot, value)
        elif slot in ("distance_before_km", "distance_now_km"):
            key = slot.removesuffix("_km")
            if key not in facts or not _close(value, to_km(facts[key]), 0.05, 1.0):
                wrong(slot, value)
        elif slot in ("weeks_since_change", "pain_duration_weeks"):
            key = "pain_duration" if slot == "pain_duration_weeks" else slot
            if key not in facts or not _close(value, to_weeks(facts[key]), 0.3, 0.75):
                wrong(slot, value)
        elif slot in ("pain_triggers", "tried"):
            have = set(facts.get(slot) or [])
            if slot == "tried" and have & {"rest", "reduced_mileage"}:
                have |= {"rest", "reduced_mileage"}
            if not isinstance(value, list) or not set(value) <= have:
                wrong(slot, value)
        elif value != facts.get(slot):
            wrong(slot, value)
    flags = slots.get("red_flags") or []
    extra = [f for f in flags if f not in persona.flags]
    if extra:
        found["red_flags"] = extra
    return found


def _close(value: Any, expected: float, rel: float, absolute: float) -> bool:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return False
    return abs(number - expected) <= max(absolute, rel * abs(expected))


# --------------------------------------------------------------------------- running


def conversations(
    personas: Sequence[Persona], styles: Sequence[str] | None
) -> list[tuple[Persona, str]]:
    return [
        (persona, style)
        for persona in personas
        for style in persona.styles
        if not styles or style in styles
    ]


def play_all(
    url: str,
    plan: Sequence[tuple[Persona, str]],
    keep_going: bool,
    workers: int = WORKERS,
    env: Mapping[str, str] | None = None,
) -> list[Result]:
    """Plays ``plan`` against the Rasa at ``url``; ``env`` holds the credentials of its API
    (``RASA_TOKEN`` or ``RASA_JWT_SECRET``; this process's environment by default)."""
    credentials = os.environ if env is None else env
    results: list[Result] = []
    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(Runner(url, p, s, credentials).play): (p, s) for p, s in plan}
        for n, future in enumerate(as_completed(futures), 1):
            persona, style = futures[future]
            try:
                result = future.result()
            except Exception:  # a bug in the simulator itself: never hide it
                raise RuntimeError(f"simulator failed on {persona.id}/{style}") from None
            if result.error and not keep_going:
                for other in futures:
                    other.cancel()
                raise RuntimeError(
                    f"{persona.id}/{style}: {result.error} (the stack is not answering; "
                    "--keep-going records such errors and carries on)"
                )
            results.append(result)
            if n % 25 == 0 or n == len(plan):
                print(
                    f"  {n}/{len(plan)} conversations ({time.monotonic() - began:.0f} s)",
                    file=sys.stderr,
                    flush=True,
                )
    order = {(p.id, s): i for i, (p, s) in enumerate(plan)}
    return sorted(results, key=lambda r: order[(r.persona, r.style)])


# --------------------------------------------------------------------------- report


def percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))])


def plan_diversity(results: Sequence[Result]) -> dict[str, Any]:
    """Distinct plans across personas whose likely contributors differ."""
    with_plan = [r for r in results if r.completed and r.plan]
    out: dict[str, Any] = {
        "conversations_with_plan": len(with_plan),
        "distinct_plans": len({tuple(r.plan or []) for r in with_plan}),
        "distinct_plans_per_persona": None,
        "contributor_profiles": "n/a",
        "plans_shared_by_different_profiles": "n/a",
        "plans_with_unsuitable_exercises": "n/a",
    }
    by_persona: dict[str, set[tuple[str, ...]]] = {}
    for r in with_plan:
        by_persona.setdefault(r.persona, set()).add(tuple(r.plan or []))
    if by_persona:
        out["distinct_plans_per_persona"] = round(
            statistics.mean(len(v) for v in by_persona.values()), 2
        )
    try:
        from actions import guidance  # the actions env; only to group plans by contributor
    except Exception:  # the report stays useful without it
        return out
    profiles: dict[tuple[str, ...], set[str]] = {}
    plan_profiles: dict[tuple[str, ...], set[str]] = {}
    unsuitable = 0
    check = getattr(guidance, "unsuitable_exercises", None)
    for r in with_plan:
        answers = {k: v for k, v in r.answers.items() if v is not None}
        try:
            ranked = guidance.likely_contributors(answers)
        except Exception:
            continue
        profile = tuple(sorted(name for name, _ in ranked[:2]))
        plan = tuple(r.plan or [])
        profiles.setdefault(profile, set()).add(r.persona)
        plan_profiles.setdefault(plan, set()).add("+".join(profile))
        if check is not None:
            with contextlib.suppress(Exception):
                unsuitable += bool(check(list(plan), answers))
    out["contributor_profiles"] = len(profiles)
    out["plans_shared_by_different_profiles"] = sum(1 for v in plan_profiles.values() if len(v) > 1)
    if check is not None:
        out["plans_with_unsuitable_exercises"] = unsuitable
    return out


def summarise(results: Sequence[Result]) -> dict[str, Any]:
    completed = [r for r in results if r.completed]
    turns = [r.turns_to_completion for r in completed if r.turns_to_completion]
    longest = max(results, key=lambda r: r.longest_repeat, default=None)
    failure_classes: Counter[str] = Counter()
    for r in results:
        failure_classes.update(
            {f if f.startswith("incomplete") else f.split(":")[0] for f in r.failures()}
        )
    reasked = Counter(s for r in results for s in r.volunteered_reasked)
    fabricated_slots = Counter(s for r in results for s in r.fabricated)
    flag_convs = [r for r in results if r.flag_missed_at_mention is not None]

    def ids(items: Iterable[Result]) -> list[str]:
        return [f"{r.persona}/{r.style}" for r in items]

    return {
        "conversations": len(results),
        "personas": len({r.persona for r in results}),
        "completed": len(completed),
        "completion_rate": round(len(completed) / len(results), 3) if results else None,
        "incomplete_by_reason": dict(Counter(r.stop_reason for r in results if not r.completed)),
        "under_triage": len([r for r in results if r.under_triage]),
        "under_triage_ids": ids(r for r in results if r.under_triage),
        "over_triage": len([r for r in results if r.over_triage]),
        "over_triage_ids": ids(r for r in results if r.over_triage),
        "misrouted": len([r for r in results if r.misrouted]),
        "misrouted_ids": ids(r for r in results if r.misrouted),
        "volunteered_reasked": sum(len(r.volunteered_reasked) for r in results),
        "volunteered_reasked_conversations": len([r for r in results if r.volunteered_reasked]),
        "volunteered_reasked_by_slot": dict(reasked.most_common()),
        "answered_reasked": sum(len(r.answered_reasked) for r in results),
        "longest_repeat_run": longest.longest_repeat if longest else 0,
        "longest_repeat_where": (
            f"{longest.persona}/{longest.style}: {longest.longest_repeat_text}" if longest else ""
        ),
        "conversations_repeating_over_2": len([r for r in results if r.longest_repeat > 2]),
        "turns_median": statistics.median(turns) if turns else None,
        "turns_p95": percentile(turns, 0.95),
        "destructive_unconfirmed": sum(len(r.destructive) for r in results),
        "destructive_ids": ids(r for r in results if r.destructive),
        "fabricated_facts": sum(len(r.fabricated) for r in results),
        "fabricated_conversations": len([r for r in results if r.fabricated]),
        "fabricated_by_slot": dict(fabricated_slots.most_common()),
        "flag_missed_at_mention": len([r for r in flag_convs if r.flag_missed_at_mention]),
        "flag_mentions": len(flag_convs),
        "errors": len([r for r in results if r.error]),
        "plan_diversity": plan_diversity(results),
        "failure_classes": dict(failure_classes.most_common()),
        "by_style": {
            style: {
                "conversations": len(group),
                "completed": len([r for r in group if r.completed]),
                "under_triage": len([r for r in group if r.under_triage]),
            }
            for style in STYLES
            if (group := [r for r in results if r.style == style])
        },
    }


def targets_missed(summary: Mapping[str, Any]) -> list[str]:
    missed = []
    if summary["completion_rate"] is None or summary["completion_rate"] < 1:
        missed.append("completion")
    if summary["under_triage"]:
        missed.append("under_triage")
    if summary["volunteered_reasked"]:
        missed.append("volunteered_reasked")
    if summary["longest_repeat_run"] > 2:
        missed.append("repeats")
    if summary["turns_median"] is None or summary["turns_median"] > 14:
        missed.append("turns")
    if summary["destructive_unconfirmed"]:
        missed.append("destructive")
    return missed


def table(half: str, s: Mapping[str, Any]) -> str:
    def pct(x: float | None) -> str:
        return "n/a" if x is None else f"{100 * x:.1f} %"

    def short(items: Sequence[str], n: int = 6) -> str:
        return ", ".join(items[:n]) + (f" … (+{len(items) - n})" if len(items) > n else "")

    d = s["plan_diversity"]
    rows = [
        ("conversations (personas)", f"{s['conversations']} ({s['personas']})", ""),
        (
            "completion rate",
            f"{pct(s['completion_rate'])} ({s['completed']})",
            TARGETS["completion_rate"],
        ),
        (
            "under-triage",
            f"{s['under_triage']} {short(s['under_triage_ids'])}".strip(),
            TARGETS["under_triage"],
        ),
        ("over-triage", f"{s['over_triage']} {short(s['over_triage_ids'])}".strip(), ""),
        ("routed wrongly", f"{s['misrouted']} {short(s['misrouted_ids'])}".strip(), ""),
        (
            "volunteered facts asked again",
            f"{s['volunteered_reasked']} in {s['volunteered_reasked_conversations']} conversations",
            TARGETS["volunteered_reasked"],
        ),
        ("answered facts asked again", str(s["answered_reasked"]), ""),
        (
            "longest run of one bot message",
            f"{s['longest_repeat_run']} ({s['conversations_repeating_over_2']} conversations > 2)",
            TARGETS["longest_repeat_run"],
        ),
        (
            "turns to completion, median / p95",
            f"{s['turns_median']} / {s['turns_p95']}",
            TARGETS["turns_median"] + " (median)",
        ),
        (
            "destructive actions without confirmation",
            f"{s['destructive_unconfirmed']} {short(s['destructive_ids'])}".strip(),
            TARGETS["destructive_unconfirmed"],
        ),
        (
            "facts recorded that the runner never said",
            f"{s['fabricated_facts']} in {s['fabricated_conversations']} conversations",
            "",
        ),
        (
            "warning sign not acted on when said",
            f"{s['flag_missed_at_mention']} of {s['flag_mentions']}",
            "",
        ),
        (
            "plans: distinct / with a plan",
            f"{d['distinct_plans']} / {d['conversations_with_plan']} "
            f"(contributor profiles {d['contributor_profiles']}, plans shared across profiles "
            f"{d['plans_shared_by_different_profiles']})",
            "",
        ),
        ("plans with unsuitable exercises", str(d["plans_with_unsuitable_exercises"]), ""),
        ("HTTP errors", str(s["errors"]), ""),
    ]
    lines = [f"### {half}", "", "| measure | result | target |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


def write_transcripts(path: Path, results: Sequence[Result]) -> int:
    failed = [r for r in results if r.failures()]
    with path.open("w", encoding="utf-8") as out:
        out.write("# Failed simulated conversations (synthetic personas; no real data)\n\n")
        for r in failed:
            out.write(
                f"## {r.half}/{r.persona}/{r.style}: expected {r.expected}, got "
                f"{r.outcome or r.level} ({r.stop_reason}, {r.turns} turns)\n"
            )
            out.write(f"failures: {', '.join(r.failures())}\n")
            if r.fabricated:
                out.write(f"recorded but never said: {json.dumps(r.fabricated)}\n")
            if r.error:
                out.write(f"error: {r.error}\n")
            for n, t in enumerate(r.transcript, 1):
                note = f"  [{t.note}]" if t.note else ""
                out.write(f"{n:>2} RUNNER: {t.runner}{note}\n")
                for text in t.bot:
                    out.write(f"     BOT: {text}\n")
                out.write(f"     -> requested={t.requested} level={t.level} done={t.done}\n")
            out.write("\n")
    return len(failed)


def run(args: argparse.Namespace) -> int:
    halves = HALVES if args.half == "all" else (args.half,)
    styles = [s for s in (args.styles or "").split(",") if s]
    bad = set(styles) - set(STYLES)
    if bad:
        raise SystemExit(f"unknown styles {sorted(bad)}; known: {', '.join(STYLES)}")
    plans: dict[str, list[tuple[Persona, str]]] = {}
    for half in halves:
        personas = load_half(half)
        if not personas:
            print(f"{half}: no personas in {CORPUS / half}; skipped", file=sys.stderr)
            continue
        wanted = {i for i in args.personas.split(",") if i}
        plan = conversations([p for p in personas if not wanted or p.id in wanted], styles)
        plans[half] = plan[: args.limit] if args.limit else plan
    if not plans:
        raise SystemExit("nothing to run")

    def play(url: str) -> dict[str, list[Result]]:
        out = {}
        for half, plan in plans.items():
            print(f"{half}: {len(plan)} conversations, {args.workers} at a time", file=sys.stderr)
            out[half] = play_all(url, plan, args.keep_going, args.workers)
        return out

    if args.url:
        results = play(args.url.rstrip("/"))
    else:
        logs = Path(tempfile.mkdtemp(prefix="bench-conversations-"))
        if not (os.environ.get("RASA_TOKEN") or os.environ.get("RASA_JWT_SECRET")):
            os.environ["RASA_TOKEN"] = secrets.token_hex(24)  # the stack's and ours; never "-…"
        with running_stack(logs) as stack:
            results = play(stack.url)
    report: dict[str, Any] = {
        "generated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "max_turns": MAX_TURNS,
        "targets": TARGETS,
        "halves": {},
    }
    missed_any = False
    for half, found in results.items():
        summary = summarise(found)
        missed = targets_missed(summary)
        missed_any = missed_any or bool(missed)
        report["halves"][half] = {
            "summary": summary,
            "targets_missed": missed,
            "conversations": [
                {k: v for k, v in asdict(r).items() if k != "transcript"}
                | {"failures": r.failures()}
                for r in found
            ],
        }
        print(table(half, summary))
        print(f"\nfailure classes: {json.dumps(summary['failure_classes'])}\n")
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")
    print(f"JSON: {out}", file=sys.stderr)
    if args.show_failures:
        path = Path(args.show_failures)
        path.parent.mkdir(parents=True, exist_ok=True)
        n = write_transcripts(path, [r for found in results.values() for r in found])
        print(f"transcripts of {n} failed conversations: {path}", file=sys.stderr)
    return 1 if missed_any else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=(*HALVES, "all"), default="all")
    parser.add_argument("--limit", type=int, default=0, help="first N conversations per half")
    parser.add_argument("--styles", default="", help="comma-separated styles (default: all)")
    parser.add_argument("--personas", default="", help="comma-separated persona ids (default: all)")
    parser.add_argument("--json", default=str(REPO / "var" / "bench" / "conversations.json"))
    parser.add_argument(
        "--show-failures",
        nargs="?",
        const=str(REPO / "var" / "bench" / "conversation_failures.md"),
        default=None,
        help="write transcripts of failed conversations to this file",
    )
    parser.add_argument(
        "--keep-going",
        action="store_true",
        help="record HTTP errors as failed conversations instead of stopping",
    )
    parser.add_argument("--url", default="", help="a running Rasa server instead of a new stack")
    parser.add_argument("--workers", type=int, default=WORKERS, help="concurrent conversations")
    args = parser.parse_args(argv)
    # a plain `kill` stops the stack this run started too (the `with` blocks unwind)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        return run(args)
    except RuntimeError as error:
        traceback.print_exc(limit=0)
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
