"""Turn a matched target and its ConText cues into the mention's value (SPEC section 3).

Works on plain records (:class:`Hit`), never on spaCy objects, so every rule of
interpretation here is testable with strings. The cue words themselves live in
rules/context.json (EVENT_*, RESULT_*, EXPRESSION_* categories); this module only decides
between the cues that ConText attached. What a concept is (a drug, a marrow value, a graded
outcome...) comes from its registry entry (rules/concepts.json), never from its name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from chartabstract.concepts import PROCEDURE_KINDS, TREATMENT_KINDS, Concept
from chartabstract.evidence import REPORT_TYPES
from chartabstract.nlp import antigen_text
from chartabstract.nlp.folding import caseless
from chartabstract.normalize.dates import is_hla_match_at
from chartabstract.normalize.numbers import NUMBER_WORD, parse_number


@dataclass(frozen=True)
class Cue:
    """A ConText modifier attached to a target: its category and distance in characters."""

    category: str
    text: str
    distance: int  # characters between cue and target; 0 when adjacent
    direction: str = "BIDIRECTIONAL"
    start: int = 0  # offset of the cue in the sentence
    refusal: bool = False  # a negation that refuses or cancels a proposal (rule metadata)
    order: bool = False  # an imperative order ("Start blina C2 4/13"): hypothetical until done
    resolution: bool = False  # a negation that says the finding went away ("resolved"): it was there
    sequence: bool = False  # a history cue that only orders events ("after X"): a plan can order them too


@dataclass(frozen=True)
class Hit:
    """A target match with everything value interpretation needs, as plain data."""

    spec: Concept  # the registry entry of the concept matched
    rule_id: str
    text: str
    sentence: str  # the sentence text
    offset_in_sentence: int  # where `text` starts inside `sentence`
    note_type: str
    section_specimen: str = ""
    section_method: str = ""
    cues: tuple[Cue, ...] = ()
    line: str = ""  # the whole line holding the mention (a ";" may split it into sentences)
    groups: dict[str, str] = field(default_factory=dict)  # named groups of the rule's regex
    fixed: dict[str, str] = field(default_factory=dict)  # rule metadata such as {"event": "start"}
    following: str = ""  # the text after the sentence, up to a blank line (FOLLOWING_CHARS at most)
    preceding: str = ""  # the text before the sentence, back to a blank line (FOLLOWING_CHARS at most)

    @property
    def concept(self) -> str:
        return self.spec.concept

    @property
    def kind(self) -> str:
        return self.spec.kind

    @property
    def after(self) -> str:
        return self.sentence[self.offset_in_sentence + len(self.text) :]

    @property
    def before(self) -> str:
        return self.sentence[: self.offset_in_sentence]

    def nearest(self, prefix: str) -> Cue | None:
        found = [cue for cue in self.cues if cue.category.startswith(prefix)]
        return min(found, key=lambda cue: cue.distance) if found else None


@dataclass(frozen=True)
class Value:
    """The interpreted value fields of one mention (empty strings where not applicable)."""

    value: str = ""
    unit: str = ""
    level_pct: str = ""
    cycle: int | None = None
    method: str = ""
    specimen: str = ""
    donor_type: str = ""
    percent_positive: float | None = None


# "course" is the cycle's name in many charts written in English outside the US ("InO 1st course",
# "2nd course 11/23", "2 courses of InO"): counted and named exactly as a cycle
_CYCLE = re.compile(
    r"\bC(?P<c1>\d{1,2})(?:\s*D\d{1,2})?\b|\b(?:cycle|course)\s*#?\s*(?P<c2>\d{1,2})\b"
    r"|\b(?P<ord>first|second|third|fourth|fifth|sixth|1st|2nd|3rd|4th|5th|6th)\s+(?:cycle|course)\b"
    r"|\b(?:x\s*)?(?P<count>\d{1,2}|one|two|three|four|five|six)\s+(?:cycles?|courses?)\b|\bx\s*(?P<times>\d)\b",
    re.IGNORECASE,
)
_ADMINISTERED = {"given", "received", "administered", "infused"}
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
             "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "6th": 6,
             "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_DONOR = [
    ("haplo", re.compile(r"\bhaplo", re.I)),
    ("cord", re.compile(r"\b(?:cord|UCB|dUCB|U?CBT|CBSCT)\b", re.I)),
    ("MMUD", re.compile(r"\b(?:MMUD|mismatched\s+unrelated)\b", re.I)),
    ("MUD", re.compile(r"\b(?:MUD|matched\s+unrelated|unrelated\s+donor|URD)\b", re.I)),
    ("MSD", re.compile(r"\b(?:MSD|MRD-SCT|matched\s+(?:related|sibling)|sibling|sib)\b", re.I)),
]
_PERIPHERAL = re.compile(
    r"\b(?:peripheral(?:\s+blood)?|PB|circulating|circulants?|NFS|sang\s+p[ée]riph[ée]rique|perifee?r(?:e)?\s+bloed|말초혈액|smear|(?<!aspirate\s)(?<!marrow\s)film|CBC|FBC|WBC|WCC|white\s+(?:blood\s+)?(?:cell\s+)?count|"
    r"diff(?:erential)?\s+(?:shows|with)|in\s+(?:the\s+)?blood)\b",
    re.IGNORECASE,
)
_PERIPHERAL_IN_REPORT = re.compile(_PERIPHERAL.pattern.replace("|smear|", "|(?:blood|PB)\\s+(?:film|smear)|"), re.IGNORECASE)
# A white-cell differential ("Diff: blasts 14%, lymphs 41%, neutrophils 13%") is blood unless
# the note is a marrow or flow report, whose aspirate differentials list the same cells.
_PERIPHERAL_WEAK = re.compile(
    r"\b(?:diff|neutrophils?|neuts|lymphs|lymphocytes|monos|monocytes|eos|basos|ANC|segs|bands"
    r"|leu[ck]o(?:cytes?|zyten|s)?)\b",  # "Leuco 18,2/nl (47 % blasts)": the European white count
    re.IGNORECASE,
)
# Blasts in the spinal fluid ("CSF: 2 cells/µl, no blasts") are no marrow's; the study keeps no CSF
# value, so they stay with the blood values, which feed no marrow event.
_SPINAL_FLUID = re.compile(r"\b(?:CSF|liquor|cerebrospinal\s+fluid|lumbar\s+puncture)\b", re.IGNORECASE)
_MARROW = re.compile(
    r"\b(?:marrow|BM|BMBx|BMA|BMP|beenmerg\w*|cytomorfologie|aspirate|aspiration|biopsy|core|trephine|cellularity|clot|D\d{2}\s+BM|bx|moelle|m[ée]dullaires?|my[ée]logramme|my[ée]lo|골수)\b",
    re.IGNORECASE,
)
_FLOW = re.compile(r"\b(?:flow|FCM|cytometr\w*|immunophenotyp\w*|MFC|by\s+FC|of\s+(?:total\s+|gated\s+)?events)\b", re.IGNORECASE)  # "31% of events": a flow denominator
_MORPHOLOGY = re.compile(r"\b(?:morpholog\w*|aspirate\s+diff\w*|manual\s+diff\w*|differential|cell\s+count|cellularity|smear)\b", re.IGNORECASE)
# a percent level; a comma is a decimal comma ("<0,01 %"): a percent has no thousands
_LEVEL = re.compile(r"(?P<bound><|>|≤|less\s+than)?\s*(?P<num>\d*[.,]?\d+)\s*%")
_STATUS_WORDS = (
    r"(?:is|was|were|are|positive|negative|pos|neg|dim|dimly|bright|partial|partially|weak|weakly|moderate|"
    r"strong|heterogeneous|heterogeneously|variable|variably|expressed|expression|present|absent|retained|lost)"
)
# "CD22 bright (97%)", "CD19 expressed on 8% of blasts", "CD19: 12%", "CD19+ 12.0%" (the share of
# blasts carrying the sign): a percent right after the name.
_ANTIGEN_PERCENT = re.compile(
    r"^[\s:|=(\-–—,+]*(?:(?:" + _STATUS_WORDS + r"|now|still|only|at)\b[\s:|=(\-–—,]*){0,4}(?:(?:on|in|by|at)\s+)?"
    r"(?:(?:only|just|approximately|about|roughly|around|nearly|ca\.?)\s*|~\s*|≈\s*){0,2}"
    r"(?:(?P<pct>\d{1,3}(?:\.\d+)?|" + NUMBER_WORD + r")\s*(?:%|percent\b)|(?P<half>half)\s+of\b)",
    re.IGNORECASE,
)
# Table rows without a percent sign: "CD19 | 12 | dim", "CD19\t12\tdim".
_ANTIGEN_TABLE_NUMBER = re.compile(r"^\s*(?:\||\t|\s{2,})\s*(?P<pct>\d{1,3}(?:\.\d+)?)\s*(?:\||\t|\s{2,}|$)")


def interpret(hit: Hit) -> Value:
    """The value of a hit, by the kind of its concept (and, for results, how the kind reads)."""
    kind = hit.kind
    if kind in TREATMENT_KINDS:
        return _treatment(hit)
    if kind in ("marrow_value", "blood_value"):
        return _mrd(hit) if hit.spec.reads == "status" else _blasts(hit)
    if kind == "antigen":
        return _antigen(hit)
    if kind == "graded_outcome":
        return gvhd_grade(hit) if hit.spec.staging == "magic" else outcome_grade(hit)
    if kind == "severity_outcome":
        return chronic_gvhd_severity(hit)
    if kind == "relapse":
        return relapse_kind(hit)
    if kind == "death_cause":
        return Value(value=hit.fixed.get("cause", "other"))
    return Value()


def blast_specimen(hit: Hit) -> str:
    """'peripheral' or 'marrow': the nearest specimen cue in the sentence, else section, else marrow."""
    before = hit.before
    cues: list[tuple[int, str]] = []
    # in a marrow or flow report a "smear" is the aspirate smear unless blood is written
    peripheral = _PERIPHERAL_IN_REPORT if any(kind in hit.note_type for kind in REPORT_TYPES) else _PERIPHERAL
    for kind, pattern in (("peripheral", peripheral), ("peripheral", _SPINAL_FLUID), ("marrow", _MARROW)):
        for match in pattern.finditer(hit.sentence):
            if match.start() < len(before):
                distance = len(before) - match.end()
            else:
                distance = match.start() - (len(before) + len(hit.text))
            if match.start() >= len(before) and match.end() <= len(before) + len(hit.text):
                distance = 0
            cues.append((max(distance, 0), kind))
    if cues:
        return min(cues)[1]
    if hit.line and hit.line != hit.sentence:
        on_line = {kind for kind, pattern in (("peripheral", peripheral), ("marrow", _MARROW)) if pattern.search(hit.line)}
        if len(on_line) == 1:
            return on_line.pop()  # "Labs 5/10: WBC 3.2, ANC 0.9; blasts 8%"
    if hit.section_specimen:
        return hit.section_specimen
    if not any(kind in hit.note_type for kind in REPORT_TYPES) and _PERIPHERAL_WEAK.search(hit.line or hit.sentence):
        return "peripheral"
    return "marrow"


def event_kind(hit: Hit, *, hypothetical: bool, historical: bool) -> tuple[str, int | None]:
    """Event kind (start, cycle, dose, hold, stop, history, plan, mention) and cycle number.

    Explicit hold and stop statements outrank a start ("BLINCYTO 28 mcg/day ... COMPLETED 6/9" is a
    stop), unless the start carries its own date ("d/c'd 9/23 on blina (started 9/20)"); a start
    outranks ongoing-dose cues, because a first dose is a start ("blina 9 mcg/d, started 9/26"); a
    cycle past the first is a cycle. A first-cycle label ("C1D1", "Cycle 1 Day 1", "Adm for C1
    blina", "C1 3/2 - 3/29") is the start of the first cycle.
    """
    cycle, named = _cycle_number(hit)
    if hypothetical:
        return "plan", cycle
    if "event" in hit.fixed:
        return hit.fixed["event"], cycle
    kinds = {cue.category.removeprefix("EVENT_").lower() for cue in hit.cues if cue.category.startswith("EVENT_")}
    if START_IN_CLAUSE.match(hit.after) or _SINCE_ITS_DAY.match(hit.after):
        kinds.add("start")  # "Blincyto 9 mcg/d CIVI started 1500": the verb is beyond the cue scope
    dated_start = _dated_start(hit)
    if hit.kind in PROCEDURE_KINDS and _FIELD_DATE_OF.search(hit.before[-50:]) and _FIELD_VALUE_DATE.match(hit.after):
        return "start", cycle  # a registry form's "Date of this HSCT: 01/07/2021"
    if hit.kind in PROCEDURE_KINDS and _PREVIOUS_DATED.match(hit.after):
        return "history", cycle  # "Number of this allogeneic HSCT: 2 (previous: 20/11/2019, sibling)"
    if not dated_start and _START_AS_TIME_ANCHOR_BEFORE.search(hit.sentence[: hit.offset_in_sentence]) and _START_AS_TIME_ANCHOR_AFTER.match(hit.after):
        kinds.discard("start")  # "LP/IT #3 at blina start", "labs before InO initiation": a time, not a start
    if "start" in kinds and not dated_start and LATER_BAG.search(hit.sentence):
        kinds.discard("start")  # "home infusion: bag change #3 performed": the course goes on
        kinds.add("dose")
    if historical:
        return _historical_kind(hit, kinds, cycle, named, dated_start), cycle
    for kind in ("hold", "stop"):
        if kind in kinds and not dated_start:
            return kind, cycle
    if named and cycle is not None and cycle > 1:
        return "cycle", cycle
    # "InO C1D1 4/20, C1D8 4/27": the later days of a first-day label next to the drug are its course
    later_day = _LATER_DAY.search(hit.sentence) and not _FIRST_DAY.search(_near(hit))
    if "start" in kinds and (dated_start or not later_day):
        return "start", cycle
    first_cycle = cycle == 1 and named and not later_day
    if first_cycle and (_FIRST_DAY.search(hit.sentence) or _FIRST_CYCLE_DATED.search(hit.sentence) or _FIRST_CYCLE_RANGE.search(hit.sentence)
                        or _FIRST_CYCLE_LIST.search(hit.sentence) or (_FIRST_CYCLE_TODAY.search(_near(hit)) and not _LATER_DAY_COUNT.search(_near(hit)))):
        return "start", cycle
    dose = hit.nearest("EVENT_DOSE")
    if cycle == 1 and dose is not None and dose.text.lower() in _ADMINISTERED and not later_day:
        return "start", cycle  # "C1 InO given 10/21, 10/28": the first cycle's doses
    if "dose" in kinds or "start" in kinds:
        return "dose", cycle
    if cycle is not None and not named:
        return "history", cycle  # "blinatumomab 6/2018 at OSH, 2 cycles": given, in the past
    return "mention", cycle


def _historical_kind(hit: Hit, kinds: set[str], cycle: int | None, named: bool, dated_start: bool) -> str:
    """A history line is `history` unless it writes the event itself with its date: "05/13/2019:
    Blinatumomab C1D1", "blina C1 8/19/19", "C2 2/24/2020", "started on the 23rd of January", a
    transplant or infusion dated to the day ("10/10/2018 MUD alloHSCT", "Day 0 20 February 2019")
    name when the course or the procedure took place, which the timeline needs as a start (or a
    later cycle). "s/p blina x2", "after 2 cycles of InO", "refractory to blina (C1 ...)", "prior
    allo 2016" refer back to a treatment without dating its event: `history`."""
    near = _near(hit)
    before = hit.sentence[max(0, hit.offset_in_sentence - 30) : hit.offset_in_sentence]
    own_dated_start = dated_start and (dated_start_at(hit) or 0) - hit.offset_in_sentence - len(hit.text) <= 30
    near_dates = [m for m in _DATE_NEAR.finditer(near) if not is_hla_match_at(near, m.start())]  # "HSCT: 10/10 MUD"
    if _AFTER_IT.search(before) or _PAST_LIST.search(near) or not (near_dates or own_dated_start):
        return "history"
    if named and cycle is not None and cycle > 1:
        return "cycle"
    if own_dated_start or "start" in kinds or (cycle == 1 and named) or hit.kind in PROCEDURE_KINDS:
        return "start"
    return "history"


# a written date next to the mention: 8/20/18, 05/13/2019, 29.10.2018, 20 February 2019, January 23
_DATE_NEAR = re.compile(
    r"\b\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?\b|\b\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b"
    r"|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?\b|\b\d{1,2}(?:st|nd|rd|th)\s+of\s+[A-Z][a-z]+",
    re.IGNORECASE,
)
# "s/p 3 cycles of", "Day +28 after haplo": the mention is what came before, the history itself
_AFTER_IT = re.compile(
    r"\b(?:s/p|status\s+post|after|post|following|since|prior|previous|refractory\s+to|relapsed?\s+on)\b[^.;:()]{0,20}$", re.IGNORECASE
)
# "x3 cycles", "C3-C5": a summary of several cycles, not one cycle's own event
_PAST_LIST = re.compile(r"\bx\s?\d\b|\bC\d\s*[-–]\s*C\d\b", re.IGNORECASE)


# "Cycle 1 blinatumomab today", "C1 Blincyto this morning": the first cycle written on its own day
_FIRST_CYCLE_TODAY = re.compile(r"\b(?:today|this\s+(?:morning|afternoon|evening)|tonight)\b", re.IGNORECASE)
# ... but "on inotuzumab C1 (D24 today)" counts a later day of the course
_LATER_DAY_COUNT = re.compile(r"\b(?:D|day)\s*#?\s*(?:[2-9]|[1-9]\d)\b", re.IGNORECASE)
# "C1 from 16 March 2020", "cycle 1 on 3/4", "C1 commenced": the first cycle's start, dated
_FIRST_CYCLE_DATED = re.compile(r"\b(?:C|cycle\s*)1\b(?:\s*D1\b)?\s*(?:from|on|started|starting|commenced|began|begun)\s+\d", re.IGNORECASE)
# "C1 03/02/2021 - 03/29/2021", "C1 blina 3/2 - 3/29", "C1 02.03.2021-29.03.2021", "C1 2.3.–29.3.2021":
# the first cycle given over a dated range (slashed or dotted, the day-first convention)
_RANGE_DAY = r"\d{1,2}[/.]\d{1,2}(?:[/.](?:\d{4}|\d{2}))?\.?"
_FIRST_CYCLE_RANGE = re.compile(
    r"\b(?:C|cycle\s*)1\b[^.;\d]{0,30}?" + _RANGE_DAY + r"\s*(?:-|–|—|to|through|thru|until)\s*" + _RANGE_DAY, re.IGNORECASE
)
# "inotuzumab cycle 1 (10/30, 11/06, 11/13)": the first cycle's dose days, listed; the first of them
# is the start (slashed days only: a bare dotted "3.2." in a list is not read as a date)
_LIST_DAY = r"\d{1,2}/\d{1,2}(?:/(?:\d{4}|\d{2}))?"
_FIRST_CYCLE_LIST = re.compile(r"\b(?:C|cycle\s*)1\b\s*[(:]?\s*" + _LIST_DAY + r"\s*[,;]\s*" + _LIST_DAY, re.IGNORECASE)
# The first day of the first cycle, in either order: "C1D1", "cycle 1 day 1", "1st course day 1",
# "Day 1 of blina cycle 1", "day 1 of the first course" (a drug name may sit inside the label)
_CYCLE_WORD = r"(?:cycle|course)"
_FIRST_CYCLE_WORDS = r"(?:" + _CYCLE_WORD + r"\s*#?\s*1\b|(?:1st|first)\s+" + _CYCLE_WORD + r")"
_FIRST_DAY = re.compile(
    r"\bC1\s*D1\b|\b" + _FIRST_CYCLE_WORDS + r"\s*,?\s*(?:day|D)\s*1\b"
    r"|\bday\s*1\s+of\s+(?:the\s+)?(?:[A-Za-z-]+\s+){0,2}?" + _FIRST_CYCLE_WORDS,
    re.IGNORECASE,
)
_ANY_CYCLE_WORDS = r"(?:" + _CYCLE_WORD + r"\s*#?\s*\d{1,2}\b|(?:\d(?:st|nd|rd|th)|first|second|third|fourth)\s+" + _CYCLE_WORD + r")"
_LATER_DAY = re.compile(
    r"\bC\d{1,2}\s*D(?:[2-9]|[1-9]\d)\b|\bday\s*(?:[2-9]|[1-9]\d)\s+of\s+(?:the\s+)?(?:[A-Za-z-]+\s+){0,2}?" + _CYCLE_WORD + r"\b"
    r"|\b" + _ANY_CYCLE_WORDS + r"\s*,?\s*(?:day|D)\s*(?:[2-9]|[1-9]\d)\b",
    re.IGNORECASE,
)
# A start verb later in the drug's own clause, past a dose ("Blincyto 9 mcg/d CIVI started 1500") or a
# brand name in parentheses ("blinatumomab (Blincyto) 28 µg/d - started", and the brand itself)
# or a bare "start" that closes the row of an administration record ("10:15 Blina 9 mcg/day CIV start.")
# the drug's start as the time of something else ("IT MTX at blina start", "echo prior to InO initiation",
# "CRS 2 days after blinatumomab start"): a reference point, which says nothing of whether or when it began
_START_AS_TIME_ANCHOR_BEFORE = re.compile(
    r"\b(?:at|before|prior\s+to|after|until|till|from|since|around|by|pending|upon|ahead\s+of)\s+(?:the\s+)?(?:(?:planned|scheduled|expected|anticipated|next)\s+)?$",
    re.IGNORECASE,
)
_START_AS_TIME_ANCHOR_AFTER = re.compile(r"^\W{0,3}(?:\(\w+\)\s*)?(?:start|initiation|commencement)\b(?!\s*(?:date\s*)?[:(]?\s*\d)", re.IGNORECASE)


START_IN_CLAUSE = re.compile(
    r"^\)?(?:[^.;()\n]|\([^().;\n]{0,30}\)){0,40}?(?<!\bnot\s)(?<!\bnever\s)"
    r"(?:\b(?:started|initiated|iniciad[oa]|began|begun|commenced|hung)\b|(?<!\bto\s)\bstart\s*(?:[.;]|$))",
    re.IGNORECASE,
)
# a form's field naming the procedure's day, and its value: "Date of this HSCT: 01/07/2021", "Date of CAR-T infusion: ..."
_FIELD_DATE_OF = re.compile(r"\bdate\s+of\s+(?:the\s+|this\s+|first\s+|second\s+|1st\s+|2nd\s+|last\s+)?(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
_FIELD_VALUE_DATE = re.compile(r"^(?:\s+[\w-]+){0,2}\s*[:=]\s*\d")
# an earlier one of the same procedure, dated in parentheses: "HSCT: 2 (previous: 20/11/2019, ...)"
_PREVIOUS_DATED = re.compile(r"^[^()\n]{0,25}\(\s*(?:previous|prior|earlier|first|1st)(?:\s+(?:one|HSCT|transplant))?\s*[:=-]?\s*(?:on\s+)?\d", re.IGNORECASE)
# a later bag of a continuous infusion: "bag change #3", "bag exchange", "3rd bag", "bag #2"
# ("bag 24 h", "bag 240 mL" are a bag's duration and volume)
LATER_BAG = re.compile(
    r"\bbag\s+(?:change|exchange|swap)|\bbag\s*(?:#|no\.?)\s*(?:[2-9]|\d{2})\b"
    r"|\bbag\s+(?:[2-9]|1\d)\b(?![.,]\d|\s*-?\s*(?:h|hrs?|hours?|ml|cc|mcg|µg|mg|days?)\b)|\b(?:2nd|3rd|[4-9]th|second|third|fourth)\s+bag\b",
    re.IGNORECASE,
)
# the drug "since" or "from" its own day, right after its name: "Blinatumomab since 17.05.2021", "InO C1 from 24.02.2020"
# ... or after its first cycle's dose: "BLINATUMOMAB (Blincyto) C1 9 mcg/day CIV from today 17/01/2022"
_SINCE_ITS_DAY = re.compile(
    r"^\s*(?:\([^()]{1,20}\)\s*)?(?:(?:(?:C|cycle\s*)1\b)?[^.;:()\n]{0,30}?\s)?(?:since|from)\s+(?:today\s+)?\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b",
    re.IGNORECASE,
)
# A start verb with its own date: "started 9/20", "began on 3/4/19", "started today"
_START_THEN_DATE = re.compile(
    r"\b(?:started|initiated|began|begun|commenced)\s+(?:on\s+)?"
    r"(?P<date>\d{1,2}[/.]\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2}|[A-Z][a-z]{2,8}\.?\s+\d{1,2}\b|today|yesterday)",
    re.IGNORECASE,
)
# A hold, stop or other drug's verb between the drug and the start verb: the start is not the drug's
_OTHER_EVENT_BETWEEN = re.compile(r"\b(?:held|hold|paused|stopped|discontinued|completed|finished|off|d/c\S*|and|then|->)\b|->|→", re.IGNORECASE)
_DATED_START_CHARS = 80


def dated_start_at(hit: Hit) -> int | None:
    """Where in the sentence the drug's own start date is written, when its clause says when it
    started ("blina C1 (started 9/20 per d/c summary)", "9 mcg/d, started 9/26"); else None."""
    end = hit.offset_in_sentence + len(hit.text)
    match = _START_THEN_DATE.search(hit.sentence, end, end + _DATED_START_CHARS)
    if match is None or _OTHER_EVENT_BETWEEN.search(hit.sentence, end, match.start()):
        return None
    return match.start("date")


def _near(hit: Hit) -> str:
    """The drug's own words: its name and the labels written beside it."""
    return hit.sentence[max(0, hit.offset_in_sentence - 25) : hit.offset_in_sentence + len(hit.text) + 25]


def _dated_start(hit: Hit) -> bool:
    return dated_start_at(hit) is not None


def _treatment(hit: Hit) -> Value:
    donor = ""
    if hit.kind == "transplant":
        window = hit.sentence[max(0, hit.offset_in_sentence - 40) : hit.offset_in_sentence + len(hit.text) + 40]
        donor = next((name for name, pattern in _DONOR if pattern.search(window)), "")
    return Value(donor_type=donor)


def _cycle_number(hit: Hit) -> tuple[int | None, bool]:
    """The cycle number near the mention, and whether it names a cycle ("C2", "second cycle")
    rather than counting cycles given ("x2", "2 cycles")."""
    window = hit.sentence[max(0, hit.offset_in_sentence - 25) : hit.offset_in_sentence + len(hit.text) + 50]
    match = _CYCLE.search(window)
    if not match:
        return None, False
    for group in ("c1", "c2", "count", "times"):
        if match.group(group):
            raw = caseless(match.group(group))
            return (int(raw) if raw.isdigit() else _ORDINALS[raw]), group in ("c1", "c2")
    return _ORDINALS[caseless(match.group("ord"))], True


def _blasts(hit: Hit) -> Value:
    bound = (hit.groups.get("bound") or hit.fixed.get("bound") or "").strip().lower()
    pct = hit.groups.get("pct") or hit.fixed.get("pct") or ""
    symbol = {"less than": "<", "under": "<", "fewer than": "<", "≤": "<=", "greater than": ">",
              "more than": ">", "over": ">", "≥": ">="}.get(re.sub(r"\s+", " ", bound), bound)
    return Value(
        value=f"{symbol}{_clean_number(pct)}" if pct else "",
        unit="%",
        method=_method(hit),
        specimen="",
    )


# "Result: MRD POSITIVE. Residual abnormal B-lymphoblasts at 0.08% of CD45+ events", "MRD
# POSITIVE, 0.12% abnormal B-lymphoblasts": a population under 1% on a line that reports MRD is
# the MRD level (the MRD mention's result), not a blast count of the specimen. Without MRD on its
# line ("flow detected 0.8% abnormal blasts") it stays a blast count.
_MRD_LEVEL_WORDS = re.compile(r"\b(?:MRD|(?:minimal|measurable)\s+residual\s+disease)\b", re.IGNORECASE)


# "BM 7/11: Blast 0.3%, MRD (FCM) <0.01%", "blast 0.9%; MRD by flow 0.02%": an MRD result written with its own level, so the other
# percent on the line is the marrow's blast count, whatever its size
_MRD_WITH_OWN_LEVEL = re.compile(
    r"\b(?:MRD|(?:minimal|measurable)\s+residual\s+disease)\b\s*(?:\([^()\n]{0,40}\)\s*|(?:by|per|via)\s+[\w-]+\s+)?[:=]?\s*[<>≤≥]?\s*(?P<level>\d+(?:\.\d+)?)\s*%",
    re.IGNORECASE,
)


def is_mrd_level(hit: Hit, value: Value) -> bool:
    """True when a blast percent is an MRD level: a fraction of one percent on an MRD result's line,
    unless that MRD result carries its own level elsewhere on the line."""
    line = hit.line or hit.sentence
    if not (value.value.startswith("0.") and _MRD_LEVEL_WORDS.search(line)):
        return False
    sentence_at = line.find(hit.sentence)
    start = (sentence_at if sentence_at >= 0 else 0) + hit.offset_in_sentence
    end = start + len(hit.text)
    own_levels = [match for match in _MRD_WITH_OWN_LEVEL.finditer(line) if match.end() <= start or match.start() >= end]
    # "MRD 0.05%: 0.05% abnormal blasts" restates the level: still the MRD's
    return not any(_clean_number(match.group("level")) != value.value for match in own_levels)


def _method(hit: Hit) -> str:
    if _FLOW.search(hit.sentence) or hit.section_method == "flow":
        return "flow"
    if _MORPHOLOGY.search(hit.sentence) or hit.section_specimen == "marrow":
        return "morphology"
    if _FLOW_NOTE_TYPE.search(hit.note_type):
        return "flow"  # a percentage in a flow or immunophenotyping report is the cytometer's
    return ""


_FLOW_NOTE_TYPE = re.compile(r"flow|cytometr|immun[oa]?phenotyp|\bfacs\b|\bmfc\b", re.IGNORECASE)


# "MRD not sent", "MRD testing not done", "MRD to follow": no result (a pending one is uncertain)
# the assay's limit, not a level found: "MRD flow (8-colour, 700k events, LOD 0.01%)", "sensitivity 0.001%"
_ASSAY_LIMIT_BEFORE = re.compile(r"\b(?:LOD|LLOQ|LOQ|limit\s+of\s+(?:detection|quantification)|sensitivity|detection\s+limit|threshold)\s*[:=]?\s*(?:of\s+)?$", re.IGNORECASE)
_MRD_NO_RESULT = re.compile(
    r"^\W{0,3}(?:(?:testing|test|assessment|analysis|evaluation|studies|study|sample|specimen|by\s+[\w-]+(?:\s+cytometry)?)\s+){0,2}"
    r"(?:was\s+|is\s+|were\s+|has\s+|have\s+)?(?:been\s+)?(?:not\s+(?:sent|done|performed|obtained|assessed|assessable|evaluable|"
    r"available|collected|drawn|run|reported|ordered|applicable|indicated)|n/?a(?![\w/])|to\s+follow|to\s+be\s+sent|insufficient|QNS|cancel+ed"
    r"|(?:result\s+)?(?:cannot|can\s*not|could\s+not|can't|couldn't)\s+(?:be\s+)?(?:given|reported|assessed|evaluated|determined|interpreted|performed)"
    r"|(?:in|non-?)evaluable|unevaluable|not\s+interpretable)\b",
    re.IGNORECASE,
)
# "MRD-level", "MRD-guided", "MRD-based": a hyphen compound, not a minus sign
_MRD_COMPOUND = re.compile(r"^[-‐–](?!\s*(?:neg|pos|negative|positive|ve)\b)[A-Za-z]", re.IGNORECASE)
# "MRD by flow (TS-22-0512210): NEGATIVE", "MRD-Flow: negative": the result after the method
# (a hyphenated one too) and an accession number
_MRD_RESULT_AFTER = re.compile(
    # an HL7 observation's fields count as a label's colon: "MRD by flow cytometry^L||NOT DETECTED (<0.01)"
    r"^\s*(?:(?:by|via|per|on)\s+)?(?:[\w/^-]+\s*){0,3}?(?:\([^()]{0,40}\)\s*)?(?:[:=]|\|+)\s*"
    r"(?P<word>negative|neg|not\s+detected|undetectable|none\s+detected|positive|pos|detected|detectable)\b",
    re.IGNORECASE,
)


# "MRD-positive remission", "MRD-neg CR": the result glued to the name is the result, whatever
# negation the sentence holds elsewhere ("(no remission), then ... (MRD-positive remission)")
_MRD_GLUED_RESULT = re.compile(r"^[-‐–]\s*(?P<word>negative|neg|positive|pos)\b", re.IGNORECASE)
# "CR1, MRD+" (the sign can be part of the matched token), "MRD negativity", "MRD persistent"
_MRD_SIGN = re.compile(r"(?:\+|\(\+\))$")
_MRD_WORD_AFTER = re.compile(
    r"^\s*(?P<word>negativity|positivity|persistent|persisting|present|persists)\b"
    # "flow MRD still positive at 0.01%", "MRD remains negative", "MRD became undetectable": the verb's result
    r"|^\s*(?:still|remains?|remained|persistently|again|now|became|turned|was|is)\s+(?:(?:still|again|now)\s+)?(?P<said>positive|negative|detectable|undetectable)\b",
    re.IGNORECASE,
)
# "CR with low-level measurable residual disease": a remission "with" MRD has it ("marrow with MRD" is an order)
_MRD_WITH = re.compile(r"\b(?:CR[ih]?\d?|remission|response|blasts)\b[^.;:\n]{0,60}?\bwith\s+(?:(?:low|high|very\s+low)[- ]level\s+|residual\s+|persistent\s+|detectable\s+)?$", re.IGNORECASE)


_NEGATIVITY_DENIED_BEFORE = re.compile(
    r"\b(?:no|without|not\s+(?:yet\s+)?(?:in|reached|achieved|attained)|never|fail(?:ed|ure)?\s+to\s+(?:achieve|reach|attain)|absence\s+of)"
    r"\s+(?:(?:a|an|the|complete|molecular|flow|PCR|NGS|cytometric|durable|sustained)\s+){0,3}$",
    re.IGNORECASE,
)
_NEGATIVITY_DENIED_AFTER = re.compile(r"^\s*(?:was\s+|is\s+|has\s+been\s+)?(?:not|never)\s+(?:yet\s+)?(?:achieved|reached|attained|obtained)\b", re.IGNORECASE)


def _in_report(hit: Hit) -> bool:
    return any(kind in hit.note_type for kind in REPORT_TYPES)


# a verb's denial ("did NOT show", "does not have"), not a status word ("negative for") or "no" before a subset
_VERB_DENIAL = re.compile(r"\bnot\b|n't\b", re.IGNORECASE)


# a level written right after the name: "MRD 0.03%", "MRD: 0,12 %", "MRD (flow) 0.5%"
_LEVEL_RIGHT_AFTER = re.compile(r"^\s*(?:\([^()]{0,20}\)\s*)?[:=]?\s*\d+(?:[.,]\d+)?\s*%")


def _positive_level(level: str) -> bool:
    try:
        return not level.startswith("<") and float(level) > 0
    except ValueError:
        return False


def _mrd(hit: Hit) -> Value:
    if _MRD_NO_RESULT.match(hit.after):
        return Value()
    if _MRD_COMPOUND.match(hit.after):  # the "-" cue of "MRD-level" is no negative result
        signs = ("RESULT_NEGATIVE", "NEGATED_EXISTENCE")
        hit = replace(hit, cues=tuple(c for c in hit.cues if not (c.category in signs and c.text.startswith(("-", "‐", "–")))))
    written = _MRD_RESULT_AFTER.match(hit.after) or _MRD_GLUED_RESULT.match(hit.after) or _MRD_WORD_AFTER.match(hit.after)
    level = ""
    match = next((m for m in _LEVEL.finditer(hit.after[:80]) if not _ASSAY_LIMIT_BEFORE.search(hit.after, max(0, m.start() - 30), m.start())),
                 None) or _LEVEL.search(hit.text)
    if match:
        level = (match.group("bound") and "<" or "") + _clean_number(match.group("num").replace(",", "."))
    status = ""
    text = hit.text.lower()
    negative_phrase = text.startswith(("no ", "without ")) or "not detected" in text
    positive_cue, negative_cue = hit.nearest("RESULT_POSITIVE"), hit.nearest("RESULT_NEGATIVE")
    negation = hit.nearest("NEGATED_EXISTENCE")
    if written and (written.group("word") or "").lower() == "negativity" and (
            _NEGATIVITY_DENIED_BEFORE.search(hit.before[-60:]) or _NEGATIVITY_DENIED_AFTER.match(hit.after[written.end():])):
        status = "positive"  # "no molecular MRD negativity", "MRD negativity not achieved": still detectable
    elif written:
        word = (written.group("word") or written.groupdict().get("said") or "").lower()
        status = "negative" if word.startswith(("neg", "not", "und", "none")) else "positive"
    elif (_MRD_SIGN.search(hit.text) or hit.after.startswith(("+", "(+)"))) and not _in_report(hit):
        status = "positive"  # a report writes its result out ("MRD POSITIVE"); its "MRD+" retells the referral
    elif level and _LEVEL_RIGHT_AFTER.match(hit.after) and _positive_level(level) and not negative_phrase:
        status = "positive"  # "no morphologic leukemia, MRD 0.03%": a level of its own outweighs the earlier clause's "no"
    elif negative_phrase or negation is not None:  # "no MRD detected": the negation decides
        status = "negative"
    elif "detected" in text:
        status = "positive"
    else:
        candidates = [c for c in (positive_cue, negative_cue) if c is not None]
        if candidates:
            best = min(candidates, key=lambda cue: cue.distance)
            status = "positive" if best is positive_cue else "negative"
        elif level:
            status = "negative" if level.startswith("<") else "positive"
        elif _MRD_WITH.search(hit.before):
            status = "positive"
    return Value(value=status, unit="%" if level else "", level_pct=level, method="flow" if _FLOW.search(hit.sentence) or hit.section_method else "")


# a loss of the antigen on part of the blasts: partial, not negative
_PARTIAL_LOSS = re.compile(
    r"\bpartial(?:ly)?\s+(?:CD\d+\s+)?(?:loss|lost)\b|\bpart\s+of\s+the\s+(?:leuk(?:a?e|a)mia|blasts|disease|clone|population)\s+(?:has\s+|have\s+|had\s+)?lost\b",
    re.IGNORECASE,
)


def _lost_on_part(hit: Hit) -> bool:
    """The antigen is the one a partial-loss phrase speaks of: inside it, or right after it."""
    return any(m.start() <= hit.offset_in_sentence <= m.end() + 12 for m in _PARTIAL_LOSS.finditer(hit.sentence))


def _antigen(hit: Hit) -> Value:
    """Status by the study rule: the percent decides negative/partial; intensity decides dim.

    The antigen's own words come first (:mod:`chartabstract.nlp.antigen_text`): its hyphen or sign
    ("CD19-dim", "CD22+"), the status written after it up to the next marker ("CD19 is expressed
    on 95% of blasts but dim"), the head of a marker list it belongs to ("positive for CD10, CD19,
    CD22 (dim)"). ConText cues decide only when the text says nothing of its own.
    """
    if antigen_text.not_a_result(hit.sentence, hit.offset_in_sentence, hit.text):
        return Value()  # "cannot be assessed", "CD19 negative (2% of blasts CD19+)": no (second) result
    own = antigen_text.own_words(hit.sentence, hit.offset_in_sentence, hit.text)
    if own.compound:
        return Value()  # "CD19-independent gating": the name is no result here
    if own.status == "negative" and any(c.category == "NEGATED_EXISTENCE" and c.start < hit.offset_in_sentence and _VERB_DENIAL.search(c.text)
                                        for c in hit.cues):
        return Value()  # "the marrow did NOT show CD22-negative disease": a denied loss names no status
    percent = None
    match = _ANTIGEN_PERCENT.match(own.after[:60]) or _ANTIGEN_TABLE_NUMBER.match(hit.after[:40])
    if match:
        percent = 50.0 if match.groupdict().get("half") else parse_number(match.group("pct"))
        if percent is not None and percent > 100:
            percent = None
    word = own.status or _cue_status(hit)
    subset, negative_share = antigen_text.negative_subset(own.after)
    if subset:
        # the 20%/80% rule reads the share of positive cells: a negative subset's share is the
        # complement; "no CD19-negative population" leaves every cell positive
        absent = re.search(r"\bno\s*$", hit.before, re.IGNORECASE) is not None
        percent = None if negative_share is None or absent or negative_share > 100 else 100.0 - negative_share
        word = "positive" if percent is not None or absent else "partial"
    if word == "negative" and antigen_text.subset_named_before(hit.before):
        word = "partial"  # "(bimodal: one subpopulation CD22-neg.)": the rest of the blasts carry it
    if word == "negative" and _partial_loss(hit):
        word = "partial"  # "partial CD22 loss", "partial loss of CD22": some blasts still express it
    if word == "positive" and own.intensity:
        word = own.intensity  # "expressed on 95% of blasts but at reduced (dim) intensity"
    elif word == "positive" and not own.status:
        intensity = hit.nearest("EXPRESSION_")
        if intensity is not None:  # "expresses CD19 (dim)": dim positive
            word = "dim" if intensity.category == "EXPRESSION_DIM" else "partial"
    if word == "negative" and percent is None and _lost_on_part(hit):
        word = "partial"  # "partial CD22 loss", "part of the leukaemia has lost CD22": some blasts keep it
    negative_below, partial_up_to = hit.spec.negative_below_pct, hit.spec.partial_up_to_pct
    assert negative_below is not None and partial_up_to is not None  # concepts.py requires both of an antigen
    if percent is not None and percent < negative_below:
        status = "negative"
    elif word == "dim":
        status = "dim"
    elif percent is not None and percent <= partial_up_to and word != "negative":
        status = "partial"
    else:
        status = word or ("positive" if percent is not None else "")
    specimen = "peripheral_blood" if _written_specimen(hit) == "peripheral" else ""
    return Value(value=status, unit="%" if percent is not None else "", specimen=specimen, percent_positive=percent)


_BLOOD_FLOW = re.compile(r"\b(?:PB|peripheral\s+blood|blood)\s+(?:flow(?:\s+cytometry)?|FCM|immunophenotyp\w*)\b", re.IGNORECASE)


def _written_specimen(hit: Hit) -> str:
    """'peripheral' when the antigen's sentence is a blood flow result ("PB flow: CD19+, CD22+"):
    a blood sample named before the antigen with no marrow word between them."""
    before = hit.before
    found = list(_BLOOD_FLOW.finditer(before))
    if found and not _MARROW.search(before[found[-1].end():]):
        return "peripheral"
    if _BLOOD_SAMPLE_AFTER.match(hit.after):
        return "peripheral"  # "switch to InO (CD22+ on PB flow)": the blood sample named after the result
    return ""


_BLOOD_SAMPLE_AFTER = re.compile(
    r"^[^.;()\n]{0,12}?\b(?:on|by|in|per|from)\s+(?:the\s+)?(?:PB|peripheral\s+blood|blood)(?:\s+(?:flow|FCM|immunophenotyp\w*|smear|film|sample))?\b",
    re.IGNORECASE,
)


def _partial_loss(hit: Hit) -> bool:
    """A loss the text calls partial: the negative cue is "loss"/"lost" and "partial(ly)" stands
    right before the antigen or the loss ("partial CD22 loss", "partial loss of CD22", "partially
    lost"), not elsewhere in the sentence ("CD22 loss, partial response")."""
    loss, partial = hit.nearest("RESULT_NEGATIVE"), hit.nearest("EXPRESSION_PARTIAL")
    if loss is None or partial is None or not loss.text.lower().startswith("los"):
        return False
    partial_end = partial.start + len(partial.text)
    return any(0 <= target - partial_end <= 2 for target in (hit.offset_in_sentence, loss.start))


def _cue_status(hit: Hit) -> str:
    cues = [c for c in hit.cues if c.category.startswith(("RESULT_", "EXPRESSION_")) or c.category == "NEGATED_EXISTENCE"]
    best = min(cues, key=lambda cue: cue.distance) if cues else None
    if best is None:
        return ""
    return {"RESULT_POSITIVE": "positive", "RESULT_NEGATIVE": "negative", "NEGATED_EXISTENCE": "negative",
            "EXPRESSION_DIM": "dim", "EXPRESSION_PARTIAL": "partial"}.get(best.category, "")


def _clean_number(raw: str) -> str:
    number = parse_number(raw)
    if number is None:
        return ""
    return str(int(number)) if number.is_integer() else str(number)


# --- outcomes: acute/chronic GVHD, relapse, cause of death ---

_ROMAN = {"0": 0, "i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_GRADE = re.compile(
    r"\b(?:overall\s+|MAGIC\s+|Glucksberg\s+|clinical\s+)?(?:grade|graad|gr\.?)\s*[:=]?\s*(?P<g>IV|III|II|I|[0-4])(?![\d%]|\.\d)\b"
    r"|(?<![\w.])(?P<deg>IV|III|II|I|[0-4])\s*°"
    r"|(?<![\w.])(?P<kr>IV|III|II|I|[0-4])\s*(?:등급|도)(?!\w)",  # Korean: "grade 2" is "2등급", "II도"
    re.IGNORECASE,
)
# Organ stages: "skin stage 2", "GI stage 1", "liver st 0", "skin 4", "stage 3 skin", "of the skin, stage 1".
_ORGAN = r"(?P<organ>upper\s+GI|UGI|lower\s+GI|LGI|GI|gut|intestinal|bowel|stool|skin|cutaneous|rash|liver|hepatic)"
_STAGE_AFTER = re.compile(
    _ORGAN + r"\b(?:\s+(?:a?GV?HD|GvHD|involvement))?[\s,:(]*(?:(?:stage|st\.?)\s*)?(?P<stage>[0-4])\b(?![.,]\d|\s*(?:%|mg|m?L\b|/|x\b|times))",
    re.IGNORECASE,
)
# on one line: in a list of "Skin: stage 2" / "Liver: stage 0" lines, a stage is never the next line's
_STAGE_BEFORE = re.compile(r"\b(?:stage|st\.?)[^\S\n]*(?P<stage>[0-4])[^\S\n]+(?:of[^\S\n]+(?:the[^\S\n]+)?)?" + _ORGAN + r"\b", re.IGNORECASE)
# an organ heading, its finding, then the stage in brackets or after a dash: "Skin: rash 35% BSA
# (stage 2)", "GI: diarrhea ~600 mL/day (stage 1)", "Skin: erythematous rash ~60% BSA - stage 3";
# the finding stays in its clause
_STAGE_BRACKETED = re.compile(
    _ORGAN + r"\b[^\S\n]*:(?:[^.;()\n]|\.(?=\d)){0,50}?"
    r"(?:\(\s*(?:stage|st\.?)\s*(?P<stage>[0-4])\s*\)|(?:[-\u2013\u2014,]|-?>|\u2192)[^\S\n]*(?:stage|st\.?)\s*(?P<stage2>[0-4])\b)", re.IGNORECASE)
_ORGAN_KEY = {"upper gi": "upper_gi", "ugi": "upper_gi", "lower gi": "lower_gi", "lgi": "lower_gi", "gi": "lower_gi",
              "gut": "lower_gi", "intestinal": "lower_gi", "bowel": "lower_gi", "stool": "lower_gi", "skin": "skin",
              "cutaneous": "skin", "rash": "skin", "liver": "liver", "hepatic": "liver"}
_SEVERITY = re.compile(r"\b(mild|moderate|severe)\b", re.IGNORECASE)
_GVHD_WINDOW = 70  # characters either side of the GVHD term where its grade or stages are written


def magic_grade(stages: dict[str, int]) -> int:
    """The MAGIC overall acute GVHD grade (0-4) from organ stages (skin, liver, upper_gi, lower_gi)."""
    skin, liver = stages.get("skin", 0), stages.get("liver", 0)
    upper, lower = stages.get("upper_gi", 0), stages.get("lower_gi", 0)
    if skin >= 4 or liver >= 4 or lower >= 4:
        return 4
    if liver >= 2 or lower >= 2:
        return 3
    if skin >= 3 or liver >= 1 or upper >= 1 or lower >= 1:
        return 2
    return 1 if skin >= 1 else 0


FOLLOWING_CHARS = 300
_OVERALL_GRADE = re.compile(r"\b(?:overall|MAGIC|global|clinical)\s+(?:a?GVHD\s+)?(?:grade|gr\.?)\s*[:=]?\s*(?P<g>IV|III|II|I|[0-4])(?![\d%]|\.\d)\b", re.IGNORECASE)
_CHRONIC = re.compile(r"\bchronic\b|\bchronische?\b|\bcGVHD\b|만성", re.IGNORECASE)
# the next sentence is the grade's own ("Overall grade II.", "Skin stage 3, liver stage 1.")
_GRADE_SENTENCE = re.compile(r"^\s*(?:[-*•]\s*)?(?:(?:overall|MAGIC|Glucksberg|clinical|acute)\s+)?(?:grade|gr\.?|stage|st\.?|(?:organ\s+)?staging|skin|liver|hepatic|gut|GI|UGI|LGI|upper|lower)\b", re.IGNORECASE)
# up to its full stop, which may be on a later line of the paragraph ("... lower GI stage 0,\nliver stage 0.")
_NEXT_SENTENCE = re.compile(r"^\s*(?P<s>(?:[^\n]|\n(?!\s*\n))*?(?:[.!?](?=\s|$)|(?=\n\s*\n)|$))")


def gvhd_grade(hit: Hit) -> Value:
    """Acute GVHD: the written overall grade (unit ``grade``), else the MAGIC grade derived from the
    organ stages written beside it (unit ``staging``), else no value.

    An "overall grade" anywhere in the sentence beats a derivation from stages. When the sentence
    gives neither, the grade or stages may follow: in the next sentence of the paragraph ("Acute
    GVHD of the skin. Overall grade II.") or, after a heading that ends the line ("Acute GVHD,
    onset D+16:"), on the stage lines under it, up to a blank line or a chronic GVHD line.
    """
    window, written = _written_grade(hit)
    if written is not None:
        return written
    overall = _OVERALL_GRADE.search(hit.after)
    if overall:
        return Value(value=str(_ROMAN[caseless(overall.group("g"))]), unit="grade")
    stages = _stages(window)
    if stages:  # a staging list's last line ("Liver: ... stage 0 for GVHD purposes") adds up the lines above it
        # and a list the sentencizer cut at its semicolons ("skin stage 2; lower GI stage 2; liver stage 0")
        # goes on to the end of its line
        rest_of_line = hit.following.split("\n", 1)[0] if hit.sentence.rstrip().endswith(";") else ""
        for organ, stage in [*_preceding_stages(hit).items(), *_stages(_CHRONIC.split(rest_of_line)[0]).items()]:
            stages[organ] = max(stages.get(organ, 0), stage)
        return Value(value=str(magic_grade(stages)), unit="staging")
    # a long clause puts the stage past the window ("Acute GVHD: from D+24 rash spreading to
    # ~60% BSA by D+27 (skin stage 3), no diarrhoea"): the rest of its sentence, up to another GVHD
    # statement, stages it too, with the stage sentence that may follow ("GI stage 0, liver stage 0.")
    follows = _grade_that_follows(hit, _stages(_GVHD_WORD.split(_CHRONIC.split(hit.after)[0])[0]))
    return follows if follows.value else _stages_that_precede(hit)


def _stages(text: str) -> dict[str, int]:
    stages: dict[str, int] = {}
    for pattern in (_STAGE_AFTER, _STAGE_BEFORE, _STAGE_BRACKETED):
        for match in pattern.finditer(text):
            organ = _ORGAN_KEY[re.sub(r"\s+", " ", caseless(match.group("organ")))]
            stage = match.group("stage") or match.groupdict().get("stage2")
            stages[organ] = max(stages.get(organ, 0), int(stage))
    return stages


def _grade_that_follows(hit: Hit, staged: dict[str, int]) -> Value:
    """The grade written after the sentence, else the MAGIC grade of the stages written after the
    term in its sentence (``staged``) and after it."""
    if hit.line.rstrip().endswith(":"):  # a heading: the stage lines under it
        block = _CHRONIC.split(hit.following)[0]
    else:
        first = _NEXT_SENTENCE.match(hit.following)
        block = first.group("s") if first else ""
        if not _GRADE_SENTENCE.match(block) or _CHRONIC.search(block) or re.search(r"\bGVHD\b|graft[- ]+(?:versus|vs)", block, re.IGNORECASE):
            block = ""  # the next sentence is about something else, or is its own GVHD statement
    overall = _OVERALL_GRADE.search(block) or _GRADE.search(block)
    if overall:
        return Value(value=str(_ROMAN[caseless(overall.group("g") or overall.group("deg") or overall.group("kr"))]), unit="grade")
    stages = dict(staged)
    for organ, stage in _stages(block).items():
        stages[organ] = max(stages.get(organ, 0), stage)
    if stages:
        return Value(value=str(magic_grade(stages)), unit="staging")
    return Value()


_GVHD_WORD = re.compile(r"\bGV?HD\b|graft[- ]+(?:versus|vs\.?)[- ]+host", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")


def _stages_that_precede(hit: Hit) -> Value:
    """Organ stages staged line by line before the diagnosis in the same paragraph ("rash ~40 %
    BSA -> skin stage 2." "Diarrhoea 800 ml/d -> lower GI stage 1." then "Biopsy: consistent with
    acute GvHD"): the MAGIC grade they give. Only the lines after the last other GVHD statement
    count, so an earlier episode's stages stay with it."""
    stages = _preceding_stages(hit)
    return Value(value=str(magic_grade(stages)), unit="staging") if stages else Value()


def _preceding_stages(hit: Hit) -> dict[str, int]:
    """The organ stages of the paragraph before the term, after its last other GVHD statement;
    none when a chronic GVHD statement is among them."""
    block = hit.preceding
    earlier = list(_GVHD_WORD.finditer(block))
    if earlier:  # start after the sentence of the last earlier GVHD statement
        end = _SENTENCE_END.search(block, earlier[-1].end())
        block = block[end.end() :] if end else ""
    return {} if _CHRONIC.search(block) else _stages(block)


# "no CRS", "without ICANS", "negative for CRS": the outcome stated absent (grade 0)
_ABSENT_BEFORE = re.compile(r"\b(?:no|without|denies|negative\s+for|free\s+of)\s+(?:(?:evidence|signs?|symptoms?)\s+of\s+)?(?:any\s+)?$", re.IGNORECASE)


def outcome_grade(hit: Hit) -> Value:
    """A graded outcome without organ staging (CRS, ICANS): the grade written nearest to it within
    the window ("grade 2 CRS", "CRS grade II", "CRS (gr 1)"), ``0`` with unit ``absent`` for
    "no CRS", else no value."""
    _window, written = _written_grade(hit)
    if written is not None:
        return written
    if _ABSENT_BEFORE.search(hit.before):
        return Value(value="0", unit="absent")
    return Value()


def _written_grade(hit: Hit) -> tuple[str, Value | None]:
    """The window around the term where its grade is written, and the grade nearest the term there."""
    start = hit.offset_in_sentence
    end = start + len(hit.text)
    window_start = max(0, start - _GVHD_WINDOW)
    window = hit.sentence[window_start : end + _GVHD_WINDOW]
    own = (start - window_start, end - window_start)
    grades = [(m, _ROMAN[caseless(m.group("g") or m.group("deg") or m.group("kr"))]) for m in _GRADE.finditer(window)]
    if not grades:
        return window, None
    _match, grade = min(grades, key=lambda pair: gap(*pair[0].span(), *own))
    return window, Value(value=str(grade), unit="grade")


def chronic_gvhd_severity(hit: Hit) -> Value:
    """Chronic GVHD: the NIH global severity (mild, moderate, severe) written beside it."""
    start = hit.offset_in_sentence
    window = hit.sentence[max(0, start - 30) : start + len(hit.text) + 50]
    found = _SEVERITY.search(window)
    return Value(value=found.group(1).lower()) if found else Value()


_EXTRAMEDULLARY = re.compile(r"\b(?:CNS|CSF|testic\w*|testis|testes|extramedullary|leukemia\s+cutis|chloroma|myeloid\s+sarcoma|orbit\w*|ocular|leptomening\w*|mening\w*)\b", re.IGNORECASE)


def relapse_kind(hit: Hit) -> Value:
    """morphologic (the default), mrd (MRD conversion without morphologic relapse) or extramedullary."""
    if hit.groups.get("site") or _EXTRAMEDULLARY.search(hit.text):
        return Value(value="extramedullary")
    if hit.groups.get("mrd") or hit.groups.get("mrd2"):
        return Value(value="mrd")
    return Value(value="morphologic")


def gap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    """Characters between two spans; 0 when they touch or overlap."""
    if a_end <= b_start:
        return b_start - a_end
    if b_end <= a_start:
        return a_start - b_end
    return 0
