"""Finders for the phrase tables in ``phrases.py`` (one finder per entity)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .candidates import Candidate, Finder, candidate
from .phrases import CONTEXT_VETO_RX, PHRASES, SHORTHANDS


def _expand(phrase: str) -> str:
    """Replace the shorthands (``{D}``, ...) in ``phrase`` by their regex."""
    for shorthand, rx in SHORTHANDS.items():
        phrase = phrase.replace(shorthand, rx)
    return phrase


def _compile_table(table: dict[str, list[str]]) -> list[tuple[re.Pattern[str], str]]:
    """Compile each phrase on its own (overlaps are settled later, longest match first)."""
    return [
        (re.compile(rf"(?<![\w'])(?:{_expand(phrase)})(?![\w'])"), value)
        for value, phrases in table.items()
        for phrase in phrases
    ]


#: Per entity: (compiled phrase, value) pairs, in table order.
COMPILED_PHRASES = {entity: _compile_table(table) for entity, table in PHRASES.items()}

#: A phrase is dropped when the text just before it matches (see ``phrases.py``).
CONTEXT_VETO: dict[tuple[str, str], re.Pattern[str]] = {
    key: re.compile(rx) for key, rx in CONTEXT_VETO_RX.items()
}


def phrase_finder(entity: str) -> Finder:
    """A finder for the phrases of one entity in :data:`PHRASES`."""
    patterns = COMPILED_PHRASES[entity]

    def find(text: str) -> Iterator[Candidate]:
        for pattern, value in patterns:
            veto = CONTEXT_VETO.get((entity, value))
            for m in pattern.finditer(text):
                if m.end() <= m.start():
                    continue
                if veto and veto.search(text[max(0, m.start() - 40) : m.start()]):
                    continue
                yield candidate(entity, value, m.start(), m.end())

    return find


#: One finder per entity of the phrase tables, in table order.
PHRASE_FINDERS: list[Finder] = [phrase_finder(entity) for entity in PHRASES]
