"""Slips of the keyboard mended before anything else reads a message (pure logic).

A runner typing fast writes "swleling", "rihgt", "clf" or "wek". Every reader after this one
(the intent classifier, the rule extractor, the red-flag scanner, the answer readers of the
action server) would otherwise see an unknown word. The speller changes a word only when:

- it is not a known word: neither a word of the project's own texts (NLU examples, phrase
  tables, questions) nor one of the 48,000 most frequent English words ("cancel" is never
  read as "cancer"), nor a contraction typed without its apostrophe ("cant" is not "can");
- a word of the project's own texts is one edit away (a letter dropped, doubled, swapped or
  mistyped; two edits for words of eight letters or more) and starts with the same letter;
- that word is clearly the best: closest, then the same letters swapped, then sharing the
  most letters at both ends; between words equal on all three ("wek": "week" or "weak"),
  the one the project's texts use at least three times as often, else none.

The vocabulary is built from the project's files when the Rasa server starts
(``spelling_corrector.py``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

#: A word in any alphabet: "perdón" is one word (left alone), not "perd" + "ón".
_WORD_RX = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
MIN_LENGTH = 3  # shorter tokens ("im", "r", "ok") are never changed
LONG_WORD = 8  # from this length on, two edits are forgiven
#: English words more probable than this (natural log; about the 48,000 most frequent) are
#: real words, never slips. Rarer "words" of web text are mostly misspellings ("nothign").
COMMON_LOGPROB = -16.0
#: Typed without the apostrophe, these are real words one slip from another ("cant" /
#: "can"): a negation must never be read away, so they are never changed.
CONTRACTIONS = frozenset(
    {
        "cant", "dont", "wont", "didnt", "doesnt", "isnt", "wasnt", "arent", "werent",
        "havent", "hasnt", "hadnt", "couldnt", "wouldnt", "shouldnt", "mustnt", "neednt",
        "aint", "ive", "youre", "theyre", "thats", "whats", "lets", "hes", "shes", "weve",
        "youve", "theyve", "wouldve", "couldve", "shouldve",
    }
)  # fmt: skip
#: The contractions by their letters, to find "doenst" (letters swapped) in one look-up.
_CONTRACTION_BY_LETTERS = {"".join(sorted(word)): word for word in CONTRACTIONS}
CLEAR_LEAD = 3  # times as often used, to choose between two equally close words


def edit_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance: insertions, deletions, substitutions, swaps."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def shared_ends(word: str, target: str) -> int:
    """Letters two words share at their start plus at their end."""
    return _common_start(word, target) + _common_start(word[::-1], target[::-1])


def _common_start(a: str, b: str) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


def words_of(text: str) -> list[str]:
    """The lower-case alphabetic words of a text (apostrophes kept inside words)."""
    return [m.group().lower() for m in _WORD_RX.finditer(text)]


@dataclass(frozen=True)
class Speller:
    """Mends typed words towards the project's own vocabulary.

    Attributes:
        targets: words a slip may be read as, with how often the project's texts use them.
        known: words never changed (the targets, common English words, contractions and
            protected words).
    """

    targets: dict[str, int]
    known: frozenset[str]
    _by_letter: dict[str, list[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_letter: dict[str, list[str]] = {}
        for word in sorted(self.targets):
            by_letter.setdefault(word[0], []).append(word)
        object.__setattr__(self, "_by_letter", by_letter)

    def correct_word(self, word: str) -> str:
        """The word a typed ``word`` (lower case) was meant to be, or ``word`` itself."""
        if len(word) < MIN_LENGTH or not word.isalpha() or not word.isascii():
            return word  # "perdón" is Spanish, not a slip of "perón"
        contraction = _swapped_contraction(word)
        if contraction and word not in self.targets:
            return contraction  # "doenst", "dosent": web text is full of them, the "not" matters
        if word in self.known:
            return word
        max_edits = 2 if len(word) >= LONG_WORD else 1
        # a three-letter token is read only as a longer word ("clf" → "calf"): three-letter
        # words one letter apart ("pin", "pan") are too many to tell apart
        # (or as the same letters swapped: "iec" → "ice")
        min_target = MIN_LENGTH + 1 if len(word) == MIN_LENGTH else MIN_LENGTH
        ranked = []
        for target in self._by_letter.get(word[0], ()):
            swapped = sorted(target) == sorted(word)  # two letters swapped: the commonest slip
            if abs(len(target) - len(word)) > max_edits or not (
                len(target) >= min_target or swapped
            ):
                continue
            distance = edit_distance(word, target)
            if distance <= max_edits:
                ranked.append(((-distance, swapped, shared_ends(word, target)), target))
        if not ranked:
            return word
        best_key, best = max(ranked, key=lambda r: (r[0], self.targets[r[1]]))
        rivals = [t for key, t in ranked if key == best_key and t != best]
        if any(self.targets[t] * CLEAR_LEAD > self.targets[best] for t in rivals):
            return word  # two words equally close and about as common: leave it alone
        return best

    def correct(self, text: str) -> str:
        """The text with every mendable word mended (everything else kept as typed)."""

        def mend(match: re.Match[str]) -> str:
            typed = match.group()
            fixed = self.correct_word(typed.lower())
            return typed if fixed == typed.lower() else fixed

        return _WORD_RX.sub(mend, text)


def _swapped_contraction(word: str) -> str | None:
    """The apostrophe-less contraction ``word`` is two swapped letters of, if any."""
    if len(word) < 4:
        return None
    contraction = _CONTRACTION_BY_LETTERS.get("".join(sorted(word)))
    return contraction if contraction and edit_distance(word, contraction) == 1 else None


def build_speller(
    project_texts: Iterable[str],
    common_words: Iterable[tuple[str, float]],
    protected: Iterable[str] = (),
    min_uses: int = 3,
) -> Speller:
    """A speller from the project's texts and a list of frequent English words.

    Args:
        project_texts: NLU examples, phrase tables and questions (what the readers know).
        common_words: frequent English words with their log probability; those above
            :data:`COMMON_LOGPROB` are never changed, and are targets when the project's
            texts use them.
        protected: further words never changed.
        min_uses: a project word that is not a common word becomes a target only when used
            this often (a lone misspelling in the examples is not a target).
    """
    counts: Counter[str] = Counter()
    for text in project_texts:
        counts.update(w for w in words_of(text)
                      if w.isalpha() and w.isascii() and len(w) >= MIN_LENGTH)
    common = frozenset(w for w, logprob in common_words if logprob > COMMON_LOGPROB)
    never = common | frozenset(protected) | CONTRACTIONS
    targets = {w: n for w, n in counts.items() if w in common or n >= min_uses}
    for word in CONTRACTIONS:  # "havvent" is "havent": its "not" must be read
        targets.setdefault(word, 1)
    return Speller(targets=targets, known=never | frozenset(targets))


def frequent_english_words(
    limit: int = 60_000, fold_case: bool = False
) -> list[tuple[str, float]]:
    """The most frequent lower-case alphabetic English words with their log probability,
    most frequent first; with ``fold_case``, capitalised words count too ("Peru" typed as
    "peru" is a real word, not a slip of "per").

    From spaCy's lexeme probability table (``spacy-lookups-data``, in the Rasa environment
    only; imported here so that the rest of this module needs nothing but Python).
    """
    import gzip
    import json
    from pathlib import Path

    import spacy_lookups_data

    path = Path(spacy_lookups_data.__file__).parent / "data" / "en_lexeme_prob.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        prob: dict[str, float] = json.load(handle)
    best: dict[str, float] = {}
    for word, logprob in prob.items():
        if re.fullmatch(r"[A-Za-z]+" if fold_case else r"[a-z]+", word):
            lower = word.lower()
            best[lower] = max(logprob, best.get(lower, logprob))
    return sorted(best.items(), key=lambda item: -item[1])[:limit]
