"""Rule-based entity extraction for messages from runners with knee pain.

Pure standard-library Python (PyYAML is used only if installed, to read the exercise
library), so the same code runs inside the Rasa NLU pipeline (see
``rule_entity_extractor.py``) and in the action server.

How it works:

1. **Canonicalise** the message: lower-case, curly quotes to ``'``, runs of whitespace to
   one space, and single-word typos of key words fixed ("rigth" → "right", "lefft" →
   "left"). A character map keeps every canonical position tied to the original text, so
   spans always point at what the runner typed.
2. **Find candidates**: table-driven phrase patterns (location, symptom, treatment, ...)
   and a few small finders for things that need numbers or context (side, distances,
   durations, pain scores, ages, load changes).
3. **Resolve overlaps**: the candidate claiming the longest stretch of text wins, ties
   broken by a fixed entity priority. A candidate may claim more text than it reports
   ("58 years old" claims the phrase, reports the age "58").
4. **Negation** of symptoms ("no swelling", "it doesn't lock", "never gives way").

Span conventions and normalised values follow ``docs/nlu_schema.md``.

Limitations (honest list):
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

from __future__ import annotations

import difflib
import functools
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .spelling import edit_distance

logger = logging.getLogger(__name__)

KM_PER_MILE = 1.609344
WEEKS_PER_MONTH = 52.0 / 12.0

#: Default location of the exercise library (a list under ``exercises`` with ``id``,
#: ``name`` and ``aliases``), relative to the repository root.
EXERCISES_PATH = Path(__file__).resolve().parents[2] / "data" / "exercises.yml"


@dataclass(frozen=True)
class Extracted:
    """One entity found in a message.

    Attributes:
        entity: Entity name from the NLU schema, e.g. ``"side"``.
        value: Normalised value (``"left"``, kilometres, weeks, ...).
        start: Start offset in the original text.
        end: End offset (exclusive) in the original text.
        text: The original text of the span, ``text[start:end]``.
        negated: True for a symptom the runner says they do *not* have.
        role: Reserved for Rasa entity roles; currently always ``None``.
    """

    entity: str
    value: Any
    start: int
    end: int
    text: str
    negated: bool = False
    role: str | None = None


# --------------------------------------------------------------------------- numbers

_UNITS_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS_WORDS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_FUZZY_COUNTS = {"a": 1, "an": 1, "a couple of": 2, "a couple": 2, "couple of": 2, "couple": 2,
                 "a few": 3, "few": 3, "several": 3}  # fmt: skip

_ONES_RX = "|".join(sorted(_UNITS_WORDS, key=len, reverse=True))
_DIGIT_WORDS_RX = "one|two|three|four|five|six|seven|eight|nine"
_TENS_RX = "|".join(_TENS_WORDS)
NUM_WORD = rf"(?:(?:{_TENS_RX})(?:[ -](?:{_DIGIT_WORDS_RX}))?|hundred|{_ONES_RX})"
NUM = rf"(?:\d+(?:\.\d+)?|{NUM_WORD})"


def parse_number(text: str) -> float:
    """Parse digits or an English number word ("twenty-five", "a couple of") as a float."""
    text = text.strip().lower()
    if text in _FUZZY_COUNTS:
        return float(_FUZZY_COUNTS[text])
    try:
        return float(text)
    except ValueError:
        pass
    if text == "hundred":
        return 100.0
    total = 0
    for word in re.split(r"[ -]+", text):
        total += _TENS_WORDS.get(word, 0) + _UNITS_WORDS.get(word, 0)
    return float(total)


# --------------------------------------------------------------------------- canonical text


@dataclass(frozen=True)
class _Canon:
    """Canonical text plus a map from each canonical character to the original range."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        return self.starts[start], self.ends[end - 1]


def _words(block: str) -> frozenset[str]:
    """A set of whitespace-separated words (keeps long word lists readable)."""
    return frozenset(block.split())


#: Key words that typos are corrected towards (single tokens, >= 4 letters).
TYPO_TARGETS: frozenset[str] = _words(
    """
    left right both knee knees kneecap inside inner medial outside outer front behind
    sure idea know remember recall clue while when next fine settles lingers still
    normally walking none
    gradually gradual suddenly sudden slowly twisted twist fell fallen popped injury
    swelling swollen swells locking locks locked straighten gives giving buckles buckled
    numb numbness tingling fever feverish unwell breathless breath chest calf weight
    limping limp stiff stiffness night resting
    stairs downhill uphill squatting squats sitting during after running runs morning
    stretching stretches foam rolling brace taping physio physiotherapist painkillers
    ibuprofen paracetamol orthotics insoles massage exercises strengthening
    helped worse difference better
    miles mile kilometres kilometers kilometre kilometer mileage weeks week months month
    days years teenager doubled tripled halved percent
    twenty thirty forty fifty sixty seventy eighty ninety seven eight three
    clamshell clamshells bridge bridges lunge lunges bulgarian squeeze glute glutes
    cadence balance
    """
)

#: Real English words that are one edit away from a key word and must never be
#: "corrected" ("never" is not "fever", "tripped" is not "tripled"). Hand-picked words plus
#: every such collision among the 60,000 most frequent English words in spaCy's lexeme
#: probability table (spacy-lookups-data), minus inflections that are harmless to fold.
PROTECTED_WORDS: frozenset[str] = _words(
    """
    after age aged ages alter balance balanced bath batter beater best better betters bitter
    block blocks bone booth botch bothe bother brace braces brake brave breach bread breadth
    breathe breathers bride brides bridges bright broth bruce butter cadence calf calm cheat
    chess chest chests clock clocks crest dais daring days daze deference differences
    different double doubles doubted dumb duping durin during dwelling ease eight eighth
    fall fallen falls feel feels fell fella fewer fifth fight fill fiver font footy foray
    fort forte forth forts fridge fright front fronts frost full give given giver givers
    glue gluten grace half halted halves height helper hurst hurts infer injure inner innit
    insider insides inter kneel kneels knelt knew lacked lacking lacks later lefty lent lest
    licked licking licks lift lifted lifts light lights lock locker locket loft look looked
    looking looks lounge luck lucked lucky lumping lung lungs males medal media median
    medias medical menial message mice might mild mile miler mills miner mines mites mixes
    moaning moles monte month months moth moths mourning mouth mouths mules nice nicht nigh
    night numb number numbs otter outed outsider outsiders plopped pooped popper propped
    race races rain renting reposting rerolling resenting resetting resisting resorting rest
    restating restoring resulting rice ridge ridges rights righty rocks ruin ruining ruins
    runes rung runs rusting scratching screeching seen sell selling sells semen sent setting
    seventh sever shelling shells shitting sifting sight sixth sketching smelling smells
    smile smiles sniff socks spelling spellings spells spent spitting splitting squads squat
    staff stains stars steven stiff stirs stitching stretched stretcher stuff sven swell
    taking tape taped tapping taxing tell telling test thee there thirsty threes threw tight
    trace tree triple triples tripped twins twister twit type typed typing wake want weak
    weeds week weekly weeknd weigh weighs weight weights well wells went wight woke wore
    worsen worst wright year yearn yelling
    aye cannae didnae dinnae disnae doesnae isnae nae naw nuh wasnae wee willnae wouldnae
    """
)

_WORD_RX = re.compile(r"[a-z]+(?:'[a-z]+)*")


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


