"""``extract()``: canonicalise, run every finder, resolve overlaps, mark negations."""

from __future__ import annotations

from .age import find_ages
from .candidates import Candidate, Extracted, Finder
from .canonical import canonicalise
from .distance import find_distances
from .duration import find_durations
from .exercises import find_exercises
from .load_change import find_load_changes
from .negation import apply_negation
from .pain_score import find_pain_scores
from .phrase_finders import PHRASE_FINDERS
from .side import find_sides

#: Every finder that reads the canonical text alone, in a fixed order (the order breaks
#: ties between equally long, equally important candidates). ``find_sides`` also needs the
#: original text and runs last.
_TEXT_FINDERS: list[Finder] = [
    *PHRASE_FINDERS, find_exercises, find_distances, find_load_changes, find_durations,
    find_pain_scores, find_ages,
]  # fmt: skip


def _resolve(candidates: list[Candidate]) -> list[Candidate]:
    """Greedy: longest claim first, then priority, then position; no overlaps."""
    ordered = sorted(
        candidates,
        key=lambda c: (-(c.claim_end - c.claim_start), c.priority, c.claim_start),
    )
    taken: list[tuple[int, int]] = []
    chosen: list[Candidate] = []
    for cand in ordered:
        if any(cand.claim_start < e and s < cand.claim_end for s, e in taken):
            continue
        taken.append((cand.claim_start, cand.claim_end))
        chosen.append(cand)
    return chosen


def extract(text: str) -> list[Extracted]:
    """Extract schema entities from one user message.

    Args:
        text: The raw message as typed.

    Returns:
        Non-overlapping entities, sorted by start offset, with spans into ``text``.
    """
    if not text or not text.strip():
        return []
    canon = canonicalise(text)
    ctext = canon.text
    candidates: list[Candidate] = []
    for finder in _TEXT_FINDERS:
        candidates.extend(finder(ctext))
    candidates.extend(find_sides(ctext, text, canon))
    items = sorted(
        (item for cand in _resolve(candidates) for item in cand.items),
        key=lambda i: i.start,
    )
    negated = apply_negation(ctext, items)
    results = []
    for idx, item in enumerate(items):
        start, end = canon.original_span(item.start, item.end)
        results.append(
            Extracted(
                item.entity, item.value, start, end, text[start:end],
                negated=negated.get(idx, False),
            )
        )
    return results
