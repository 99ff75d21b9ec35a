"""What finders return: candidates over the canonical text, and the final entities.

A finder takes the canonical text (see ``canonical.py``) and yields :class:`Candidate`
objects; ``pipeline.py`` keeps the non-overlapping ones and turns their items into
:class:`Extracted` entities with spans into the original text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Extracted:
    """One entity found in a message.

    Attributes:
        entity: Entity name from the NLU schema, e.g. ``"side"``.
        value: Normalised value (``"left"``, kilometres, weeks, ...).
        start: Start offset in the original text.
        end: End offset (exclusive) in the original text.
        text: The original text of the span, ``text[start:end]``.
        negated: True for a symptom the runner says they do *not* have.
        role: Reserved for Rasa entity roles; currently always ``None``.
    """

    entity: str
    value: Any
    start: int
    end: int
    text: str
    negated: bool = False
    role: str | None = None


@dataclass(frozen=True)
class Item:
    """One entity of a candidate, with offsets into the canonical text."""

    entity: str
    value: Any
    start: int
    end: int


@dataclass(frozen=True)
class Candidate:
    """Entities found together; ``claim`` is the canonical range they occupy."""

    claim_start: int
    claim_end: int
    priority: int
    items: tuple[Item, ...]


#: Lower number wins when two candidates claim equally long text.
PRIORITY = {
    "distance": 0, "distance_before": 0, "distance_now": 0, "duration": 0, "age": 0,
    "load_change": 0,
    "self_test": 1, "exercise": 2, "symptom": 3, "injury": 4, "location": 5,
    "onset": 6, "pain_trigger": 7, "treatment": 8, "outcome": 9, "side": 10,
    "pain_score": 11,
}  # fmt: skip

#: A finder: canonical text in, candidates out.
Finder = Callable[[str], Iterable[Candidate]]


def candidate(entity: str, value: Any, start: int, end: int,
              claim: tuple[int, int] | None = None) -> Candidate:  # fmt: skip
    """A candidate holding one entity; it claims ``claim`` (default: its own span)."""
    claim_start, claim_end = claim or (start, end)
    return Candidate(claim_start, claim_end, PRIORITY[entity],
                     (Item(entity, value, start, end),))  # fmt: skip