def _lower_same_length(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _canonicalise(text: str) -> _Canon:
    lowered = _lower_same_length(text).replace("\u2019", "'").replace("\u2018", "'")
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
    return _Canon("".join(chars), tuple(starts), tuple(ends))


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


# --------------------------------------------------------------------------- candidates


@dataclass(frozen=True)
class _Item:
    entity: str
    value: Any
    start: int  # canonical offsets
    end: int


@dataclass(frozen=True)
class _Candidate:
    """Entities found together; ``claim`` is the canonical range they occupy."""

    claim_start: int
    claim_end: int
    priority: int
    items: tuple[_Item, ...]


#: Lower number wins when two candidates claim equally long text.
PRIORITY = {
    "distance": 0, "distance_before": 0, "distance_now": 0, "duration": 0, "age": 0,
    "load_change": 0,
    "self_test": 1, "exercise": 2, "symptom": 3, "injury": 4, "location": 5,
    "onset": 6, "pain_trigger": 7, "treatment": 8, "outcome": 9, "side": 10,
    "pain_score": 11,
}  # fmt: skip

Finder = Callable[[str], Iterable[_Candidate]]


def _single(entity: str, value: Any, start: int, end: int,
            claim: tuple[int, int] | None = None) -> _Candidate:  # fmt: skip
    claim_start, claim_end = claim or (start, end)
    return _Candidate(claim_start, claim_end, PRIORITY[entity],
                      (_Item(entity, value, start, end),))  # fmt: skip


# --------------------------------------------------------------------------- phrase tables
#
# Phrases are regular expressions over the canonical text (lower case, single spaces).
# ``{D}`` stands for an optional determiner ("the ", "my ", ...). Each phrase is matched
# on word boundaries; where phrases overlap the longest match wins (see ``_resolve``).

_D = "(?:(?:the|my|your|his|her|that|this) )?"
#: A side word before "knee" ("my *left* knee"), for patterns that stop before it.
_S = "(?:(?:left|right|both|l|r|other) )"
#: A non-side adjective that may sit inside a location phrase ("behind my sore knee").
_A = "(?:(?:bad|sore|injured|dodgy|painful|affected|problem) )?"

#: Body parts other than the knee: swelling there is not knee swelling ("puffy calf").
_OTHER_PARTS = (
    r"(?:calf|calves|calfs|shins?|ankles?|foot|feet|toes?|lower legs?|hands?|fingers?"
    r"|wrists?|elbows?|face|eyes?|thighs?|hips?|arms?|stomach|belly|tummy)"
)
_OTHER_PART_AFTER = (
    rf"(?! (?:(?:in|on|around|of|at|down|over|near|round|by|into|to) )?"
    rf"(?:(?:my|the|his|her|your|both|left|right|lower|a|an|whole) )*{_OTHER_PARTS}\b)"
)

PHRASES: dict[str, dict[str, list[str]]] = {
    "location": {
        "inner_joint_line": [
            "(?:inner|medial|inside) joint line", "joint line",
            "deep inside", "deep in {D}(?:knee|joint)", "(?:deep )?inside {D}joint(?: line)?",
            "in {D}joint",
            "menisc(?:us|i)",
        ],
        "inner_surface": [
            "(?:inner|inside|medial) surface", "on the surface", "pes anserin(?:e|us)",
            "anserine", "goose ?foot", "mcl", "medial (?:collateral )?ligament",
            "inner ligament",
        ],
        "medial": [
            "inner side", "inside (?:edge|part|bit|side)", "inner (?:edge|part|bit|aspect)",
            "medial (?:side|aspect)", "medial(?! joint)",
            "inner(?! (?:thigh|thighs|peace|self|city|circle|soles?|tube|ear))",
            "(?<!run )(?<!ran )(?<!running )(?<!train )(?<!stay )(?<!stayed )"
            "inside(?! (?:on|at|the (?:house|gym)|today|more|instead))",
            "insides(?= of {D}(?:(?:left|right|both|bad) )?knees?)",
        ],
        "kneecap": [
            "(?:under|around|behind|beneath|below|above|over|on|round) {D}knee ?caps?",
            "knee ?caps?", "patell(?:a|ar|ar tendon)",
        ],
        "front": [
            "front(?= of {D}{S}?knees?\\b)",
            "(?<=(?:at|on|in) the )front(?! (?:door|row|garden|foot|of (?!{D}{S}?knee)))",
            "anterior",
        ],
        "outer": [
            "outer side", "outer (?:edge|part|bit)", "outer(?! (?:thigh|space))",
            "lateral(?! (?:band|walks?|lunges?|raises?))", "(?<=the )outside",
            "outside(?= (?:of {D}{S}?knee|edge|part|bit))", "it band", "itb", "iliotibial",
        ],
        # A side word between the determiner and "knee" belongs to ``side``: "behind my
        # left knee" is location "behind" + side "left" (spans never overlap).
        "back": [
            "back of {D}{A}knees?", "behind {D}{A}knees?", "back of {D}{A}legs?", "posterior",
            "back(?= of {D}{S}(?:knees?|legs?)\\b)", "behind(?= {D}{S}knees?\\b)",
            "(?<=at the )back(?! of (?!{D}{S}?knee))", "(?<=in the )back(?! of (?!{D}{S}?knee))",
            "(?<=round the )back", "(?<=around the )back", "(?:knee|leg) crease",
            "back ?side(?= of {D}{S}(?:knees?|legs?)\\b)",
        ],
    },
    "onset": {
        "gradual": [
            "gradual(?:ly)?", "(?<!run )(?<!ran )(?<!running )(?<!jog )slowly",
            "built up(?: over (?:a few |several |many |the (?:last|past) few )?"
            "(?:weeks|months))?",
            "building up", "crept (?:up|in)", "creeping (?:up|in)", "over time",
            "bit by bit", "little by little", "progressively",
            "c(?:a|o)me on slow", "c(?:a|o)me up over (?:the )?(?:days|weeks)",
        ],
        "sudden": [
            # not a warning sign said with "suddenly": "it suddenly buckles / gives way"
            "all of a sudden", "sudden(?:ly)?(?! (?:buckles?|buckled|gives? (?:way|out)|gave"
            " (?:way|out)|locks?|locked|catches|caught|clicks?|clicked|goes|went|slips?))",
            "out of nowhere", "out of the blue",
            "all at once", "instantly",
            "(?<!settles )(?<!settled )(?<!settling )(?<!goes )(?<!went )(?<!gone )(?<!eases )"
            "(?<!eased )(?<!better )(?<!fine )(?<!clears )(?<!calms down )overnight",
            # It began at one moment: "hurt it while jumping down", "cut a corner and hurt it"
            "hurt(?= (?:my (?:\\w+ )?knee |it )?(?:\\w+ ){0,3}(?:while|when|as) (?:i was )?"
            "(?:jumping|landing|turning|cutting|twisting|stepping|sprinting|pivoting))",
            "cut a corner(?= (?:\\w+ ){0,4}(?:and )?hurt)",
            # It began at one particular run: "since a long trail run ten days ago".
            "(?:since|started (?:on|during|after)|began (?:on|during|after)) (?:a|my|one|that"
            "|the|last (?:week's|weekend's|sunday's|saturday's)) (?:(?:long|hard|fast|trail"
            "|hill|hilly|downhill|big|first) ){0,2}(?:run|race|marathon|half marathon"
            "|parkrun|session|workout|10k|half)\\b",
        ],
    },
    "injury": {
        "none": [
            "no (?:real |actual |specific |particular |obvious )?"
            "(?:injury|injuries|trauma|accident|incident|falls?|twists?|knocks?)",
            "(?:didn't|didnt|did not|never|haven't|havent|hasn't|hasnt|wasn't|wasnt) "
            "(?:injure|injured|hurt|twist|twisted|fall|fell|bang|banged|knock|knocked"
            "|hit)(?: it| myself| my knee| anything)?",
            "not injured", "wasn't an injury",
            "without (?:an |any )?(?:real |actual |specific |particular |obvious )?"
            "(?:injury|injuries|trauma|accident|incident|falls?|twists?|knocks?)",
            "nothing (?:in particular |particular |specific |obvious |really )?happened",
            "(?:didn't|didnt|did not|never|haven't|havent|hadn't|hadnt) (?:have|had|take|took"
            "|get|got|suffer|suffered) (?:a|an|any) (?:injury|fall|knock|blow|twist|accident)",
            "(?:no|not an?|not from an?|wasn't from an?|wasn't due to an?) "
            "(?:specific |particular )?(?:injury|incident|event)",
        ],
        "twist": [
            "twist(?:ed|ing)?", "pivot(?:ed|ing)", "rolled {D}(?:ankle|knee)",
            "landed (?:badly|awkwardly|wrong|funny|awkward)",
        ],
        "fall": [
            # not the season: "training for a fall marathon"
            "fell", "fallen", "(?:a|bad|nasty) fall(?! (?:marathon|half|race|season|10k|5k|ultra"
            "|semester|term|training|block|series|classic|meet|league|program|plan)\\b)",
            "tripped", "slipped",
            "trip(?= (?:over|on) (?:a|the|some)\\b)",
            "went down (?:hard|heavily|badly|onto|on to)",
            "went down(?= on (?:my|the) (?:\\w+ )?knee)",
            "caught my (?:toe|foot)",
            "went flying", "(?:took|had) a (?:\\w+ )?tumble", "tumbled",
            "fall(?:ing)? (?:over|down|off|on (?:the )?(?:ice|ground|road|pavement|track"
            "|stairs|trail|rocks?|my knee|it))", "came off {D}bike",
        ],
        "pop": [
            # "a pop in my knee", "something popped"; not "pop in to the shop", "pop out
            # for a run", "popped over to see the physio".
            "pop(?:ped|ping)?(?! (?:a|an|some|by|round|over|along|down|up|off|back|to|into"
            "|in|out|on|for|across|music|songs?|stars?|quiz|tarts?|culture|bands?|concerts?"
            "|art)\\b(?! (?:{D}|of {D})(?:(?:left|right|bad) )?(?:knee|knees|kneecap|leg"
            "|joint)\\b| of (?:place|joint)\\b| in(?:to)? place\\b))",
            "snap(?:ped)?",
        ],
        "blow": [
            "hit(?= (?:it|my|the|something|against|by)\\b)"
            "(?! (?:the|a) (?:wall|road|trails?|track|gym|pb|target)\\b)",
            "(?:got|was|been) hit", "collided", "collision", "crashed into", "bumped into",
            "banged", "bashed", "knocked", "whacked", "kicked", "smashed", "tackled",
            "smacked", "slammed", "thumped", "walloped", "clattered", "(?:ploughed|plowed) into",
            "went (?:knee[- ]first |straight |head ?first )into",
            "(?:ran|run|running) (?:straight )?into (?:a|an|the|some) (?:bollard|post|pole"
            "|lamp ?post|car|bike|cyclist|wall|bench|gate|fence|kerb|curb|tree|sign|bin|table"
            "|door|dog|trolley|barrier|railing|rock)",
            "took a (?:knock|blow|hit)", "clipped",
            # "after a knock to my knee": the event noun, not "a knock at the door".
            "(?:(?<=a )|(?<=the )|(?<=that )|(?<=nasty )|(?<=bad )|(?<=hard )|(?<=big ))"
            "(?:knock|bang|whack)(?! (?:at|on) (?:the |my )?door)(?!-on| on effect)",
            "(?:(?<=a )|(?<=the )|(?<=nasty )|(?<=bad )|(?<=hard ))blow"
            "(?= (?:to|on) {D}(?:(?:left|right|bad|outer|inner) )?(?:knee|leg|shin|it)\\b)",
        ],
    },
    "symptom": {
        # Warning signs (locking, night pain, fever, calf, chest, numb foot, ...) are found
        # by the red-flag scanner (red_flag_scan.py, data/red_flag_phrases.yml), which runs
        # on every message; only the symptoms the triage answers use are extracted here.
        # Swelling of another body part is not knee swelling: see _OTHER_PART_AFTER and
        # the CONTEXT_VETO entry below.
        "swelling": [
            "(?:swelling|swollen|swell(?:s|ed)?|puffy|puff(?:s|ed|ing)? up|fluid|effusion)"
            + _OTHER_PART_AFTER,
            "water on the knee",
        ],
        "giving_way": [
            "giv(?:e|es|ing|en) way", "gave way", "giv(?:es|ing|en) out", "gave out",
            "buckl(?:e|es|ed|ing)", "unstable", "instability",
            # non-native: "my knee suddenly go weak and bend"
            "(?:go|goes|went|going) (?:weak|wobbly) and (?:bend|bends|bent|buckle|buckles|fold)",
        ],
        "limp": ["limp(?:s|ing|ed)?", "hobbl(?:e|ing|ed)"],
        "stiffness": ["stiff(?:ness)?"],
    },
    "pain_trigger": {
        "stairs": ["(?:down|up)?stairs", "staircase", "steps"],
        # not where a fall happened ("went flying on a rocky descent"): CONTEXT_VETO
        "downhill": ["downhills?", "down ?hills?", "descents?", "descending"],
        "uphill": [
            "uphills?", "up ?hills?", "hills?,? (?:going|when going|running|on the way)"
            " up", "going up hills?", "running up hills?",
            "climbs(?! (?:up )?(?:the |a |flights? of |some )?(?:stairs|steps))",
            "climbing(?! (?:up )?(?:the |a |flights? of |some )?(?:stairs|steps))",
        ],
        "during_runs": [
            "during {D}(?:(?:long|longer|short|easy|hard|fast) )?(?:runs?|running)",
            "(?:while|whilst|when) (?:i'm |im |i am )?running",
            "when i run", "while i run", "during(?= and after (?:my |a |the )?runs?)",
            "on (?:my |the )?runs", "mid[- ]?run",
            "in the middle of (?:a|my) run",
        ],
        "after_runs": [
            # "after my long run", "after track sessions", "after intervals", "after parkrun"
            "after (?:(?:my|a|the|each|every|any|those|these|some|all|hard|tough|big|longer"
            "|harder|faster) )?(?:(?:long|short|easy|hard|fast|tempo|track|hill|speed"
            "|interval|sunday|saturday|weekend|morning|evening|club|trail|race) ){0,2}"
            "(?:runs?|workouts?|intervals|reps|races|parkruns?|park runs?"
            "|tempos?|speed ?work|track work|efforts|jogs?)",
            # a session is a run only with a running word: not "icing after every session"
            "after (?:(?:my|a|the|each|every|any|those|these|some|all) )?(?:(?:hard|long|big"
            "|quality) )?(?:track|tempo|interval|speed|hill|running|run|club|fast|long|hard"
            "|quality|rep) sessions?",
            "after (?:a |the |my )?race\\b(?! (?:pace|day|week|number|bib|entry|fee|kit))",
            "after (?:(?:my|a|the|each|every) )?(?:xc |cross country |running |track )?"
            "(?:practice|training)\\b", "after (?:the )?running\\b",
            "after (?:i|we) (?:run|ran|finish|finished|stop|stopped)\\b",
            "after running",
            "post[- ]?runs?", "afterwards", "the day after",
            "(?:after|once|when) i(?:'ve| have)? (?:finish(?:ed)?|stop(?:ped)?(?: running)?"
            "|get (?:back|home|in))", "after i'm done",
        ],
        "squatting": ["squat(?:s|ting)?(?! test)", "crouch(?:ing)?", "kneel(?:ing)?"],
        "sitting": [
            # not the kneecap's place: "the kneecap is sitting off to the side"
            "sitting(?! (?:way |right |a bit |slightly |all )?(?:off|out|to the side|sideways"
            "|wrong|funny|crooked|higher|lower|in the wrong|still))",
            "sat (?:down|for)", "long drives?", "driving",
            "sit(?:ting)?(?= (?:at {D}desk|for (?:long|a while|ages|hours)))",
        ],
        "morning": [
            "(?<=in the )morning", "mornings", "first thing(?: in the morning)?",
            "when i (?:wake|get) up", "getting out of bed",
        ],
    },
    "treatment": {
        "rest": [
            "(?<!at )(?<!the )rest(?:ed|ing)?(?! of\\b)", "time off",
            # "took a week off", "a day or two off"; not "a day off work", "days off and on"
            "(?:(?:a few|a couple of|couple of|some|several|a|an|one|two|three|four|five|\\d+"
            "|a full|a whole|the) )?(?:days?|weeks?|fortnight|weekend)(?: or (?:two|three|so))?"
            " (?:off|rest|of rest)(?! (?:and on|work|school)\\b)",
            "(?<!once i've )(?<!once ive )(?<!once i )(?<!when i've )(?<!after i've )"
            "(?<!when i )(?<!after i )stopped running",
            "break from running",
        ],
        # not the ice they fell on ("black ice", "on the ice", "icy path")
        "ice": ["(?<!black )(?<!on the )(?<!on some )(?<!on )(?<!patch of )"
                "ic(?:e|ed|ing)(?! cream)",
                "ice packs?", "cold packs?", "frozen peas"],
        "exercises": [
            "exercises", "strengthening", "strength (?:work|training|exercises)",
            "rehab(?: exercises)?", "physio exercises", "gym work",
        ],
        "stretching": ["stretch(?:ing|es|ed)?", "yoga"],
        "foam_rolling": ["foam roll(?:ing|er|ed)?(?:'s)?", "roller"],
        "brace": [
            "braces?", "knee (?:supports?|sleeves?|straps?)", "(?:compression|neoprene) sleeves?",
            "sleeves?",
            "patell(?:a|ar) strap",
        ],
        "taping": ["tap(?:e|ed|ing)(?! measure)", "kt tape", "kinesio(?: tape)?", "strapping"],
        "new_shoes": [
            "new (?:running )?(?:shoes|trainers|runners|sneakers|pair of (?:shoes|trainers))",
            "(?:changed|switched) (?:my )?(?:shoes|trainers)", "different (?:shoes|trainers)",
        ],
        "physio": [
            "physio(?:therapist|therapy)?", "fysio(?:therapeut)?", "fisio(?:terapeuta)?",
            "physical therap(?:y|ist)", "sports therapist",
            "osteo(?:path)?", "chiro(?:practor)?",
        ],
        "painkillers": [
            "pain ?killers?", "ibuprofen", "paracetamol", "acetaminophen", "advil", "tylenol",
            "nurofen", "naproxen", "aleve", "anti-?inflammator(?:y|ies)", "nsaids?",
            "voltaren",
        ],
        "reduced_mileage": [
            "cut(?:ting)? (?:back|down)",
            "cut(?:ting)? (?:my |the )?(?:mileage|miles|distance|kms?|volume|running)",
            "reduced (?:my )?(?:mileage|miles|distance|volume"
            "|kms?|running)", "(?:ran|running) less", "less running", "backed off",
            "dropped (?:my )?mileage", "fewer miles", "lower mileage", "shorter runs",
        ],
        "orthotics": ["orthotics?", "orthoses", "insoles?", "inserts", "arch supports?"],
        "massage": ["(?:sports )?massages?", "massaged"],
    },
    "outcome": {
        "no_change": [
            "(?:didn't|didnt|did not|doesn't|doesnt|hasn't|hasnt|haven't|havent|not) "
            "(?:really |much |seem to |seemed to )?(?:help(?:ed|ing)?|work(?:ed)?"
            "|do (?:anything|much))",
            "made no difference", "(?:no|zero) (?:real )?(?:difference|change|improvement)",
            "(?:didn't|didnt|did not) make (?:any|much|a) difference",
            "not much (?:difference|change)", "nothing changed", "did nothing",
            "(?:still )?the same as before", "no better",
            "(?:it's|its|it is|still|literally|just|exactly|pretty much) (?:literally |just )?"
            "the same\\b(?! (?:distance|mileage|as (?:always|usual)|amount|pace|route))",
            "(?:hasn't|hasnt|has not|haven't|havent|didn't|didnt|did not) (?:made|make) "
            "(?:any|much|a) (?:difference|change)",
            "(?:didn't|didnt|did not|doesn't|doesnt|hasn't|hasnt) change (?:anything|a thing|much)",
            "(?:haven't|havent|have not|hasn't|hasnt|didn't|didnt) done (?:much|anything|a lot)",
            "(?:is|it's|its|it is|but|and) (?:just )?not getting (?:any )?better",
            "(?:hasn't|hasnt|has not|isn't|isnt) (?:got|gotten|getting) (?:any )?better",
        ],
        "helped": [
            "helped", "helps", "helping", "did help",
            "(?<=\\w )help(?= (?:a bit|a little|a lot|some))", "(?<=(?:s|y) )help$",
            "made (?:it|things) (?:a (?:bit|lot|little) |much )?better", "improved",
            "eased (?:it|off|the pain)", "relieved", "(?:it|that|this|they) worked",
            "(?:a (?:bit|lot|little) |much |slightly )better",
            "(?:made|makes) (?:it|things|the pain|my knee) feel "
            "(?:a (?:bit|lot|little) |much )?better",
            "feels? (?:a (?:bit|lot|little) |much )?better",
            "(?:seems?|seemed) to (?:be )?(?:help|helping|work|working)", "on the right track",
            "takes? the edge off", "took the edge off",
            "(?:brings?|brought|takes?|took) (?:it|the (?:swelling|puffiness|pain|ache)) down",
            "calms? (?:it|the pain|things) down", "calmed (?:it|the pain|things) down",
            "(?<=\\w )helps? (?:me|a (?:fair |good )?bit|for (?:a few|some) hours)",
            "(?:it is|it's|its) better", "(?:it )?makes? (?:it )?better",
            "(?<=\\w )helps?$",
        ],
        "worse": [
            "made (?:it|things|the pain) (?:a (?:bit|lot|little) |much |even |way )?worse",
            # "made my right knee worse": the side word stays free for the side
            "made my(?= (?:(?:left|right) )?knees? (?:a (?:bit|lot|little) |much |even |way )?"
            "worse)",
            "(?:got|getting|gets|became|went|feels|it's|its|was) (?:a (?:bit|lot|little) "
            "|much |even |way )?worse(?! (?:on|when|going|after|during|at|with|than|if|in)\\b)",
            "^worse", "aggravat(?:ed|es)", "flared (?:it )?up", "made it hurt more",
            "(?:been|got|gotten|is|was) worse since",
            "(?:hurt|hurts|hurting|ached|aches) more"
            "(?! (?:on|when|going|after|during|at|with|than|if|in)\\b)",
        ],
    },
    "self_test": {
        "hip": [
            "glute (?:squeeze|test)", "hip test", "squeez(?:e|ed|ing) {D}glutes?",
            "clench(?:ed|ing)? {D}glutes?",
        ],
        "foot": [
            "toe grip", "foot test", "toe test", "grip(?:ped|ping)? (?:the ground )?with {D}toes",
            "grip(?:ped|ping)? the ground",
        ],
    },
}


def _expand(phrase: str) -> str:
    return phrase.replace("{D}", _D).replace("{S}", _S).replace("{A}", _A)


def _compile_table(table: dict[str, list[str]]) -> list[tuple[re.Pattern[str], str]]:
    """Compile each phrase on its own (overlaps are settled later, longest match first)."""
    return [
        (re.compile(rf"(?<![\w'])(?:{_expand(phrase)})(?![\w'])"), value)
        for value, phrases in table.items()
        for phrase in phrases
    ]


_COMPILED_PHRASES = {entity: _compile_table(table) for entity, table in PHRASES.items()}


#: A phrase is dropped when the text just before it matches: "I want a real physio"
#: asks for a person, it does not report a treatment that was tried.
CONTEXT_VETO: dict[tuple[str, str], re.Pattern[str]] = {
    # "my calf is puffy": another body part earlier in the clause, and no knee after it.
    ("symptom", "swelling"): re.compile(
        rf"\b{_OTHER_PARTS}(?:'s)?\b(?:(?!\bknees?\b|\bknee ?caps?\b|\bjoint\b|\bbut\b"
        r"|[.;!?])[^\n])*$"
    ),
    # where a fall or trip happened is not what brings the pain on
    ("pain_trigger", "downhill"): re.compile(
        r"\b(?:fell|fall|falling|went flying|tripped|trip|slipped|crashed|stacked it|wiped out"
        r"|went over|landed)\b[^.,;!?]{0,20}$"
    ),
    ("treatment", "physio"): re.compile(
        r"\b(?:talk|speak|connect|book|want|need|like|prefer|rather|get|put|refer|than"
        r"|recommend)\b[^.,;!?]{0,25}$"
    ),
}


def _phrase_finder(entity: str) -> Finder:
    patterns = _COMPILED_PHRASES[entity]

    def find(text: str) -> Iterator[_Candidate]:
        for pattern, value in patterns:
            veto = CONTEXT_VETO.get((entity, value))
            for m in pattern.finditer(text):
                if m.end() <= m.start():
                    continue
                if veto and veto.search(text[max(0, m.start() - 40) : m.start()]):
                    continue
                yield _single(entity, value, m.start(), m.end())

    return find


# --------------------------------------------------------------------------- exercises

#: Used only when ``data/exercises.yml`` is missing or unreadable.
FALLBACK_EXERCISE_ALIASES: dict[str, list[str]] = {
    "wall_high_knee_drive": ["wall high knee drive", "wall push high knee drive",
                             "high knee drive", "wall drive"],
    "single_leg_box_sit": ["single leg box sit", "box sit", "box squat"],
    "bulgarian_split_squat": ["bulgarian split squat", "split squat", "bulgarian"],
    "reverse_lunge": ["reverse lunge", "backward lunge", "back lunge"],
    "side_lying_hip_abduction": ["side lying hip abduction", "hip abduction",
                                 "side leg raise", "side lying leg raise"],
    "clamshell": ["clamshell", "clam shell", "clam"],
    "band_walk": ["band walk", "monster walk", "crab walk", "lateral band walk"],
    "glute_bridge": ["glute bridge", "single leg bridge", "hip bridge", "bridge"],
    "landing_glute_cue": ["landing glute cue", "glute cue", "landing cue"],
    "hip_mobility": ["hip mobility", "hip mobility drill"],
    "toe_waver": ["toe waver", "toe yoga"],
    "toe_spread": ["toe spread", "toe spreading"],
    "short_foot": ["short foot", "arch doming", "foot doming"],
    "single_leg_balance": ["single leg balance", "one leg balance", "balance on one leg"],
    "foot_soft_tissue_release": ["foot soft tissue release", "soft tissue release",
                                 "plantar fascia release", "foot rolling"],
    "knee_to_wall": ["knee to wall", "ankle dorsiflexion mobility"],
    "a_drill": ["a-drill", "modified a-drill", "a-skip"],
    "cadence_increase": ["cadence increase", "increase cadence", "increasing cadence",
                         "higher cadence"],
}  # fmt: skip


def load_exercise_aliases(path: Path = EXERCISES_PATH) -> dict[str, str]:
    """Map every exercise alias (lower case), name and id to its exercise id.

    Reads ``path`` (YAML: ``exercises: [{id, name, aliases}]``); falls back to
    :data:`FALLBACK_EXERCISE_ALIASES` if the file or PyYAML is missing or malformed.
    """
    table: dict[str, list[str]] = {}
    try:
        import yaml  # optional dependency: present in both project virtualenvs

        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
        for item in data.get("exercises", []):
            ex_id = str(item["id"])
            names = [ex_id.replace("_", " "), str(item.get("name") or "")]
            names += [str(a) for a in item.get("aliases") or []]
            table[ex_id] = [n for n in names if n.strip()]
    except (OSError, ImportError, KeyError, TypeError, AttributeError, ValueError) as exc:
        logger.info("Exercise library not loaded (%s); using built-in aliases.", type(exc).__name__)
        table = {}
    if not table:
        table = {k: [k.replace("_", " "), *v] for k, v in FALLBACK_EXERCISE_ALIASES.items()}
    aliases: dict[str, str] = {}
    for ex_id, names in table.items():
        for name in names:
            aliases.setdefault(name.strip().lower(), ex_id)
    return aliases


def _alias_regex(alias: str) -> str:
    words = [w for w in re.split(r"[^a-z0-9]+", alias.lower()) if w]
    if not words:
        return ""
    words[-1] = re.escape(words[-1]) + ("(?:e?s)?" if words[-1][-1].isalpha() else "")
    body = "[ -]?".join([re.escape(w) for w in words[:-1]] + [words[-1]])
    return f"(?:{body})"


@functools.lru_cache(maxsize=4)
def _exercise_pattern(path: Path = EXERCISES_PATH) -> tuple[re.Pattern[str], list[str]]:
    aliases = load_exercise_aliases(path)
    entries = sorted(aliases.items(), key=lambda e: len(e[0]), reverse=True)
    entries = [(_alias_regex(a), ex_id) for a, ex_id in entries]
    entries = [e for e in entries if e[0]]
    rx = "|".join(f"(?P<g{i}>{p})" for i, (p, _) in enumerate(entries))
    return re.compile(rf"(?<![\w'])(?:{rx})(?![\w'])"), [v for _, v in entries]


def _find_exercises(text: str) -> Iterator[_Candidate]:
    pattern, values = _exercise_pattern()
    for m in pattern.finditer(text):
        if m.lastgroup:
            yield _single("exercise", values[int(m.lastgroup[1:])], m.start(), m.end())
    yield from _find_exercise_treatments(text, pattern, values)


#: Being given or doing exercises is the ``exercises`` treatment: "the physio gave me mini
#: squats", "I've been doing clamshells", "started doing some lunges".
_EX_CUE = re.compile(
    r"\b(?P<verb>gave|given|giving|prescribed|recommended|suggested|showed|shown|assigned"
    r"|taught|tried|trying|started|starting)(?: (?:me|us))? (?P<doing2>doing )?"
    r"(?:(?:some|a few|a couple of|a set of|a bunch of|lots of|loads of"
    r"|my|the|these|those|her|his|daily|regular) )?"
    r"|\b(?:been|started|start|starting|keep|kept|tried|trying|begun|began|still|i'm|im"
    r"|i am|i've|ive) (?P<doing>doing) (?:(?:some|a few|a couple of|a set of|a bunch of"
    r"|lots of|loads of|my|the|these|those|her|his|daily|regular) )?"
)
#: "when I'm doing squats" is a pain trigger, not a treatment.
_EX_CUE_VETO = re.compile(
    r"\b(?:when|while|whilst|if|during|by|hurts?|hurting|pain|painful|sore)"
    r"(?: (?:i'm|im|i am|i was|i|it's|its))? $"
)
#: Exercise-like nouns that are not in the exercise library.
_GENERIC_EXERCISE = re.compile(
    r"(?:(?:mini|half|quarter|deep|body ?weight|air|goblet|sumo|single[- ]leg|one[- ]leg"
    r"|straight[- ]leg|leg|hip|glute|quad|hamstring|knee|band|resistance band|rehab|physio"
    r"|strength|strengthening|core) ){0,2}"
    r"(?:squats|lunges|step[- ]?ups|leg raises|raises|planks|deadlifts|leg press(?:es)?"
    r"|exercises)(?![\w'])"
    r"|(?:strength|strengthening|rehab|physio) (?:work|stuff|routine|programme|program)(?![\w'])"
)


def _find_exercise_treatments(
    text: str, pattern: re.Pattern[str], values: list[str]
) -> Iterator[_Candidate]:
    for cue in _EX_CUE.finditer(text):
        verb = "doing" if cue.group("doing") else "doing2" if cue.group("doing2") else "verb"
        if _EX_CUE_VETO.search(text[max(0, cue.start() - 20) : cue.start()]):
            continue
        named = pattern.match(text, cue.end())
        if named and any(p.match(text, named.start()) for p, _ in _COMPILED_PHRASES["self_test"]):
            continue  # "tried the glute squeeze" is a self-test, not a treatment
        if named and named.lastgroup:
            exercise = values[int(named.lastgroup[1:])]
            v_start, v_end = cue.start(verb), cue.start(verb) + len(cue.group(verb).strip())
            yield _Candidate(cue.start(), named.end(), PRIORITY["treatment"], (
                _Item("treatment", "exercises", v_start, v_end),
                _Item("exercise", exercise, named.start(), named.end()),
            ))  # fmt: skip
            continue
        generic = _GENERIC_EXERCISE.match(text, cue.end())
        if generic:
            yield _single("treatment", "exercises", generic.start(), generic.end(),
                          (cue.start(), generic.end()))  # fmt: skip


# --------------------------------------------------------------------------- side

_SIDE_RX = re.compile(
    r"(?<![\w'])(left|right|both|l|r|(?:two|2|each)(?= (?:of my )?(?:knees?|legs?)\b(?! of)))"
    r"(?![\w'])"
)
_BODY_AFTER = re.compile(r" ?(?:knees?|legs?|sides?|one|ones|foot|hip|patella)\b")
_RIGHT_NOT_BEFORE = re.compile(
    r"(?:^|\b)(?:all|alright|that's|thats|that is|you're|youre|you are|is that|quite|exactly"
    r"|not|isn't|isnt|is not|wasn't|wasnt|was|is"
    r"|feel|feels|feeling|felt|seem|seems|sounds?|turn|turned|go|went|keep|do|did) $"
)
_RIGHT_NOT_AFTER = re.compile(
    r"^ ?(?:now|away|after|before|then|there|here|when|as|from|up|down|through|off|\?"
    r"|thing|things|way|time|shoes|answer|track|direction|idea|amount|choice|to|enough"
    r"|so|ok|okay|into|at the (?:start|beginning|end)|in the middle|on time|back(?! of)"
    r"|under|underneath|below|above|behind|beside|next to|on top|in front|around|across"
    r"|along|between|where|in the|on the|at the)\b"
)
#: "the left's absolutely fine": a side named as the one that does not hurt.
_SIDE_FINE_AFTER = re.compile(
    r"^(?:'s|s)? ?(?:(?:one|knee|leg|side)(?:'s|s)? ?)?(?:is |was |feels |seems |has been )?"
    r"(?:absolutely |totally |completely |perfectly |all |still |100% )?"
    r"(?:fine|fie|ok|okay|good|god|grand|alright|normal|perfect|unaffected|pain free|pain-free"
    r"|behaves|behaving|is behaving|no problem|no bother|not hurting|doesn'?t hurt"
    r"|chillin|chilling|happy)\b"
)
_LEFT_NOT_BEFORE = re.compile(
    r"(?:^|\b)(?:i|i've|ive|we|he|she|they|you|have|has|had|just|was|were|nothing|anything"
    r"|something|not much|much|still|weeks|days|miles|km|time) $"
)
_LEFT_NOT_AFTER = re.compile(
    r"^ ?(?:it|them|him|her|me|work|home|off|over|alone|for|behind|out|early|school|after"
    r"|to|until|till|the (?:house|gym|track|race|office))\b"
)
_BOTH_OK_AFTER = re.compile(
    r"^(?: ?$| ?[.,!?;:)]| (?:knees?|legs?|sides?|of (?:them|(?:my |the |his |her |your )?"
    r"(?:knees|legs|sides))|(?:my|the|his|her|your) (?:knees|legs)"
    r"|really|equally|hurt|hurts|ache|aches|aching|sore|painful|affected|are|but|though"
    r"|actually|unfortunately|sadly|i think"
    r"|probably|i guess|tbh|please|thanks|mate)\b)"
)


def _find_sides(text: str, original: str, canon: _Canon) -> Iterator[_Candidate]:
    short = len(text.split()) <= 3
    for m in _SIDE_RX.finditer(text):
        word = m.group(1)
        before, after = text[max(0, m.start() - 20) : m.start()], text[m.end() : m.end() + 30]
        body_next = bool(_BODY_AFTER.match(after))
        if _SIDE_FINE_AFTER.match(after):
            continue  # "the left's fine": not the painful side
        if word in ("l", "r"):
            orig_start, _ = canon.original_span(m.start(), m.end())
            if not original[orig_start].isupper() or not (body_next or text.strip() == word):
                continue
            value = "left" if word == "l" else "right"
        elif word in ("two", "2", "each"):
            value = "both"  # "the two knees", "each knee"
        elif word == "both":
            if not (body_next or _BOTH_OK_AFTER.match(after)):
                continue
            if re.search(r"\b(?:we|us|you) $", before) and not body_next:
                continue  # "we both hurt": people, not knees
            value = "both"
        elif word == "right":
            blocked = _RIGHT_NOT_BEFORE.search(before) or _RIGHT_NOT_AFTER.match(after)
            if blocked and not body_next:
                continue
            if after.startswith(",") and not short and text.startswith("right"):
                continue  # "Right, so it started..." is a discourse marker
            value = "right"
        else:
            blocked = _LEFT_NOT_BEFORE.search(before) or _LEFT_NOT_AFTER.match(after)
            if blocked and not body_next:
                continue
            value = "left"
        yield _single("side", value, m.start(), m.end())


# --------------------------------------------------------------------------- distances

_DIST_UNIT = (
    r"(?:kilomet(?:re|er)s?|klicks|kays|kms?|ks|k|miles?|mi|mls|mpw|kpw)"
)
_MILE_UNITS = ("mile", "miles", "mi", "mls", "mpw")
_PER_WEEK = r"(?: ?(?:a|per|/|each|every) ?(?:week|wk|w)\b| ?weekly\b| ?pw\b)"
_HEDGE = r"(?:about|around|roughly|approx(?:imately)?|~|maybe|like|nearly|almost|over|under)"
#: An arrow between two numbers ("50k -> 70k", "30 → 45 km") always means before → now.
_ARROW = r"(?:-+>|=+>|\u2192|\u21d2|\u27a1)"
_DIST_RX = re.compile(
    rf"(?<![\w.£$/])(?P<num>{NUM})"
    rf"(?:(?P<join> ?{_ARROW} ?| ?- ?| to | up to | or )(?P<num2>{NUM}))?"
    r"(?P<half> and a half)?"
    rf"(?: ?(?P<unit>{_DIST_UNIT})(?![\w']))?(?P<per>{_PER_WEEK})?"
)
_NOT_DISTANCE_AFTER = re.compile(
    r"^ ?(?:%|percent|/|out of|outta|of 10|x\b|times|weeks?|wks?|days?|months?|years?|yrs?"
    r"|yo\b|y/o|am\b|pm\b|min|mins|minutes|hours?|hrs?|kg|kgs|lbs?|stone|sec|secs|seconds"
    r"|or so weeks|k\w)"
)
_RACE_BEFORE = re.compile(
    r"(?:\b(?:a|an|the|my first|first|my|this|that|next)) $"
    r"|\btraining for (?:the |a |my )?(?:[a-z]+ ){0,2}$"  # "training for TCS 10k"
)
#: "still doing my 40 miles (up from 30)": "my" + a change cue is weekly load, not a race.
_CHANGE_AFTER = re.compile(
    r"^(?: ?(?:a week|per week|weekly|now|these days|currently))*[ ,(]*"
    rf"(?:(?:up|down) from|(?:it )?(?:was|were|used to be)(?: only| just| about| around)? {NUM})\b"
)
#: A bare "was" / "used to be" introducing an earlier distance ("40 km a week, was 30");
#: "pain was 6" and "I was 10" do not qualify.
_BARE_WAS = (
    r"(?:^ ?|[,;(] ?|\b(?:and|but|it|that|which|this|mileage|volume|distance) )"
    r"(?:was|used to be|had been)(?: (?:only|just))?"
)
_RACE_AFTER = re.compile(r"^ ?(?:race|run|event|pb|time|parkrun|loop|route|course)\b")
_BEFORE_CUE = re.compile(
    rf"(?:{_BARE_WAS}|"
    r"\b(?:from|used to(?: run| do| be(?: running| doing| at)?)?|was (?:running|doing|at)|were"
    r"|previously|before|usually|normally|originally|started at|last (?:month|year|block)))"
    r" (?:(?:about|around|roughly|~) ?)?$"
)
_NOW_CUE = re.compile(
    r"\b(?:now|currently|these days|at the moment|this (?:week|month|block)|today"
    r"|up to|increased (?:it )?to|jumped to|bumped (?:it )?(?:up )?to|went up to|to)"
    r"(?: i(?:'m| am)?)?(?: (?:run(?:ning)?|do(?:ing)?|at))? (?:(?:about|around|roughly|~) ?)?$"
)
_NOW_AFTER = re.compile(r"^(?:a week|per week|weekly)? ?(?:now|currently|these days)\b")
_BEFORE_AFTER = re.compile(r"^(?:a week|per week|weekly)? ?(?:before|previously|last month)\b")
_UNITLESS_CUE = re.compile(
    rf"(?:{_BARE_WAS}|"
    r"\b(?:(?:up|down) from|from|to|now|previously|used to (?:run|do|be)|was (?:running|doing)"
    r"|currently))(?: i(?:'m| am)?)?(?: (?:run(?:ning)?|do(?:ing)?|at))?"
    r" (?:(?:about|around|roughly|~) ?)?$"
)
_DISTANCE_CONTEXT = re.compile(
    r"\b(?:mileage|distance|volume|km|kms|miles|kilomet\w+|running|training|weekly|a week"
    r"|per week)\b"
)
_PAIN_CONTEXT = re.compile(
    r"\b(?:pain|hurts?|hurting|sore|soreness|score|rate|rating|scale|level|aches?|aching"
    r"|severity|painful|intensity|throb\w*|out of (?:10|ten)"
    r"|at (?:its |it's |the )?(?:worst|best|peak))\b"
)
_CLAUSE_BREAK = re.compile(r"[.;!?]|\bbut\b|\band\b")


def _clause_before(text: str, pos: int, limit: int = 40) -> str:
    window = text[max(0, pos - limit) : pos]
    breaks = list(_CLAUSE_BREAK.finditer(window))
    return window[breaks[-1].end() :] if breaks else window


@dataclass
class _Mention:
    start: int
    end: int
    claim_end: int
    value: float  # in the mention's own unit until converted
    unit: str | None
    role: str = "distance"
    fixed: bool = False  # role settled by the structure ("15 to 25 miles over 3 weeks")
    pair_first: bool = False  # first number of a before → now pair


def _find_distances(text: str) -> Iterator[_Candidate]:
    mentions: list[_Mention] = []
    blocked: list[tuple[int, int]] = []
    for m, pair_first in _iter_distance_matches(text):
        unit = m.group("unit")
        after = text[m.end("num2") if m.group("num2") else m.end("num") :]
        if unit is None and _NOT_DISTANCE_AFTER.match(after):
            continue
        values = [parse_number(m.group("num"))]
        if m.group("num2") and unit:
            values.append(parse_number(m.group("num2")))
        end = m.end("unit") if unit else m.end("num")
        value = sum(values) / len(values) + (0.5 if m.group("half") and unit else 0.0)
        before = text[max(0, m.start() - 20) : m.start()]
        if unit is None:
            if not (pair_first or _UNITLESS_CUE.search(before)):
                continue
            claim_end = end
        else:
            if _RACE_AFTER.match(text[end:]) or (
                _RACE_BEFORE.search(before)
                and not m.group("per")
                and not (before.endswith("my ") and _CHANGE_AFTER.match(text[end:]))
            ):
                blocked.append((m.start(), end))  # a single race or run, not weekly load
                continue
            claim_end = m.end("per") if m.group("per") else end
        mentions.append(_Mention(m.start(), end, claim_end, value, unit, pair_first=pair_first))
    for start, end in blocked:
        yield _Candidate(start, end, PRIORITY["distance"], ())
    if not mentions:
        return
    _pair_changes(text, mentions)
    has_unit = any(mn.unit for mn in mentions)
    _assign_roles(text, mentions)
    for i, mn in enumerate(mentions):
        unit = mn.unit or _inherited_unit(mentions, i)
        if unit is None:
            if has_unit or not _DISTANCE_CONTEXT.search(text) or mn.role == "distance":
                continue
            if _PAIN_CONTEXT.search(_clause_before(text, mn.start, 60)):
                continue
            unit = "km"  # no unit anywhere: assume kilometres (documented limitation)
        km = mn.value * (KM_PER_MILE if unit in _MILE_UNITS else 1.0)
        entity = mn.role
        yield _single(entity, round(km, 3), mn.start, mn.end, (mn.start, mn.claim_end))


_FROM_BEFORE = re.compile(r"\bfrom (?:(?:about|around|roughly|~) ?)?$")


#: An increase verb anywhere in the sentence marks "15 to 25 miles" as a change ...
_CHANGE_VERB = re.compile(
    r"\b(?:increas(?:e|ed|ing)|upp(?:ed|ing)|rais(?:ed|ing)|jump(?:ed|ing)|bump(?:ed|ing)"
    r"|ramp(?:ed|ing)|built up|build(?:ing)? up|step(?:ped|ping) up|climb(?:ed|ing)"
    r"|progress(?:ed|ing)|doubl(?:ed|ing)|push(?:ed|ing) up|went up|gone up)\b"
)
#: ... and so do a weaker verb or "over N weeks" in the same clause (up to a comma).
_CHANGE_NEAR = re.compile(
    r"\b(?:went|gone|moved|grew|grown|added)\b"
    r"|\b(?:over|across|within|in) (?:the )?(?:(?:last|past|space of) )?(?:about |around )?"
    rf"(?:{NUM}|a few|a couple of|a couple|couple of|several|few) ?(?:days|weeks?|wks?"
    r"|months?|fortnights?)\b"
)


def _text_around(text: str, start: int, end: int, stops: str) -> str:
    """The stretch of ``text`` around ``start:end`` up to the nearest ``stops`` characters."""
    left = max(text.rfind(c, 0, start) for c in stops)
    rights = [i for i in (text.find(c, end) for c in stops) if i >= 0]
    return text[left + 1 : min(rights) if rights else len(text)]


def _is_change_range(text: str, m: re.Match[str]) -> bool:
    """"15 to 25 miles over 3 weeks" and "30 → 45 km" are before → now, not a range."""
    join = m.group("join").strip()
    if join in ("-", "or"):
        return False
    if join not in ("to", "up to"):
        return True  # an arrow
    sentence = _text_around(text, m.start(), m.end(), ".;!?").replace(m.group(), " ")
    clause = _text_around(text, m.start(), m.end(), ".;!?,").replace(m.group(), " ")
    return bool(_CHANGE_VERB.search(sentence) or _CHANGE_NEAR.search(clause))


def _iter_distance_matches(text: str) -> Iterator[tuple[re.Match[str], bool]]:
    """Number (+ range) (+ unit) matches; "from 20 to 35" is two numbers, not a range.

    Yields each match with a flag: True for the first number of a before → now pair
    ("15" in "15 to 25 miles a week over three weeks"), whose partner is the next match.
    """
    pos = 0
    while True:
        m = _DIST_RX.search(text, pos)
        if m is None:
            return
        if m.group("num2"):
            change = bool(m.group("unit")) and _is_change_range(text, m)
            if (
                change
                or not m.group("unit")
                or _FROM_BEFORE.search(text[max(0, m.start() - 20) : m.start()])
            ):
                single = _DIST_RX.match(text, m.start(), m.end("num"))
                if single:
                    yield single, change
                pos = m.end("num")
                continue
        yield m, False
        pos = max(m.end(), m.start() + 1)


def _pair_changes(text: str, mentions: list[_Mention]) -> None:
    """Fix before/now for a split change range and for "50k -> 70k" (an arrow between)."""
    for i, mn in enumerate(mentions):
        nxt = mentions[i + 1] if i + 1 < len(mentions) else None
        if nxt is None or nxt.fixed:
            continue
        gap = text[mn.claim_end : nxt.start]
        if mn.pair_first or re.fullmatch(rf" ?{_ARROW} ?", gap):
            mn.role, nxt.role = "distance_before", "distance_now"
            mn.fixed = nxt.fixed = True
    # A first number whose partner was not found ("15 to 25 miles race") is dropped.
    mentions[:] = [mn for mn in mentions if mn.fixed or not mn.pair_first]


def _assign_roles(text: str, mentions: list[_Mention]) -> None:
    for i, mn in enumerate(mentions):
        if mn.fixed:
            continue
        before = _clause_before(text, mn.start, 30)
        after = text[mn.claim_end : mn.claim_end + 20].lstrip(" ")
        to_cue = re.search(r"\bto (?:(?:about|around|roughly|~) ?)?$", before)
        if to_cue and not (i > 0 and mentions[i - 1].role == "distance_before"):
            _assign_to_pair(text, mentions, i)
            continue
        if _BEFORE_CUE.search(before):
            mn.role = "distance_before"
        elif _NOW_CUE.search(before):
            mn.role = "distance_now"
        elif _BEFORE_AFTER.match(after):
            mn.role = "distance_before"
        elif _NOW_AFTER.match(after):
            mn.role = "distance_now"
    # "25 miles a week, used to be 15": next to a "before", a plain distance is the "now".
    if any(mn.role == "distance_before" for mn in mentions):
        for mn in mentions:
            if mn.role == "distance" and mn.unit:
                mn.role = "distance_now"
    # A unitless number that is still a plain "distance" is dropped by the caller.


_VERB_TO = re.compile(
    r"\b(?:increased|upped|raised|jumped|bumped|went up|gone up|built up|up) (?:it |my \w+ )?"
    r"(?:up )?to (?:(?:about|around|roughly|~) ?)?$"
)


def _assign_to_pair(text: str, mentions: list[_Mention], i: int) -> None:
    """"jumped to 60km" is the current distance; "10k to 30k" is before and now."""
    mention = mentions[i]
    if _VERB_TO.search(_clause_before(text, mention.start, 30)):
        mention.role = "distance_now"
        return
    previous = mentions[i - 1] if i > 0 else None
    if previous and previous.role == "distance" and mention.start - previous.claim_end <= 6:
        previous.role, mention.role = "distance_before", "distance_now"


def _inherited_unit(mentions: list[_Mention], index: int) -> str | None:
    """The unit of the nearest mention after ``index``, else before it."""
    for mn in mentions[index + 1 :]:
        if mn.unit:
            return mn.unit
    for mn in reversed(mentions[:index]):
        if mn.unit:
            return mn.unit
    return None


# --------------------------------------------------------------------------- load change

_PCT = r"(?P<pct>\d+(?:\.\d+)?) ?(?:%|percent|per ?cent)"
_FRACTIONS = {"half": 50.0, "a half": 50.0, "a third": 33.3, "a quarter": 25.0}
_OBJ = r"(?: (?:it|them|my mileage|mileage|my distance|the distance|my volume|my training"
_OBJ += r"|my kms?|my miles|things))?"
_LOAD_PATTERNS: list[tuple[re.Pattern[str], float | None]] = [
    (re.compile(r"\b(?:doubled|doubling)\b"), 100.0),
    (re.compile(r"\b(?:tripled|tripling)\b"), 200.0),
    (re.compile(r"\b(?:quadrupled)\b"), 300.0),
    (re.compile(r"\b(?:halved|halving|cut (?:it |my mileage )?in half)\b"), -50.0),
    (re.compile(
        r"\b(?:increased|upped|raised|bumped(?: it| them)?(?: up)?|jumped|went up|gone up"
        rf"|added|ramped(?: it)?(?: up)?|increase){_OBJ} by (?:about |around |roughly )?"
        rf"(?:{_PCT}|(?P<frac>half|a half|a third|a quarter))"
    ), 1.0),
    (re.compile(
        r"\b(?:reduced|cut|dropped|decreased|lowered|cut back|dropped back)"
        rf"{_OBJ} by (?:about |around |roughly )?(?:{_PCT}|(?P<frac>half|a third|a quarter))"
    ), -1.0),
    (re.compile(rf"\b{_PCT} (?:more|increase|higher|up|jump|extra)\b"), 1.0),
    (re.compile(rf"\b{_PCT} (?:less|fewer|decrease|lower|down|drop|reduction)\b"), -1.0),
    (re.compile(rf"\b(?:up|increased|upped|jumped|went up)(?: by)? {_PCT}"), 1.0),
]


def _find_load_changes(text: str) -> Iterator[_Candidate]:
    for pattern, sign_or_value in _LOAD_PATTERNS:
        for m in pattern.finditer(text):
            groups = m.groupdict()
            if groups.get("pct"):
                value = float(groups["pct"])
            elif groups.get("frac"):
                value = _FRACTIONS[groups["frac"]]
            else:
                yield _single("load_change", sign_or_value, m.start(), m.end())
                continue
            yield _single("load_change", value * (sign_or_value or 1.0), m.start(), m.end())


# --------------------------------------------------------------------------- durations

_DUR_UNITS = {
    "day": 1 / 7, "week": 1.0, "wk": 1.0, "month": WEEKS_PER_MONTH, "mth": WEEKS_PER_MONTH,
    "mo": WEEKS_PER_MONTH, "year": 52.0, "yr": 52.0, "fortnight": 2.0, "d": 1 / 7, "w": 1.0,
}  # fmt: skip
_DUR_RX = re.compile(
    rf"(?<![\w.£$/])(?P<num>{NUM}|a couple of|a couple|couple of|couple|a few|few|several|an|a)"
    rf"(?: ?(?:-|to|or) ?(?P<num2>{NUM}))?(?P<half1> and a half)?"
    r" ?(?P<unit>days?|weeks?|wks?|months?|mths?|mos|years?|yrs?|fortnights?"
    r"|(?<=\d)[dw](?! ?print))(?![\w'])"
    r"(?P<half2> and a half)?(?P<bit> and a bit)?"
)
_DUR_UNIT_WORDS = r"(?:days?|weeks?|months?|fortnights?|years?)"
#: No number: "over the last month", "the past week", "since last week" (one unit) and
#: "for years", "in months" (a bare plural: at least two units, which is already long).
#: "for weeks" and "for days" give no value: two of them would be a guess below the
#: long-pain threshold, so the question is asked.
_DUR_IMPLICIT_RXS = [
    re.compile(
        r"\b(?:over|in|for|during|within|throughout|across|through) the "
        rf"(?P<span>(?:last|past) (?P<unit>{_DUR_UNIT_WORDS}))(?![\w'])"
    ),
    re.compile(rf"\bsince (?P<span>last (?P<unit>{_DUR_UNIT_WORDS}))(?![\w'])"),
    re.compile(rf"\b(?:the|this) (?P<span>past (?P<unit>{_DUR_UNIT_WORDS}))(?![\w'])"),
    re.compile(
        r"\b(?:for|in|over) (?:(?:many|so many|some) )?"
        r"(?P<span>(?P<unit>months|years))(?![\w'])(?! (?:ago|before|later|old)\b)"
    ),
]
#: "(sore for 2 days) after a run / after running / afterwards": how long it lingers.
_LASTS_AFTER_RUNS = re.compile(
    r"^,? (?:afterwards|after(?:wards)? (?:a |each |every |my |the )?(?:long )?"
    r"(?:runs?|running|races?|workouts?|sessions?|training))\b"
)
_RATE_BEFORE = re.compile(
    r"(?:\d ?[a-z]*|\b(?:times|time|x|once|twice|thrice|days|runs|sessions|hours|hrs"
    r"|minutes|mins|miles|mile|km|kms|k|ks|kilomet\w+|one|two|three|four|five|six|seven"
    r"|per|each|every))$"
)


def _find_durations(text: str) -> Iterator[_Candidate]:
    for m in _DUR_RX.finditer(text):
        after = text[m.end() :]
        if re.match(r"^(?:-| )?old\b|^ of age\b", after):
            continue  # "58 years old" is an age
        if re.match(r"^ ?(?:a|per|/|each|every) ?(?:week|month)\b", after):
            continue  # "5 days a week" is a frequency
        if m.group("unit").startswith("day") and _LASTS_AFTER_RUNS.match(after):
            continue  # "sore for 2 days after a run": how long it lingers, not since when
        num = m.group("num")
        if num in ("a", "an") and _RATE_BEFORE.search(text[: m.start()].rstrip()):
            continue  # "40k a week", "3 times a month"
        unit = m.group("unit").rstrip("s")
        values = [parse_number(num)]
        if m.group("num2"):
            values.append(parse_number(m.group("num2")))
        count = sum(values) / len(values) + (0.5 if m.group("half1") or m.group("half2") else 0)
        count += 0.25 if m.group("bit") else 0  # "a month and a bit"
        weeks = round(count * _DUR_UNITS[unit], 2)
        yield _single("duration", weeks, m.start(), m.end())
    for rx in _DUR_IMPLICIT_RXS:
        for m in rx.finditer(text):
            unit = m.group("unit")
            count = 2.0 if unit.endswith("s") else 1.0
            weeks = round(count * _DUR_UNITS[unit.rstrip("s")], 2)
            yield _single("duration", weeks, m.start("span"), m.end("span"))


# --------------------------------------------------------------------------- pain scores

_SCORE_NUM = r"(?:10|[0-9](?:\.5)?|zero|two|three|four|five|six|seven|eight|nine|ten|one)"
_EXPLICIT_SCORE_RX = re.compile(
    rf"(?<![\w.£$/])(?P<n>{_SCORE_NUM})(?: ?(?:-|to|or) ?(?P<n2>{_SCORE_NUM}))?"
    r" ?(?:/|out of|outta|oot of|oot o'?|of|from|form|on|over) ?(?:10|ten)(?![\w/]|\.\d)"
)
_BARE_SCORE_RX = re.compile(
    rf"(?<![\w.£$/:'-])(?:(?P<hedge>about|around|roughly|approx(?:imately)?) )?"
    rf"(?:(?P<det>a|an) )?(?P<n>{_SCORE_NUM})(?: ?(?:-|to|or) ?(?P<n2>{_SCORE_NUM}))?"
    r"(?![\w:/%]|\.\d|-\w)(?: ?ish\b)?"
)
_SCORE_OK_AFTER = re.compile(
    r"^(?: ?$| ?[.,!?;)]| (?:or|ish|at|on|when|during|while|after|if|but|and|in|most"
    r"|tops|max|maybe|now|today|i|i'd|id|probably|right|going|walking|running|usually"
    r"|normally|sometimes|then|by|first|the|before|pain|only|for\b(?! \w+ (?:weeks?|days?)))\b)"
)
_SCORE_BAD_BEFORE = re.compile(
    r"\b(?:at|for|in|since|every|page|number|no|top|x|than|last|past|next|those|these"
    r"|the|my|of|with|run|ran|do|did|doing|have|had|has|got|are|were|after)$"
)
_SCORE_FILLERS = _words(
    """
    i i'd id i'm im say guess think it's its is it maybe probably prob like roughly pain
    um erm hmm honestly tbh right now currently at the moment most worst usually normally
    on a good bad day days score rate rating level would be prolly reckon ish hurts
    about around it'd thats that's so yeah yes er uh worst best its peak
    """
)


def _score_value(m: re.Match[str]) -> int | None:
    values = [parse_number(m.group("n"))]
    if m.group("n2"):
        values.append(parse_number(m.group("n2")))
    value = max(values)
    if not 0 <= value <= 10:
        return None
    return round(value + 0.01)  # 4.5 → 5 (round half up: err on the cautious side)


def _find_pain_scores(text: str) -> Iterator[_Candidate]:
    for m in _EXPLICIT_SCORE_RX.finditer(text):
        score = _score_value(m)
        if score is not None:
            yield _single("pain_score", score, m.start(), m.end())
    pain_near = bool(_PAIN_CONTEXT.search(text)) or bool(_EXPLICIT_SCORE_RX.search(text))
    pain_near = pain_near or bool(re.search(rf"\ban? {_SCORE_NUM}(?![\w.:/%])", text))
    for m in _BARE_SCORE_RX.finditer(text):
        score = _score_value(m)
        if score is None or not _SCORE_OK_AFTER.match(text[m.end() :]):
            continue
        if m.group("n") == "one" and not m.group("det"):
            continue  # "the right one"
        if not (m.group("hedge") or m.group("det")) and _SCORE_BAD_BEFORE.search(
            text[: m.start()].rstrip()
        ):
            continue
        rest = (text[: m.start()] + " " + text[m.end() :]).replace(",", " ").split()
        short = all(w.strip(".!?") in _SCORE_FILLERS for w in rest if w.strip(".!?"))
        if m.group("det") or pain_near or short:
            yield _single("pain_score", score, m.start(), m.end())


# --------------------------------------------------------------------------- age

_AGE_BANDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(?:over|above|older than|more than) (?:55|6\d|7\d|8\d)\b(?! ?(?:k|km|mi"
                r"|miles|%|weeks|days|minutes|mins)\b)|\b(?:55|6\d|7\d) ?(?:\+|plus)"),
     "55_plus"),
    (re.compile(r"\b(?:under|younger than|below) 18\b|\bteen(?:ager|age)?s?\b|\badolescent\b"
                r"|\bin (?:high )?school\b"), "under_18"),
    (re.compile(r"\bbetween 18 and 54\b|\b18 ?(?:-|to) ?54\b"), "18_54"),
]
_DECADES = {"twenties": 20, "thirties": 30, "forties": 40, "fifties": 50, "sixties": 60,
            "seventies": 70, "eighties": 80, "teens": 10}  # fmt: skip
