"""Typo correction of single key words ("rigth" -> "right", "lefft" -> "left").

The two word lists live in ``data/typo_words.yml``, read once at import:
:data:`TYPO_TARGETS` are the words typos are corrected towards; :data:`PROTECTED_WORDS`
are real words one edit away from a key word that must never be "corrected".
"""

from __future__ import annotations

import difflib
import functools
from pathlib import Path
from typing import Any

import yaml

from ..spelling import edit_distance

#: The word lists, relative to the repository root.
TYPO_WORDS_PATH = Path(__file__).resolve().parents[3] / "data" / "typo_words.yml"


class WordListError(ValueError):
    """The typo word file is missing or malformed; the message names the file and key."""


def load_word_lists(path: Path = TYPO_WORDS_PATH) -> tuple[frozenset[str], frozenset[str]]:
    """Read the key words and the protected words from ``path``.

    Returns:
        ``(key_words, protected_words)``.

    Raises:
        WordListError: if the file is missing, is not YAML, or a list is malformed.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise WordListError(f"{path}: cannot read the typo word file ({exc})") from exc
    except yaml.YAMLError as exc:
        raise WordListError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise WordListError(f"{path}: expected a mapping with key_words and protected_words")
    key_words = _word_set(path, data, "key_words", min_letters=4)
    return key_words, _word_set(path, data, "protected_words", min_letters=1)


def _word_set(path: Path, data: dict[str, Any], key: str, min_letters: int) -> frozenset[str]:
    """The words under ``key``: a block of lower-case words separated by whitespace."""
    block = data.get(key)
    if not isinstance(block, str) or not block.split():
        raise WordListError(f"{path}: {key}: expected a block of words separated by spaces")
    bad = [w for w in block.split() if not (w.isalpha() and w.islower() and len(w) >= min_letters)]
    if bad:
        raise WordListError(
            f"{path}: {key}: not lower-case words of {min_letters}+ letters: {bad[:5]}"
        )
    return frozenset(block.split())


#: Key words that typos are corrected towards, and real words never "corrected".
TYPO_TARGETS, PROTECTED_WORDS = load_word_lists()


@functools.lru_cache(maxsize=4096)
def correct_typo(word: str) -> str:
    """Return the key word ``word`` is a likely typo of, or ``word`` itself.

    Only lower-case alphabetic tokens of four or more letters that are neither a key word
    nor a known real word (:data:`PROTECTED_WORDS`) are considered. A candidate key word
    must start with the same letter, be at most one edit away (two for words of nine or
    more letters) and have a difflib similarity of at least 0.8; the best unique match
    wins.
    """
    if len(word) < 4 or not word.isalpha() or word in TYPO_TARGETS or word in PROTECTED_WORDS:
        return word
    max_edits = 2 if len(word) >= 9 else 1
    candidates = [
        t for t in TYPO_TARGETS
        if t[0] == word[0] and abs(len(t) - len(word)) <= max_edits
        and edit_distance(word, t) <= max_edits
    ]  # fmt: skip
    swaps = [t for t in candidates if sorted(t) == sorted(word) and len(t) == len(word)]
    if len(swaps) == 1:  # one adjacent transposition ("letf"): difflib undervalues these
        return swaps[0]
    matches = difflib.get_close_matches(word, candidates, n=2, cutoff=0.8)
    if not matches:
        return word
    if len(matches) == 2:
        first = difflib.SequenceMatcher(None, word, matches[0]).ratio()
        second = difflib.SequenceMatcher(None, word, matches[1]).ratio()
        if first == second:  # ambiguous: leave it alone
            return word
    return matches[0]
