"""Red-flag scanner: finds warning signs in the raw text of every message.

Pure Python (standard library plus PyYAML), so it runs in both virtualenvs: in the Rasa
NLU pipeline and in the action server. The words live in ``data/red_flag_phrases.yml``
(its header explains the matching step by step); the flag ids, levels and the yes/no
``confirm_question`` asked for an uncertain hit live in ``data/red_flags.yml``.

How it works, in short:

1. **Tokens**: words are lower-cased, apostrophes dropped, repeated letters collapsed
   ("swolllen" → "swolen", the phrase data is normalised the same way), each token keeps
   its span in the original text.
2. **Phrases**: a word trie finds the longest phrase at each position: body parts, signs,
   contexts, cues (negation, hedge, hypothetical, contrast) and neutral phrases that only
   hide the words inside them ("warm up", "hay fever").
3. **Clauses and sentences**: sentences end at ``. ! ? ;``; clauses end at contrast words
   and at a comma/line break/"and" that is followed by a new subject, a body part or a cue.
4. **Negation** applies from its cue to the end of its clause; "swelling: no" negates
   backwards; "not the knee" negates the body part only. **Hedges**, **hypothetical cues**
   and **questions** make the hits of their clause uncertain.
5. **Body parts**: a local sign belongs to the parts named in its clause, else to the
   nearest clause that names one (earlier in the sentence, later in the sentence, earlier
   in the message), else to the default part (the knee).
6. **Rules** per flag (co-occurrence of concepts in a clause, sentence or the message,
   with parts, ``near`` and ``unless``) give at most one hit per flag; certain wins.

The module never logs or stores message text.

Limitations (honest list):
    * One message at a time: "yes, and it's warm" after "is your calf swollen?" has no
      calf in it, so the sign goes to the knee. The dialogue's confirm question covers this.
    * Typos are recognised only when listed in the phrase file or when they double or
      drop a doubled letter ("sweling", "swolllen"); other misspellings are missed.
    * Clause splitting is heuristic: "no swelling and heat" reads "heat" as present, and a
      list of body parts after a comma ("knee, calf and ankle are swollen") gives the signs
      only to the parts after the comma.
    * Negation is not nested: "I don't think it isn't swollen" is read as a hedge, and
      "not that I can't walk" as not bearing weight.
    * A sign said about another person ("my son can't put weight on it") counts as the
      runner's (a parent may be typing for a child); only cancer in a relative is
      downgraded to uncertain.
    * Every question is uncertain at most, including "why is my calf swollen and hot?":
      the bot then asks the confirm question before escalating.
    * Conditionals count as hypothetical only with a modal verb in the sentence ("if it
      swells I'll go"); "it locks if I squat" is a report.
    * Words with several meanings are resolved only by the neutral phrases listed ("hot
      weather", "cold feet about"); an unlisted use ("red socks") may give an uncertain or
      certain hit.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import itertools
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from content_schema import ContentError, Where, parse, read_yaml
from content_schema.schemas import Concept, Cues, PhraseRule, PhrasesFile, Scope

from .extraction import PROTECTED_WORDS
from .spelling import edit_distance, shared_ends

#: Default location of the phrase data, relative to the repository root.
PHRASES_PATH = Path(__file__).resolve().parents[2] / "data" / "red_flag_phrases.yml"
#: Environment variable that points at another phrase file (e.g. inside a container).
PHRASES_ENV = "KNEE_RED_FLAG_PHRASES"

SCOPES: tuple[str, ...] = get_args(Scope)
CUE_KINDS = tuple(cue.name for cue in dataclasses.fields(Cues))
#: The phrase class of inability words ("can't", "unable to"): a sign that starts with one
#: carries its own negative.
INABILITY_CLASS = "{cant}"
HEDGE_AHEAD = 5  # words after a hedge that it makes uncertain
HEDGE_BEHIND = 3  # words before a trailing hedge ("swollen-ish") that it makes uncertain


#: Raised when the phrase file is missing or malformed (a content error like any other).
PhraseDataError = ContentError


@dataclass(frozen=True)
class RedFlagHit:
    """One red flag found in a message.

    Attributes:
        flag: An id from ``data/red_flags.yml``.
        certain: ``False`` when the wording is ambiguous (a question, a hedge, a sign that
            is only suggestive): the bot asks the flag's ``confirm_question`` (yes/no).
        start: Start of the evidence in the original text.
        end: End (exclusive) of the evidence in the original text.
    """

    flag: str
    certain: bool
    start: int
    end: int


# --------------------------------------------------------------------------- tokens

_TOKEN_RX = re.compile(
    r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:['’`][^\W\d_]+)*|\.{2,}|[.!?;]|[,:()\[\]\n]|&|/|[-–—]+"
)
_REPEAT_RX = re.compile(r"([^\W\d_])\1+")
#: "its" typed for "it's" (and the like) reads as the word without "'s".
_S_FORMS = {"its": "it", "thats": "that", "theres": "there", "whats": "what", "heres": "here"}
_NONE, _SOFT, _HARD = 0, 1, 2
_LIST_WORDS = frozenset({"or", "and", "nor", "plus"})


@functools.lru_cache(maxsize=8192)
def normalise_word(word: str) -> str:
    """Lower case, "'ll"/"'d" read as will/would, "'s" dropped, other apostrophes dropped,
    repeated letters collapsed."""
    w = word.lower().replace("’", "'").replace("`", "'")
    if w.endswith("'ll"):
        return "wil"
    if w.endswith("'d"):
        return "would"
    if w.endswith("'s"):
        w = w[:-2]
    w = _REPEAT_RX.sub(r"\1", w.replace("'", ""))
    return _S_FORMS.get(w, w)


@dataclass
class _Token:
    norm: str
    start: int
    end: int
    brk: int  # strongest boundary between the previous word and this one
    after_q: bool = False  # the boundary before this word contains "?"


def _tokenise(text: str) -> tuple[list[_Token], bool]:
    """Word tokens with the boundary before each; also whether the text ends in "?"."""
    tokens: list[_Token] = []
    brk, saw_q = _NONE, False
    for m in _TOKEN_RX.finditer(text):
        piece = m.group()
        first = piece[0]
        if first.isalnum():
            tokens.append(_Token(normalise_word(piece), m.start(), m.end(), brk, saw_q))
            brk, saw_q = _NONE, False
        elif piece == "&":
            tokens.append(_Token("and", m.start(), m.end(), brk, saw_q))
            brk, saw_q = _NONE, False
        elif first in ".!?;":
            brk = _HARD
            saw_q = saw_q or "?" in piece
        elif first in "-–—":
            spaced = (m.start() == 0 or text[m.start() - 1].isspace()
                      or m.end() == len(text) or text[m.end()].isspace())  # fmt: skip
            if first != "-" or len(piece) > 1 or spaced:
                brk = max(brk, _SOFT)
        elif piece != "/":
            brk = max(brk, _SOFT)
    ends_q = brk == _HARD and saw_q
    return tokens, ends_q


def _phrase_tokens(phrase: str) -> tuple[str, ...]:
    words = []
    for m in _TOKEN_RX.finditer(phrase):
        piece = m.group()
        if piece[0].isalnum():
            words.append(normalise_word(piece))
        elif piece == "&":
            words.append("and")
    return tuple(words)


# --------------------------------------------------------------------------- data

_CLASS_RX = re.compile(r"\{(\w+)(\?)?\}")


@dataclass(frozen=True)
class _Rule:
    certain: bool
    scope: str
    groups: tuple[frozenset[str], ...]
    parts: frozenset[str] | None
    near: int | None
    unless: frozenset[str]
    unless_scope: str


@dataclass(frozen=True)
class _Flag:
    id: str
    sources: tuple[str, ...]
    rules: tuple[_Rule, ...]


@dataclass
class _Data:
    trie: dict[str, Any]
    local: frozenset[str]
    single: dict[str, frozenset[str]]  # cue kind -> single normalised words
    default_part: str
    flags: tuple[_Flag, ...]
    concepts: frozenset[str]
    parts: frozenset[str]
    vocabulary: frozenset[str] = frozenset()  # every word of the phrases (typo targets)
    #: negation cue words and first words of the {cant} class ("not", "won't", "can't", ...)
    own_negatives: frozenset[str] = frozenset()


_END = ""  # trie key for "a phrase ends here"


def _expand(phrase: str, classes: Mapping[str, Sequence[str]], depth: int = 0) -> Iterator[str]:
    """All spellings of a phrase with ``{class}`` / ``{class?}`` placeholders."""
    for words in _expand_tokens(phrase, classes, depth):
        yield " ".join(words)


def _expand_tokens(phrase: str, classes: Mapping[str, Sequence[str]],
                   depth: int = 0) -> list[tuple[str, ...]]:  # fmt: skip
    """Normalised word tuples of every spelling of ``phrase``."""
    if depth > 4:
        raise PhraseDataError(f"classes nest too deeply in '{phrase}'")
    pieces: list[list[tuple[str, ...]]] = []
    pos = 0
    for m in _CLASS_RX.finditer(phrase):
        pieces.append([_phrase_tokens(phrase[pos : m.start()])])
        name = m.group(1)
        if name not in classes:
            raise PhraseDataError(f"unknown class '{{{name}}}' in phrase '{phrase}'")
        options = [
            w for option in classes[name] for w in _expand_tokens(option, classes, depth + 1)
        ]
        pieces.append(options + ([()] if m.group(2) else []))
        pos = m.end()
    pieces.append([_phrase_tokens(phrase[pos:])])
    return [tuple(w for part in combo for w in part) for combo in itertools.product(*pieces)]


def _add(trie: dict[str, Any], words: Sequence[str], label: str) -> None:
    if not words:
        return
    node = trie
    for word in words:
        node = node.setdefault(word, {})
    node.setdefault(_END, set()).add(label)


@dataclass
class _TrieBuilder:
    """Adds phrases (every spelling of their ``{class}`` placeholders) to a word trie."""

    classes: Mapping[str, Sequence[str]]
    trie: dict[str, Any] = field(default_factory=dict)

    def spellings(self, phrase: str) -> list[tuple[str, ...]]:
        return _expand_tokens(phrase, self.classes)

    def add(self, phrases: Iterable[str], label: str) -> None:
        for phrase in phrases:
            for words in self.spellings(phrase):
                _add(self.trie, words, label)


#: Cue kinds whose phrases go into the trie (the others are looked up word by word).
_TRIE_CUES = ("negation", "negation_after_only", "hedge", "hedge_after", "hypothetical",
              "contrast")
#: Cue kinds also matched as phrases of several words.
_MULTI_WORD_CUES = ("negation_after", "negation_after_only", "modal")


def _cue_words(cues: Cues, builder: _TrieBuilder) -> dict[str, frozenset[str]]:
    """Single cue words per kind (``<kind>_multi``: cues of several words)."""
    single: dict[str, frozenset[str]] = {}
    for kind in CUE_KINDS:
        phrases = getattr(cues, kind)
        if kind in _TRIE_CUES:
            builder.add(phrases, f"cue:{kind}")
        expanded = [words for phrase in phrases for words in builder.spellings(phrase)]
        single[kind] = frozenset(words[0] for words in expanded if len(words) == 1)
        if kind in _MULTI_WORD_CUES:
            single[kind + "_multi"] = frozenset(" ".join(w) for w in expanded if len(w) > 1)
    return single


def _add_concepts(top: Where, concepts: Mapping[str, Concept], builder: _TrieBuilder) -> None:
    """Each concept's phrases; ``@other`` includes another concept's own phrases."""
    for name, concept in concepts.items():
        for phrase in concept.phrases:
            included = phrase[1:] if phrase.startswith("@") else None
            if included is None:
                builder.add([phrase], f"concept:{name}")
            elif included in concepts and included != name:
                own = [p for p in concepts[included].phrases if not p.startswith("@")]
                builder.add(own, f"concept:{name}")
            else:
                raise top.sub("concepts").sub(name).fail(f"cannot include '{phrase}'")


def _rule(where: Where, rule: PhraseRule, concepts: Mapping[str, Concept],
          parts: frozenset[str]) -> _Rule:  # fmt: skip
    groups = tuple(frozenset([g] if isinstance(g, str) else g) for g in rule.groups)
    unless = frozenset(rule.unless)
    for name in set().union(*groups, unless):
        if name not in concepts:
            raise where.fail(f"unknown concept '{name}'")
    rule_parts = None if rule.parts is None else frozenset(rule.parts)
    if rule_parts is not None and not rule_parts <= parts:
        raise where.sub("parts").fail(f"unknown part(s) {sorted(rule_parts - parts)}")
    if rule.near is not None and rule.near < 0:
        raise where.sub("near").fail("expected a whole number of at least 0")
    if rule.near is not None and len(groups) < 2:
        raise where.sub("near").fail("needs at least two groups")
    return _Rule(rule.certain, rule.scope, groups, rule_parts, rule.near, unless,
                 rule.unless_scope or rule.scope)  # fmt: skip


def _flags(top: Where, phrases: PhrasesFile) -> tuple[_Flag, ...]:
    parts = frozenset(phrases.body_parts)
    return tuple(
        _Flag(flag_id, flag.sources, tuple(
            _rule(top.sub("flags").sub(flag_id).sub("rules").sub(index), rule,
                  phrases.concepts, parts)
            for index, rule in enumerate(flag.rules)
        ))
        for flag_id, flag in phrases.flags.items()
    )  # fmt: skip


def parse_phrase_data(raw: Any) -> _Data:
    """Validate the phrase file's content and build the matcher.

    Raises:
        PhraseDataError: naming the field that is wrong.
    """
    top = Where(PHRASES_PATH.name)
    phrases = parse(raw, PhrasesFile, top.file)
    builder = _TrieBuilder(phrases.classes)
    single = _cue_words(phrases.cues, builder)
    for part, part_phrases in phrases.body_parts.items():
        builder.add(part_phrases, f"part:{part}")
    if phrases.default_part not in phrases.body_parts:
        raise top.sub("default_part").fail("must name one of body_parts")
    _add_concepts(top, phrases.concepts, builder)
    local = frozenset(name for name, concept in phrases.concepts.items() if concept.local)
    return _Data(
        trie=builder.trie,
        local=local,
        single=single,
        default_part=phrases.default_part,
        flags=_flags(top, phrases),
        concepts=frozenset(phrases.concepts),
        parts=frozenset(phrases.body_parts),
        vocabulary=frozenset(_trie_words(builder.trie)),
        own_negatives=single["negation"] | frozenset(
            words[0] for words in builder.spellings(INABILITY_CLASS) if words),
    )


def _trie_words(node: Mapping[str, Any]) -> Iterator[str]:
    """Every word of every phrase in the trie."""
    for word, child in node.items():
        if word != _END:
            yield word
            yield from _trie_words(child)


def phrases_path() -> Path:
    """The phrase file in use: ``$KNEE_RED_FLAG_PHRASES`` or :data:`PHRASES_PATH`."""
    override = os.environ.get(PHRASES_ENV)
    return Path(override) if override else PHRASES_PATH


@functools.lru_cache(maxsize=4)
def load_phrase_data(path: Path | None = None) -> _Data:
    """Read and validate the phrase file once (cached). A missing or bad file raises:
    a scanner that silently finds nothing would be a bypass."""
    return parse_phrase_data(read_yaml(path or phrases_path()))


def flag_ids(path: Path | None = None) -> tuple[str, ...]:
    """The flag ids that have phrases, in file order."""
    return tuple(flag.id for flag in load_phrase_data(path).flags)


def flag_sources(path: Path | None = None) -> dict[str, tuple[str, ...]]:
    """Source keys per flag id."""
    return {flag.id: flag.sources for flag in load_phrase_data(path).flags}


# --------------------------------------------------------------------------- matching


@dataclass
class _Match:
    labels: frozenset[str]
    first: int  # token index
    last: int  # token index, inclusive


#: Common English words next to phrase words (scripts/build_scanner_real_words.py).
REAL_WORDS_PATH = Path(__file__).resolve().parents[2] / "data" / "scanner_real_words.txt"


@functools.lru_cache(maxsize=1)
def _protected() -> frozenset[str]:
    """Common English words, normalised like the tokens ("looking" → "loking"): never
    read as typos. A missing list only makes typo correction bolder, never blind."""
    words = {normalise_word(word) for word in PROTECTED_WORDS}
    if REAL_WORDS_PATH.exists():
        lines = REAL_WORDS_PATH.read_text(encoding="utf-8").splitlines()
        words.update(line.strip() for line in lines if line.strip() and not line.startswith("#"))
    return frozenset(words)


@functools.lru_cache(maxsize=8192)
def _corrected(word: str, vocabulary: frozenset[str]) -> str:
    """:func:`typo_target` unless ``word`` is a common English word."""
    return word if word in _protected() else typo_target(word, vocabulary)


def typo_target(word: str, vocabulary: frozenset[str]) -> str:
    """A misspelt word read as the phrase word one edit away ("stsnd" → "stand", "cannt" →
    "cant"; four-letter words only for swapped letters, "thta" → "that"): the closest such
    word that starts with the same letter, when no other is as close and the typed word is
    not itself a common English word."""
    if len(word) < 4 or word in vocabulary or not word.isalpha():
        return word
    close = sorted(
        (difflib.SequenceMatcher(None, word, target).ratio(), shared_ends(word, target), target)
        for target in vocabulary
        if target[:1] == word[:1] and abs(len(target) - len(word)) <= 1
        and len(target) >= 4 and edit_distance(word, target) == 1
        and (len(word) >= 5 or sorted(target) == sorted(word))  # 4 letters: swaps only
    )  # fmt: skip
    if not close:
        return word
    best = close[-1]
    rivals = [c[2] for c in close[:-1] if c[:2] == best[:2]]
    if any(edit_distance(best[2], rival) > 2 for rival in rivals):
        return word  # two different words equally close: leave it alone
    return best[2]  # rivals, if any, are spellings of the same word ("weight", "weigth")


def _match_phrases(tokens: list[_Token], trie: Mapping[str, Any]) -> list[_Match]:
    """Greedy left to right, longest phrase at each position; phrases never span a
    boundary."""
    matches: list[_Match] = []
    i, n = 0, len(tokens)
    while i < n:
        node = trie.get(tokens[i].norm)
        best: tuple[int, set[str]] | None = None
        j = i
        while node is not None:
            if _END in node:
                best = (j, node[_END])
            j += 1
            if j >= n or tokens[j].brk != _NONE:
                break
            node = node.get(tokens[j].norm)
        if best is None:
            i += 1
            continue
        matches.append(_Match(frozenset(best[1]), i, best[0]))
        i = best[0] + 1
    return matches


@dataclass
class _Clause:
    sentence: int
    first: int  # token index
    own_parts: set[str] = field(default_factory=set)
    parts: frozenset[str] = frozenset()
    uncertain: bool = False
    condition: bool = False  # opens after "until", "when", "if": "until I swing the foot"


@dataclass(frozen=True)
class _Hit:
    concept: str
    first: int
    start: int
    end: int
    clause: int
    sentence: int
    negated: bool
    uncertain: bool
    parts: frozenset[str]


def _segment(tokens: list[_Token], starts: dict[int, _Match], data: _Data,
             in_phrase: set[int]) -> tuple[list[int], list[int]]:  # fmt: skip
    """Sentence and clause index of every token."""
    single = data.single
    clause_words = single["clause_start"] | single["question_start"]
    sent_of, clause_of = [], []
    sentence, clause = 0, 0
    for i, tok in enumerate(tokens):
        if i > 0:
            match = starts.get(i)
            labels = match.labels if match else frozenset()
            cue_or_part = any(lab.startswith(("part:", "cue:")) for lab in labels)
            after_connector = (tokens[i - 1].norm in single["connector"]
                               and i - 1 not in in_phrase)  # fmt: skip
            if tok.brk == _HARD:
                sentence += 1
            if (tok.brk == _HARD or "cue:contrast" in labels
                    or (tok.brk == _SOFT and (tok.norm in clause_words or cue_or_part))
                    or (after_connector and tok.norm in clause_words)):  # fmt: skip
                clause += 1
        sent_of.append(sentence)
        clause_of.append(clause)
    return sent_of, clause_of


def _analyse(text: str, data: _Data) -> list[_Hit]:
    tokens, ends_q = _tokenise(text)
    if not tokens:
        return []
    for token in tokens:
        token.norm = _corrected(token.norm, data.vocabulary)
    matches = _match_phrases(tokens, data.trie)
    starts = {m.first: m for m in matches}
    index_of = {m.first: i for i, m in enumerate(matches)}
    in_phrase = {k for m in matches if m.last > m.first for k in range(m.first, m.last + 1)}
    sent_of, clause_of = _segment(tokens, starts, data, in_phrase)
    n_clauses = clause_of[-1] + 1
    clauses = [_Clause(sentence=-1, first=-1) for _ in range(n_clauses)]
    for i in range(len(tokens) - 1, -1, -1):
        clauses[clause_of[i]].sentence = sent_of[i]
        clauses[clause_of[i]].first = i
    for clause in clauses:
        clause.condition = clause.first > 0 and tokens[clause.first - 1].norm in _CONDITION_WORDS
    single = data.single

    # Questions: a sentence ending in "?" makes its question clauses uncertain.
    sentence_q: dict[int, bool] = {}
    for i, tok in enumerate(tokens):
        if tok.after_q and i > 0:
            sentence_q[sent_of[i - 1]] = True
    if ends_q:
        sentence_q[sent_of[-1]] = True
    skip_words = single["connector"] | {"ok", "okay", "so", "but", "and", "also", "just"}
    for sentence in sentence_q:
        ids = [c for c in range(n_clauses) if clauses[c].sentence == sentence]
        asking = []
        for c in ids:
            k = clauses[c].first
            while k < len(tokens) - 1 and tokens[k].norm in skip_words and clause_of[k + 1] == c:
                k += 1
            if tokens[k].norm in single["question_start"]:
                asking.append(c)
        for c in asking or ids[-1:]:
            clauses[c].uncertain = True

    # Hypothetical "if" + modal in the sentence.
    modal_sentences = set()
    for i, tok in enumerate(tokens):
        pair = f"{tok.norm} {tokens[i + 1].norm}" if i + 1 < len(tokens) else ""
        if tok.norm in single["modal"] or pair in single["modal_multi"]:
            modal_sentences.add(sent_of[i])
    for i, tok in enumerate(tokens):
        if tok.norm == "if" and i not in in_phrase and sent_of[i] in modal_sentences:
            clauses[clause_of[i]].uncertain = True

    # Cues, parts and concepts, clause by clause.
    hits_raw: list[tuple[int, _Match]] = []
    hedged: set[tuple[int, int]] = set()  # (clause, token index)
    negated_matches: set[int] = set()
    neg_active_clause = -1
    det_words = {"the", "my", "his", "her", "your", "their", "that", "this", "in", "on",
                 "at", "around", "near", "by", "a"}  # fmt: skip
    for idx, m in enumerate(matches):
        c = clause_of[m.first]
        clause = clauses[c]
        if "cue:hypothetical" in m.labels:
            clause.uncertain = True
        if "cue:hedge" in m.labels:
            hedged.update((c, k) for k in range(m.last + 1, m.last + 1 + HEDGE_AHEAD))
        if "cue:hedge_after" in m.labels:
            hedged.update((c, k) for k in range(m.first - HEDGE_BEHIND, m.first))
        after_only = "cue:negation_after_only" in m.labels
        if "cue:negation" in m.labels or after_only:
            phrase = " ".join(tokens[k].norm for k in range(m.first, m.last + 1))
            nxt = m.last + 1
            at_end = nxt >= len(tokens) or tokens[nxt].brk != _NONE or tokens[nxt].norm in (
                "and", "but", "yes")
            # "swelling: no", "fever? none": negates the sign just before.
            is_after = (after_only or phrase in single["negation_after"]
                        or phrase in single["negation_after_multi"])  # fmt: skip
            if is_after and at_end and idx > 0 and _adjacent(tokens, matches[idx - 1], m):
                prev = matches[idx - 1]
                if any(lab.startswith("concept:") for lab in prev.labels):
                    # the sign before, and a list joined to it ("fever or chills: no")
                    k = idx - 1
                    while k >= 0 and any(lab.startswith("concept:") for lab in matches[k].labels):
                        negated_matches.add(k)
                        gap = range(matches[k - 1].last + 1, matches[k].first) if k > 0 else []
                        if k == 0 or tokens[matches[k].first].brk == _HARD or any(
                            tokens[g].norm not in _LIST_WORDS for g in gap
                        ):
                            break
                        k -= 1
                    continue
            if after_only:
                continue  # "twist kabhi nahi hua": it negates only the sign just before it
            # "No it's swollen": an answer, not a negation.
            if (phrase in single["interjection"] and (m.first == 0 or tokens[m.first].brk == _HARD)
                    and (at_end or tokens[nxt].norm in single["clause_start"]
                         or tokens[nxt].norm in single["question_start"]
                         or tokens[nxt].norm in single["after_interjection"])):  # fmt: skip
                continue
            # "not the knee": negates the body part only.
            k = nxt
            while k < len(tokens) and tokens[k].norm in det_words and tokens[k].brk == _NONE:
                k += 1
            part_next = starts.get(k)
            if (k < len(tokens) and tokens[k].brk == _NONE and part_next
                    and any(lab.startswith("part:") for lab in part_next.labels)):  # fmt: skip
                after = starts.get(part_next.last + 1)
                sign_follows = (after is not None and tokens[after.first].brk == _NONE
                                and any(lab.startswith("concept:") for lab in after.labels))
                if not sign_follows:  # "no chest pain" negates the pain, not the chest
                    negated_matches.add(index_of[k])
                    continue
            neg_active_clause = c
            continue
        if any(lab.startswith("part:") for lab in m.labels) and idx not in negated_matches:
            clause.own_parts.update(lab[5:] for lab in m.labels if lab.startswith("part:"))
        if any(lab.startswith("concept:") for lab in m.labels):
            if neg_active_clause == c and not _says_its_own_negation(tokens, m, data):
                negated_matches.add(idx)
            hits_raw.append((idx, m))

    _resolve_parts(clauses, data.default_part)
    hits = []
    for idx, m in hits_raw:
        c = clause_of[m.first]
        clause = clauses[c]
        for label in m.labels:
            if not label.startswith("concept:"):
                continue
            concept = label[8:]
            hits.append(_Hit(
                concept, m.first, tokens[m.first].start, tokens[m.last].end, c, clause.sentence,
                idx in negated_matches, clause.uncertain or (c, m.first) in hedged,
                clause.parts if concept in data.local else frozenset(),
            ))  # fmt: skip
    return hits


def _says_its_own_negation(tokens: list[_Token], m: _Match, data: _Data) -> bool:
    """A sign worded with its own negative ("can't put weight on", "won't hold me").

    An earlier negation in an unpunctuated clause does not undo it: "the leg won't take
    me at all I can't put any weight on it".
    """
    return m.last > m.first and any(
        tokens[k].norm in data.own_negatives for k in range(m.first, m.last + 1))


def _adjacent(tokens: list[_Token], before: _Match, after: _Match) -> bool:
    """Only punctuation between two matches (a "?" or ":" in a checklist answer)."""
    if after.first != before.last + 1:
        return False
    tok = tokens[after.first]
    return tok.brk != _HARD or tok.after_q


#: A clause opening after one of these says when or until something happens ("it sticks
#: half bent until I swing the foot"): its body part is not lent to the clauses before it.
_CONDITION_WORDS = frozenset({"until", "till", "when", "whenever", "if", "unless", "once"})


def _resolve_parts(clauses: list[_Clause], default: str) -> None:
    last_parts: frozenset[str] | None = None
    for i, clause in enumerate(clauses):
        if clause.own_parts:
            clause.parts = frozenset(clause.own_parts)
        else:
            earlier = [c for c in clauses[:i] if c.sentence == clause.sentence]
            later = [c for c in clauses[i + 1 :]
                     if c.sentence == clause.sentence and c.own_parts and not c.condition]
            if earlier:
                clause.parts = earlier[-1].parts
            elif later:
                clause.parts = frozenset(later[0].own_parts)
            elif last_parts is not None:
                clause.parts = last_parts
            else:
                clause.parts = frozenset({default})
        if clause.own_parts or last_parts is None or clause.parts != frozenset({default}):
            last_parts = clause.parts


def _unit(hit: _Hit, scope: str) -> int:
    if scope == "clause":
        return hit.clause
    if scope == "sentence":
        return hit.sentence
    return 0


def _apply_rule(rule: _Rule, by_concept: Mapping[str, list[_Hit]],
                local: frozenset[str]) -> tuple[bool, int, int] | None:  # fmt: skip
    candidates: list[list[_Hit]] = []
    for group in rule.groups:
        found = sorted(
            (h for name in group for h in by_concept.get(name, ())
             if not h.negated and (rule.parts is None or name not in local
                                   or h.parts & rule.parts)),
            key=lambda h: (h.first, h.concept),
        )  # fmt: skip
        if not found:
            return None
        candidates.append(found)
    units = set.intersection(*({_unit(h, rule.scope) for h in c} for c in candidates))
    best: tuple[bool, int, int] | None = None
    for unit in sorted(units):
        chosen = [[h for h in c if _unit(h, rule.scope) == unit] for c in candidates]
        if rule.near is not None:
            pairs = [(a, b) for a, b in itertools.product(chosen[0], chosen[1])
                     if abs(a.first - b.first) <= rule.near]  # fmt: skip
            if not pairs:
                continue
            chosen[0] = list(dict.fromkeys(a for a, _ in pairs))
            chosen[1] = list(dict.fromkeys(b for _, b in pairs))
        if rule.unless:
            scope_unit = _unit(chosen[0][0], rule.unless_scope)
            if any(
                not h.negated and _unit(h, rule.unless_scope) == scope_unit
                for name in rule.unless for h in by_concept.get(name, ())
            ):  # fmt: skip
                continue
        picks = _closest(chosen)
        certain = rule.certain and not any(h.uncertain for h in picks)
        result = (certain, min(h.start for h in picks), max(h.end for h in picks))
        if best is None or (certain and not best[0]):
            best = result
        if certain:
            break
    return best


def _closest(chosen: list[list[_Hit]]) -> list[_Hit]:
    """One hit per group: certain ones first, then the tightest span around an anchor."""
    best: tuple[int, int, list[_Hit]] | None = None
    for anchor in chosen[0]:
        picks = [anchor] + [
            min(group, key=lambda h: (h.uncertain, abs(h.first - anchor.first)))
            for group in chosen[1:]
        ]
        key = (sum(h.uncertain for h in picks),
               max(h.end for h in picks) - min(h.start for h in picks))  # fmt: skip
        if best is None or key < best[:2]:
            best = (*key, picks)
    assert best is not None
    return best[2]


def scan(text: str) -> list[RedFlagHit]:
    """Find red flags in one message.

    Args:
        text: The raw message as typed.

    Returns:
        At most one hit per flag (certain wins over uncertain), sorted by start offset.
        Spans point into ``text``.
    """
    if not text or not text.strip():
        return []
    data = load_phrase_data()
    by_concept: dict[str, list[_Hit]] = {}
    for hit in _analyse(text, data):
        by_concept.setdefault(hit.concept, []).append(hit)
    results = []
    for flag in data.flags:
        best: tuple[bool, int, int] | None = None
        for rule in flag.rules:
            if not rule.certain and best is not None:
                continue
            found = _apply_rule(rule, by_concept, data.local)
            if found and (best is None or (found[0] and not best[0])):
                best = found
            if best and best[0]:
                break
        if best:
            results.append(RedFlagHit(flag.id, best[0], best[1], best[2]))
    return sorted(results, key=lambda h: (h.start, h.flag))
