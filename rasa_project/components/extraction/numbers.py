"""Numbers as runners type them: the shared parser of ``content_schema.numbers`` (the action
server reads bare number words with it too)."""

from __future__ import annotations

from content_schema.numbers import NUM, NUM_WORD, parse_number

__all__ = ["NUM", "NUM_WORD", "parse_number"]