_DECADE_RX = re.compile(
    r"\bin (?:my|his|her|their) (?P<span>(?:(?P<q>early|mid|late)[ -])?"
    r"(?P<d>twenties|thirties|forties|fifties|sixties|seventies|eighties|teens|[2-8]0'?s))\b"
)
_AGE_RXS = [
    re.compile(
        rf"\b(?P<n>\d{{1,2}}|{NUM_WORD}) ?-? ?(?:years?|yrs?|y) ?-? ?(?:old|of age|o)\b"
    ),
    re.compile(r"\b(?P<n>\d{1,2}) ?(?:yo|y/o|y\.o\.?)(?![\w])"),
    re.compile(
        rf"\b(?:i'm|im|i am|aged|age|age is|i'm now|i turned|just turned) (?:a )?"
        rf"(?P<n>\d{{2}}|{NUM_WORD})\b(?! ?(?:{_DIST_UNIT}|%|/|x\b|times|out of|weeks?|days?"
        r"|months?|hours?|mins?|minutes|kg|lbs|st\b|stone|or so)\b)"
    ),
    # "I am 41 years", "I have 36 years" (non-native), "she's 13" (a parent typing)
    re.compile(
        rf"\b(?:i am|i'm|im|i have|i've|ive) (?P<n>\d{{2}}|{NUM_WORD}) (?:years?|yrs?)\b"
        r"(?! (?:ago|of|running|in|now (?:running|of)))"
    ),
    re.compile(
        r"\b(?:she's|shes|she is|he's|hes|he is|(?:my )?(?:son|daughter|kid|child)"
        r" (?:is|who is|who's|aged))"
        r" (?P<n>\d{1,2})\b(?! ?(?:k\b|km|kms|mi\b|miles?|%|/|x\b|times|weeks?|days?|months?"
        r"|mins?|minutes|kg|lbs))"
    ),
]


