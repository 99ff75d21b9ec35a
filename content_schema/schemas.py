"""The shape of every content file in ``data/``: one frozen dataclass per file, nested ones
for its parts (read by :func:`content_schema.checker.parse`).

These say which keys exist and what type each value has. What is not a shape — the
condition language, ``{placeholders}``, unique ids, references between files — is checked
by the loaders (:mod:`actions.content`, :mod:`actions.questions`, the red-flag scanner).
The video reference file is described in :mod:`content_schema.video_reference`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

from .checker import content_field
from .video_reference import VideoReferenceFile
from .vocabulary import AgeBand, Contributor, ExerciseContributor, Level, RedFlagLevel

# --------------------------------------------------------------------------- choices

Irritability = Literal["low", "moderate", "high"]
LoadLevel = Literal["none", "low", "moderate", "heavy"]
ImpactLevel = Literal["none", "low", "moderate", "high"]

IRRITABILITY_LEVELS: tuple[str, ...] = get_args(Irritability)

#: A condition tree of the rule language (docs/triage.md); its grammar is checked by
#: :func:`actions.content.validate_condition`, not here.
Condition = Mapping[str, Any]
Texts = tuple[str, ...]

# --------------------------------------------------------------------------- red_flags.yml


@dataclass(frozen=True)
class RedFlag:
    """One red flag the runner can tick or that symptoms map to.

    Attributes:
        id: Stable identifier (also used in answers["red_flags"]).
        level: ``urgent`` or ``emergency``.
        label: Short checklist wording for a button.
        reason: Why this matters, plain language.
        what_to_do: What to do now.
        source: Where the rule comes from.
        confirm_question: One yes/no question asked when the red-flag scanner's hit is
            uncertain ("yes" means the sign is there).
        pointers: Words that, in a short reply to a safety checklist, point at this item
            ("her foot"): its confirm question is asked.
    """

    id: str
    level: RedFlagLevel
    label: str
    reason: str
    what_to_do: str
    source: str
    confirm_question: str
    pointers: Texts = ()


@dataclass(frozen=True)
class RedFlagsFile:
    """``data/red_flags.yml``."""

    red_flags: tuple[RedFlag, ...]


# --------------------------------------------------------------------------- triage_rules.yml


@dataclass(frozen=True)
class Rule:
    """A computed triage rule: if ``when`` holds for the facts, raise to ``level``."""

    id: str
    level: Level
    when: Condition
    reason: str
    source: str
    rationale: str | None = None


@dataclass(frozen=True)
class SymptomMapping:
    """Maps NLU symptom values (plus context) to one red-flag id."""

    red_flag: str
    when: Condition
    source: str


@dataclass(frozen=True)
class AgeBandLimits:
    """Ages (years) where the age bands change."""

    under_18_below: float
    from_55_plus: float = content_field(key="55_plus_from")


@dataclass(frozen=True)
class TriageRules:
    """``data/triage_rules.yml``: everything the triage engine interprets."""

    levels: tuple[str, ...]
    rules: tuple[Rule, ...]
    symptom_map: tuple[SymptomMapping, ...]
    age_band_limits: AgeBandLimits


# --------------------------------------------------------------------------- exercises.yml


@dataclass(frozen=True)
class Fit:
    """A runner fact that makes an exercise a particularly good choice."""

    when: Condition
    bonus: float
    because: str | None = None


@dataclass(frozen=True)
class Exercise:
    """One exercise from the library (``data/exercises.yml``).

    Attributes:
        id: Stable id (NLU ``exercise`` entity value); never shown to the runner.
        name: Display name — the only name the runner sees.
        contributor: Which possible contributor it addresses.
        how_to: Step-by-step instructions in the project's own words.
        dosage: Full dose: sets, reps and frequency.
        progression: How to make it harder when it is easy.
        cue: One short coaching cue.
        source: Where the exercise and its dosage come from.
        aliases: Names a runner might type.
        gentle: Safe to do while waiting for a clinician assessment.
        start_dosage: Gentler first dose (irritable knee, 55 and over, waiting to be seen).
        benefit: What it does for the knee (second half of "why this one for you").
        age_bands: Age bands it suits.
        irritability: Irritability levels it suits.
        load: External load at the full dose (none/low/moderate/heavy).
        impact: Landing impact (none/low/moderate/high).
        during_runs: Practised while running (left out while running is paused).
        suitability_source: Where the suitability and fit choices come from.
        avoid_when: Condition under which it is left out (None: never).
        fits: Runner facts that make it a particularly good choice.
    """

    id: str
    name: str
    contributor: ExerciseContributor
    how_to: str
    dosage: str
    progression: str
    cue: str
    source: str
    aliases: tuple[str, ...]
    gentle: bool
    start_dosage: str
    benefit: str
    load: LoadLevel
    impact: ImpactLevel
    during_runs: bool
    suitability_source: str
    age_bands: tuple[AgeBand, ...] = content_field(non_empty=True)
    irritability: tuple[Irritability, ...] = content_field(non_empty=True)
    avoid_when: Condition | None = None
    fits: tuple[Fit, ...] = ()


@dataclass(frozen=True)
class ExercisesFile:
    """``data/exercises.yml``."""

    exercises: tuple[Exercise, ...]


# --------------------------------------------------------------------------- guidance.yml


@dataclass(frozen=True)
class SelfTest:
    """A self-test the runner can try to see which contributor matters most."""

    id: str
    name: str
    how: str
    source: str
    what_it_means_if_better: str = content_field(key="if_better")
    what_it_means_if_not: str = content_field(key="if_not")


@dataclass(frozen=True)
class ContributorEntry:
    """How a contributor is named and which of its exercises come first."""

    label: str
    exercise_order: tuple[str, ...]


@dataclass(frozen=True)
class PerContributor:
    """One entry per contributor (``guidance.yml: contributors``)."""

    training_load: ContributorEntry
    hip_core: ContributorEntry
    foot_ankle: ContributorEntry
    quads: ContributorEntry
    form: ContributorEntry


@dataclass(frozen=True)
class ContributorClauses:
    """One clause per contributor (``guidance.yml: video_because``)."""

    training_load: str
    hip_core: str
    foot_ankle: str
    quads: str
    form: str


@dataclass(frozen=True)
class LevelTexts:
    """One text per triage level."""

    self_care: str
    clinician: str
    urgent: str
    emergency: str


@dataclass(frozen=True)
class LevelCard:
    """A level's short name and one-line advice, for cards and printed summaries."""

    label: str
    advice: str


