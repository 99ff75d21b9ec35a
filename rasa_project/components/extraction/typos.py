"""Typo correction of single key words ("rigth" -> "right", "lefft" -> "left").

:data:`TYPO_TARGETS` are the words typos are corrected towards; :data:`PROTECTED_WORDS` are
real words one edit away from a key word that must never be "corrected".
"""

from __future__ import annotations

import difflib
import functools

from ..spelling import edit_distance


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
