"""The painful side: left, right or both ("my left knee", "both", "R knee")."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .candidates import Candidate, candidate
from .canonical import CanonicalText

#: Sides in Spanish, Portuguese, French and German ("la rodilla izquierda", "genou droit").
_OTHER_LANGUAGE_SIDES = {
    **dict.fromkeys(("izquierda", "izquierdo", "esquerda", "esquerdo", "gauche", "linke",
                     "linken", "linkes", "linker"), "left"),
    **dict.fromkeys(("derecha", "derecho", "direita", "direito", "droite", "droit", "rechte",
                     "rechten", "rechtes", "rechter", "rechts"), "right"),
}
_SIDE_RX = re.compile(
    r"(?<![\w'])(left|right|both|l ?[+&/] ?r|r ?[+&/] ?l|l|r|lt|rt"  # "L+R": both
    r"|izquierd[ao]|esquerd[ao]|gauche|linke[nsr]?|derech[ao]|direit[ao]|droite|(?<=genou )droit"
    r"|recht(?:e[nsr]?|s)"
    r"|(?:two|2|each)(?= (?:of my )?(?:knees?|legs?)\b(?! of))"
    # dictated: "my write knee"
    r"|(?:(?<=my )|(?<=the )|(?<=me ))write(?= (?:knees?|legs?|one)\b)|^write(?=\W|$))"
    r"(?![\w'])"
)
_BODY_AFTER = re.compile(r" ?(?:knees?|legs?|sides?|one|ones|foot|hip|patella)\b")
_KNEE_AFTER = re.compile(r" (?:knee|knees|leg)\b")
_RIGHT_NOT_BEFORE = re.compile(
    r"(?:^|\b)(?:all|alright|that's|thats|that is|you're|youre|you are|is that|quite|exactly"
    r"|not|isn't|isnt|is not|wasn't|wasnt|was|is|been|be|being"
    r"|feel|feels|feeling|felt|seem|seems|sounds?|look|looks|looked|looking|turn|turned|go|went"
    r"|keep|do|did) $"
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
    r"|chillin|chilling|happy|tidy|sweet|all good|sound|mint"
    # Hindi: "left wala ekdum theek hai" (the left one is quite fine)
    r"|(?:wala |wali |waala )?(?:ekdum |bilkul )?(?:theek|thik))\b"
)
_LEFT_NOT_BEFORE = re.compile(
    r"(?:^|\b)(?:i|i've|ive|we|he|she|they|you|have|has|had|just|was|were|nothing|anything"
    r"|something|not much|much|still|weeks|days|miles|km|time) $"
)
#: "Right, so it started...": what follows "right" used as a discourse marker (not "right,
#: andar ki side").
_DISCOURSE_AFTER = re.compile(
    r"^, ?(?:so|well|ok|okay|i|i'm|im|it|its|it's|the|this|that|where|what|let|lets|let's"
    r"|thanks|thank|anyway|um|er|erm|now|then|here|here's|heres|we|you|my|about|as|full"
    r"|quick|long|short|basically|listen)\b"
)
#: "no just left": "just" after a yes or no marks an answer, not "I just left".
_ANSWER_JUST_BEFORE = re.compile(r"(?:^|\b)(?:no|nope|nah|yes|yeah|wait|oh|it's|its) just $")
_LEFT_NOT_AFTER = re.compile(
    r"^ ?(?:it|them|him|her|me|work|home|off|over|alone|for|behind|out|early|school|after"
    r"|to|until|till|the (?:house|gym|track|race|office))\b"
)
_BOTH_OK_AFTER = re.compile(
    r"^(?: ?$| ?[.,!?;:)]| (?:knees?|legs?|sides?|of (?:them|(?:my |the |his |her |your )?"
    r"(?:knees|legs|sides))|(?:my|the|his|her|your) (?:knees|legs)"
    r"|really|equally|hurt|hurts|ache|aches|aching|sore|painful|affected|are|but|though"
    r"|actually|unfortunately|sadly|i think|the (?:right|left) (?:one|knee|side)"
    r"|probably|i guess|tbh|please|thanks|mate)\b)"
)


def find_sides(text: str, original: str, canon: CanonicalText) -> Iterator[Candidate]:
    """The side of the painful knee.

    Args:
        text: The canonical text.
        original: The message as typed (a capital "L"/"R" counts as a side, a small one
            does not).
        canon: Maps canonical offsets back to ``original``.
    """
    for m in _SIDE_RX.finditer(text):
        value = _side_named(m, text, original, canon)
        if value:
            yield candidate("side", value, m.start(), m.end())


def _side_named(
    m: re.Match[str], text: str, original: str, canon: CanonicalText
) -> str | None:
    """The side the word ``m`` names, or None where it is no side ("all right", "left home")."""
    word = m.group(1)
    before, after = text[max(0, m.start() - 20) : m.start()], text[m.end() : m.end() + 30]
    body_next = bool(_BODY_AFTER.match(after))
    if _SIDE_FINE_AFTER.match(after):
        return None  # "the left's fine": not the painful side
    orig_start, orig_end = canon.original_span(m.start(), m.end())
    if original[orig_start:orig_end + 1].lower().rstrip(" ,.") in ("lefts", "rights"):
        return None  # "got my lefts and rights mixed"
    if word in _OTHER_LANGUAGE_SIDES:
        return _OTHER_LANGUAGE_SIDES[word]
    if word in ("lt", "rt"):
        return ("left" if word == "lt" else "right") if _KNEE_AFTER.match(after) else None
    if word in ("l", "r"):
        # "PT, own knee, L.": a capital letter on its own in a message about a knee
        alone = bool(re.match(r"[.,;!)]*(?:\s|$)", after)) and "knee" in text
        typed_as_side = original[orig_start].isupper() and (body_next or alone)
        if not (typed_as_side or text.strip() == word or _KNEE_AFTER.match(after)):
            return None  # "R knee", "l" alone; a small one in a sentence only as "r knee"
        return "left" if word == "l" else "right"
    if word == "write":
        return "right"
    if word in ("two", "2", "each") or any(mark in word for mark in "+&/"):
        return "both"  # "the two knees", "each knee", "L+R"
    if word == "both":
        if not (body_next or _BOTH_OK_AFTER.match(after)):
            return None
        if re.search(r"\b(?:we|us|you) $", before) and not body_next:
            return None  # "we both hurt": people, not knees
        return "both"
    if word == "right":
        blocked = _RIGHT_NOT_BEFORE.search(before) or _RIGHT_NOT_AFTER.match(after)
        if blocked and not body_next:
            return None
        if (_DISCOURSE_AFTER.match(after) and len(text.split()) > 3
                and text.startswith("right")):
            return None  # "Right, so it started..." is a discourse marker
        return "right"
    blocked = _LEFT_NOT_BEFORE.search(before) or _LEFT_NOT_AFTER.match(after)
    if blocked and not body_next and not _ANSWER_JUST_BEFORE.search(before):
        return None
    return "left"