@dataclass(frozen=True)
class LevelCards:
    """One card per triage level."""

    self_care: LevelCard
    clinician: LevelCard
    urgent: LevelCard
    emergency: LevelCard


@dataclass(frozen=True)
class ContributorRule:
    """Scores a contributor when ``when`` holds, with the words that explain why."""

    contributor: Contributor
    when: Condition
    score: float
    why: str
    source: str
    because: str | None = None


@dataclass(frozen=True)
class ContributorAdjustment:
    """Adds ``points`` to a contributor's score when ``when`` holds."""

    contributor: Contributor
    when: Condition
    points: float
    source: str


@dataclass(frozen=True)
class IrritabilityRule:
    """Adds ``points`` to the irritability score when ``when`` holds."""

    when: Condition
    points: float
    because: str
    source: str


@dataclass(frozen=True)
class IrritabilityThresholds:
    """Scores from which the knee counts as moderately or highly irritable."""

    high: float
    moderate: float


@dataclass(frozen=True)
class IrritabilityScoring:
    """``guidance.yml: irritability``."""

    rules: tuple[IrritabilityRule, ...]
    thresholds: IrritabilityThresholds


@dataclass(frozen=True)
class ExercisesByIrritability:
    """Most exercises in a plan, per irritability level."""

    low: int
    moderate: int
    high: int


