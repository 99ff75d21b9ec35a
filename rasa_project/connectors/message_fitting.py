"""Fitting the bot's messages into a messaging app's limits (no I/O, no Rasa imports).

Texts are split where a reader expects a break, labels cut at a word with an ellipsis, and
button payloads too long for the app travel as short keys that map back.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict


def split_text(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at paragraphs, lines,
    sentences or words (a single longer word is cut where it must)."""
    pieces, rest = [], text.strip()
    while len(rest) > limit:
        cut = _cut_point(rest, limit)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def _cut_point(text: str, limit: int) -> int:
    for separator in ("\n\n", "\n", ". ", " "):
        cut = text.rfind(separator, limit // 2, limit)
        if cut > 0:
            return cut + len(separator)
    return limit


def shorten(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, cut at a word and ended with '…' when cut."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    return text[: cut if cut > 0 else limit - 1].rstrip() + "…"


class PayloadKeys:
    """Button payloads as the app's button ids: short ones as they are, longer ones as a key.

    Keys are a digest of the payload, remembered for the most recent ``capacity`` payloads;
    a key pressed after it was forgotten (e.g. after a restart) reads as None.
    """

    PREFIX = "k:"

    def __init__(self, max_bytes: int, capacity: int = 10_000) -> None:
        self.max_bytes = max_bytes
        self.capacity = capacity
        self._payloads: OrderedDict[str, str] = OrderedDict()

    def data_for(self, payload: str) -> str:
        """The id of a button with this payload."""
        if len(payload.encode("utf-8")) <= self.max_bytes and not payload.startswith(
                self.PREFIX):
            return payload
        key = self.PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:40]
        self._payloads[key] = payload
        self._payloads.move_to_end(key)
        while len(self._payloads) > self.capacity:
            self._payloads.popitem(last=False)
        return key

    def payload_of(self, data: str) -> str | None:
        """The payload a pressed button stands for (None: a key no longer known)."""
        if not data.startswith(self.PREFIX):
            return data
        return self._payloads.get(data)