def _find_ages(text: str) -> Iterator[_Candidate]:
    for pattern, band in _AGE_BANDS:
        for m in pattern.finditer(text):
            yield _single("age", band, m.start(), m.end())
    for m in _DECADE_RX.finditer(text):
        decade = m.group("d")
        base = _DECADES.get(decade) or int(decade[0]) * 10
        if base == 10:
            band = "under_18"
        elif base < 50 or (base == 50 and m.group("q") == "early"):
            band = "18_54"
        else:
            band = "55_plus"  # "mid/late 50s" and plain "50s": err on the cautious side
        yield _single("age", band, m.start("span"), m.end("span"), (m.start(), m.end()))
    for pattern in _AGE_RXS:
        for m in pattern.finditer(text):
            age = int(parse_number(m.group("n")))
            if 5 <= age <= 100:
                yield _single("age", age, m.start("n"), m.end("n"), (m.start(), m.end()))


# --------------------------------------------------------------------------- negation

_NEGATION_RX = re.compile(
    r"\b(?:no|not|never|without|neither|nor|zero|don't|dont|do not|doesn't|doesnt|does not"
    r"|didn't|didnt|did not|isn't|isnt|aren't|arent|wasn't|wasnt|weren't|werent|hasn't"
    r"|hasnt|haven't|havent|hadn't|hadnt|won't|wont|none|nothing like|free of"
    r"|doesnae|disnae|dinnae|didnae|cannae|isnae|wasnae|nae|nuh|naw|ain't|aint"
    r"|dosnt|dosent|doesent|doesnot|didint|didnot|donot|isent|wasent)\b"
)
_UNCERTAIN_RX = re.compile(r"\b(?:not sure|no idea|don't know|dont know|not certain|unsure)\b")
_NEG_SCOPE_BREAK = re.compile(r"[.;!?,]|\b(?:but|though|although|however|except|yet|and)\b")
#: The gap between two symptoms of one negated list; it may hold up to three list items
#: the extractor does not report ("no swelling, locking or giving way": "locking" is the
#: red-flag scanner's).
_LIST_ITEM = (
    r"(?!(?:but|though|although|however|except|yet|it|it's|its|i|i'm|my|the)\b)"
    r"[a-z'-]+(?: [a-z'-]+){0,2}"
)
_LIST_JOIN = re.compile(
    rf"^(?: ?,)? ?(?:(?:or|and|nor|/) )?(?:any )?(?:{_LIST_ITEM}(?: ?,| ?/| or| and| nor) ?"
    r"(?:any )?){0,3}$"
)