@dataclass(frozen=True)
class PlanLimits:
    """How many exercises a plan holds and how they are ranked."""

    max_exercises: float
    clinician_max_exercises: float
    max_exercises_by_irritability: ExercisesByIrritability
    order_step: float
    helped_bonus: float
    worse_family_penalty: float
    no_change_family_penalty: float
    exercises_per_rank: tuple[int, ...] = content_field(non_empty=True)
    clinician_exercises_per_rank: tuple[int, ...] = content_field(non_empty=True)


@dataclass(frozen=True)
class DoseTexts:
    """How a dose is worded, per dose tier (placeholders: the exercise's dosages)."""

    start: str
    standard: str
    progress: str


@dataclass(frozen=True)
class DoseReasons:
    """Why a plan starts gently or progresses (one clause each)."""

    clinician: str
    progress: str


@dataclass(frozen=True)
class StartDoseRule:
    """Starts the exercises at the gentler dose when ``when`` holds."""

    when: Condition
    reason: str
    source: str


@dataclass(frozen=True)
class Referral:
    """Where the runner is sent, per situation."""

    with_clinic: str
    general: str
    emergency: str
    urgent: str
    clinician: str
    other_location: str


@dataclass(frozen=True)
class ClinicFormat:
    """How each field of the clinic's contact is shown."""

    name: str
    phone: str
    url: str
    email: str


@dataclass(frozen=True)
class PlanTexts:
    """The fixed wording of a plan."""

    contributors_intro: str
    exercises_intro: str
    clinician_exercises_intro: str
    exercises_wait: str
    clinician_no_exercises: str
    self_tests_intro: str
    avoid_intro: str
    detail_button: str
    exercise_line: str
    helped_note: str
    worse_note: str
    not_medial_note: str
    load_heading: str
    detail_dosage: str
    detail_doses: str
    detail_progression: str
    detail_cue: str


@dataclass(frozen=True)
class LoadAdvice:
    """The running-load advice, per situation."""

    spike: str
    spike_stated: str
    steady: str
    unknown: str
    already_reduced: str
    over_weeks: str
    pain_rule: str
    pain_rule_source: str
    clinician: str
    stop: str
    limp: str
    clinician_pause: str
    return_with_distance: str
    return_without_distance: str
    checkin_better: str


@dataclass(frozen=True)
class AvoidTexts:
    """What to avoid for now, per situation."""

    always: Texts
    stop: Texts
    paused: Texts
    limp: str
    worse_family: str
    band_aids: str
    band_aid_treatments: Texts


@dataclass(frozen=True)
class GuidanceFile:
    """``data/guidance.yml``: contributors, plan rules and the texts of a plan."""

    contributors: PerContributor
    contributor_rules: tuple[ContributorRule, ...]
    contributor_adjustments: tuple[ContributorAdjustment, ...]
    video_severity_scores: dict[str, float]
    video_why: str
    video_because: ContributorClauses
    irritability: IrritabilityScoring
    plan_limits: PlanLimits
    default_age_band: AgeBand
    family_keywords: dict[Contributor, Texts]
    default_worse_family: Contributor
    location_words: dict[str, str]
    trigger_words: dict[str, str]
    dose_texts: DoseTexts
    why_sentence: str
    why_fallback_lead: str
    start_dose_rules: tuple[StartDoseRule, ...]
    progress_when: Condition
    dose_reasons: DoseReasons
    self_tests: tuple[SelfTest, ...]
    level_messages: LevelTexts
    level_cards: LevelCards
    referral: Referral
    clinic_format: ClinicFormat
    plan_texts: PlanTexts
    load_advice: LoadAdvice
    avoid: AvoidTexts
    come_back: LevelTexts


# --------------------------------------------------------------------------- questions.yml


@dataclass(frozen=True)
class Companion:
    """A later question asked together with an earlier one while it is still open."""

    slot: str
    ask: str


