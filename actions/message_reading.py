"""Turns one parsed user message into answer updates for the triage.

Pure logic (no Rasa import). The NLU gives an intent and normalised entities (see
docs/nlu_schema.md); the question being asked (``requested``) decides how a bare "yes",
"no" or number is read. Facts volunteered before they are asked are kept, so a first
message like "my right knee hurts on the inside since I went from 20 to 30 miles" fills
side, location and both distances at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from actions.checkin import read_frequency, read_trend
from actions.content import load_content
from actions.questions import RED_FLAG_CONFIRM, question_for
from actions.triage import UNKNOWN
from actions.triage import age_band as triage_age_band
from content_schema.numbers import NUM_WORD, parse_number
from content_schema.vocabulary import AGE_BANDS, ENTITY_VALUES, INJURY_EVENTS, KM_PER_MILE
from rasa_project.components.extraction import correct_typo
from rasa_project.components.extraction.distance import DISTANCE_UNIT
from rasa_project.components.intent_guard import DONT_KNOW, guard_words

#: Intents that are never an answer (digressions); they leave the answers untouched.
NON_ANSWER_INTENTS = frozenset(
    {
        "ask_why",
        "share_video",
        "describe_video",
        "EXTERNAL_analysis_ready",
        "chitchat",
        "thank",
        "request_human",
        "start_over",
        "stop",
        "out_of_scope",
        "delete_data",
        "ask_filming",
        "ask_video_results",
        "ask_exercise_detail",
        "goodbye",
    }
)
#: A question is asked at most this many times without an answer; then it is ``unknown``.
MAX_ATTEMPTS = 2
#: Characters of an unclear answer kept for the clinician.
UNCLEAR_TEXT_MAX = 300
#: Social intents: facts in them are kept, but they never count as a failed answer.
SOCIAL_INTENTS = frozenset({"greet"})
#: Yes/no questions: "yes" and "no" answer them directly.
YES_NO_SLOTS = frozenset({"consent", "swelling", "load_reduced", "settles_by_next_day", "limp"})
#: Safety checklists: "no"/"none" means checked and clear; named symptoms are collected.
CHECKLIST_SLOTS = frozenset({"emergency_check", "urgent_check"})
#: The warning sign recorded for an unclear "yes" to each safety checklist.
UNSPECIFIED_FLAG = {
    "emergency_check": "emergency_sign_unspecified",
    "urgent_check": "urgent_sign_unspecified",
}
#: Answers that collect several values.
LIST_ANSWERS = {
    "pain_trigger": "pain_triggers",
    "treatment": "tried",
    "symptom": "symptoms",
    "red_flag": "red_flags",  # sent only by the safety-checklist buttons
}
#: A message that says something hurts; a pain trigger said outside the trigger question
#: needs one ("sore after sitting", not "out of breath even sitting down").
_PAIN_WORD = re.compile(
    r"\b(?:pain\w*|hurt\w*|sore\w*|ache[sd]?|aching|achy|niggl\w*|twing\w*|worse|worst"
    r"|flare\w*|bother\w*|kill\w*|agony|stiff\w*|tender\w*|throb\w*|sting\w*|sharp|dull"
    r"|uncomfortable|discomfort|grumbl\w*|annoy\w*|irritat\w*|problem\w*|trouble\w*"
    # a clinician's note: "Aggs: downhill and squat", "aggravated by stairs"
    r"|aggs|aggravat\w*)\b"
)
#: Said right after a trigger: it does not hurt then ("climbs are fine", "stairs don't hurt").
_SAID_FINE_AFTER = re.compile(
    r"^\s*(?:is|are|'s|s|feel|feels|seem|seems)?\s*(?:totally |all |completely )?"
    r"(?:fine|ok|okay|alright|all right|no problem|painless|pain[- ]free)\b"
    r"|^\s*(?:don'?t|doesn'?t|do not|does not|never) (?:hurt|bother)"
)
#: Squats the runner did as an exercise ("I did mini squats"; not "it hurts when doing squats").
_SQUATS_DONE_BEFORE = re.compile(
    r"(?<!when )(?<!while )(?<!when i'm )(?<!while i'm )"
    r"\b(?:did|done|tried|started(?: doing)?|been doing)(?: some| a few| the| a set of)?"
    r"(?: mini| half| wall| body ?weight| split| goblet)? ?$"
)
#: The questions about what was tried: squats named there are an exercise done.
TRIED_ANSWERS = frozenset({"tried", "tried_outcome"})
#: Entities whose value is the answer itself.
DIRECT_ANSWERS = {
    "side": "side",
    "onset": "onset",
    "injury": "injury",
    "outcome": "tried_outcome",
    "pain_score": "pain_score",
    "checkin_trend": "checkin_trend",
    "checkin_pain_now": "checkin_pain_now",
    "checkin_exercises": "checkin_exercises",
}
#: Answers that are a score from 0 to 10.
PAIN_SCORES = frozenset({"pain_score", "checkin_pain_now"})
#: Questions answered by a bare number: there, a lone number is not a pain score.
NUMBER_QUESTIONS = frozenset(
    {
        "age_band",
        "distance_before_km",
        "distance_now_km",
        "weeks_since_change",
        "pain_duration_weeks",
    }
)
DISTANCE_SLOTS = {"distance_before": "distance_before_km", "distance_now": "distance_now_km"}
DURATION_SLOTS = ("weeks_since_change", "pain_duration_weeks")
SELF_TEST_RESULT = {"helped": "better", "no_change": "same", "worse": "worse"}
#: Plausible ranges of numeric entities (inclusive).
NUMBER_RANGES: dict[str, tuple[float, float]] = {
    "pain_score": (0, 10),
    "checkin_pain_now": (0, 10),
    "distance": (0, 400),  # km per week
    "distance_before": (0, 400),
    "distance_now": (0, 400),
    "duration": (0, 520),  # weeks
    "load_change": (-100, 1000),  # percent
}

_NUMBER = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d+)?)(?!\d|\.\d)")
#: A number that may be a pain score: not a distance, time or count ("5 km", "2hr").
_SCORE_NUMBER = re.compile(
    r"(?<![\d.])(\d{1,2})(?!\d|\.\d|\s?(?:km|k|kms|mi|miles?|hrs?|hours?|h|mins?|minutes?"
    r"|x|times|days?|weeks?|wks?|months?|years?|yrs?|am|pm|ish|th|st|nd|rd)\b)"
)
_NOT_BEFORE_NUMBER = re.compile(r"\b(?:not|no) (?:a |an )?$")
#: A number in words, not "one" of a thing ("the left one", "one of those").
_NUMBER_WORD = re.compile(rf"(?<!the )(?<!that )(?<!this )\b{NUM_WORD}\b(?! of\b)(?!-)")
_OUT_OF_TEN = re.compile(r"(?:/|out of|of) ?(?:10|ten)\b")
_RUNS_PER_WEEK = re.compile(
    r"\b(?P<n>\d|one|two|three|four|five|six|seven)\s*(?:x|runs?|times|sessions|days|outings)"
    r"\s*(?:a|per|each|every|/)\s*(?:week|wk)\b"
)
_WORD_COUNTS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_PER_WEEK_AFTER = re.compile(r"^\s*(?:a|per|each|every|/|in a)\s*(?:week|wk)|^\s*weekly")
_NOTHING_TRIED = re.compile(
    r"\b(?:(?:have ?n[o']t|have not|not|never|didn'?t|did not) (?:really )?(?:tried|done|"
    r"used) (?:anything|a thing|much)|nothing(?: yet| so far| really)?|not yet|none yet)\b"
)
#: Said unasked, only this means nothing was tried.
_NOTHING_TRIED_VOLUNTEERED = re.compile(
    r"\b(?:have ?n[o']?t|have not|hasn'?t|has not|not|never|didn'?t|did not) (?:really |yet )?"
    r"(?:tried|try|done"
    r"|used|use|had) (?:anything|a thing|any (?:treatment|therapy|physio))\b"
    r"|\bain'?t (?:try|tried|done|do) (?:nothing|anything)\b|\btried (?:nowt|nothing)\b"
    r"|\bnothing (?:i|we) (?:have|'ve|ve|had) (?:tried|done|used)\b"
    # a clinician's note: "Nil Rx yet", "no tx"
    r"|\b(?:nil|no) (?:rx|tx|treatment)\b"
)
_HEDGED_YES = re.compile(
    r"^\W*(?:a (?:bit|little)|some(?:times|what)?|slightly|occasionally|a touch|now and then"
    r"|kind of|kinda|sort of|a little bit|mildly|yes|yeah|yep)\b"
)
#: A yes or a no in another language mixed into English ("haan", "wala po"):
#: data/intent_guard.yml, shared with the intent guard.
_OTHER_YES, _OTHER_NO = guard_words().leading_yes.pattern, guard_words().leading_no.pattern
#: A yes/no question answered with more words: the first word decides ("no, still sore").
_LEADING_YES = re.compile(
    r"^\W*(?:(?:yes|yeah|yep|yup|yea|ya)(?!\W+nah\b)|definitely"
    r"|(?:it does|it has|i do|i have)(?=\W*$|[,.;!]| a bit| sometimes| yes))\b"
    rf"|{_OTHER_YES}"
)
#: A yes or no, then another fact added ("yes, a lot, oh and it's settled by the morning"):
#: the yes or no answers the question asked.
_ANSWER_THEN_MORE = re.compile(
    r"^\W*(?:yes|yeah|yep|yup|no|nope|nah)\b[^.;]*?[,.;]\s*(?:.*?[,.;]\s*)?"
    r"(?:oh and|and also|also|btw|by the way|plus|oh,? and|and|but)\b"
)
_LEADING_NO = re.compile(
    r"^\W*(?:no|nope|nah(?!\W+y(?:e+a*h?|ep|up)\b)|not really|not at all|never|it doesn'?t"
    r"|it hasn'?t|i don'?t|i'm not|im not|not that i(?:'ve| have)? noticed"
    # New Zealand and Australian "yeah nah" (no), typed "yeeah nah", "yrah nah"
    r"|y[a-z]{1,4}\W+nah|nil)\b"
    rf"|{_OTHER_NO}"
)
#: A "no" that belongs to the word right after it: "no injury", "wala pong twist".
_NO_OF_ANOTHER_TOPIC = re.compile(
    rf"(?:{_LEADING_NO.pattern})(?:\W+(?:po|pong|no))*\s+(?:injury|injuries|twist|fall|knock|accident"
    r"|pop|trauma|change|increase|treatment)\b"
)
#: "Has the pain settled by the next morning?" answered or volunteered in words.
_SETTLES = re.compile(
    r"\b(?:fine|ok|okay|better|gone|settled|settles|settling|eased|eases|calm|good|alright"
    r"|all right|normal|clears?|cleared)(?: again| by then| down)?"
    r" (?:by|in|the|overnight|by the) ?(?:next |following )?(?:morning|day)\b"
    r"|\b(?:settles|settled|goes|went|gone|eases|clears) (?:down )?overnight\b"
    # a clinician's note: "Settles within 24 h", "resolves within 24 hours"
    r"|\b(?:settles|resolves|eases|clears|gone) (?:with)?in 24 ?h(?:ours?|rs?)?\b"
    r"|\bby (?:the )?(?:next )?morning,? (?:it'?s|its|it is) (?:fine|ok|okay|gone|better)\b"
    r"|\b(?:the )?(?:next|following) (?:morning|day),? (?:it'?s|its|it is|i'?m|i am|the knee is)"
    r" (?:fine|ok|okay|gone|better|normal|settled)\b"
)
_MORNING_AFTER = (
    r"(?:(?:by )?(?:the )?(?:next|following) (?:morning|day)|in the morning|by (?:the )?morning"
    r"|overnight)"
)
_FINE_AGAIN = (
    r"(?:fine|ok|okay|better|alright|all right|settled|settles|gone|passed|good|normal|grand"
    r"|calmed|calms|calmed down|eased|eases|eased off|died down|dies down|cleared|chill"
    r"|sorted|sweet"
    r"|goes away|gone away|go away|went away|disappears|fades"
    r"|right as rain|pain free|pain-free)"
)
_GAP = r"\W+(?:(?!but\b|though\b|once\b|after\b|when\b|until\b|not\b|never\b|isn)\w+'?\w*\W+){0,4}?"
#: "next morning is always ok", "right as rain the next morning" (words in between allowed).
_SETTLES_NEAR = re.compile(
    rf"\b{_MORNING_AFTER}{_GAP}{_FINE_AGAIN}\b|\b{_FINE_AGAIN}{_GAP}{_MORNING_AFTER}\b"
)
_LINGERS = re.compile(
    r"\b(?:still|sore|hurts?|aching|aches?|stiff|niggl\w*|painful)\b"
    r"(?:(?!\b(?:gone|fine|ok|okay|better|settled|eased|calmed|away|cleared)\b)[^.!?]){0,25}"
    r"\b(?:(?:next|following) (?:morning|day)|(?:morning|day) after)\b"
    r"|\b(?:linger\w*|hangs? around|hanging around)\b|\binto the next day\b"
    r"|\btakes? (?:a (?:good |full )?|about |around )?(?:two|2|three|3|a couple of|couple of"
    r"|a few|few|several) (?:whole |full )?days to (?:calm|settle|ease|go|clear|recover)"
    r"|\b(?:sore|hurts?|aching|aches?|stiff|painful|niggl\w*)\b[^.!?]{0,12}\bfor (?:(?:a few|a"
    r" couple of|couple of|several|two|three|2|3) )?days (?:after|afterwards)\b"
    r"|\b(?:next|following) (?:morning|day),? (?:also |too )?"
    r"(?:it'?s |its |it is |it |i'?m |i am )?(?:still|sore|stiff|aching|hurts?|painful|paining)\b"
)
_NOT_LIMPING = re.compile(
    r"\b(?:not limping|no limp|don'?t limp|doesn'?t make me limp|(?:can )?walk(?:ing)? (?:is )?"
    r"(?:totally |completely |perfectly |quite )?(?:fine|normal|normally|ok|okay)"
    r"|mov(?:e|ing) (?:fine|normally)"
    # a clinician's note: "Gait normal", "non-antalgic"
    r"|gait (?:is )?(?:normal|fine|ok|unaffected)|normal gait|non-? ?antalgic)\b"
)
#: Limping said in other words ("walking lopsided", "favouring that leg", "I don't walk
#: normally", "walking in a strange way to protect it").
_LIMPING = re.compile(
    r"\b(?:(?:walk|run)(?:ing)? (?:lopsided|funny|crooked|unevenly|differently)|favou?r(?:ing|s)?"
    r" (?:it\b|(?:that|the|my|her|his|the other|my other|my good|the good) (?:leg|knee|side))"
    r"|hobbl(?:e|ing|es)"
    r"|(?:don'?t|do not|can'?t|cannot|not|isn'?t|aren'?t|am not|i'?m not) (?:really )?"
    r"walk(?:ing)? (?:normal(?:ly)?|properly|right|straight)"
    r"|walk(?:ing)? (?:in )?an? (?:strange|weird|odd|funny|different|awkward) way"
    r"|protect(?:ing|s)? (?:it|the knee|my knee|the leg|my leg)\b"
    r"|(?<!non-)(?<!non )(?<!non)antalgic)"
)
#: "Herself says I walk funny but I've always walked like that": no limp from the knee.
_ALWAYS_WALKED = re.compile(r"\balways (?:walked|walk|been walking|run|ran) like (?:that|this)\b")
#: Running as before: the load was not reduced.
_SAME_LOAD = re.compile(
    r"\b(?:(?:still|kept|keep) (?:on )?(?:running|run|doing)(?: the)? (?:the same"
    r"|as (?:normal|usual|always|before)|my normal|my usual|through it|through the pain)"
    r"|same (?:distance|mileage) as (?:always|before|usual)"
    r"|(?:haven'?t|have not|didn'?t|did not) (?:cut|reduced?|dropped) (?:back|down|anything"
    r"|my (?:running|mileage|miles|distance|training))"
    # a clinician's note: "Load not modified", "volume unchanged"
    r"|(?:load|volume|training|mileage) (?:not (?:modified|changed|reduced)|unchanged"
    r"|unmodified))\b"
)
#: "a few / several weeks" is too vague to record unasked; "a couple of weeks" is two.
_VAGUE_COUNT = re.compile(r"(?:a few|few|several|some)\b")
_ONSET_CLAUSE = re.compile(
    r"\b(?:slowly|gradual\w*|built up|building up|crept|creeping|came on|bit by bit"
    r"|over time|progressively)\b"
)
#: "run much less now" / "I haven't cut back": whether the runner has reduced their running.
_CUT_BACK = re.compile(
    r"\b(?:cut (?:it |right |it right )?(?:back|down)"
    r"|run(?:ning)? (?:much |a lot |way |a bit )?less|ran (?:much |a lot )?less"
    r"|reduced (?:my )?(?:running|mileage|miles|distance|kms?)|backed off|eased off"
    r"|fewer (?:miles|kms?|runs)|(?<!bottom )(?<!top )(?<!lower )(?<!upper )(?<!first )"
    r"(?<!second )half (?:of )?(?:what|my|the)(?! (?:leg|knee|body|shin|thigh|way|race|marathon))"
    r"|dropped (?:down )?to (?:just |only )?(?:one|two|three|\d) (?:runs?|days?)"
    r"|(?:cut|dropped|halved|reduced) (?:my |his |her |their |the )?(?:weekly )?"
    r"(?:mileage|miles|running|distance"
    r"|kms?|runs|training)(?: right)?(?: in half| back| down)?|dropped (?:right )?back)\b"
)
_NOT_RIGHT_BEFORE = re.compile(
    r"\b(?:not|never|doesn'?t|does not|don'?t|isn'?t|hasn'?t|won'?t|wont)\b[^,.;!?]{0,12}$"
)
_NEGATED_BEFORE = re.compile(
    r"\b(?:haven'?t|have not|hasn'?t|not|never|didn'?t|did not|no|nae|naw|without)\b[^,.;!?]{0,20}$"
)
#: Someone else is the subject of a symptom: "my friend limps", "his knee swells" ("he" and
#: "she" alone are not: a parent or coach typing means the runner, "he's limping a bit").
_OTHER_PERSON_BEFORE = re.compile(
    r"\b(?:my |his |her |our |the )?(?:friend|mate|wife|husband|brother|sister|mum|mom|mummy"
    r"|dad|son|daughter|coach|partner|boyfriend|girlfriend|teammate)(?:'s|s)?"
    r"(?: (?:knee|leg|ankle|one))? (?:also |always |often |sometimes |still |usually )?$"
)
#: Someone else earlier in the sentence: "another kid on the team who limps", "her brother
#: had Osgood-Schlatter and limped for months" (a parent typing for a daughter); not one
#: who only saw it ("her friend noticed she limps").
_SOMEONE_ELSE_BEFORE = re.compile(
    r"(?:\b(?:another|a different|the other)\b(?: \S+){0,3}? (?:kid|runner|athlete|girl|boy"
    r"|guy|lad|person|friend|teammate|client|patient)s?"
    r"|\b(?:her|his|their) (?:brother|sister|mum|mom|dad|friend|cousin))\b"
    r"(?:(?!\b(?:noticed|notices|says|said|told|thinks|reckons|saw|sees)\b)[^.;!?]){0,50}$"
)
#: A "no" opening a message that then says what is so: "wait no i have been stretching".
_OPENING_NO = re.compile(
    r"^\W*(?:(?:wait|oh|ah|sorry|oops)\W+)?(?:no+|nah|nope)\W+(?=(?:i|i'?ve|actually|wait|sorry)\b)"
)


def _without_opening_no(prefix: str) -> str:
    """``prefix`` with an opening "no" (which rejects an earlier answer) blanked out."""
    opening = _OPENING_NO.match(prefix)
    return " " * opening.end() + prefix[opening.end():] if opening else prefix


#: A clause about how long it has hurt, inside an answer about something else.
#: Body parts other than the knee, and the knee: a duration said about the calf or the chest
#: is not how long the knee has hurt.
_OTHER_BODY_PART = re.compile(
    r"\b(?:calf|calves|chest|foot|feet|ankle|shin|thigh|hip|lower back|my back|hamstring"
    r"|achilles|arm|head|stomach|lungs?|breath\w*)\b"
)
#: Two numbers said as a range: "25 to 35", "20-30", "20 – 30".
_RANGE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:k|km|kms|mi|miles)?\s*(?:to|-|–)\s*(\d+(?:\.\d+)?)")
_TO_SETTLE_AFTER = re.compile(r"^ (?:\w+ )?to (?:calm|settle|ease|go away|clear|recover)")
_SENTENCE_START = re.compile(r"(?<!\d)\.|[!?;]")
_KNEE_WORD = re.compile(r"\b(?:knee|knees|kneecap|patella|joint)\b")
_BODY_PART = re.compile(rf"(?P<other>{_OTHER_BODY_PART.pattern})|{_KNEE_WORD.pattern}")
_ANOTHER_DURATION_CLAUSE = re.compile(r"\b(?:going on|had it|had this|been hurting|been sore)\b")
#: Where a sudden onset was only read from the run it started on ("since the marathon").
_EVENT_ANCHOR = re.compile(r"(?:since|started|began)\b")
#: An old, healed or unrelated mishap: "I came off my bike two year ago and broke my wrist,
#: but that's long healed an' nothing to do wi' the knee".
_OLD_MISHAP = re.compile(
    r"\b(?:(?:long|fully|all|completely) healed|healed (?:up|fine|long ago)"
    r"|nothing to do wi(?:th|')? (?:the|my|this) knee|unrelated|not related"
    r"|(?:a|one|two|three|four|five|\d+|few|many|several|couple of) (?:years?|yrs?) (?:ago|back))"
)
_SENTENCE_END = re.compile(r"(?<!\d)\.|\.(?!\d)|[;!?]")
#: Said before a place: it is where something moved, not where it hurts.
_MOVED_TOWARDS = re.compile(
    r"\b(?:moved|moving|moves|shifted|shifting|slipped|slipping|slid|sliding|popped|popping"
    r"|pushed|gone|went"
    # the kneecap pointing somewhere, not a person pointing to the spot ("he points to ...")
    r"|(?<!\bhe )(?<!\bshe )(?<!\bi )(?<!\bthey )(?<!\bwe )(?:pointing|points))"
    r"\b(?: \w+){0,2} (?:to|towards|onto) (?:the )?$"
    # "my kneecap is sitting way off on the outer edge"
    r"|\bsitting (?:way |right |well |a bit )?(?:off|out|over) (?:on|to|onto|towards) (?:the )?$"
)
#: "physio" as the source of a sheet of exercises, not a treatment that was had.
_PHYSIO_PAPER_AFTER = re.compile(r"^\W*(?:sheet|handout|printout|leaflet|app|program|programme)")
#: "Did that help?" answered in words: the first that fits wins.
_OUTCOME_WORDS = re.compile(
    r"(?P<worse>\bworse\b|\baggravat\w*|\bflared?\b)"
    r"|(?P<no_change>\b(?:the same|(?:no|zero|zilch) (?:change|difference)|not really"
    r"|did ?n[o']?t (?:change|do)"
    r" (?:anything|a thing|much)|nothing changed|no effect|no better"
    r"|(?:no|not any|not much|none) different|not (?:very |that )?much"
    r"|(?:came|comes|coming) (?:straight |right )?back)\b)"
    r"|(?P<helped>\b(?:better|helped|helps|a bit|a little|eased|improved|yes|yeah|yep)\b)"
)
_SAYS_NONE = re.compile(
    r"\b(?:none|nothing|neither|nope|nah|nil|no(?:ne)? of (?:those|these|them|that|the above))\b"
    r"|^\W*(?:n+o*n*e+|no+e|noen|nnoe|non)\b"  # "nne of those", "noen": a slip of "none"
)
_ANY_UNIT = re.compile(r"\d\s*(?:k|km|kms|mi|mls)\b|\b(?:kms?|miles?|mi|kilom\w*)\b")
#: Tagalog "hindi right" is "not the right".
_NOT_BEFORE = re.compile(r"\b(?:not|never|nor|rather than|instead of|hindi) (?:the |my |on the )?$")
#: A side that is no answer: the wrong one named as such ("before I say right, but it is
#: left"), or sides as words ("I confuse left and right", "I always mix up left and right").
_SIDE_AS_A_WORD_BEFORE = re.compile(
    r"\b(?:i )?(?:said|say|wrote|typed|put) $"
    r"|\b(?:confuse|confused|confusing|mix|mixed|mixing|muddle|muddled)(?: up)?"
    r"(?: (?:left|right)(?: and| &| with| n))? $"
)
#: A sentence that calls its side fine ("The right is the one that was operated on many
#: years ago, and it is fine").
_FINE_SENTENCE = re.compile(
    r"\b(?:is|it's|its|it is|are|feels|has been) (?:absolutely |totally |perfectly |all )?"
    r"(?:fine|ok|okay|good|grand|pain[- ]free|no problem)\b"
)
#: "no just left": the side the correction settles on.
_ONLY_BEFORE = re.compile(r"\b(?:just|only) (?:the |my )?$")
#: A side named to compare with ("a different shape from the right one", "bigger than my left").
_COMPARED_WITH_BEFORE = re.compile(
    r"\b(?:from|than|compared (?:to|with)|like|as|versus|vs) (?:the |my |that |the other,? )?$"
)
_WEEKLY = re.compile(r"\b(?:a|per|each|every|/|in a) ?(?:week|wk)\b|\bweekly\b|\bmpw\b|\bpw\b")
_PAIN_BEFORE_NUMBER = re.compile(
    r"\b(?:pain|score|hurts?|sore(?:ness)?|ache|aches)\b(?: is| gets| goes| sits)?(?: up)?"
    r"(?: to)?(?: about| around| roughly| maybe| like)? ?$"
)
_OTHER_PLACE_WORDS = re.compile(
    r"^\W*(?:(?:on |at |round |around )?the )?(?:(?P<outer>outside|out side|outer|lateral)"
    r"|(?P<back>back|backside|back side|behind|rear))\b"
)
#: A pain score, not an age: "about a 4", "a 6/10", "about 4/10", "5 out of 10".
_SCORE_SAID = re.compile(r"\ba (?:[0-9]|10)(?:/10)?\b|\d\s*(?:/|out of|outta)\s*10\b")
#: "sorry, I meant 30 not 40", "pardon, 35 not 53": a number corrected (a known answer
#: must have been the old number, see :func:`_apply_number_correction`).
_NUMBER_CORRECTION = re.compile(
    r"(?:\b(?:meant|actually|sorry|pardon|correction|oops|typo)\b.*?)?(?<![\d.])"
    r"(?P<new>\d+(?:\.\d+)?)\s*(?:km|k|kms|mi|miles?)?(?:\s+(?:before|now|a week|per week|weekly))?"
    r"\s*,?\s*(?:not|no|instead of|rather than)\s*(?P<old>\d+(?:\.\d+)?)"
)
#: "she says it's 3, I'd guessed 8": the number guessed before is the old answer.
_NUMBER_GUESSED = re.compile(
    r"(?<![\d.])(?P<new>\d+(?:\.\d+)?)\s*,?\s*(?:but |and )?(?:i'?d|i had|i) (?:guessed|said|put"
    r"|typed|wrote)\s*(?P<old>\d+(?:\.\d+)?)"
)
#: Answers a later message may only change when it answers or corrects them.
SETTLED_FACTS = (
    "side", "location", "onset", "injury", "pain_score", "age_band", "distance_before_km",
    "distance_now_km", "weeks_since_change", "pain_duration_weeks", "swelling", "limp",
    "settles_by_next_day", "load_reduced", "tried_outcome",
)  # fmt: skip
_SAME = re.compile(r"\b(?:the )?same\b")
_UNCHANGED_LOAD = re.compile(
    r"\b(?:nothing(?:'s| has)? changed|no change|same (?:mileage|distance|amount|as always"
    r"|as before)|as always|as usual|steady|unchanged|haven'?t changed|not changed|didn'?t change"
    r"|hasn'?t changed|the same for (?:months|years|ages))\b"
)
#: A bare age in a list of facts: "Hi, 53, left knee", "..., 27", "24, running 15 miles".
_BARE_AGE = re.compile(
    r"(?:^|[,.;!]|\b(?:hi|hello|hey|hiya|howya|yo|morning|evening|myself))\s*(?P<n>1[2-9]|[2-9]\d)\s*"
    r"(?=[,.;!]|$|here\b|years?\b|yrs?\b|y/?o\b|f\b|m\b|and still\b|and daft\b|and (?:stupid"
    r"|silly|clumsy|old) enough\b|from (?!\d)|if (?:that|it) (?:matters|helps)\b)"
)
#: Words that take the last answer back ("wait", "my mistake"); "sorry" and "actually"
#: do too, but are often only politeness.
_TAKEBACK = (r"wait|oops|correction|i mean|i meant|my mistake|scratch that|hang on"
             r"|that'?s wrong|that was wrong|my bad|answered wrong|answered that wrong"
             r"|got that wrong|got it wrong|wrong answer|made a mistake|i was wrong"
             # "no, inside. inner side. I mixed the words"; "No, I must correct myself: ..."
             r"|correct myself|i mixed (?:up )?the words|mixed (?:it|them) up|i mixed them"
             r"|i confuse (?:them|the words)|i confused (?:them|the words)"
             # "Moment, no, I read the question wrong"; "I confused with something else"
             r"|read the question wrong|read it wrong|misread|i confused(?: it)? with"
             r"|got (?:them|it) confused"
             # "it's 3, I'd guessed 8, ignore me"; "numbers twisted: 58, not 85"
             r"|ignore me|ignore that|i'?d guessed|numbers twisted|digits (?:twisted|swapped)")
#: A message that opens by taking the last answer back: "no wait", "nah sorry",
#: "correction:", "oops".
#: "Sorry" as runners who also speak another language type it.
_SORRY = r"sorry|soz|desculpa|disculpa|perd[oó]n|pardon|entschuldigung|scusa|scusi|przepraszam"
#: "Wait" in other languages, only where a message opens with it ("at the moment" is no
#: correction): "non attends, ...", "Moment, no, ...".
_WAIT_ELSEWHERE = r"attends|espera|warte|moment|momento|un momento"
_LEADING_CORRECTION = re.compile(
    r"^\W*(?:(?:och|ach|oh|ah|aw)\W+)?(?P<no>(?:(?:no+|nah|nope|naw|non|nein|não|nao)\W+))?"
    rf"(?:(?:oh|ah|erm?|um+|hmm+)\W+)?(?:{_TAKEBACK}|{_SORRY}|{_WAIT_ELSEWHERE}|actually)\b"
)
#: A "no" that opens a message taking the last answer back later on ("No, I must correct
#: myself: ..."): the "no" rejects that answer.
_NO_THEN_TAKEBACK = re.compile(rf"^\W*(?P<no>(?:no+|nah|nope|naw)\W+)(?=.*\b(?:{_TAKEBACK})\b)")
_APOLOGY_AFTER_NUMBER = r"^\W*\d+(?:\.\d+)?\s*,?\s*(?:sorry|oops|my mistake|i mean|i meant)\b"
#: A new number for the answer just given: "no, 2", "ah no, more a 4", "eh, more like a 5",
#: "no, it was 4 weeks", "45 sorry".
_RENUMBER = re.compile(
    r"^\W*(?:(?:eh|erm|um+|ah|oh|hmm+)\W+)*(?:"
    r"(?:no+|nah|nope|sorry|wait)\W+(?:(?:it was|it's|its|i meant|i mean|more like|more"
    r"|actually|make that|rather)\s+)?"
    r"|(?:it was|i meant|i mean|more like|more|actually|make that|rather)\s+)"
    r"(?:a |about |around |like )?\d+(?:\.\d+)?(?!\w)"
    rf"|{_APOLOGY_AFTER_NUMBER}"
)
#: A new number said as a correction even where a number is asked: "45 sorry", "sorry, I
#: meant 45".
_APOLOGISED_NUMBER = re.compile(
    rf"{_APOLOGY_AFTER_NUMBER}|^\W*(?:sorry|oops|wait)\W+(?:i meant|i mean|make that)\s+\d"
)
_STRONG_TAKEBACK = re.compile(
    rf"\b(?:{_TAKEBACK}|typing mistake|typo|more like|rather|instead)\b|\bnot \d"
)
_CORRECTION = re.compile(
    rf"\b(?:{_TAKEBACK}|actually|{_SORRY}|not both|only the|just the)\b"
    rf"|^\W*(?:(?:no+|non|nein|não)\W+)?(?:{_WAIT_ELSEWHERE})\b"
    r"|\d\s*(?:km|k|kms|mi|miles?)?,? no \d"  # "25 miles, no 35": 25, not 35
    # "64, not 46", "the left, not the right"; not "I'm not limping", "it's not swollen"
    r"|(?<![\w'’])(?!(?:i'?m|am|is|are|was|were|it'?s|its|that'?s|thats|do|does|did|has|have|had"
    r"|could|would|should|can|will|just|really|probably|maybe|why|if|or|and|but|still|yet"
    r"|though|certainly|definitely|absolutely|sure|doesn'?t)\b)\w+,? not (?=\w)"
)
_PAIN_CLAUSE = re.compile(
    r"\b(?:pain|sore|sorest|hurt|hurts|hurting|ache|aches|aching|niggle|started|began|since"
    r"|ago|had it|had this|been|for (?:about |around |roughly )?(?:a|an|\d|one|two|three|four"
    r"|five|six|seven|eight|nine|ten|a couple|a few|several))\b"
)
#: "came on slowly over the last month": how long it has hurt, said with the onset.
_OVER_THE_LAST = re.compile(r"\b(?:over|in|for) the (?:last|past) (?:\S+ )?\S+$")
_WAS_DISTANCE = re.compile(r"\bwas (?:about |around )?\d+(?:\.\d+)?\s*(?:k|km|kms|mi|miles?)?\s*$")
_PAIN_START_BEFORE = re.compile(
    r"\b(?:started|began|start|begin|came on|hurt\w*|pain|sore|aching)\b[^.;!?]{0,15}$"
)
#: "came on gradually about 8 days ago": a start said with how it came on.
_CAME_ON_BEFORE = re.compile(r"\b(?:started|began|came on|come on)\b[^.;!?]{0,30}$")
#: Said right after a duration: it has hurt since the change ("for ten days since I upped it").
_SINCE_THE_CHANGE_AFTER = re.compile(
    r"^,?\s*(?:now\s*)?,?\s*(?:ever )?since (?:i|we) (?:upped|increased|went|jumped|added"
    r"|bumped|doubled|started|ramped)\b"
)
_INCREASE_CLAUSE = re.compile(
    r"\b(?:increas\w*|upped|raised|jumped(?! (?:off|down|over|from|onto|on))|went up|gone up"
    r"|ramped|added|doubled"
    # "I built up over 3 weeks", "built up my mileage", "built up to 50k"; not the pain
    # that "built up gradually"
    r"|(?:i|i'?ve|i have|we) built (?:it |things |my \w+ )?up"
    r"|built (?:it |things )?up (?=my |the |to |mileage|distance|volume)"
    r"|tripled|more miles|more km|went \S+ (?:to|->)"
    r"|from \S+(?: ?(?:km|k|kms|miles?|mi))?(?: a week| per week| pw| weekly)?(?: up)? to"
    r"|(?:moved|took|pushed|brought) (?:it |my \w+ )?(?:up )?to \d+|got (?:it )?up to \d+"
    r"|was \d+|up from)\b|->|→"
    # "20-30 km", "30 to 40"; not a range of time ("8-9 weeks", "2 to 3 months")
    r"|\d\s*(?:k|km|kms|mi|miles)?\s*(?:to|-)\s*\d+(?:\.\d+)?"
    r"(?![\d.]|\s*(?:weeks?|wks?|days?|months?|mo|mos|years?|yrs?)\b)"
)
_CONSENT_YES = re.compile(
    r"^\W*(?:yes|yep|yeah|yea|ya|yup|sure|ok|okay|k|fine|go ahead|go on|let'?s (?:go|start|do it"
    r"|begin)|i agree|agreed|of course|absolutely|please do|alright|all right|sounds good)\b"
)
_CONSENT_NO = re.compile(
    r"^\W*(?:no(?! (?:problem|worries))|nope|nah|no thanks|not now|i don'?t agree"
    r"|i do not agree|i'?d rather not|don'?t want to)\b"
)
#: A reply that goes on past its first words ("no, but it hurts on the inside").
_HAS_MORE = re.compile(r"\w+\W+\w+\W+\w+")
_CLAUSE_SPLIT = re.compile(r"(?<!\d)\.|\.(?!\d)|[;!?,()]|\bbut\b|\band\b|\bever since\b")
#: A duration about the runner's training, not the pain ("I've run for years").
#: "running since 10 years", "been running for 20 years": how long they have run.
_HISTORY_SINCE = re.compile(
    r"(?:(?:\b|park|fell|trail|road|track)(?:running|run|jogging|racing|been a runner|runner)"
    r"|(?:a|per) week) (?:since|for) (?:about |around "
    r"|over |almost |nearly )?$"
)
#: Hedges said between a preposition and a duration ("over about a week").
_HEDGE_WORDS = "maybe|about|around|roughly|like"
#: "over (maybe) a week": how long the pain took to come on.
_OVER_BEFORE = re.compile(rf"\bover (?:(?:{_HEDGE_WORDS}) )?$")
#: "can't name a day", "couldn't say which week": no duration at all.
_CANNOT_NAME_BEFORE = re.compile(
    r"\b(?:can'?t|cannot|can not|couldn'?t|could not) (?:name|say|remember|pin ?point|pin down"
    r"|tell)(?: (?:you|which|what|the|exactly))? $"
)
#: "for about ten days" right before a duration: how long something has lasted.
_FOR_BEFORE = re.compile(rf"\bfor (?:(?:{_HEDGE_WORDS}|almost|nearly|over) )?$")
#: "over three weeks", "in 2 weeks", "within a month" right before a duration.
_OVER_OR_IN_BEFORE = re.compile(
    rf"\b(?:over|in|within)(?: the space of)?(?: (?:{_HEDGE_WORDS}|just|only))? $"
)
#: A weekly distance said as the current one ("now 42", "now 35 km"), in the same sentence.
_NOW_DISTANCE = re.compile(
    r"\bnow (?:up to |at |about |around )?\d+(?:\.\d+)? ?(?:km|k|kms|mi|miles)?\b"
)
_RUNNING_HISTORY = re.compile(
    r"\b(?:run|runs|running|ran|runner|training|trained|jogging|marathons?|racing)\b"
)
_MILES = re.compile(r"\b(mi|mile|miles|mls|mpw)\b", re.IGNORECASE)


@dataclass
class Turn:
    """What one message contributed.

    Attributes:
        updates: answer slot -> new value.
        understood: False when a question was pending and this message did not answer it.
        unit: "mi" or "km" when the runner gave a distance with a unit.
        pending_flags: the ambiguous warning signs still to confirm, when this message
            changed them (None: unchanged).
        new_flags: warning signs this message added for certain (for immediate advice).
        unitless: weekly distances answered as bare numbers (slot -> number), kept until
            the runner names the unit.
    """

    updates: dict[str, Any] = field(default_factory=dict)
    understood: bool = True
    unit: str | None = None
    pending_flags: list[str] | None = None
    new_flags: list[str] = field(default_factory=list)
    unitless: dict[str, float] | None = None


def age_band(value: Any) -> str | None:
    """Maps an age in years, or an age band, to a band of the triage rules (None if absurd)."""
    if value in AGE_BANDS:
        return str(value)
    if isinstance(value, bool):
        return None
    try:
        years = float(value)
    except (TypeError, ValueError):
        return None
    return triage_age_band(years) if 4 <= years <= 110 else None


def valid_entity(name: str | None, value: Any) -> bool:
    """True when ``value`` is one the entity ``name`` may carry (vocabulary or range)."""
    if name in ENTITY_VALUES:
        return isinstance(value, str) and value in ENTITY_VALUES[name]
    if name in NUMBER_RANGES:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            return False
        try:
            number = float(value)
        except ValueError:
            return False
        low, high = NUMBER_RANGES[name]
        return low <= number <= high and (name not in PAIN_SCORES or number == int(number))
    if name == "age":
        return age_band(value) is not None
    if name == "red_flag":
        return isinstance(value, str) and value in load_content().red_flags
    return name in ("exercise", "video_id", "job_id", "activity", "view")


def _number_in(text: str) -> float | None:
    """The first number in digits, else a number said in words in a short answer
    ("forty two", "after runs and stairs, four")."""
    match = _NUMBER.search(text or "")
    if match:
        return float(match.group(1))
    said = _NUMBER_WORD.search(text.lower()) if len(text.split()) <= 6 else None
    return parse_number(said.group(0)) if said else None


def _unit_of(entity: Mapping[str, Any], text: str) -> str | None:
    """ "mi" or "km" as typed with the distance; None for a bare number ("30")."""
    span = text[entity["start"] : entity["end"]] if "start" in entity and text else ""
    if not span:
        return None
    if _MILES.search(span) or _MILES.search(text[entity["end"] :][:12]):
        return "mi"
    return "km" if re.search(r"[a-z]", span.lower()) else None


def _merge_list(current: Any, new: Iterable[str]) -> list[str]:
    merged = list(current) if isinstance(current, list) else []
    merged.extend(v for v in new if v not in merged)
    return merged


def _piece_around(text: str, start: int, end: int, splitter: re.Pattern[str]) -> str:
    """The piece of ``text`` (lower case) around the span, cut where ``splitter`` matches."""
    lower = text.lower()
    cuts = [0, *(m.end() for m in splitter.finditer(lower)), len(lower) + 1]
    begin = max(c for c in cuts if c <= start)
    finish = min((c for c in cuts if c >= end), default=len(lower))
    return lower[begin:finish]


def _clause_of(text: str, start: int, end: int) -> str:
    """The clause of ``text`` around the span (split at . ; ! ? and "but")."""
    return _piece_around(text, start, end, _CLAUSE_SPLIT)


def _weekly_km(entity: Mapping[str, Any], text: str, km: float) -> float:
    """ "5k three times a week" / "3 runs a week, 5k each" is 15 km a week."""
    lower = text.lower()
    runs = _RUNS_PER_WEEK.search(lower)
    end = entity.get("end")
    if runs is None or end is None or _PER_WEEK_AFTER.match(lower[end:]):
        return km
    count = runs.group("n")
    return km * (_WORD_COUNTS.get(count) or int(count))


def _duration_target(
    entity: Mapping[str, Any],
    text: str,
    requested: str | None,
    answers: Mapping[str, Any],
    turn: Turn,
) -> str | None:
    """Which duration a duration entity answers: the asked one, else what its clause says."""
    clause = _clause_of(text, entity.get("start", 0), entity.get("end", len(text)))
    if _CANNOT_NAME_BEFORE.search(text[: entity.get("start", 0)].lower()):
        return None  # "it came on slowly, he can't name a day"
    if _TO_SETTLE_AFTER.match(text[entity.get("end", len(text)) :].lower()):
        return None  # "it takes a good two days to calm down": how long it lingers
    if _about_another_body_part(text, entity):
        return None  # "my calf has been swollen and warm for two days": not the knee's pain
    if _SOMEONE_ELSE_BEFORE.search(text[: entity.get("start", 0)].lower()):
        return None  # "her brother limped for months": not this runner's pain
    said_after = _clause_of(text, entity.get("end", len(text)), entity.get("end", len(text)))
    if _OTHER_BODY_PART.search(said_after) and not _KNEE_WORD.search(said_after):
        return None  # "since this morning I get a sharp stab in my chest"
    if requested in DURATION_SLOTS and not (_ANOTHER_DURATION_CLAUSE.search(clause)
                                            and requested != "pain_duration_weeks"):
        return requested
    start, end = entity.get("start", 0), entity.get("end", len(text))
    ago = text[end : end + 4].lower() == " ago"
    before = text[max(0, start - 40) : start].lower()
    started_ago = ago and _PAIN_START_BEFORE.search(before)
    # "started a week ago after I went from 40 to 60 km"; "(was 10 a month ago)"
    was_distance = ago and _WAS_DISTANCE.search(before)
    if _SINCE_THE_CHANGE_AFTER.match(text[end:].lower()):
        return "pain_duration_weeks"  # "sore for ten days since I upped it": since the change
    sentence_head = _SENTENCE_END.split(text[:start].lower())[-1]
    if (_FOR_BEFORE.search(before) and _PAIN_WORD.search(sentence_head)
            and not _VAGUE_COUNT.match(_words_of(entity, text))):
        return "pain_duration_weeks"  # "sore on the inside for about ten days now I went from"
    if (_INCREASE_CLAUSE.search(clause) and not started_ago) or was_distance:
        return "weeks_since_change"
    if _OVER_OR_IN_BEFORE.search(before) and (
        _INCREASE_CLAUSE.search(sentence_head) or _NOW_DISTANCE.search(sentence_head)
    ):
        return "weeks_since_change"  # "30 km a week last time, now 42, over one month"
    if requested in DISTANCE_SLOTS.values() and _OVER_BEFORE.search(before):
        return "weeks_since_change"  # "18 km, now 22 km, over a month or so": the change's time
    if answers.get("pain_duration_weeks") is not None or "pain_duration_weeks" in turn.updates:
        return None
    said = _words_of(entity, text)
    if _HISTORY_SINCE.search(before) or (requested == "onset" and _OVER_BEFORE.search(before)):
        return None  # "running since 10 years"; asked how it came on: "slowly, over a week"
    over_the_last = _OVER_THE_LAST.search(text[max(0, start - 20) : end].lower())
    if ago and _CAME_ON_BEFORE.search(before) and not _VAGUE_COUNT.match(said):
        return "pain_duration_weeks"  # "came on gradually about 8 days ago": when it began
    if _VAGUE_COUNT.match(said) or (_ONSET_CLAUSE.search(clause) and not over_the_last):
        return None  # "slowly over a few weeks" says how it came on, not how long ago
    if _PAIN_CLAUSE.search(clause) or not _RUNNING_HISTORY.search(clause):
        return "pain_duration_weeks"  # "left knee, inner side, six weeks now"
    return None


def _side_from(
    entities: Sequence[Mapping[str, Any]], text: str, known: Any = None
) -> str | None:
    """Both knees stay both ("both, but the right is worse"; "actually it's both, the left
    is just worse"; "left and right"), unless a later side corrects them ("both, sorry, I
    mean right"; "left, sorry, I mean right"). A correction naming the ``known`` side and
    the other one means the other ("sorry - left knee, I said right by mistake")."""
    sides = [e for e in entities if e.get("entity") == "side"]
    if not sides:
        return None
    lower = text.lower()
    said = [e for e in sides if not _NOT_BEFORE.search(lower[: e.get("start", 0)])
            and not _SIDE_AS_A_WORD_BEFORE.search(lower[: e.get("start", 0)])
            and not _COMPARED_WITH_BEFORE.search(lower[: e.get("start", 0)])]
    sides = said or sides  # "right knee, not left"; "a different shape from the right one"
    painful = [e for e in sides if not _FINE_SENTENCE.search(
        _sentence_of(lower, e.get("start", 0), e.get("end", 0)))]
    sides = painful or sides  # "The left knee. The right was operated on ... and it is fine."
    values = [e["value"] for e in sides]
    if "both" in values and len(set(values)) > 1:
        other = next(e for e in sides if e["value"] != "both")
        # the "both" nearest before the other side ("L+R actually, both, the right one's
        # just as bad": the "actually" takes back an earlier answer, not the both)
        both = next((e for e in reversed(sides) if e["value"] == "both"
                     and e.get("start", 0) < other.get("start", 0)),
                    next(e for e in sides if e["value"] == "both"))
        between = lower[both.get("end", 0) : other.get("start", 0)]
        return str(other["value"]) if _CORRECTION.search(between) else "both"
    if {"left", "right"} <= set(values):  # "left and right", unless one corrects the other
        marked = [e for e in sides if _ONLY_BEFORE.search(lower[: e.get("start", 0)])]
        if len({e["value"] for e in marked}) == 1 and _CORRECTION.search(lower):
            return str(marked[0]["value"])  # "wait no just left, the right hurt last year"
        last = sides[-1]
        corrected = _CORRECTION.search(text.lower()[: last.get("start", 0)])
        if corrected and known in ("left", "right"):
            return "left" if known == "right" else "right"
        return str(last["value"]) if corrected else "both"
    return str(values[-1])


def _words_of(entity: Mapping[str, Any], text: str) -> str:
    """The words ``entity`` was read from, lower case."""
    return text[entity.get("start", 0) : entity.get("end", len(text))].lower()


#: A moment in a run, which dates a start when said with how the pain came on.
_MOMENT_IN_A_RUN = re.compile(r"^(?:mid[- ]?run|in the middle of)")


def _dates_the_start(
    entity: Mapping[str, Any], entities: Sequence[Mapping[str, Any]], text: str
) -> bool:
    """ "suddenly, mid run" says when the pain began, not that runs set it off."""
    said = _words_of(entity, text)
    return bool(_MOMENT_IN_A_RUN.match(said)) and any(
        e.get("entity") == "onset" for e in entities)  # fmt: skip


def _inside_a_warning_sign(
    entity: Mapping[str, Any], entities: Sequence[Mapping[str, Any]]
) -> bool:
    """Whether ``entity`` lies within the words of a warning sign found in the message."""
    start, end = entity.get("start"), entity.get("end")
    if start is None or end is None:
        return False
    return any(
        e.get("entity") == "red_flag" and e.get("start") is not None
        and e["start"] <= start and end <= e.get("end", -1)
        for e in entities
    )  # fmt: skip


def _sentence_of(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` around the span."""
    return _piece_around(text, start, end, _SENTENCE_END)


def _old_mishap(entity: Mapping[str, Any], text: str) -> bool:
    """An injury, sudden start or duration in a sentence about an old, healed or unrelated
    mishap."""
    if entity.get("entity") not in ("injury", "onset", "duration") or entity.get("value") in (
        "none", "gradual"
    ):
        return False
    start = int(entity.get("start", 0))
    sentence = _sentence_of(text, start, int(entity.get("end", start)))
    return bool(_OLD_MISHAP.search(sentence))


def _event_guess_against_words(
    entity: Mapping[str, Any], entities: Sequence[Mapping[str, Any]], text: str
) -> bool:
    """A sudden onset read only from a named run ("since the long run") is a guess; the
    runner's own words for how it came on ("gradual", "slowly") in the message win."""
    said = _words_of(entity, text)
    if entity.get("value") != "sudden" or not _EVENT_ANCHOR.match(said):
        return False
    return any(e.get("entity") == "onset" and e.get("value") == "gradual" for e in entities)


def _trigger_of_the_pain(
    entity: Mapping[str, Any], entities: Sequence[Mapping[str, Any]], text: str
) -> bool:
    """Whether a trigger volunteered outside the trigger question says when the knee hurts:
    in a message that says something hurts, or as a bare list of triggers ("..., and during
    runs and going down stairs"), and not about another body part ("calves ache after
    runs"). Inside other words and without a pain word a trigger word is often about
    something else ("I limp after training", "up the stairs on my bottom", "a bike hit me
    while running"); asking is better than recording a guess."""
    if _about_another_body_part(text, entity):
        return False
    return (bool(_PAIN_WORD.search(text.lower())) or _only_triggers_said(entity, entities, text)
            or any(e.get("entity") in PAIN_SCORES for e in entities))  # "... up to an 8/10"


#: Where a list of triggers ends: a comma, a sentence end, "but".
_PIECE_CUT = re.compile(r"[,.;!?]|\bbut\b")
#: Words that may sit between triggers in a bare list of them.
_TRIGGER_LIST_FILLER = re.compile(
    r"\b(?:and|or|also|plus|btw|oh|mostly|mainly|especially|usually|sometimes|often|only|just"
    r"|both|the|going|when|whenever|i|i'm|im|on|in|at|after|during|while|it|its|it's|worst"
    r"|up|down|a|my|too|as well|by the way|for a (?:while|bit)|afterwards?)\b|[^\w\s]"
)


def _only_triggers_said(
    entity: Mapping[str, Any], entities: Sequence[Mapping[str, Any]], text: str
) -> bool:
    """Whether the piece of the message around ``entity`` says nothing but triggers."""
    start, end = entity.get("start"), entity.get("end")
    if start is None or end is None:
        return False
    lower = text.lower()
    cuts = [0, *(m.end() for m in _PIECE_CUT.finditer(lower)), len(lower)]
    begin = max(c for c in cuts if c <= start)
    finish = min(c for c in cuts if c >= end)
    piece = list(lower[begin:finish])
    spans = [(e["start"] - begin, e["end"] - begin) for e in entities
             if e.get("entity") == "pain_trigger" and begin <= e.get("start", -1)
             and e.get("end", len(lower) + 1) <= finish]  # fmt: skip
    for left, right in spans:
        piece[left:right] = " " * (right - left)
    return not _TRIGGER_LIST_FILLER.sub(" ", "".join(piece)).strip()


def _about_another_body_part(text: str, entity: Mapping[str, Any]) -> bool:
    """Whether the body part named last before ``entity`` in its sentence is not the knee
    ("pain in my right knee, and my calf is swollen and hurting since 2 days")."""
    said_before = _SENTENCE_START.split(text[: entity.get("end", len(text))].lower())[-1]
    parts = list(_BODY_PART.finditer(said_before))
    return bool(parts) and parts[-1].group("other") is not None


def _apply_cut_back_tried(
    entities: Sequence[Mapping[str, Any]], answers: Mapping[str, Any], turn: Turn
) -> None:
    """ "I halved my running ... and it's no better": running less is what was tried (so the
    load was reduced), and the outcome said with it is its outcome."""
    change = turn.updates.get("stated_change_pct")
    if not isinstance(change, float) or change >= 0:
        return
    if answers.get("load_reduced") is None:
        turn.updates.setdefault("load_reduced", True)
    tried = turn.updates.get("tried", answers.get("tried"))
    turn.updates["tried"] = _merge_list(tried, ["reduced_mileage"])
    outcome = next((e.get("value") for e in entities if e.get("entity") == "outcome"), None)
    if outcome and answers.get("tried_outcome") is None:
        turn.updates.setdefault("tried_outcome", str(outcome))


def _drop_denied_treatments(denied: set[str], answers: Mapping[str, Any], turn: Turn) -> None:
    """A treatment said as not tried leaves the list ("it was a brace, not ice" after "ice")."""
    tried = turn.updates.get("tried", answers.get("tried"))
    if denied and isinstance(tried, list) and denied & set(tried):
        turn.updates["tried"] = [t for t in tried if t not in denied]


def _apply_entities(
    entities: Sequence[Mapping[str, Any]],
    text: str,
    requested: str | None,
    answers: Mapping[str, Any],
    turn: Turn,
    unit_hint: str | None = None,
) -> None:
    lists: dict[str, list[str]] = {}
    denied: set[str] = set()  # treatments said as not tried
    for entity in entities:
        name: str | None = entity.get("entity")
        value: Any = entity.get("value")
        if not valid_entity(name, value):
            continue
        negated = bool(entity.get("negated"))
        said_before = text.lower()[: entity.get("start", 0)]
        if name == "symptom" and (_OTHER_PERSON_BEFORE.search(said_before)
                                  or _SOMEONE_ELSE_BEFORE.search(said_before)):
            continue  # "my friend limps after meets but not me": the friend's
        if name == "symptom" and value in ("swelling", "limp"):
            turn.updates[str(value)] = not negated
        if negated or _bare_number_for_another_question(entity, text, requested):
            continue
        said_not = _NOT_BEFORE.search(text.lower()[: entity.get("start", 0)])
        if said_not and name not in ("symptom", "red_flag", "treatment"):
            continue  # "the outer side, not the inner"
        if name == "outcome" and not _about_treatment(entities, requested, answers, text):
            continue  # "it's getting worse" is not what a treatment did
        if name == "injury" and value != "none" and _NEGATED_BEFORE.search(
            text.lower()[: entity.get("start", 0)]
        ):
            continue  # "I never fell or twisted it", "never after any twist though"
        if _parents_own_age(entity, text):
            continue  # "I'm writing for my son. He's 15 ... I'm 46": the son is 15
        if _old_mishap(entity, text):
            continue  # "broke my wrist two years ago, long healed": not how this began
        if name == "onset" and _event_guess_against_words(entity, entities, text):
            continue  # "came on slowly, since the long run": the words say how it came on
        if name == "location" and _MOVED_TOWARDS.search(text.lower()[: entity.get("start", 0)]):
            continue  # "the kneecap's moved round to the outside": where it went, not the pain
        if name == "treatment" and value == "physio" and _PHYSIO_PAPER_AFTER.match(
            text.lower()[entity.get("end", len(text)) :]
        ):
            continue  # "the exercises from my old physio sheet": exercises, not a physio visit
        if name == "injury" and _outranked_injury(str(value), turn.updates.get("injury")):
            continue  # "twisted it in a tackle": the twist; "fell ... and hit the knee": the fall
        if name in DIRECT_ANSWERS and name != "side":
            score = name in PAIN_SCORES
            slot = DIRECT_ANSWERS[str(name)]
            if slot == "pain_score" and requested == "checkin_pain_now":
                slot = requested  # asked how it is now, a score is that one
            turn.updates[slot] = int(float(value)) if score else value
        elif name == "treatment" and _NEGATED_BEFORE.search(
            _without_opening_no(text.lower()[: entity.get("start", 0)])
        ):
            denied.add(str(value))  # "I haven't cut back"; "a brace I tried, not ice"
        elif name == "pain_trigger" and value == "squatting" and (
            requested in TRIED_ANSWERS
            or _SQUATS_DONE_BEFORE.search(text.lower()[: entity.get("start", 0)])
        ):  # "mini squats" to what was tried; "I did mini squats from YouTube": done
            lists.setdefault("tried", []).append("exercises")
        elif name == "pain_trigger" and _dates_the_start(entity, entities, text):
            continue  # "it came on suddenly, mid run": when it began, not when it hurts
        elif name == "pain_trigger" and _inside_a_warning_sign(entity, entities):
            continue  # "I cannot take the air even sitting": the sign's words, not a trigger
        elif (name == "pain_trigger" and requested != "pain_triggers"
              and not _trigger_of_the_pain(entity, entities, text)):
            continue  # "out of breath even sitting down" says nothing about when it hurts
        elif name == "pain_trigger" and _SAID_FINE_AFTER.match(
            text[entity.get("end", len(text)) :].lower()
        ):
            continue  # "flats and climbs are fine": no trigger
        elif name in LIST_ANSWERS and name != "red_flag":
            lists.setdefault(LIST_ANSWERS[str(name)], []).append(str(value))
        elif name == "location":
            if value != "medial" or turn.updates.get("location") in (None, "medial"):
                turn.updates["location"] = value  # "around the kneecap, inner edge": kneecap
        elif name in DISTANCE_SLOTS or name == "distance":
            unit = _unit_of(entity, text)
            # A bare number was read as km: in a runner's own unit ("30" after "20 miles"),
            # and "from 20 to 28.5" with no unit said yet waits for one (never a guess).
            bare = unit is None and not _ANY_UNIT.search(text.lower())
            typed = entity.get("start") is not None  # not a button's payload (in km)
            if bare and typed and name in DISTANCE_SLOTS and not (turn.unit or unit_hint):
                turn.unitless = {**(turn.unitless or {}), DISTANCE_SLOTS[name]: float(value)}
                continue
            bare_miles = bare and (turn.unit or unit_hint) == "mi"
            factor = KM_PER_MILE if bare_miles or unit == "mi" else 1.0
            pair = _range_as_before_and_now(entity, text, requested, answers)
            if pair:  # "25 to 35 km" asked for before and now: 25 before, 35 now
                turn.updates.update({slot: n * factor for slot, n in pair.items()})
            else:
                km = _weekly_km(entity, text, float(value) * (KM_PER_MILE if bare_miles else 1))
                if _first_of_a_pair(entity, entities, requested):
                    name = "distance_before"  # "I made 30 km per week, now 40": 30 before
                _apply_distance(str(name), km, requested, answers, turn, text)
            turn.unit = unit or turn.unit
        elif name == "load_change":
            turn.updates["stated_change_pct"] = float(value)
        elif name == "duration":
            target = _duration_target(entity, text, requested, answers, turn)
            if target:
                turn.updates[target] = float(value)
        elif name == "age":
            turn.updates["age_band"] = age_band(value)
    valid = [e for e in entities if valid_entity(e.get("entity"), e.get("value"))]
    side = _side_from(valid, text, answers.get("side"))
    if side:
        turn.updates["side"] = side
    for slot, values in lists.items():
        turn.updates[slot] = _merge_list(answers.get(slot), values)
    _drop_denied_treatments(denied, answers, turn)
    _apply_cut_back_tried(entities, answers, turn)
    _apply_exercises_tried(entities, text, requested, answers, turn)
    for test in (e.get("value") for e in entities if e.get("entity") == "self_test"):
        if valid_entity("self_test", test):
            _apply_self_test(str(test), entities, turn)
    if "symptoms" in turn.updates and "limp" in turn.updates["symptoms"]:
        turn.updates["limp"] = True
    injury = turn.updates.get("injury")
    if injury in INJURY_EVENTS and answers.get("onset") is None:
        turn.updates.setdefault("onset", "sudden")


#: Words that make a named exercise something the runner has done ("bridges seem to help").
_DOING_CUE = re.compile(
    r"\b(?:doing|done|did|do|tried|trying|try|been|started|using|every (?:day|night|morning)"
    r"|each (?:day|night)|daily|nightly|helps?|helped|helping|help)\b"
)


def _apply_exercises_tried(
    entities: Sequence[Mapping[str, Any]],
    text: str,
    requested: str | None,
    answers: Mapping[str, Any],
    turn: Turn,
) -> None:
    """Exercises named as what was tried ("bridges and clamshells every night"): ``tried``
    gains "exercises"."""
    names = [str(e["value"]) for e in entities
             if e.get("entity") == "exercise" and not e.get("negated")]
    if not names or (requested != "tried" and not _DOING_CUE.search(text.lower())):
        return
    tried = turn.updates.get("tried", answers.get("tried"))
    turn.updates["tried"] = _merge_list(tried if isinstance(tried, list) else [], ["exercises"])


def _about_treatment(
    entities: Sequence[Mapping[str, Any]], requested: str | None, answers: Mapping[str, Any],
    text: str,
) -> bool:
    """An outcome ("it helped", "made it worse") is a treatment's only in that context."""
    if requested == "tried_outcome" or any(
        e.get("entity") in ("treatment", "exercise") or _squats_done(e, text) for e in entities
    ):
        return True  # "ice helped", "the bridges seem to help", "did squats, made it worse"
    return isinstance(answers.get("tried"), list) and bool(answers.get("tried"))


def _squats_done(entity: Mapping[str, Any], text: str) -> bool:
    """ "I did mini squats from YouTube": squats named as something done, not a trigger."""
    return (entity.get("entity") == "pain_trigger" and entity.get("value") == "squatting"
            and bool(_SQUATS_DONE_BEFORE.search(text.lower()[: entity.get("start", 0)])))


def _apply_red_flags(
    entities: Sequence[Mapping[str, Any]],
    answers: Mapping[str, Any],
    pending: Sequence[str],
    turn: Turn,
) -> None:
    """Certain warning signs are recorded at once; ambiguous ones wait for a yes/no."""
    known = _merge_list(turn.updates.get("red_flags", answers.get("red_flags")), [])
    queue = list(pending)
    added = False
    for entity in entities:
        flag = entity.get("value")
        if entity.get("entity") != "red_flag" or not valid_entity("red_flag", flag):
            continue
        if entity.get("certain", True) is False:
            if flag not in known and flag not in queue:
                queue.append(str(flag))
        elif flag not in known:
            known.append(str(flag))
            turn.new_flags.append(str(flag))
            added = True
    if added:
        turn.updates["red_flags"] = known
    queue = [flag for flag in queue if flag not in known]
    if queue != list(pending):
        turn.pending_flags = queue


def _confirm_red_flag(
    intent: str, answers: Mapping[str, Any], pending: Sequence[str], turn: Turn
) -> None:
    """The answer to "did you mean this warning sign?": yes or not sure records it."""
    if not pending or intent not in ("affirm", "deny", DONT_KNOW):
        return
    flag, rest = pending[0], list(pending[1:])
    if intent != "deny":
        flags = _merge_list(turn.updates.get("red_flags", answers.get("red_flags")), [flag])
        turn.updates["red_flags"] = flags
        turn.new_flags.append(flag)
    turn.pending_flags = [f for f in (turn.pending_flags or rest) if f != flag]


def _bare_number_for_another_question(
    entity: Mapping[str, Any], text: str, requested: str | None
) -> bool:
    """A lone "3" answering "over how many weeks?" is not a pain score, nor a lone "nine"
    answering a yes/no question (a slip for "none")."""
    if entity.get("entity") != "pain_score" or requested == "pain_score":
        return False
    said = _words_of(entity, text)
    out_of_ten = bool(_OUT_OF_TEN.search(said))
    if requested not in NUMBER_QUESTIONS:
        lone = text.strip(" .!?").lower() == said.strip()
        return requested is not None and lone and not out_of_ten
    before = text.lower()[: entity.get("start", 0)]
    if _SCORE_SAID.search(text.lower()) or _PAIN_BEFORE_NUMBER.search(before):
        return False  # "it's about a 4", "the pain is about 3": a score whatever was asked
    return not out_of_ten


def _range_as_before_and_now(
    entity: Mapping[str, Any], text: str, requested: str | None, answers: Mapping[str, Any]
) -> dict[str, float] | None:
    """A range said to the paired "how far before, and how far now?" question is the two
    distances in that order ("25 to 35 km", "20-30 miles"), not one distance in between."""
    if entity.get("entity") != "distance" or requested != "distance_before_km":
        return None
    if answers.get("distance_now_km") is not None or entity.get("start") is None:
        return None
    match = _RANGE.search(text[entity["start"] : entity.get("end", len(text))].lower())
    if match is None:
        return None
    return {"distance_before_km": float(match.group(1)), "distance_now_km": float(match.group(2))}


#: A parent typing for a child: "I'm writing for my son", "asking for my daughter".
_FOR_A_CHILD = re.compile(
    r"\b(?:writing|asking|messaging|typing|here|on behalf of|for) (?:for |on behalf of )?"
    r"(?:my|our) (?:son|daughter|kid|child|boy|girl|teenager|lad|lass)\b"
)
_FIRST_PERSON_AGE_BEFORE = re.compile(r"\b(?:i'?m|i am|me)(?: about| now)? $")


def _parents_own_age(entity: Mapping[str, Any], text: str) -> bool:
    """ "I'm 46" in a message a parent writes for a child: not the runner's age."""
    if entity.get("entity") != "age":
        return False
    lower = text.lower()
    before = lower[max(0, int(entity.get("start", 0)) - 12) : int(entity.get("start", 0))]
    return bool(_FOR_A_CHILD.search(lower) and _FIRST_PERSON_AGE_BEFORE.search(before))


#: Several ways of getting hurt in one message: the one the triage rules single out wins
#: (a pop with swelling, a twist with giving way; then a fall over a knock).
_INJURY_RANK = ("pop", "twist", "fall", "blow")


def _outranked_injury(value: str, said: Any) -> bool:
    """Whether an injury already read from this message outranks ``value``."""
    if value not in _INJURY_RANK or said not in _INJURY_RANK:
        return False
    return _INJURY_RANK.index(said) < _INJURY_RANK.index(value)


def _first_of_a_pair(
    entity: Mapping[str, Any], entities: Sequence[Mapping[str, Any]], requested: str | None
) -> bool:
    """A weekly distance said just before a "now" distance, in a message that names no
    "before" distance and was not asked for one distance only: the distance before."""
    if entity.get("entity") != "distance" or requested in DISTANCE_SLOTS.values():
        return False
    names = [e.get("entity") for e in entities]
    if "distance_before" in names or names.count("distance") != 1:
        return False
    start = entity.get("start", 0)
    return any(e.get("entity") == "distance_now" and e.get("start", 0) > start for e in entities)


def _apply_distance(
    name: str,
    km: float,
    requested: str | None,
    answers: Mapping[str, Any],
    turn: Turn,
    text: str,
) -> None:
    """A weekly distance: before or now as said, else the one asked, else the current one
    ("I'm at 40 km a week"; "it hurts after 5k" is not a weekly distance). Asked for both
    distances, "30 km, 42 km" is before, then now."""
    if name in DISTANCE_SLOTS:
        turn.updates[DISTANCE_SLOTS[name]] = km
    elif (requested == "distance_before_km" and "distance_before_km" in turn.updates
          and answers.get("distance_now_km") is None
          and "distance_now_km" not in turn.updates):  # fmt: skip
        turn.updates["distance_now_km"] = km
    elif requested is not None and requested in DISTANCE_SLOTS.values():
        turn.updates[requested] = km
    elif answers.get("distance_now_km") is None and _WEEKLY.search(text.lower()):
        turn.updates.setdefault("distance_now_km", km)


def _apply_unchanged_load(
    text: str, requested: str | None, answers: Mapping[str, Any], turn: Turn
) -> None:
    """ "a steady 25 miles, nothing changed": the same distance before and now; asked for
    both, "20 miles a week, same" too. ("40 now, was 30" is the extractor's: it gives both
    distances.)"""
    lower = text.lower()
    if (requested == "distance_before_km" and "distance_before_km" in turn.updates
            and "distance_now_km" not in turn.updates
            and answers.get("distance_now_km") is None
            and (_UNCHANGED_LOAD.search(lower) or _SAME.search(lower))):  # fmt: skip
        turn.updates["distance_now_km"] = turn.updates["distance_before_km"]
    if "distance_now_km" not in turn.updates or "distance_before_km" in turn.updates:
        return
    if _UNCHANGED_LOAD.search(lower) and answers.get("distance_before_km") is None:
        turn.updates["distance_before_km"] = turn.updates["distance_now_km"]


#: Asked for both weekly distances, two numbers and one unit said for both: "25 km, 30",
#: "12 miles, 18 a week", "20 a week, 24 miles".
_PER_WEEK_WORDS = r"(?: ?(?:a|per|/|each) ?(?:week|wk)\b| ?weekly| ?pw\b)"
_DISTANCE_PART = (
    rf"(?:(?:about|around|roughly|maybe|approx\.?|~) ?)?(\d+(?:\.\d+)?) ?"
    rf"({DISTANCE_UNIT})?(?![\w']){_PER_WEEK_WORDS}?"
)
_DISTANCE_PAIR_ANSWER = re.compile(
    rf"^{_DISTANCE_PART}[ .]*(?:,|;|/|->|\band\b|\bthen\b| )+(?:(?:now|then|and) )*"
    rf"{_DISTANCE_PART}(?: now)?[.!\s]*$"
)


def _apply_distance_answer_pair(
    text: str, requested: str | None, answers: Mapping[str, Any], unit: str | None, turn: Turn
) -> None:
    """Two numbers answering "how far before, and how far now?", in the unit said with either
    of them (or said earlier); without any unit they stay unread and the question is asked
    again."""
    if requested != "distance_before_km" or answers.get("distance_now_km") is not None:
        return
    match = _DISTANCE_PAIR_ANSWER.match(text.lower().strip())
    if match is None:
        return
    before, unit_before, now, unit_now = match.groups()
    said = unit_before or unit_now
    if said is None and unit is None:
        return
    for slot, number, own_unit in (("distance_before_km", before, unit_before),
                                   ("distance_now_km", now, unit_now)):  # fmt: skip
        miles = _is_miles(own_unit or said) if (own_unit or said) else unit == "mi"
        turn.updates[slot] = round(float(number) * (KM_PER_MILE if miles else 1.0), 3)
    if said:
        turn.unit = "mi" if _is_miles(said) else "km"


def _is_miles(unit: str) -> bool:
    return unit.startswith("m")


_BARE_WEEKLY = r"(?:(?:about|around|roughly|~) ?)?(\d+(?:\.\d+)?)(?: ?(?:a|per|/) ?(?:week|wk))?"
#: "25", "about 30 a week", "25, 35", "25 then 35 now": distances with no unit.
_BARE_DISTANCES = re.compile(
    rf"^{_BARE_WEEKLY}(?:[ ,;/]+(?:(?:and|then|now|to) )*{_BARE_WEEKLY}(?: now)?)?[.!\s]*$"
)
#: The unit alone, answering "kilometres or miles?": "miles", "in km", "kms a week".
_UNIT_ONLY = re.compile(
    rf"^(?:(?:in|it's|its|it was|that's|thats|those are|both|all|sorry|oh)[, ]+)*"
    rf"(?P<unit>{DISTANCE_UNIT})(?: ?(?:a|per|/) ?(?:week|wk))?[.!\s]*$"
)


def _note_unitless_distances(
    text: str, requested: str | None, answers: Mapping[str, Any], unit: str | None, turn: Turn
) -> None:
    """Keeps bare numbers answering a distance question, so the unit can be asked."""
    if unit or requested not in DISTANCE_SLOTS.values() or requested in turn.updates:
        return
    match = _BARE_DISTANCES.match(text.lower().strip())
    if match is None:
        return
    first, second = match.groups()
    pair = second is not None and requested == "distance_before_km" and (
        answers.get("distance_now_km") is None)  # fmt: skip
    if second is not None and not pair:
        return
    numbers = {str(requested): float(first)}
    if pair:
        numbers["distance_now_km"] = float(second)
    if all(0 < n <= NUMBER_RANGES["distance"][1] for n in numbers.values()):
        turn.unitless = numbers


def _keep_unitless(unitless: Mapping[str, float] | None, turn: Turn) -> None:
    """Distances still waiting for their unit stay kept until it is said or they are
    answered again."""
    if unitless and turn.unitless is None and not any(s in turn.updates for s in unitless):
        turn.unitless = dict(unitless)


def _apply_unit_of_unitless(
    text: str, unitless: Mapping[str, float] | None, turn: Turn
) -> None:
    """ "miles" after "25, 35": the distances kept without a unit get it."""
    match = _UNIT_ONLY.match(text.lower().strip()) if unitless else None
    if match is None or not unitless:
        return
    miles = _is_miles(match.group("unit"))
    for slot, number in unitless.items():
        turn.updates[slot] = round(number * (KM_PER_MILE if miles else 1.0), 3)
    turn.unit = "mi" if miles else "km"


def _drop_outcome_of_nothing(answers: Mapping[str, Any], turn: Turn) -> None:
    """Nothing tried has no outcome: "no, I did nothing for it" is not "it did nothing"."""
    if turn.updates.get("tried", answers.get("tried")) == [] and "tried_outcome" in turn.updates:
        del turn.updates["tried_outcome"]


def _apply_self_test(test: str, entities: Sequence[Mapping[str, Any]], turn: Turn) -> None:
    outcome = next((e.get("value") for e in entities if e.get("entity") == "outcome"), None)
    if outcome in SELF_TEST_RESULT:
        turn.updates[f"self_test_{test}"] = SELF_TEST_RESULT[str(outcome)]
        turn.updates.pop("tried_outcome", None)


def _apply_phrases(
    text: str, requested: str | None, answers: Mapping[str, Any], turn: Turn
) -> None:
    """Answers said in words anywhere in a message (asked or volunteered); one slip of the
    keyboard in a key word is forgiven ("mostly fine the nxet day"). A bare "35," is an age
    only when no other number was asked for ("25, 35" answers the distances)."""
    lower = " ".join(correct_typo(word) for word in text.lower().split())
    bare_age = _BARE_AGE.search(lower)
    another_number = requested in NUMBER_QUESTIONS and requested != "age_band"
    if (bare_age and not another_number and "age_band" not in turn.updates
            and answers.get("age_band") is None):  # fmt: skip
        turn.updates["age_band"] = age_band(bare_age.group("n"))
    settles = _SETTLES.search(lower) or _SETTLES_NEAR.search(lower)
    if "settles_by_next_day" not in turn.updates:
        if _LINGERS.search(lower):
            turn.updates["settles_by_next_day"] = False
        elif settles:  # "it does NOT settle by the next morning"
            turn.updates["settles_by_next_day"] = not _NOT_RIGHT_BEFORE.search(
                lower[: settles.start()]
            )
    if "limp" not in turn.updates and _LIMPING.search(lower) and not _ALWAYS_WALKED.search(lower):
        turn.updates["limp"] = True
    elif "limp" not in turn.updates and _NOT_LIMPING.search(lower):
        turn.updates["limp"] = False
    cut_back = _CUT_BACK.search(lower)
    if "load_reduced" not in turn.updates and cut_back:
        turn.updates["load_reduced"] = not _NEGATED_BEFORE.search(lower[: cut_back.start()])
    elif "load_reduced" not in turn.updates and _SAME_LOAD.search(lower):
        turn.updates["load_reduced"] = False
    if "tried" not in turn.updates and _NOTHING_TRIED_VOLUNTEERED.search(lower):
        turn.updates["tried"] = []


def _apply_intent(
    intent: str,
    text: str,
    requested: str | None,
    unit_hint: str | None,
    turn: Turn,
) -> None:
    """Reads a bare yes/no, "not sure" or number as the answer to the pending question."""
    if requested is None or requested in turn.updates or requested == RED_FLAG_CONFIRM:
        return
    lower = text.lower()
    leading_no = bool(_LEADING_NO.match(lower))
    if (requested in YES_NO_SLOTS and any(s in turn.updates for s in YES_NO_SLOTS - {requested})
            and not _ANSWER_THEN_MORE.match(lower)):
        return  # "I'm not limping" to "does it swell?": the "not" is about the limp
    if requested in YES_NO_SLOTS and leading_no and _NO_OF_ANOTHER_TOPIC.match(lower):
        return  # "no injury" (or "wala pong injury") to "does it swell?": no answer to it
    if requested in DISTANCE_SLOTS.values() and any(
        s in turn.updates for s in DISTANCE_SLOTS.values()
    ):
        return  # "ah no, 30k before" to "how far now?": the number is the other distance
    if intent == DONT_KNOW and requested != "consent":
        turn.updates[requested] = UNKNOWN
    elif requested in YES_NO_SLOTS and (leading_no or _LEADING_YES.match(lower)):
        turn.updates[requested] = not leading_no
    elif requested in YES_NO_SLOTS and intent in ("affirm", "deny"):
        turn.updates[requested] = intent == "affirm"
    elif _hedged_yes(requested, lower) or _checklist_answered(requested, lower, turn):
        turn.updates[requested] = True
    elif requested == "tried" and (intent == "deny" or leading_no or _NOTHING_TRIED.search(lower)):
        turn.updates["tried"] = []
    elif requested == "tried_outcome" and (said := _OUTCOME_WORDS.search(lower)):
        turn.updates[requested] = next(k for k, v in said.groupdict().items() if v)
    elif requested == "tried_outcome" and (
        intent == "deny" or leading_no or _SAYS_NONE.match(lower)
    ):
        turn.updates[requested] = "no_change"  # "did that help?" "nah, nothing"
    elif requested == "injury" and (intent == "deny" or leading_no):
        turn.updates["injury"] = "none"
    elif requested == "checkin_trend" and (trend := read_trend(lower)):
        turn.updates[requested] = trend
    elif requested == "checkin_exercises" and (frequency := read_frequency(lower)):
        turn.updates[requested] = frequency
    elif requested == "location" and (said := _OTHER_PLACE_WORDS.search(lower)):
        # the extractor needs context for these ("outside" may be outdoors); asked where
        # it hurts, a bare "outside" or "the back side, behind" is the place
        turn.updates[requested] = next(k for k, v in said.groupdict().items() if v)
    elif intent != "deny":
        _apply_bare_number(text, requested, unit_hint, turn)


#: "no, only the leg shape", "nothing else apart from what I said": a checklist answer that
#: points back to a sign said before.
_ONLY_WHAT_I_SAID = re.compile(
    r"^\W*(?:no|nope|nah|none|nothing)(?: else)?\b\W*"
    r"(?:only|except|apart from|other than|besides|but|just (?:what|that|this)\b)"
)


def _points_to_unread_sign(
    text: str,
    requested: str | None,
    answers: Mapping[str, Any],
    pending_flags: Sequence[str],
    turn: Turn,
) -> bool:
    """ "no, only the leg shape" to a safety checklist when no sign is on record: the runner
    means a sign the bot did not read, so the "no" is not "none" (asked again, then counted
    as a sign). With a sign on record the bot asked "apart from that", and it is "none"."""
    on_record = (answers.get("red_flags") or answers.get("symptoms") or pending_flags
                 or "red_flags" in turn.updates or "symptoms" in turn.updates
                 or turn.pending_flags)
    return (requested in CHECKLIST_SLOTS and not on_record
            and bool(_ONLY_WHAT_I_SAID.match(text.lower())))


def _hedged_yes(requested: str, lower: str) -> bool:
    """ "some, after long runs" or "a bit" to a yes/no question about a symptom is a yes."""
    return requested in YES_NO_SLOTS - {"consent"} and bool(_HEDGED_YES.match(lower))


def _checklist_answered(requested: str, text: str, turn: Turn) -> bool:
    """A safety checklist is answered by naming a sign, or by a reply that reads as "none"
    (a "no" guessed for words the bot could not read, like "cant bear weigt", is not)."""
    named = "red_flags" in turn.updates or "symptoms" in turn.updates or bool(turn.pending_flags)
    return requested in CHECKLIST_SLOTS and (_says_none(text) or named)


def _says_none(text: str) -> bool:
    """A checklist reply that reads as "none": a leading no, "none of those", or a slip of
    "none" ("nome")."""
    return bool(_LEADING_NO.match(text) or _SAYS_NONE.search(text)) or _slip_of_none(text)


#: A reply this short to a safety checklist may point at one of its items ("her foot").
POINTING_WORDS = 6
#: The level of the warning signs each safety checklist lists.
_CHECKLIST_LEVEL = {"emergency_check": "emergency", "urgent_check": "urgent"}


def _apply_pointed_item(text: str, requested: str | None, answers: Mapping[str, Any],
                        pending_flags: Sequence[str], turn: Turn) -> None:  # fmt: skip
    """A short reply to a safety checklist that points at an item ("her foot", "chest and
    breath", typos forgiven) asks that item's confirm question instead of recording an
    unnamed sign."""
    if requested not in CHECKLIST_SLOTS or "red_flags" in turn.updates or turn.pending_flags:
        return
    lower = text.lower()
    words = re.findall(r"[a-z]+", lower)
    if not words or len(words) > POINTING_WORDS or _says_none(lower):
        return
    known = set(answers.get("red_flags") or []) | set(pending_flags)
    pointed = [flag.id for flag in load_content().red_flags.values()
               if flag.level == _CHECKLIST_LEVEL[requested] and flag.id not in known
               and any(_points_to(word, flag.pointers) for word in words)]
    if pointed:
        turn.pending_flags = pointed


def _points_to(word: str, pointers: Sequence[str]) -> bool:
    """Whether a typed word is one of ``pointers``, one slip of the keyboard forgiven for
    words of four letters or more ("fpot", "chhest")."""
    return word in pointers or (len(word) >= 4 and any(
        len(p) >= 4 and _one_edit_apart(word, p) for p in pointers))


def _slip_of_none(text: str) -> bool:
    """A reply that is "none" or "nope" with one letter wrong, missing or extra ("nome",
    "npne", "nopw"): not a sign (an unreadable checklist answer otherwise counts as one)."""
    words = re.findall(r"[a-z]+", text.lower())
    short = len(words) <= 3 or (len(words) > 1 and words[1] == "of")  # "nome of those, ..."
    return (bool(words) and short and words[0] not in _REAL_WORDS_NEAR_NONE
            and any(_one_edit_apart(words[0], target) for target in ("none", "nope")))


#: Real words one letter from "none" or "nope": "one" (of them) is the opposite of none
#: ("nine" is not here: to a checklist it is a slip of "none").
_REAL_WORDS_NEAR_NONE = frozenset({
    "one", "note", "nose", "node", "done", "gone", "bone", "tone", "zone", "hone",
    "hope", "rope", "cope", "dope", "pope", "mope", "lope", "nape", "open", "noon", "neon",
})


def _one_edit_apart(word: str, target: str) -> bool:
    if abs(len(word) - len(target)) > 1 or word == target:
        return word == target
    if len(word) == len(target):
        return sum(a != b for a, b in zip(word, target, strict=True)) == 1
    short, long = sorted((word, target), key=len)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def _score_in(text: str) -> float | None:
    """The last number that counts nothing else ("after 5 km, and downhill more, 4"; "a 2hr
    lecture, 4"), else a number in words."""
    lower = (text or "").lower()
    said = [m.group(1) for m in _SCORE_NUMBER.finditer(lower)
            if not _NOT_BEFORE_NUMBER.search(lower[: m.start()])]  # "7, not 1": 7
    return float(said[-1]) if said else _number_in(re.sub(r"\d", " ", text or ""))


def _apply_bare_number(text: str, requested: str, unit_hint: str | None, turn: Turn) -> None:
    number = _score_in(text) if requested in PAIN_SCORES else _number_in(text)
    if number is None:
        return
    if requested in PAIN_SCORES and 0 <= number <= 10 and number == int(number):
        turn.updates[requested] = int(number)
    elif (requested == "age_band" and not _SCORE_SAID.search(text.lower())
          and not _ANY_UNIT.search(text.lower())):  # "I used to run about 15 km a week"
        band = age_band(number)
        if band:
            turn.updates["age_band"] = band
    elif requested == "weeks_since_change" and number <= NUMBER_RANGES["duration"][1]:
        turn.updates[requested] = number
    elif requested in DISTANCE_SLOTS.values() and unit_hint:
        turn.updates[requested] = number * KM_PER_MILE if unit_hint == "mi" else number


def _derive_distance_now(answers: Mapping[str, Any], turn: Turn) -> None:
    """ "I doubled it" with a known earlier distance gives the current distance."""
    merged = {**answers, **turn.updates}
    change, before = merged.get("stated_change_pct"), merged.get("distance_before_km")
    if not isinstance(before, (int, float)) or change is None:
        return
    if merged.get("distance_now_km") is None:
        turn.updates["distance_now_km"] = round(before * (1 + change / 100), 1)


def _apply_consent(intent: str, text: str, requested: str | None, turn: Turn) -> None:
    """A consent said with more in the same message ("yep let's start, I'm not limping")."""
    if requested != "consent" or intent == DONT_KNOW:
        return
    lower = text.lower().strip()
    if _CONSENT_NO.match(lower):
        turn.updates["consent"] = False
    elif intent == "affirm" or _CONSENT_YES.match(lower):
        turn.updates["consent"] = True
    elif intent == "deny" and not _HAS_MORE.search(lower):
        turn.updates["consent"] = False


def _consent_again(intent: str, answers: Mapping[str, Any], turn: Turn) -> bool:
    """After "no thanks", a yes starts the triage and anything else asks for consent again."""
    if answers.get("consent") is not False:
        return False
    turn.updates["consent"] = True if intent == "affirm" else None
    return True


def _apply_number_correction(
    text: str, answers: Mapping[str, Any], unit_hint: str | None, turn: Turn
) -> bool:
    """ "sorry, I meant 30 not 40": the known answer that was 40 becomes 30."""
    match = _NUMBER_CORRECTION.search(text.lower()) or _NUMBER_GUESSED.search(text.lower())
    if match is None:
        return False
    new, old = float(match.group("new")), float(match.group("old"))
    factor = KM_PER_MILE if unit_hint == "mi" else 1.0
    for slot in ("distance_now_km", "distance_before_km", "pain_score", "weeks_since_change",
                 "pain_duration_weeks"):  # fmt: skip
        value = answers.get(slot)
        scale = factor if slot.endswith("_km") else 1.0
        if isinstance(value, (int, float)) and abs(value - old * scale) < 0.05 * max(1.0, old):
            turn.updates[slot] = int(new) if slot == "pain_score" else new * scale
            return True
    return False


#: "25 before and 35 now", "before was 30, now is 42": weekly distances without a unit.
_NUM = r"(\d+(?:\.\d+)?)"
_FILLER = r"(?: (?:was|is|it was|it's|its|i'm|im|i was|about|around|at|more like)){0,2}"
_BEFORE_NUMBER = re.compile(
    rf"\b(?:before|previously|was|used to be){_FILLER} ?{_NUM}|{_NUM} (?:before|previously)\b"
)
_NOW_NUMBER = re.compile(rf"\b(?:now|currently){_FILLER} ?{_NUM}|{_NUM} now\b")


def _apply_distance_pair(
    text: str, requested: str | None, previous: str | None, unit_hint: str | None, turn: Turn
) -> None:
    """A unitless "25 before and 35 now" about the weekly distances, in the unit the runner
    used before."""
    if any(slot in turn.updates for slot in DISTANCE_SLOTS.values()):
        return
    if not unit_hint or not {requested, previous} & set(DISTANCE_SLOTS.values()):
        return  # without a unit said before, a bare number is not read as a distance
    lower = text.lower()
    before, now = _BEFORE_NUMBER.search(lower), _NOW_NUMBER.search(lower)
    if before is None or now is None or before.span() == now.span():
        return
    factor = KM_PER_MILE if unit_hint == "mi" else 1.0
    for slot, match in (("distance_before_km", before), ("distance_now_km", now)):
        number = next(group for group in match.groups() if group)
        turn.updates[slot] = round(float(number) * factor, 3)


#: The other weekly distance said without a unit: "20 km now, earlier 10", "before 20".
#: After a number: it counts something other than a distance ("4/10", "3 times", "2 weeks").
_NOT_A_DISTANCE_AFTER = r"(?!\d|\.\d| ?(?:/|%|out of|x\b|times|weeks?|days?|months?|years?))"
_EARLIER_NUMBER = re.compile(
    r"\b(?:before|previously|earlier|originally|at first|used to (?:be|do|run))"
    rf"(?: (?:it was|was|about|around|only|just|maybe))* ?(\d+(?:\.\d+)?){_NOT_A_DISTANCE_AFTER}"
    r"|(\d+(?:\.\d+)?) (?:before|previously|earlier)\b"
)
_LATER_NUMBER = re.compile(
    r"\b(?:now|currently|these days)(?: (?:it's|its|it is|i'm|im|about|around|up to|at))* ?"
    rf"(\d+(?:\.\d+)?){_NOT_A_DISTANCE_AFTER}|(\d+(?:\.\d+)?) now\b"
)


def _apply_other_distance(text: str, answers: Mapping[str, Any], turn: Turn) -> None:
    """ "now doing 20 km per week, earlier 10": the second weekly distance of a message,
    said without a unit right after the first was said with one, is in that unit."""
    said = [slot for slot in DISTANCE_SLOTS.values() if slot in turn.updates]
    if len(said) != 1 or turn.unit is None:
        return
    other = next(slot for slot in DISTANCE_SLOTS.values() if slot != said[0])
    if answers.get(other) is not None:
        return
    pattern = _EARLIER_NUMBER if other == "distance_before_km" else _LATER_NUMBER
    match = pattern.search(text.lower())
    if match is None:
        return
    km = float(next(g for g in match.groups() if g)) * (KM_PER_MILE if turn.unit == "mi" else 1)
    if abs(km - float(turn.updates[said[0]])) > 0.01:
        turn.updates[other] = round(km, 3)


def _keep_settled_facts(
    text: str, requested: str | None, answers: Mapping[str, Any], turn: Turn
) -> None:
    """A known answer changes only when the runner answers that question or corrects it;
    a passing mention elsewhere ("it settles overnight") never overwrites it."""
    if _CORRECTION.search(text.lower()):
        return
    for slot in SETTLED_FACTS:
        known = answers.get(slot)
        changed = slot in turn.updates and turn.updates[slot] != known
        if changed and slot != requested and known not in (None, UNKNOWN):
            del turn.updates[slot]


def _apply_correction_of_previous(
    intent: str,
    entities: Sequence[Mapping[str, Any]],
    text: str,
    requested: str | None,
    previous: str | None,
    answers: Mapping[str, Any],
    turn: Turn,
) -> None:
    """ "Sorry, 67. I wish I were 27." corrects the answer just given, not the question now
    asked: the message is read once more as an answer to the previous question."""
    if not previous or previous == requested or requested in turn.updates:
        return
    if not _CORRECTION.search(text.lower()) or previous not in SETTLED_FACTS:
        return
    if previous in turn.updates and _NUMBER_GUESSED.search(text.lower()):
        return  # "it's 3, I'd guessed 8": already corrected to 3, not read again as 8
    without = {key: value for key, value in answers.items() if key != previous}
    again = Turn()
    _apply_entities(entities, text, previous, without, again)
    # "no wait, more like 7": the "no" rejects the earlier answer, it does not answer this
    _apply_intent("inform" if intent == "deny" else intent, text, previous, turn.unit, again)
    if previous in again.updates:
        turn.updates[previous] = again.updates[previous]


def give_up(
    requested: str | None,
    text: str,
    answers: Mapping[str, Any],
    pending_flags: Sequence[str],
    turn: Turn,
) -> None:
    """After the last misunderstood attempt: never ask a third time, move on.

    The answer becomes ``unknown`` and the runner's own words are kept for the clinician
    (slot ``unclear_answers``); an unclear reply about a warning sign, or an unclear reply
    (not a question back) to a safety checklist, counts as yes (under-triage is the
    hazardous error); an unclear reply to the consent is a no.
    """
    turn.unitless = None  # numbers still without a unit are given up with the question
    if requested == RED_FLAG_CONFIRM:
        _confirm_red_flag("affirm", answers, pending_flags, turn)
    elif requested in CHECKLIST_SLOTS and (
        _LEADING_YES.match(text.lower()) or not text.strip().endswith("?")
    ):
        # A safety checklist answered twice with words the bot cannot read ("cannt put
        # wight on it", "yes i cnat do tht"): a sign may apply, so it counts (a question
        # back, "what do you mean?", does not).
        _record_unspecified_flag(requested, answers, turn)
    elif requested == "consent":
        turn.updates["consent"] = False
    elif requested:
        unclear = dict(answers.get("unclear_answers") or {})
        unclear[requested] = text[:UNCLEAR_TEXT_MAX]
        turn.updates.update({requested: UNKNOWN, "unclear_answers": unclear})
    turn.understood = True


def _slots_named(entities: Sequence[Mapping[str, Any]]) -> set[str]:
    """The answer slots a message's entities could fill, whatever was asked."""
    by_entity: dict[str, tuple[str, ...]] = {
        **{name: (slot,) for name, slot in DIRECT_ANSWERS.items()},
        **dict.fromkeys(("distance", *DISTANCE_SLOTS), tuple(DISTANCE_SLOTS.values())),
        "duration": DURATION_SLOTS, "location": ("location",), "age": ("age_band",),
    }
    return {slot for e in entities for slot in by_entity.get(str(e.get("entity")), ())}


def _corrects_previous(
    entities: Sequence[Mapping[str, Any]], text: str, requested: str | None,
    previous: str | None,
) -> bool:
    """ "no wait, more like 7" corrects the last answer: its "no" answers nothing asked now
    (but "sorry, yes it does" is an apology, then the answer)."""
    lower = text.lower()
    cue = _LEADING_CORRECTION.match(lower) or _NO_THEN_TAKEBACK.match(lower)
    if not (cue and previous and previous != requested):
        return False
    named = _slots_named(entities)
    clear = (cue.group("no") or _STRONG_TAKEBACK.search(lower[:40])
             or (previous in named and requested not in named))
    if not clear:
        return False  # "sorry, 42", "sorry, 5": an apology, then the answer
    rest = lower[cue.end():].lstrip(" ,.!-")
    return not (_LEADING_YES.match(rest) or _LEADING_NO.match(rest))


def _renumbers_previous(text: str, requested: str | None, previous: str | None) -> bool:
    """ "no, 2 - I was thinking of my hangover" after "9" to the pain score: a number cannot
    answer the yes/no question asked now, so it replaces the number just given. Asked for
    another number, only an apology right after the number says so ("45 sorry")."""
    numbers = NUMBER_QUESTIONS | PAIN_SCORES
    if previous not in numbers:
        return False
    pattern = _APOLOGISED_NUMBER if requested in numbers else _RENUMBER
    return bool(pattern.match(text.lower()))


def _apply_renumbered(
    entities: Sequence[Mapping[str, Any]],
    text: str,
    previous: str,
    answers: Mapping[str, Any],
    unit: str | None,
    turn: Turn,
) -> None:
    """The previous number answer, read again from a message that corrects it."""
    again = Turn()
    without = {key: value for key, value in answers.items() if key != previous}
    _apply_entities(entities, text, previous, without, again, unit)
    if previous not in again.updates:
        _apply_bare_number(text, previous, unit, again)
    if previous in again.updates:
        turn.updates[previous] = again.updates[previous]


def _record_unspecified_flag(requested: str, answers: Mapping[str, Any], turn: Turn) -> None:
    """A "yes" to a safety checklist without the sign: the checklist's unspecified flag."""
    flag = UNSPECIFIED_FLAG[requested]
    turn.updates["red_flags"] = _merge_list(answers.get("red_flags"), [flag])
    turn.updates[requested] = True
    turn.new_flags.append(flag)


def interpret_turn(
    intent: str | None,
    entities: Sequence[Mapping[str, Any]],
    text: str,
    requested: str | None,
    answers: Mapping[str, Any],
    unit_hint: str | None = None,
    pending_flags: Sequence[str] = (),
    previous: str | None = None,
    unitless: Mapping[str, float] | None = None,
) -> Turn:
    """Interprets one user message in the light of the pending question.

    Every message is read for every answer (not only the requested one) and for warning
    signs; values outside their vocabulary or range are ignored.

    Args:
        intent: the (guarded) NLU intent name.
        entities: NLU entities with normalised values (docs/nlu_schema.md), including the
            red-flag scanner's ``red_flag`` entities with ``certain``.
        text: the raw message (used for bare numbers, units and clause cues).
        requested: the answer slot the bot is waiting for, or None.
        answers: the answers so far.
        unit_hint: "mi" or "km" if the runner used a unit before.
        pending_flags: ambiguous warning signs waiting for confirmation, first is asked.
        previous: the question answered just before; a correction ("sorry, 6 weeks, not
            days") answers it again.
        unitless: weekly distances the last message gave as bare numbers (slot -> number):
            a unit now ("miles") completes them.

    Returns:
        The updates this message makes and whether it answered the pending question.
    """
    turn = Turn()
    if intent in NON_ANSWER_INTENTS:
        return turn
    intent = intent or ""
    if not _consent_again(intent, answers, turn):
        _apply_consent(intent, text, requested, turn)
    if requested == RED_FLAG_CONFIRM:
        _confirm_red_flag(intent, answers, pending_flags, turn)
    still_pending = pending_flags if turn.pending_flags is None else turn.pending_flags
    _apply_red_flags(entities, answers, still_pending, turn)
    renumbering = _renumbers_previous(text, requested, previous)
    correcting = renumbering or _corrects_previous(entities, text, requested, previous)
    # "sorry, more like 4 weeks": a correction answers the previous question again
    _apply_entities(entities, text, previous if correcting else requested, answers, turn,
                    unit_hint)
    corrected = _apply_number_correction(text, answers, unit_hint, turn)
    _apply_distance_pair(text, requested, previous, unit_hint or turn.unit, turn)
    _apply_distance_answer_pair(text, requested, answers, unit_hint or turn.unit, turn)
    _apply_unit_of_unitless(text, unitless, turn)
    _apply_unchanged_load(text, requested, answers, turn)
    _apply_phrases(text, requested, answers, turn)
    _apply_pointed_item(text, requested, answers, pending_flags, turn)
    if (requested in CHECKLIST_SLOTS and requested not in turn.updates
            and intent == DONT_KNOW and _LEADING_YES.match(text.lower())):
        # "yes, one of them, but I'd rather not say which": a yes, however private
        _record_unspecified_flag(requested, answers, turn)
    if not corrected and not correcting and not _points_to_unread_sign(
            text, requested, answers, pending_flags, turn):
        _apply_intent(intent, text, requested, unit_hint or turn.unit, turn)
    _apply_other_distance(text, answers, turn)
    _derive_distance_now(answers, turn)
    _drop_outcome_of_nothing(answers, turn)
    _keep_settled_facts(text, requested, answers, turn)
    _apply_correction_of_previous(intent, entities, text, requested, previous, answers, turn)
    if renumbering and previous:
        _apply_renumbered(entities, text, previous, answers, unit_hint or turn.unit, turn)
    _note_unitless_distances(text, requested, answers, unit_hint or turn.unit, turn)
    _keep_unitless(unitless, turn)
    _apply_second_part(entities, text, requested, answers, unit_hint or turn.unit, turn)
    answered = requested is None or requested in turn.updates
    if requested == RED_FLAG_CONFIRM:
        answered = turn.pending_flags is not None
    turn.understood = answered or intent in SOCIAL_INTENTS
    return turn


_HOW_IT_CAME_ON = re.compile(r"(?:\w+ ){0,3}over (?!the (?:last|past)\b)")
#: Where the answer to the first part of a two-part question ends ("left, joint line").
_PART_BREAK = re.compile(r"\s*(?:[,;]|\.\s|\s(?:and|then|but)\s)\s*")


def _apply_second_part(
    entities: Sequence[Mapping[str, Any]],
    text: str,
    requested: str | None,
    answers: Mapping[str, Any],
    unit: str | None,
    turn: Turn,
) -> None:
    """The rest of an answer to a two-part question, read as the answer to its second part
    ("right, outside": "outside" answers where it hurts; "after runs, 4" the pain score)."""
    question = question_for(requested)
    companion = question.together.slot if question and question.together else None
    if companion is None or companion in turn.updates or answers.get(companion) is not None:
        return
    if requested not in turn.updates and turn.updates:
        return  # about another fact ("yes I am limping" to "what have you tried?")
    split = _PART_BREAK.search(text)
    if split is None or split.end() >= len(text):
        return
    offset = split.end()
    if companion in DURATION_SLOTS and _HOW_IT_CAME_ON.match(text[offset:].lower()):
        return  # "slowly, over maybe a week": how it came on, not how long it has hurt
    rest = [
        {**e, "start": e["start"] - offset, "end": e["end"] - offset}
        for e in entities
        if e.get("start") is not None and e["start"] >= offset and e.get("end") is not None
    ]
    known = {**answers, **turn.updates}
    second = interpret_turn("inform", rest, text[offset:], companion, known, unit_hint=unit)
    if companion in second.updates:
        turn.updates[companion] = second.updates[companion]
        turn.unit = turn.unit or second.unit
