"""Negated symptoms ("no swelling", "it doesn't give way", "no swelling or limping").

Limitations:
    Negation looks back within the clause only; double negatives and hedges such as
    "I don't think it isn't swollen" are not understood.
"""

from __future__ import annotations

import re

from .candidates import Item

_NEGATION_RX = re.compile(
    r"\b(?:no|not|never|without|neither|nor|zero|don't|dont|do not|doesn't|doesnt|does not"
    r"|didn't|didnt|did not|isn't|isnt|aren't|arent|wasn't|wasnt|weren't|werent|hasn't"
    r"|hasnt|haven't|havent|hadn't|hadnt|won't|wont|none|nothing like|nothing|free of"
    r"|doesnae|disnae|dinnae|didnae|cannae|isnae|wasnae|nae|nuh|naw|ain't|aint|nil"
    r"|dosnt|dosent|doesent|doesnot|didint|didnot|donot|isent|wasent|doest|dsnt|dnt)\b"
)
_UNCERTAIN_RX = re.compile(r"\b(?:not sure|no idea|don't know|dont know|not certain|unsure)\b")
#: "no" as a word that was heard or typed, not said of the sign: "the phone heard no, I said
#: it does, it swells up".
_QUOTED_NO = re.compile(r"\b(?:heard|typed|wrote|put|picked up|got) (?:a |the word )?[\"']?no\b")
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
    window = _QUOTED_NO.sub(" ", text[max(0, start - 40) : start])
    breaks = list(_NEG_SCOPE_BREAK.finditer(window))
    if breaks:
        window = window[breaks[-1].end() :]
    if _UNCERTAIN_RX.search(window):
        return False
    if _NEGATION_RX.search(window):
        return True
    # "swelling: no"; Hindi puts the negative after: "swelling nahi hai", "limp nahi karta"
    return bool(re.match(r"^ ?(?:[:?-] ?)?(?:none|no|nope|(?:bilkul |kabhi )?nahi)\b", text[end:]))


def apply_negation(text: str, items: list[Item]) -> dict[int, bool]:
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