@dataclass(frozen=True)
class Question:
    """One triage question as configured in ``data/questions.yml``."""

    slot: str
    ask: str
    example: str
    why: str
    source: str
    buttons: tuple[dict[str, str], ...] = ()
    ask_if: str | None = None
    always_buttons: bool = False
    ask_again: str | None = None
    ask_after_sign: str | None = None
    together: Companion | None = None


@dataclass(frozen=True)
class QuestionsFile:
    """``data/questions.yml``: the triage questions in asking order."""

    version: int
    consent_version: str
    questions: tuple[Question, ...]


# --------------------------------------------------------------------------- messages.yml

#: One text, or several wordings of it (the bot avoids repeating its last message).
Wordings = tuple[str, ...]


@dataclass(frozen=True)
class OtherLocationTexts:
    """Replies for pain outside the inner knee."""

    outer: str
    back: str
    also_inner: str


@dataclass(frozen=True)
class Confirmation:
    """Asking before a destructive request is carried out."""

    ask: str
    yes_button: str


@dataclass(frozen=True)
class Confirmations:
    """``messages.yml: confirm``."""

    delete_data: Confirmation
    stop: Confirmation
    start_over: Confirmation
    no_button: str
    cancelled: str


@dataclass(frozen=True)
class HandoffTexts:
    """Handing the conversation to a person."""

    with_clinic: Wordings
    without_clinic: Wordings
    to_person: str
    open_now: str
    opens_later: str
    hours_unknown: str
    safety: str
    not_passed: str
    hours_line: str
    pdf_hint: str
    offer: str
    offer_button: str
    call_now: str


@dataclass(frozen=True)
class FollowupTexts:
    """Replies when the runner comes back."""

    nothing_new: Wordings
    level_raised: str
    plan_updated: str
    not_started: Wordings


@dataclass(frozen=True)
class VideoTexts:
    """The video flow: upload, analysis and findings."""

    upload_ready: str
    upload_in_app: str
    accepted: str
    after_consent: str
    not_yours: str
    rejected: str
    failed: str
    worker_lost: str
    unusable: str
    retake: str
    findings_intro: str
    note: str
    measure_answer: str
    measure_not_made: str
    no_measures: str
    no_video_yet: str
    measures_intro: str
    measure_line: str
    measure_usual: str
    no_findings: str
    limits: str
    ask_what: str
    still_working: str
    busy: str
    analysis_limit: str
    compare_intro: str
    compare_picture: str
    compare_not: str


@dataclass(frozen=True)
class DistanceUnitTexts:
    """Asking the unit of weekly distances given as bare numbers ("25, 35")."""

    ask: str
    km: str
    miles: str


@dataclass(frozen=True)
class NotUnderstoodTexts:
    """Replies to a message the bot did not understand."""

    before_triage: Wordings
    after_triage: Wordings


@dataclass(frozen=True)
class Replies:
    """Replies to small talk, per intent."""

    thank: Wordings
    goodbye: Wordings
    chitchat: Wordings
    out_of_scope: Wordings
    greet: Wordings


@dataclass(frozen=True)
class CheckinReminderTexts:
    """The check-in reminder and the chat around it.

    ``message`` is what the worker sends (``{days}``: days since it was set); the others are
    the offer after an outcome and the replies to it (``{date}``: the day it is due).
    """

    message: str
    offer: str
    yes_button: str
    no_button: str
    scheduled_pushed: str
    scheduled_next_visit: str
    declined: str
    stopped: str
    nothing_to_stop: str


@dataclass(frozen=True)
class MessagesFile:
    """``data/messages.yml``: the conversation's own texts."""

    version: int
    no_consent: str
    other_location: OtherLocationTexts
    stop: str
    start_over: str
    confirm: Confirmations
    delete_data: str
    handoff: HandoffTexts
    why_general: str
    filming: str
    video_offer: str
    followup: FollowupTexts
    exercise_unknown: str
    exercise_unknown_no_plan: str
    video: VideoTexts
    action_failed: str
    distance_unit: DistanceUnitTexts
    not_understood: NotUnderstoodTexts
    replies: Replies
    checkin_reminder: CheckinReminderTexts


