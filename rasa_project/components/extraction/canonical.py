"""The canonical text every finder reads, tied character by character to the original.

Lower case, curly quotes to ``'``, runs of whitespace to one space, and single-word typos
fixed (``typos.py``). A character map keeps every canonical position tied to the original
text, so spans always point at what the runner typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .typos import correct_typo


@dataclass(frozen=True)
class CanonicalText:
    """Canonical text plus a map from each canonical character to the original range."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original ``(start, end)`` of the canonical span ``start:end``."""
        return self.starts[start], self.ends[end - 1]


_WORD_RX = re.compile(r"[a-z]+(?:'[a-z]+)*")


def _lower_same_length(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


#: Emoji, their skin tones and joiners: read as spaces ("both 🦵🦵" is "both").
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D]")


def canonicalise(text: str) -> CanonicalText:
    """The canonical form of ``text`` with its map back to the original characters."""
    lowered = _lower_same_length(text).replace("\u2019", "'").replace("\u2018", "'")
    lowered = _EMOJI.sub(" ", lowered)
    pieces: list[tuple[str, int, int]] = []  # (canonical piece, original start, end)
    pos = 0
    for ws in re.finditer(r"\s+", lowered):
        if ws.start() > pos:
            pieces.extend(_canon_words(lowered, pos, ws.start()))
        pieces.append((" ", ws.start(), ws.end()))
        pos = ws.end()
    if pos < len(lowered):
        pieces.extend(_canon_words(lowered, pos, len(lowered)))
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for piece, start, end in pieces:
        if len(piece) == end - start:  # unchanged length: map char by char
            chars.append(piece)
            starts.extend(range(start, end))
            ends.extend(range(start + 1, end + 1))
        else:  # replaced: every char maps to the whole original range
            chars.append(piece)
            starts.extend([start] * len(piece))
            ends.extend([end] * len(piece))
    return CanonicalText("".join(chars), tuple(starts), tuple(ends))


def _canon_words(lowered: str, start: int, end: int) -> Iterator[tuple[str, int, int]]:
    """Yield the pieces of a whitespace-free chunk with typo-corrected words."""
    pos = start
    for m in _WORD_RX.finditer(lowered, start, end):
        if m.start() > pos:
            yield lowered[pos : m.start()], pos, m.start()
        word = m.group()
        glued = m.start() > 0 and lowered[m.start() - 1].isdigit()  # "30kms", "16yo"
        yield (word if glued else correct_typo(word)), m.start(), m.end()
        pos = m.end()
    if pos < end:
        yield lowered[pos:end], pos, end
