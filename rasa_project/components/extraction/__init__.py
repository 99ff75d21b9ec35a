"""Rule-based entity extraction for messages from runners with knee pain.

Plain Python (plus PyYAML for the word lists in ``data/typo_words.yml`` and the exercise
library), so the same code runs inside the Rasa NLU pipeline (see
``rule_entity_extractor.py``) and in the action server. The one entry point is
:func:`extract`.

How it works (one module per step or entity):

1. **Canonicalise** the message (``canonical.py``): lower-case, curly quotes to ``'``,
   runs of whitespace to one space, and single-word typos of key words fixed
   (``typos.py``, word lists in ``data/typo_words.yml``: "rigth" → "right"). A
   character map keeps every canonical position tied to the original text, so spans
   always point at what the runner typed.
2. **Find candidates**: table-driven phrase patterns (``phrases.py``, data only, read by
   ``phrase_finders.py``: location, onset, injury, symptom, pain trigger, treatment,
   outcome, self-test) and small finders for things that need numbers or context:
   ``side.py``, ``distance.py``, ``duration.py``, ``pain_score.py``, ``age.py``,
   ``load_change.py``, ``exercises.py`` (numbers in words: ``numbers.py``).
3. **Resolve overlaps** (``pipeline.py``): the candidate claiming the longest stretch of
   text wins, ties broken by a fixed entity priority (``candidates.py``). A candidate may
   claim more text than it reports ("58 years old" claims the phrase, reports the age "58").
4. **Negation** of symptoms (``negation.py``: "no swelling", "it doesn't lock", "never
   gives way").

Span conventions and normalised values follow ``docs/nlu_schema.md``.

Limitations (honest list; each finder's module docstring has its own):
    * Typos are fixed only for single tokens of four or more letters, against a list of
      key words, with a high similarity cut-off; split or merged words are not repaired.
    * A number with no unit ("from 20 to 30") counts as a distance only in a few
      before/now structures; with no unit anywhere in the message it is taken as km.
    * A bare number 0–10 counts as a pain score only as "a 7", with pain words nearby or
      as (almost) the whole message ("about 6"): the dialogue decides what it answers.
    * Negation looks back within the clause only; double negatives and hedges such as
      "I don't think it isn't swollen" are not understood.
    * "5k three times a week" yields a 5 km ``distance``; a single race ("a 10k") is
      ignored on purpose.
    * "15 to 25 miles" is before → now only with an arrow ("30 → 45 km"), "from", or an
      increase verb / "over N weeks" in the sentence; otherwise it is one range (midpoint).
    * Durations without a number: "the past month", "since last week" count one unit,
      a bare plural ("for years", "in weeks") two units; the dialogue decides what they mean.
    * Doing or being given a library exercise ("been doing clamshells") adds an
      ``exercises`` treatment whose span is the verb ("doing"), since spans never overlap.
"""

from .candidates import PRIORITY, Extracted, Finder
from .duration import WEEKS_PER_MONTH
from .exercises import EXERCISES_PATH, FALLBACK_EXERCISE_ALIASES, load_exercise_aliases
from .numbers import NUM, NUM_WORD, parse_number
from .phrase_finders import CONTEXT_VETO
from .phrases import PHRASES
from .pipeline import extract
from .typos import PROTECTED_WORDS, TYPO_TARGETS, correct_typo

__all__ = [
    "CONTEXT_VETO",
    "EXERCISES_PATH",
    "FALLBACK_EXERCISE_ALIASES",
    "NUM",
    "NUM_WORD",
    "PHRASES",
    "PRIORITY",
    "PROTECTED_WORDS",
    "TYPO_TARGETS",
    "WEEKS_PER_MONTH",
    "Extracted",
    "Finder",
    "correct_typo",
    "extract",
    "load_exercise_aliases",
    "parse_number",
]