# --------------------------------------------------------------------------- channels.yml


@dataclass(frozen=True)
class CannotReadTexts:
    """What the bot says about a message it cannot read, by kind."""

    photo: str
    voice: str
    other: str


@dataclass(frozen=True)
class ChoiceTexts:
    """The app's own words around choices that do not fit its buttons."""

    prompt: str
    list_button: str
    number_hint: str


@dataclass(frozen=True)
class HandoverTexts:
    """What the runner reads while, and after, a person at the clinic has the chat."""

    clinician_reply: str
    clinician_reply_unnamed: str
    attachment_line: str
    resumed: str


@dataclass(frozen=True)
class UploadLimitTexts:
    """A video refused because its upload link or its conversation has no upload left
    (``UPLOAD_TOKEN_MAX_USES``, ``CONVERSATION_MAX_UPLOADS``)."""

    token_used_up: str
    conversation_limit: str


@dataclass(frozen=True)
class ChannelsFile:
    """``data/channels.yml``: what the assistant says about a messaging app itself, and what
    every chat channel says about a message it cannot pass on."""

    version: int
    group_refused: str
    cannot_read: CannotReadTexts
    video_too_big: str
    video_fetch_failed: str
    video_not_video: str
    button_expired: str
    choices: ChoiceTexts
    summary_caption: str
    message_too_long: str
    try_again: str
    upload_limits: UploadLimitTexts
    handover: HandoverTexts


# --------------------------------------------------------------------------- clinic_desk.yml


@dataclass(frozen=True)
class DeskSpeakers:
    """Who said a line of the chat, as the clinician reads it."""

    runner: str
    bot: str


@dataclass(frozen=True)
class ClinicDeskFile:
    """``data/clinic_desk.yml``: the helpdesk notes besides the summary itself."""

    version: int
    handover_title: str
    handover_how: str
    handover_finished: str
    handover_unfinished: str
    no_answers_yet: str
    transcript_title: str
    speakers: DeskSpeakers
    relay_video: str
    relay_video_missing: str
    analysis_title: str
    warning_sign_title: str
    warning_sign_how: str
    erased: str


# --------------------------------------------------------------------------- intent_guard.yml


@dataclass(frozen=True)
class DestructiveWords:
    """Words that make a message a destructive request, per intent."""

    delete_data: Texts = content_field(non_empty=True)
    stop: Texts = content_field(non_empty=True)
    start_over: Texts = content_field(non_empty=True)


@dataclass(frozen=True)
class AnswerWords:
    """A yes and a no in other languages, read when they open a message."""

    yes: Texts = content_field(non_empty=True)
    no: Texts = content_field(non_empty=True)


@dataclass(frozen=True)
class IntentGuardFile:
    """``data/intent_guard.yml``: word lists of the intent guard."""

    version: int
    destructive: DestructiveWords
    request_human: Texts
    video: Texts
    exercise_question: Texts
    uncertain: Texts
    answer_words: AnswerWords


# --------------------------------------------------------------------------- typo_words.yml


@dataclass(frozen=True)
class TypoWordsFile:
    """``data/typo_words.yml``: blocks of lower-case words separated by whitespace."""

    key_words: str
    protected_words: str
    version: int = 1


# --------------------------------------------------------------------------- red_flag_phrases.yml

Scope = Literal["clause", "sentence", "message"]


@dataclass(frozen=True)
class PhraseRule:
    """When a flag fires: every group in ``groups`` has a hit in one ``scope`` unit."""

    certain: bool
    groups: tuple[str | Texts, ...] = content_field(key="all", non_empty=True)
    scope: Scope = "sentence"
    parts: Texts | None = None
    near: int | None = None
    unless: Texts = ()
    unless_scope: Scope | None = None


