"""Typo correction of single key words ("rigth" -> "right", "lefft" -> "left").

The two word lists live in ``data/typo_words.yml``, read once at import:
:data:`TYPO_TARGETS` are the words typos are corrected towards; :data:`PROTECTED_WORDS`
are real words one edit away from a key word that must never be "corrected".
"""

from __future__ import annotations

import difflib
import functools
from pathlib import Path

from content_schema import ContentError, load
from content_schema.schemas import TypoWordsFile

from ..spelling import edit_distance

#: The word lists, relative to the repository root.
TYPO_WORDS_PATH = Path(__file__).resolve().parents[3] / "data" / "typo_words.yml"


#: A missing or malformed word file; the message names the file and the key.
WordListError = ContentError


def load_word_lists(path: Path = TYPO_WORDS_PATH) -> tuple[frozenset[str], frozenset[str]]:
    """Read the key words and the protected words from ``path``.

    Returns:
        ``(key_words, protected_words)``.

    Raises:
        WordListError: if the file is missing, does not fit its schema, or a word is not
            a lower-case word (key words: four letters or more).
    """
    words = load(path, TypoWordsFile)
    return (_word_set(path, "key_words", words.key_words, min_letters=4),
            _word_set(path, "protected_words", words.protected_words, min_letters=1))


def _word_set(path: Path, key: str, block: str, min_letters: int) -> frozenset[str]:
    """The words of ``block``, each lower-case letters only and ``min_letters`` long."""
    bad = [w for w in block.split() if not (w.isalpha() and w.islower() and len(w) >= min_letters)]
    if bad:
        raise WordListError(
            f"{path.name}: field '{key}': not lower-case words of {min_letters}+ letters: "
            f"{bad[:5]}"
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