def _is_negated(text: str, start: int, end: int) -> bool:
    window = text[max(0, start - 40) : start]
    breaks = list(_NEG_SCOPE_BREAK.finditer(window))
    if breaks:
        window = window[breaks[-1].end() :]
    if _UNCERTAIN_RX.search(window):
        return False
    if _NEGATION_RX.search(window):
        return True
    return bool(re.match(r"^ ?(?:[:?-] ?)?(?:none|no|nope)\b", text[end:]))


def _apply_negation(text: str, items: list[_Item]) -> dict[int, bool]:
    """Return ``{index: negated}`` for symptom items, propagating over lists."""
    negated: dict[int, bool] = {}
    previous: int | None = None
    for idx, item in enumerate(items):
        if item.entity != "symptom":
            continue
        neg = _is_negated(text, item.start, item.end)
        if not neg and previous is not None and negated[previous]:
            gap = text[items[previous].end : item.start]
            neg = bool(_LIST_JOIN.match(gap))
        negated[idx] = neg
        previous = idx
    return negated


# --------------------------------------------------------------------------- pipeline

_PHRASE_FINDERS: list[Finder] = [_phrase_finder(e) for e in PHRASES] + [
    _find_exercises, _find_distances, _find_load_changes, _find_durations,
    _find_pain_scores, _find_ages,
]  # fmt: skip


def _resolve(candidates: list[_Candidate]) -> list[_Candidate]:
    """Greedy: longest claim first, then priority, then position; no overlaps."""
    ordered = sorted(
        candidates,
        key=lambda c: (-(c.claim_end - c.claim_start), c.priority, c.claim_start),
    )
    taken: list[tuple[int, int]] = []
    chosen: list[_Candidate] = []
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
    canon = _canonicalise(text)
    ctext = canon.text
    candidates: list[_Candidate] = []
    for finder in _PHRASE_FINDERS:
        candidates.extend(finder(ctext))
    candidates.extend(_find_sides(ctext, text, canon))
    items = sorted(
        (item for cand in _resolve(candidates) for item in cand.items),
        key=lambda i: i.start,
    )
    negated = _apply_negation(ctext, items)
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