@dataclass(frozen=True)
class PhraseFlag:
    """The rules that find one red flag in a message."""

    sources: Texts
    rules: tuple[PhraseRule, ...] = content_field(non_empty=True)
    notes: str | None = None


@dataclass(frozen=True)
class Concept:
    """Phrases of one concept; a local one belongs to a body part."""

    phrases: Texts
    local: bool = False


@dataclass(frozen=True)
class Cues:
    """Phrases of each cue kind (negation, hedges, ...)."""

    negation: Texts
    negation_after: Texts
    hedge: Texts
    hedge_after: Texts
    hypothetical: Texts
    question_start: Texts
    modal: Texts
    contrast: Texts
    connector: Texts
    clause_start: Texts
    interjection: Texts
    after_interjection: Texts
    negation_after_only: Texts = ()


@dataclass(frozen=True)
class PhrasesFile:
    """``data/red_flag_phrases.yml``: what the red-flag scanner looks for."""

    version: int
    cues: Cues
    default_part: str
    body_parts: dict[str, Texts] = content_field(non_empty=True)
    concepts: dict[str, Concept] = content_field(non_empty=True)
    flags: dict[str, PhraseFlag] = content_field(non_empty=True)
    classes: dict[str, Texts] = content_field(default_factory=dict)


# --------------------------------------------------------------------------- summary_words.yml


@dataclass(frozen=True)
class AnswerLabel:
    """One answer of the clinic summary and what it is called."""

    key: str
    label: str


@dataclass(frozen=True)
class AnswerFormats:
    """How numbers, yes/no and unknown answers read."""

    yes: str
    no: str
    not_known: str
    own_words: str
    distance: str
    percent: str
    less_than_a_week: str
    days: str
    one_week: str
    weeks: str


@dataclass(frozen=True)
class Readings:
    """What a measure's severity says, in words."""

    none: str
    mild: str
    marked: str


@dataclass(frozen=True)
class ConfidenceWords:
    """How sure a measure is, in words."""

    high: str
    medium: str
    low: str


@dataclass(frozen=True)
class VideoWords:
    """The video block of the clinic summary in words."""

    activities: dict[str, str]
    views: dict[str, str]
    filmed_label: str
    filmed: str
    counted_label: str
    not_measured_label: str
    not_measured: str
    usual: str
    readings: Readings
    confidence: ConfidenceWords
    no_usual_range: str


@dataclass(frozen=True)
class PlanColumns:
    """Column headings of the plan table."""

    exercise: str
    dose: str
    why: str


@dataclass(frozen=True)
class MeasureColumns:
    """Column headings of the video measures table."""

    measure: str
    value: str
    usual: str
    reading: str
    confidence: str


@dataclass(frozen=True)
class DocumentTexts:
    """The printed summary's and the helpdesk note's own texts."""

    title: str
    subtitle: str
    date_label: str
    clinic_label: str
    level_heading: str
    reasons_heading: str
    no_reasons: str
    answers_heading: str
    answer_column: str
    value_column: str
    plan_heading: str
    plan_columns: PlanColumns
    no_plan: str
    video_heading: str
    measure_columns: MeasureColumns
    pictures_heading: str
    sources_heading: str
    reason_topic: str
    sources_intro: str
    disclaimer: str
    page: str


@dataclass(frozen=True)
class HistoryKinds:
    """What each kind of history row is called."""

    assessment: str
    check_in: str


@dataclass(frozen=True)
class HistoryColumns:
    """Column headings of the history table."""

    date: str
    level: str
    pain_worst: str
    pain_now: str
    distance: str
    trend: str
    exercises: str


@dataclass(frozen=True)
class HistoryChartWords:
    """The history chart's title, axis labels and the legend of its two lines."""

    title: str
    x_axis: str
    y_axis: str
    pain_worst: str
    pain_now: str


@dataclass(frozen=True)
class HistoryWords:
    """The check-in history (``triage.history``) in words: heading, table and chart."""

    heading: str
    intro: str
    kinds: HistoryKinds
    columns: HistoryColumns
    not_asked: str
    chart: HistoryChartWords


