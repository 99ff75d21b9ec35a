"""Exercises from the library (``data/exercises.yml``) and "been doing clamshells" treatments.

Doing or being given a library exercise ("been doing clamshells") adds an ``exercises``
treatment whose span is the verb ("doing"), since spans never overlap.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterator
from pathlib import Path

from .candidates import PRIORITY, Candidate, Item, candidate
from .phrase_finders import COMPILED_PHRASES

logger = logging.getLogger(__name__)


#: Default location of the exercise library (a list under ``exercises`` with ``id``,
#: ``name`` and ``aliases``), relative to the repository root.
EXERCISES_PATH = Path(__file__).resolve().parents[3] / "data" / "exercises.yml"


#: Used only when ``data/exercises.yml`` is missing or unreadable.
FALLBACK_EXERCISE_ALIASES: dict[str, list[str]] = {
    "wall_high_knee_drive": ["wall high knee drive", "wall push high knee drive",
                             "high knee drive", "wall drive"],
    "single_leg_box_sit": ["single leg box sit", "box sit", "box squat"],
    "bulgarian_split_squat": ["bulgarian split squat", "split squat", "bulgarian"],
    "reverse_lunge": ["reverse lunge", "backward lunge", "back lunge"],
    "side_lying_hip_abduction": ["side lying hip abduction", "hip abduction",
                                 "side leg raise", "side lying leg raise"],
    "clamshell": ["clamshell", "clam shell", "clam"],
    "band_walk": ["band walk", "monster walk", "crab walk", "lateral band walk"],
    "glute_bridge": ["glute bridge", "single leg bridge", "hip bridge", "bridge"],
    "landing_glute_cue": ["landing glute cue", "glute cue", "landing cue"],
    "hip_mobility": ["hip mobility", "hip mobility drill"],
    "toe_waver": ["toe waver", "toe yoga"],
    "toe_spread": ["toe spread", "toe spreading"],
    "short_foot": ["short foot", "arch doming", "foot doming"],
    "single_leg_balance": ["single leg balance", "one leg balance", "balance on one leg"],
    "foot_soft_tissue_release": ["foot soft tissue release", "soft tissue release",
                                 "plantar fascia release", "foot rolling"],
    "knee_to_wall": ["knee to wall", "ankle dorsiflexion mobility"],
    "a_drill": ["a-drill", "modified a-drill", "a-skip"],
    "cadence_increase": ["cadence increase", "increase cadence", "increasing cadence",
                         "higher cadence"],
}  # fmt: skip


def load_exercise_aliases(path: Path = EXERCISES_PATH) -> dict[str, str]:
    """Map every exercise alias (lower case), name and id to its exercise id.

    Reads ``path`` (YAML: ``exercises: [{id, name, aliases}]``); falls back to
    :data:`FALLBACK_EXERCISE_ALIASES` if the file or PyYAML is missing or malformed.
    """
    table: dict[str, list[str]] = {}
    try:
        import yaml  # optional dependency: present in both project virtualenvs

        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
        for item in data.get("exercises", []):
            ex_id = str(item["id"])
            names = [ex_id.replace("_", " "), str(item.get("name") or "")]
            names += [str(a) for a in item.get("aliases") or []]
            table[ex_id] = [n for n in names if n.strip()]
    except (OSError, ImportError, KeyError, TypeError, AttributeError, ValueError) as exc:
        logger.info("Exercise library not loaded (%s); using built-in aliases.", type(exc).__name__)
        table = {}
    if not table:
        table = {k: [k.replace("_", " "), *v] for k, v in FALLBACK_EXERCISE_ALIASES.items()}
    aliases: dict[str, str] = {}
    for ex_id, names in table.items():
        for name in names:
            aliases.setdefault(name.strip().lower(), ex_id)
    return aliases


def _alias_regex(alias: str) -> str:
    words = [w for w in re.split(r"[^a-z0-9]+", alias.lower()) if w]
    if not words:
        return ""
    words[-1] = re.escape(words[-1]) + ("(?:e?s)?" if words[-1][-1].isalpha() else "")
    body = "[ -]?".join([re.escape(w) for w in words[:-1]] + [words[-1]])
    return f"(?:{body})"


@functools.lru_cache(maxsize=4)
def _exercise_pattern(path: Path = EXERCISES_PATH) -> tuple[re.Pattern[str], list[str]]:
    aliases = load_exercise_aliases(path)
    entries = sorted(aliases.items(), key=lambda e: len(e[0]), reverse=True)
    entries = [(_alias_regex(a), ex_id) for a, ex_id in entries]
    entries = [e for e in entries if e[0]]
    rx = "|".join(f"(?P<g{i}>{p})" for i, (p, _) in enumerate(entries))
    return re.compile(rf"(?<![\w'])(?:{rx})(?![\w'])"), [v for _, v in entries]


def find_exercises(text: str) -> Iterator[Candidate]:
    """Library exercises by any alias, plus the ``exercises`` treatment they imply."""
    pattern, values = _exercise_pattern()
    for m in pattern.finditer(text):
        if m.lastgroup:
            yield candidate("exercise", values[int(m.lastgroup[1:])], m.start(), m.end())
    yield from _find_exercise_treatments(text, pattern, values)


#: Being given or doing exercises is the ``exercises`` treatment: "the physio gave me mini
#: squats", "I've been doing clamshells", "started doing some lunges".
_EX_CUE = re.compile(
    r"\b(?P<verb>gave|given|giving|prescribed|recommended|suggested|showed|shown|assigned"
    r"|taught|tried|trying|started|starting)(?: (?:me|us))? (?P<doing2>doing )?"
    r"(?:(?:some|a few|a couple of|a set of|a bunch of|lots of|loads of"
    r"|my|the|these|those|her|his|daily|regular) )?"
    r"|\b(?:been|started|start|starting|keep|kept|tried|trying|begun|began|still|i'm|im"
    r"|i am|i've|ive) (?P<doing>doing) (?:(?:some|a few|a couple of|a set of|a bunch of"
    r"|lots of|loads of|my|the|these|those|her|his|daily|regular) )?"
)
#: "when I'm doing squats" is a pain trigger, not a treatment.
_EX_CUE_VETO = re.compile(
    r"\b(?:when|while|whilst|if|during|by|hurts?|hurting|pain|painful|sore)"
    r"(?: (?:i'm|im|i am|i was|i|it's|its))? $"
)
#: Exercise-like nouns that are not in the exercise library.
_GENERIC_EXERCISE = re.compile(
    r"(?:(?:mini|half|quarter|deep|body ?weight|air|goblet|sumo|single[- ]leg|one[- ]leg"
    r"|straight[- ]leg|leg|hip|glute|quad|hamstring|knee|band|resistance band|rehab|physio"
    r"|strength|strengthening|core) ){0,2}"
    r"(?:squats|lunges|step[- ]?ups|leg raises|raises|planks|deadlifts|leg press(?:es)?"
    r"|exercises)(?![\w'])"
    r"|(?:strength|strengthening|rehab|physio) (?:work|stuff|routine|programme|program)(?![\w'])"
)


def _find_exercise_treatments(
    text: str, pattern: re.Pattern[str], values: list[str]
) -> Iterator[Candidate]:
    for cue in _EX_CUE.finditer(text):
        verb = "doing" if cue.group("doing") else "doing2" if cue.group("doing2") else "verb"
        if _EX_CUE_VETO.search(text[max(0, cue.start() - 20) : cue.start()]):
            continue
        named = pattern.match(text, cue.end())
        if named and any(p.match(text, named.start()) for p, _ in COMPILED_PHRASES["self_test"]):
            continue  # "tried the glute squeeze" is a self-test, not a treatment
        if named and named.lastgroup:
            exercise = values[int(named.lastgroup[1:])]
            v_start, v_end = cue.start(verb), cue.start(verb) + len(cue.group(verb).strip())
            yield Candidate(cue.start(), named.end(), PRIORITY["treatment"], (
                Item("treatment", "exercises", v_start, v_end),
                Item("exercise", exercise, named.start(), named.end()),
            ))  # fmt: skip
            continue
        generic = _GENERIC_EXERCISE.match(text, cue.end())
        if generic:
            yield candidate("treatment", "exercises", generic.start(), generic.end(),
                          (cue.start(), generic.end()))  # fmt: skip