@dataclass(frozen=True)
class DownloadTexts:
    """What the PDF's download route answers when it cannot give the PDF."""

    no_summary: str
    link_invalid: str
    link_expired: str
    failed: str


@dataclass(frozen=True)
class SummaryWordsFile:
    """``data/summary_words.yml``: the clinic summary in words (widget, PDF, helpdesk note)."""

    version: int
    hidden_answers: Texts
    values: dict[str, dict[str, str]]
    empty_lists: dict[str, str]
    formats: AnswerFormats
    video: VideoWords
    document: DocumentTexts
    history: HistoryWords
    download: DownloadTexts
    answers: tuple[AnswerLabel, ...] = content_field(non_empty=True)


# --------------------------------------------------------------------------- checkin.yml


@dataclass(frozen=True)
class ComingBack:
    """What starts a check-in: the runner's words, or enough days since the assessment."""

    phrases: Texts = content_field(non_empty=True)
    min_days: int = 7
    source: str = ""


@dataclass(frozen=True)
class CheckinWords:
    """The runner's words for each value of a check-in answer."""

    better: Texts = ()
    same: Texts = ()
    worse: Texts = ()


@dataclass(frozen=True)
class FrequencyWords:
    """The runner's words for how often the exercises were done."""

    most_days: Texts = content_field(non_empty=True)
    few_times_week: Texts = content_field(non_empty=True)
    rarely: Texts = content_field(non_empty=True)
    not_at_all: Texts = content_field(non_empty=True)


@dataclass(frozen=True)
class CheckinCondition:
    """When a check-in rule applies (every given field must hold)."""

    trend: Literal["better", "same", "worse"]
    min_days: int | None = None
    worst_pain_max: int | None = None  # the pain at its worst (pain_score)


@dataclass(frozen=True)
class CheckinRule:
    """A level a check-in adds on top of the triage rules."""

    id: str
    level: str
    when: CheckinCondition
    reason: str
    source: str


@dataclass(frozen=True)
class LoweringRule:
    """When a check-in may give a lower level than the last check."""

    to: str
    when: CheckinCondition
    reason: str
    source: str
    from_level: str = content_field(key="from")


@dataclass(frozen=True)
class CheckinTrendTexts:
    """What the bot says back to each trend."""

    better: str
    same: str
    worse: str
    unknown: str


@dataclass(frozen=True)
class CheckinTexts:
    """The check-in's own messages."""

    start: str
    since_days: str
    since_today: str
    trend: CheckinTrendTexts
    kept_level: str


@dataclass(frozen=True)
class CheckinFile:
    """``data/checkin.yml``: the check-in after an assessment (issue 15)."""

    version: int
    coming_back: ComingBack
    trend_words: CheckinWords
    frequency_words: FrequencyWords
    pain_change_points: int
    pain_change_source: str
    rules: tuple[CheckinRule, ...]
    may_lower: tuple[LoweringRule, ...]
    plan_outcome: dict[str, str]
    exercises_judged_from: Texts
    texts: CheckinTexts


# --------------------------------------------------------------------------- every file

#: The schema of each file in ``data/`` (by file name). A new data file needs an entry.
FILE_SCHEMAS: dict[str, type] = {
    "red_flags.yml": RedFlagsFile,
    "triage_rules.yml": TriageRules,
    "exercises.yml": ExercisesFile,
    "guidance.yml": GuidanceFile,
    "questions.yml": QuestionsFile,
    "messages.yml": MessagesFile,
    "intent_guard.yml": IntentGuardFile,
    "red_flag_phrases.yml": PhrasesFile,
    "typo_words.yml": TypoWordsFile,
    "channels.yml": ChannelsFile,
    "summary_words.yml": SummaryWordsFile,
    "clinic_desk.yml": ClinicDeskFile,
    "video_reference.yml": VideoReferenceFile,
    "checkin.yml": CheckinFile,
}
