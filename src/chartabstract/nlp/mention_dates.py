"""Which date belongs to a mention: its sentence's date that it owns, else its line's, section's or note's.

A sentence often holds several events and dates ("relapse 5/2018 -> blinatumomab 6/2018"); each
date goes to the mention that claims it most closely, within clause and parenthesis bounds, and a
date nearer to another event's mention is that event's. Treatments get readings of their own:
a range's first date, the year that fits the tense, Day 0 from a "Day +N" count.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import replace
from datetime import date, timedelta

from spacy.tokens import Span

from chartabstract.concepts import PROCEDURE_KINDS, TREATMENT_KINDS, VALUE_KINDS
from chartabstract.models import DateMention, Note, ResolvedDate
from chartabstract.nlp import course_dates, values
from chartabstract.nlp.doc_text import doc_text, sentence_of
from chartabstract.nlp.list_item_dates import list_item_date
from chartabstract.nlp.marrow_dates import is_marrow_date, marrow_date_before

# Mentions of one date group (the registry's ``date_group``: results of one marrow, a relapse
# and its marrow, a death and its cause) may share a date in their sentence ("CD19 neg, CD22 pos
# on 4/2/19"); a date closer to a mention of another group belongs to that other event.


class NoteDates:
    """A note's dates, found by position: a long note holds thousands, and scanning them all for
    every mention made extraction quadratic in the note's length."""

    def __init__(self, dates: list[DateMention]) -> None:
        self.dates = dates  # find_dates: sorted by start, never overlapping (so sorted by end too)
        self._starts = [d.start for d in dates]
        self._ends = [d.end for d in dates]

    def starting_in(self, start: int, end: int) -> list[DateMention]:
        """The dates starting in [start, end), in order."""
        return self.dates[bisect_left(self._starts, start) : bisect_left(self._starts, end)]

    def count_ending_by(self, position: int) -> int:
        """How many dates end at or before ``position`` (they are the first ones)."""
        return bisect_right(self._ends, position)


class SentenceHits:
    """The hits of each sentence, in document order, indexed once per note."""

    def __init__(self, hits: list[tuple[Span, values.Hit]]) -> None:
        self._by_sentence: dict[int, list[tuple[Span, values.Hit]]] = {}
        for ent, hit in hits:
            self._by_sentence.setdefault(sentence_of(ent).start, []).append((ent, hit))

    def of(self, sent: Span) -> list[tuple[Span, values.Hit]]:
        return self._by_sentence.get(sent.start, [])


def date_of_mention(
    ent: Span,
    hit: values.Hit,
    dates: NoteDates,
    hits: SentenceHits,
    section_date: DateMention | None,
) -> tuple[DateMention | None, str]:
    """The date of this mention's event: its sentence's nearest date it owns, else section, else note."""
    sent = sentence_of(ent)
    in_sentence = [d for d in dates.starting_in(sent.start_char, sent.end_char) if not _is_own_anchor(d, ent, hit)]
    if in_sentence:
        # "since 17.05.2021 (MRD indication)", "(for MRD)": a reason names the result, it has no day of its own
        neighbours = [(e, h) for e, h in hits.of(sent) if e is ent or not _names_a_reason(h)]
        group = hit.spec.date_group
        best: tuple[int, DateMention] | None = None
        meeting_day = False
        own_count: DateMention | None = None
        text = doc_text(ent.doc)
        for candidate in in_sentence:
            distance = _claim(text, candidate, ent.start_char, ent.end_char)
            owner_distance, owner = min(
                ((_claim(text, candidate, e.start_char, e.end_char), h) for e, h in neighbours),
                key=lambda pair: pair[0],
            )
            marrow_day = is_marrow_date(text, candidate)
            if marrow_day and hit.kind in TREATMENT_KINDS and not _GIVEN_ON.search(text, max(0, candidate.start - 20), candidate.start):
                continue  # "the marrow of 12 Nov, after one cycle of blina": not the drug's day ("infused 11/08/2021 -> CR" is)
            if hit.kind in TREATMENT_KINDS and _ACCESS_STEP_BEFORE.search(text, max(0, candidate.start - 30), candidate.start):
                continue  # "BLINATUMOMAB (MAF approved 30/6) C1D1 ... started 5/7/21": the approval's day, not a dose's
            if _IN_ERROR_AFTER.match(text, candidate.end):
                continue  # "the start date was entered as 14-MAR-2022 in error; correct date is 15-MAR-2022"
            if hit.kind in TREATMENT_KINDS and _EARLIER_RESULT_BEFORE.search(text, max(0, candidate.start - 24), candidate.start):
                continue  # "CR after blinatumomab C1 (previous 2022-09-06: flow 12.4%)": the earlier marrow's day
            if hit.kind in PROCEDURE_KINDS and _ADMISSION_LABEL_BEFORE.search(text, max(0, candidate.start - 16), candidate.start):
                continue  # "Adm. 2021-01-04 (HD #9) Transplant Day 0": the stay began then, the graft came later
            if (hit.kind in TREATMENT_KINDS or hit.kind in PROCEDURE_KINDS) and course_dates.MEETING_BEFORE.search(text, max(0, candidate.start - 40), candidate.start):
                meeting_day = True
                continue  # "as decided in the tumour board of 13.05.2021", "after alloSCT (MDT 05.03.2021)": the meeting's day
            if owner_distance < distance and owner.spec.date_group != group and not (
                marrow_day and hit.kind in VALUE_KINDS and owner.kind not in VALUE_KINDS
            ):
                continue  # closer to another event's mention: that event's date (a marrow's day is its results')
            if not _parenthesis_allows(doc_text(ent.doc), candidate, ent):
                continue
            if hit.kind in VALUE_KINDS and candidate.end <= ent.start_char and _remission_after(text, candidate, ent):
                continue  # "diagnosed June 2016, CR1 (MRD negative)": the remission came after that date
            if hit.kind in PROCEDURE_KINDS and _aside_after(text, candidate, ent):
                continue  # "board of 10.08. (..., prior SCT)": the aside's transplant is an old one
            if _COMPARISON_BEFORE.search(doc_text(ent.doc), max(0, candidate.start - 50), candidate.start):
                continue  # "46% blasts, up from 22% in September": the date of the earlier value
            if _ARROW.search(doc_text(ent.doc)[min(candidate.end, ent.end_char) : max(candidate.start, ent.start_char)]):
                continue  # "relapse 5/2018 -> blinatumomab": the date is the step before the arrow
            if _DOCUMENT_DAY_BEFORE.search(text, max(0, candidate.start - 24), candidate.start):
                continue  # "(obituary, posted 2/5/2023): '... died February 2, 2023'": the document's day, not the event's
            if candidate.end <= ent.start_char and _THEN_BETWEEN.search(text, candidate.end, ent.start_char):
                continue  # "dexamethasone x 4 days starting today, then blinatumomab C1": the step before it
            # A calendar date beats an event-relative one ("C1D1 today", "Day +30, 1/2/19").
            rank = distance + (10_000 if candidate.resolved.value is None and not candidate.resolved.invalid else 0)
            if best is None or rank < best[0]:
                best = (rank, candidate)
            if _in_own_phrase(text, candidate, ent) and candidate.resolved.value is None and candidate.resolved.anchor:
                own_count = candidate  # "MRD neg at day 28": counted from an event, whatever else is dated
        if best is None and meeting_day:
            return None, "none"  # when it was decided is known, not when it was given
        if best is not None:
            if own_count is not None and not _in_own_phrase(text, best[1], ent):
                return own_count, "mention"
            return _day_in_parenthesis(text, best[1], dates), "mention"
        if hit.kind in VALUE_KINDS and _in_dated_treatment_aside(text, ent, neighbours):
            return None, "none"
    year = _year_after(ent, hit)
    if year is not None:
        return year, "mention"
    label = _line_label_date(doc_text(ent.doc), sent.start_char, dates) if hit.kind in VALUE_KINDS else None
    if label is None and hit.kind in VALUE_KINDS:
        label = marrow_date_before(doc_text(ent.doc), sent.start_char, dates)
    if label is not None:
        return label, "section"
    # a dated list item dates the results and treatments of its later sentences; another kind of
    # event there ("- 10/19/2016 MUD alloHSCT. Chronic skin GVHD.") or a treatment refused there
    # ("... completed 5/2019. Declined alloHSCT.") is not the item's event
    if hit.kind in VALUE_KINDS or (hit.kind in TREATMENT_KINDS and hit.nearest("NEGATED") is None):
        item = list_item_date(doc_text(ent.doc), sent.start_char, ent.start_char, dates)
        if item is not None:
            return item, "section"
    header = _header_line_date(doc_text(ent.doc), sentence_of(ent).start_char, dates, day_lines=hit.kind in TREATMENT_KINDS and hit.kind not in PROCEDURE_KINDS)
    if header is not None:
        return header, "section"
    if section_date is not None:
        return section_date, "section"
    return None, "note"


_TREATMENT_BEFORE_ASIDE = 30  # characters from a treatment's name to the parenthesis that tells its course


def _in_dated_treatment_aside(text: str, ent: Span, neighbours: list[tuple[Span, values.Hit]]) -> bool:
    """A result inside the parenthesis after a treatment, in a sentence whose dates are other
    events' ("Inotuzumab 04/10/2018 (partial response, 8% marrow blasts)", "-> blina (C1 started
    10/05/2020, MRD-neg CR) -> UCBT 12/10/2020"), is how that past course went: it has no date of
    its own here, and the note's date would make it a result of today."""
    sentence = sentence_of(ent)
    opened = text.rfind("(", sentence.start_char, ent.start_char)
    if opened < 0 or text.rfind(")", opened, ent.start_char) >= 0:
        return False
    return any(
        other.kind in TREATMENT_KINDS and e.end_char <= opened and opened - e.end_char <= _TREATMENT_BEFORE_ASIDE
        and ")" not in text[e.end_char : opened]
        for e, other in neighbours
    )


_OPENS_PARENTHESIS = re.compile(r"\s*\([^()\n]{0,30}$")


def _day_in_parenthesis(text: str, chosen: DateMention, dates: NoteDates) -> DateMention:
    """A month written with its day in the parenthesis after it ("CNS relapse April 2022 (CSF
    20th April 2022)") is that day: the parenthesis says which day of the month."""
    value = chosen.resolved.value
    if value is None or chosen.resolved.precision != "month":
        return chosen
    for later in dates.starting_in(chosen.end, chosen.end + 40):
        day = later.resolved.value
        if day is None or later.resolved.precision != "day" or (day.year, day.month) != (value.year, value.month):
            continue
        if _OPENS_PARENTHESIS.fullmatch(text, chosen.end, later.start):
            return later
    return chosen


_ARROW = re.compile(r"->|→|=>|-->|>>")
# a numbered remission reached after a dated diagnosis, induction or relapse of the same sentence
_NUMBERED_REMISSION = re.compile(r"\bCRi?\s?\d\b")
_REMISSION_AFTER = re.compile(r"^[\s-]*(?:negative|neg|positive|pos)?\s*CRi?\s?\d\b", re.IGNORECASE)
_STARTING_EVENT_BEFORE = re.compile(
    r"\b(?:diagnosed|diagnosis|dx|induction|relapsed?)\b(?:\s+(?:in|on))?\s*$", re.IGNORECASE
)


def _remission_after(text: str, date: DateMention, ent: Span) -> bool:
    """Whether a result is the status of a remission reached after an earlier event of its sentence,
    dated there: "diagnosed June 2016 (UKALL14), CR1 (MRD negative)", "first relapse September
    2018 treated with blina x2 (CR2, MRD negative)". The date is the diagnosis' or the relapse's."""
    if not _STARTING_EVENT_BEFORE.search(text, max(0, date.start - 25), date.start):
        return False
    return bool(_NUMBERED_REMISSION.search(text, date.end, ent.start_char) or _REMISSION_AFTER.match(text, ent.end_char))


_COMPARISON_BEFORE = re.compile(
    r"\b(?:(?:up|down|increased|decreased|risen|rose|fallen|fell|rising|falling|improved|worsened"
    r"|(?:a\s+)?(?:decrease|increase|decline|drop|rise|reduction|change|loss)s?)\s+(?:\w+\s+){0,2}?from"
    r"|compared\s+(?:with|to)|vs\.?|versus|(?:lower|higher|dimmer|brighter|weaker|stronger)\s+than(?:\s+(?:on|in|at))?"
    # "median fluorescence 1 log below the pre-treatment sample of 13.01.2020"
    r"|(?:below|above)\s+(?:that\s+(?:of|in|on)\s+)?(?:the|its)\b)(?:\b|(?<=\.))[^.;()\n]{0,30}$",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"\s[-–—]\s|:\s|;|\)\s*[-–—:]")
_CLAUSE_PENALTY = 200
# a sample named before a date that ends a label: "BM 13.06.: 38 % blasts" (not "C1 from 3/16: CR")
_SAMPLE_BEFORE = re.compile(r"\b(?:bm|bmbx|bma|kmp|marrow|csf|lp|liquor|flow|facs|mrd|biopsy|aspirate|punktion|puncture)\s*$", re.IGNORECASE)
_COMMA_PENALTY = 20


# a date, not "0.15%"; a day count ("Day +74", "D+28") dates its aside too
_DATED = re.compile(r"(?<![\d.])\d{1,2}/\d{1,2}\b|\b\d{1,2}\.\d{1,2}\.\d{2,4}\b|\b(?:19|20)\d\d\b|\b(?:day|D)\s?\+\s?\d{1,4}\b", re.IGNORECASE)


_GIVEN_ON = re.compile(r"\b(?:infused|given|started|administered|transplanted|received)\s+(?:on\s+)?$", re.IGNORECASE)
# an access step's own date: "approved 30/6", "authorised on 6/4", "submitted 06/16/23", "vials arrived 9/4",
# "(MoH approval dated 03.05.2021, SGK 06.05.2021)": a payer named before its decision's day;
# "(qualification 24.05.2023)": a drug programme's qualification of the patient
_ACCESS_STEP_BEFORE = re.compile(
    r"\b(?:approv(?:ed|al)|authori[sz](?:ed|ation)|ordered|requested|submitted|arrived|deliver(?:ed|y)(?:\s+to\s+(?:the\s+)?\w+)?|shipped|shipment|dispensed|sanctioned|funded"
    r"|reimburs\w*|permits?|LOA|SGK|MoH|payer|insurer|consent(?:ed|s)?(?:\s+(?:form\s+)?signed)?|qualifi(?:ed|cation)(?:\s+(?:to|for)\s+\w+)?"
    # Korean: "심평원 22.05.26 승인", "사전승인 신청 6/19" (HIRA, prior approval, application)
    r"|HIRA|심평원|사전승인|승인|신청|통보)"
    r"(?:\s+(?:letter|form|email|e-mail))?(?:\s+(?:on|by|from|wef|dated|issued|granted|received|came))?[\s:,-]*$",
    re.IGNORECASE,
)


# the day a document was posted, published, faxed or scanned
_DOCUMENT_DAY_BEFORE = re.compile(r"\b(?:posted|published|printed|faxed|scanned|uploaded)(?:\s+(?:on|online))?\s*[:,]?\s*$", re.IGNORECASE)
# a step after a dated one: "..., then", "followed by"
_THEN_BETWEEN = re.compile(r"\b(?:then|followed\s+by|thereafter|afterwards?)\b", re.IGNORECASE)
# the day of an earlier result named in a treatment's parenthesis: "(previous 2022-09-06: ...)", "(prior BM 3/4)"
_EARLIER_RESULT_BEFORE = re.compile(r"\b(?:previous|prior|earlier|last)(?:\s+(?:BM|marrow|bone\s+marrow|exam(?:ination)?|result|study|sample))?\s*[:(]?\s*$", re.IGNORECASE)
# an admission's day in a note header ("Adm. 2021-01-04 (HD #9)", "Admission date: 03/02", "입원 21.01.04")
_ADMISSION_LABEL_BEFORE = re.compile(r"(?:\badm(?:itted|ission)?\.?(?:\s+date)?|입원(?:일)?)\s*[:#]?\s*$", re.IGNORECASE)
# a date the text itself says is wrong: "entered as 14-MAR-2022 in error", "03/14/2022 (incorrect)"
_IN_ERROR_AFTER = re.compile(r"[\s(]*(?:was\s+|is\s+)?(?:entered\s+|recorded\s+|documented\s+)?(?:in\s+error|incorrect(?:ly)?|erroneous(?:ly)?)\b", re.IGNORECASE)
# "Death time: 2022-01-26 04:35", "Death date: ...": a field name ending in its kind of value is a label too
_LABEL_VALUE = re.compile(r"[ \t]*(?:(?:time|date|day|datetime)[ \t]*)?[:=][ \t]*", re.IGNORECASE)


_REASON_AFTER = re.compile(r"^[\s-]{0,2}(?:indication|setting|directed|guided|based|adapted|driven|dosing|dose|regimen|schedule)\b", re.IGNORECASE)
_REASON_BEFORE = re.compile(r"\b(?:for|because\s+of|due\s+to)\s+$", re.IGNORECASE)


def _names_a_reason(hit: values.Hit) -> bool:
    """A result's name said as the reason for a treatment ("MRD indication", "for MRD positivity"),
    not as a result of a day."""
    return hit.kind in VALUE_KINDS and bool(_REASON_AFTER.match(hit.after) or _REASON_BEFORE.search(hit.before[-20:]))


def _claim(text: str, date: DateMention, start: int, end: int) -> int:
    """How far a date is from a mention, a clause break or a closing parenthesis between them
    counting as far: in "Blinatumomab C1 started 1 July 2019 - MRD-negative CR2" the date is the start's."""
    gap = values.gap(date.start, date.end, start, end)
    between = text[min(date.end, end) : max(date.start, start)]
    if date.start >= end and _LABEL_VALUE.fullmatch(between):
        return 0  # "Date of admission: 14/08/2023  Date of death: 21/08/2023": a label's value follows its colon
    # "blinatumomab (from 7th June 2021), inotuzumab": a parenthesis closing between them
    # holds the date of what precedes it
    enclosed = date.end <= start and ")" in between and "(" not in between.split(")", 1)[0]
    # "then inotuzumab from 10/30 (MRD-positive remission 11/27)": a parenthesis opening between a
    # date and a mention, that writes a date of its own, is a dated aside; the date before it is
    # what precedes the parenthesis ("the marrow of 10 March (38% blasts)" dates the blasts)
    if not enclosed and date.end <= start and between.rfind("(") > between.rfind(")"):
        opened = min(date.end, end) + between.rfind("(")
        closed = text.find(")", end, end + 80)
        enclosed = _DATED.search(text, end, closed if closed >= 0 else end + 80) is not None or _DATED.search(text, opened, start) is not None
    label = _LABEL_END.match(text, date.end) if date.end <= start else None
    if label and _SAMPLE_BEFORE.search(text, max(0, date.start - 20), date.start):
        # "(BM 13.06.: 38 % blasts": the colon ends the date's label, it heads the result after it
        between = between[label.end() - date.end :]
    if _CLAUSE_BREAK.search(between) or enclosed or _ARROW.search(between):  # "infused 11/08/2021 -> CR MRD-neg"
        return gap + _CLAUSE_PENALTY
    # "Kymriah infusion 2/11/2020, CR/MRD neg at day 28": a comma after a date closes the phrase
    # the date ends; what follows the comma is nearer in characters but not the date's
    return gap + (_COMMA_PENALTY if date.end <= start and "," in between else 0)
def _in_own_phrase(text: str, date: DateMention, ent: Span) -> bool:
    """No comma or clause break between the date and the mention: "CR/MRD neg at day 28" holds
    its day count; in "infusion 2/11/2020, CR/MRD neg" the date ends the phrase before it."""
    between = text[min(date.end, ent.end_char) : max(date.start, ent.start_char)]
    return "," not in between and not _CLAUSE_BREAK.search(between)


# what may stand between a mention and the parenthesis dating it: a dose and a day label ("Inotuzumab
# ozogamicin 0.8 mg/m2 IV given on D1 (3-2-22)"), never a clause of its own
_AFTER_TARGET = re.compile(r"^[\s\w/+%.,:~<>-]{0,50}$")
_GLOSS = re.compile(r"\(\s*[A-Za-z][\w -]{0,20}[®™]?\s*\)|[®™]")


def _parenthesis_allows(text: str, date: DateMention, ent: Span) -> bool:
    """A date in parentheses dates what the parentheses follow, not the rest of the sentence.

    "blina x2 (3/2018-5/2018)" dates blina; in "(1st relapse 2/2018) on blina" the date is the
    relapse's. A parenthesis is open at the date when its "(" comes after the last ")".
    """
    line_start = text.rfind("\n", 0, date.start) + 1
    opened = text.rfind("(", line_start, date.start)
    if opened < 0 or text.rfind(")", opened, date.start) >= 0:
        return True  # the date is not inside parentheses
    if opened < ent.start_char:
        closed = text.find(")", date.end, ent.end_char)  # bounded: the note may close none after
        if closed < 0:
            return True  # the mention is inside the same parentheses
        # "BMBx (11/7): 2% blasts" dates the line; "(1st relapse 2/2018) on blina" dates the relapse;
        # "post allo (5/14/19), refractory to blina" dates the transplant: only a parenthesis that
        # heads what follows (a colon or dash after it) lends its date past its closing
        return bool(_DATE_LEADS_PARENTHESIS.match(text[opened + 1 : date.start])) and bool(
            _HEADS_WHAT_FOLLOWS.match(text, closed + 1)
        )
    # a brand name's gloss ("Blinatumomab (Blincyto®) C1: 28 µg/d ... d1-d28 (17.05.2021 - ...)") is part of the name
    return bool(_AFTER_TARGET.match(_GLOSS.sub(" ", text[ent.end_char : opened])))


def _aside_after(text: str, date: DateMention, ent: Span) -> bool:
    """Whether the mention stands in parentheses opened after the date: a procedure named in an
    aside ("the board of 10.08. weighed age and comorbidity (heart failure, prior SCT)") is
    recalled there, not done on the date the sentence opens with. A name that opens the
    parentheses glosses what precedes them ("CAR-T 7.7.2020 (Kymriah)") and keeps the date."""
    if date.end > ent.start_char:
        return False
    opened = text.rfind("(", date.end, ent.start_char)
    return opened >= 0 and text.find(")", opened, ent.start_char) < 0 and bool(text[opened + 1 : ent.start_char].strip())


_DATE_LEADS_PARENTHESIS = re.compile(r"^\s*(?:[\w~+-]{1,8}\s+)?$")
_HEADS_WHAT_FOLLOWS = re.compile(r"\s*(?:[:=]|[-–—]\s)")


_HEADER_LINES_BACK = 6
_DAY_LINE = re.compile(r"^[\s\W]*(?:(?:mon|tue|wed|thu|fri|sat|sun)\w*\.?)?[\s\W]*$", re.IGNORECASE)  # what a day header holds beside its date


def _header_line_date(text: str, sentence_start: int, dates: NoteDates, *, day_lines: bool = False) -> DateMention | None:
    """A dated header line ("BMBx 7/16/18:") dates the lines under it, up to a blank line.

    ``day_lines``: an administration record grouped by day dates its rows the same way: a line
    holding only a date ("06/22/2020" then "09:30 inotuzumab ... given"), or a date that opens a
    line whose continuation rows are indented under it ("06/13/2022  09:10 premeds - given" then
    "            09:48 INOTUZUMAB ... GIVEN"). For treatments only, where such records are written.
    """
    position = sentence_start
    own_start = text.rfind("\n", 0, sentence_start) + 1
    indent = _indent(text, own_start)
    for _ in range(_HEADER_LINES_BACK):
        line_end = text.rfind("\n", 0, position)
        if line_end < 0:
            return None
        line_start = text.rfind("\n", 0, line_end) + 1
        line = text[line_start:line_end].strip()
        if not line:
            return None  # a blank line ends the block
        if line.endswith(":"):
            on_line = [d for d in dates.starting_in(line_start, line_end) if d.resolved.value]
            if len(on_line) >= 2 and _RANGE_DASH.fullmatch(text[on_line[0].end : on_line[1].start]):
                return None  # "s/p blinatumomab C1 (1/18 - 2/14), refractory:" spans a course: no one day of the lines under it
            return on_line[0] if on_line else None
        if day_lines:
            on_line = [d for d in dates.starting_in(line_start, line_end) if d.resolved.value]
            if on_line and not text[line_start:on_line[0].start].strip():
                first = on_line[0]
                if (len(on_line) == 1 and _DAY_LINE.match(line.replace(first.text, "", 1))) or _indent(text, line_start) < indent:
                    return first
        position = line_start
    return None


# a date that ends a label: "BMBx 7/16/18:", "BMBx 6/3 (D22):", "marrow 4/15 (prelim):", and one
# in the label's closing parenthesis: "D+28 BMBx (9/19/17):", "Day +21 marrow (7/2/19):"
_LABEL_END = re.compile(r"\s*(?:\([^()\n]{0,40}\)|\))?\s*:")


def _line_label_date(text: str, sentence_start: int, dates: NoteDates) -> DateMention | None:
    """A dated label earlier on the result's own line dates it: in "BMBx 6/3 (D22): 3% blasts;
    MRD positive 0.2%; CD22 positive", every result after the label is that marrow's, though the
    sentencizer splits the line. The nearest such label before the sentence wins."""
    line_start = text.rfind("\n", 0, sentence_start) + 1
    on_line = dates.starting_in(line_start, sentence_start)
    for index in range(len(on_line) - 1, max(-1, len(on_line) - 1 - _LABEL_DATES_BACK), -1):
        candidate = on_line[index]
        if candidate.resolved.value is not None and _ends_label(text, candidate):
            while index > 0 and _RANGE_DASH.fullmatch(text[on_line[index - 1].end : on_line[index].start]):
                index -= 1  # "12/2016-04/2018: ... CR1, MRD negative": the span's first date
            return on_line[index] if on_line[index].resolved.value is not None else candidate
    return None


def _ends_label(text: str, candidate: DateMention) -> bool:
    """Whether the date ends a label; a parenthesis it closes must be its own ("(9/19/17):"),
    not one it ends ("(read received yesterday):" dates the read, the label's date is before it)."""
    match = _LABEL_END.match(text, candidate.end)
    if match is None:
        return False
    if text[candidate.end : match.end()].lstrip().startswith(")"):
        return text[: candidate.start].rstrip().endswith("(")
    return True


_LABEL_DATES_BACK = 6  # the label is among the line's last few dates before the result: a long line costs no more
_RANGE_DASH = re.compile(r"\s*(?:[-–—]|to|until)\s*")


def _indent(text: str, line_start: int) -> int:
    return len(text[line_start:]) - len(text[line_start:].lstrip(" \t"))


def _day_zero_from_day_count(
    date: tuple[DateMention | None, str], ent: Span, dates: NoteDates, note: Note
) -> tuple[DateMention | None, str]:
    """ "Seen today, Day +30 after her transplant": Day 0 was 30 days before today (or the note).

    Only when the sentence gives no calendar date for the transplant itself; a date written before
    the count ("Date: 06/15/2021 Day +91 after CAR-T") is the count's day, not the infusion's.
    """
    chosen = date[0]
    sent = sentence_of(ent)
    counts = [
        d for d in dates.starting_in(sent.start_char, sent.end_char)
        if d.resolved.anchor == "day0" and (d.resolved.offset_days or 0) > 0
    ]
    if chosen is not None and chosen.resolved.source in ("explicit", "year_inferred"):
        counts = [d for d in counts if chosen.end <= d.start and d.end <= ent.start_char]
    text = doc_text(ent.doc)  # "infused 11/08/2021 -> CR MRD-neg D+28": the count after the arrow is the response's
    counts = [d for d in counts if not _ARROW.search(text[min(d.end, ent.end_char) : max(d.start, ent.start_char)])]
    if not counts:
        return date
    count = min(counts, key=lambda d: values.gap(d.start, d.end, ent.start_char, ent.end_char))
    # "CAR-T - infusion 9th Feb 2022, MRD-neg CR at D+28": a calendar day between the name and its
    # count is the day the count runs from, the infusion's own day
    between = [d for d in dates.starting_in(ent.end_char, count.start)
               if d.end <= count.start and d.resolved.value and d.resolved.precision == "day" and d.resolved.anchor != "day0"
               and d.resolved.source not in ("note_date", "relative_to_note", "relative_to_event")]
    if between:
        return between[0], "mention"
    today = chosen.resolved.value if chosen is not None and chosen.resolved.value else note.note_date
    day_zero = today - timedelta(days=count.resolved.offset_days or 0)
    resolved = ResolvedDate(day_zero, "day", "relative_to_event", anchor="day0", offset_days=count.resolved.offset_days)
    return DateMention(count.start, count.end, count.text, resolved), "mention"


# matched between two positions of the note (re's pos and endpos), not on a slice of it. The joiner
# stays on the first date's line: "MRD neg 06/14/21" then a list row "- 07/20/21 alloHCT" is no range
_RANGE_JOINER = re.compile(r"[^\S\n]*(?:-|–|—|to|through|thru|until)\s*$", re.IGNORECASE)
_ONE_WORD_AT_MOST = re.compile(r"\s*+\S*+\s*+$")  # possessive: no backtracking over blank lines


def _range_start(
    date: tuple[DateMention | None, str], dates: NoteDates, text: str
) -> tuple[DateMention | None, str]:
    """A treatment dated by a range ("blina x2 (3/2018-5/2018)") started on the range's first date.

    The earliest date joined to the chosen one: only dates with at most one word between them and
    it can be, so the walk back from the chosen date stops at the first with two.
    """
    chosen = date[0]
    if chosen is None:
        return date
    first = None
    for index in range(dates.count_ending_by(chosen.start) - 1, -1, -1):
        earlier = dates.dates[index]
        if not _ONE_WORD_AT_MOST.match(text, earlier.end, chosen.start):
            break
        if _RANGE_JOINER.match(text, earlier.end, chosen.start) and earlier.resolved.value:
            first = earlier
    if first is None:
        first = _bare_month_before(chosen, text)
    return (first, date[1]) if first is not None else date


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# a month name with no year of its own, joined to the month-year after it: "Feb-Mar 2021", "Nov to Jan 2020"
_BARE_MONTH_JOINED = re.compile(
    r"\b(?P<month>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}\.?[^\S\n]*(?:-|–|—|to|through|thru|until)[^\S\n]*$",
    re.IGNORECASE,
)


def _bare_month_before(chosen: DateMention, text: str) -> DateMention | None:
    """The first month of a month range whose year is written once, at its end ("InO x2 (Feb-Mar
    2021)"): the date finder reads only "Mar 2021", yet the course began in February. A first
    month later in the year than the second one is of the year before ("Nov-Jan 2021")."""
    ends = chosen.resolved.value
    if ends is None or chosen.resolved.precision != "month" or not chosen.text[:1].isalpha():
        return None
    found = _BARE_MONTH_JOINED.search(text, max(0, chosen.start - 20), chosen.start)
    if found is None:
        return None
    month = _MONTHS.index(found["month"].lower()[:3]) + 1
    year = ends.year if month <= ends.month else ends.year - 1
    resolved = replace(chosen.resolved, value=date(year, month, 1))
    return DateMention(found.start(), chosen.end, text[found.start() : chosen.end], resolved)


_PLAN_LOOKBACK_DAYS = 60


def _year_for_tense(
    date: tuple[DateMention | None, str], note: Note, hypothetical: bool
) -> tuple[DateMention | None, str]:
    """Give a yearless date ("start C2 6/3") the year that fits its tense.

    The date module reads yearless dates as past (the nearest not after the note). A planned
    treatment is future; so is one whose past reading lies most of a year back while the
    future reading is weeks ahead, as in an order written in a progress note.
    """
    chosen = date[0]
    if chosen is None or chosen.resolved.source != "year_inferred" or chosen.resolved.value is None:
        return date
    value = chosen.resolved.value
    try:
        if value <= note.note_date:
            past, future = value, value.replace(year=value.year + 1)
        else:
            past, future = value.replace(year=value.year - 1), value
    except ValueError:  # 29 February
        return date
    ahead, back = (future - note.note_date).days, (note.note_date - past).days
    soon = ahead <= 45 and back > 180
    # a plan's date is ahead of its note unless the past reading is much nearer: "proceed with
    # blina (seen in clinic 5/6)" written 5/13, "scheduled for 11/19, then cancelled" written 11/21
    planned = hypothetical and not (back <= _PLAN_LOOKBACK_DAYS and ahead > 180)
    wanted = future if planned or soon else past
    if wanted == value:
        return date
    return replace(chosen, resolved=replace(chosen.resolved, value=wanted)), date[1]


_SAME_SPAN_DAYS = 90


def _year_of_sentence(date: tuple[DateMention | None, str], ent: Span, dates: NoteDates) -> tuple[DateMention | None, str]:
    """A yearless date beside a full one takes the year that keeps them together: in "admit
    ~7/6/2020, Day 0 ~7/14" the transplant is 7/14/2020 whatever the tense suggests."""
    chosen = date[0]
    if chosen is None or chosen.resolved.source != "year_inferred" or chosen.resolved.value is None:
        return date
    sent = sentence_of(ent)
    full = [d.resolved.value for d in dates.starting_in(sent.start_char, sent.end_char)
            if d.resolved.source == "explicit" and d.resolved.precision == "day" and d.resolved.value]
    if not full:
        return date
    value = chosen.resolved.value
    try:
        readings = [value.replace(year=value.year + shift) for shift in (-1, 0, 1)]
    except ValueError:  # 29 February
        return date
    gap, nearest = min((abs((r - f).days), r) for r in readings for f in full)
    if gap > _SAME_SPAN_DAYS or nearest == value:
        return date
    return replace(chosen, resolved=replace(chosen.resolved, value=nearest)), date[1]


_YEAR_AFTER = re.compile(r"^[\s,:(-]{1,3}(?:in\s+)?((?:19[89]|20[0-4])\d)\b(?![/.-]\d)")


def _year_after(ent: Span, hit: values.Hit) -> DateMention | None:
    """History lines write a treatment and its year side by side: "allo 2017", "blina 2018 at OSH".

    A bare year is not a date in general ("WBC 2019" is a count), so it is read only right
    after a treatment name.
    """
    if hit.kind not in TREATMENT_KINDS:
        return None
    match = _YEAR_AFTER.match(hit.after)
    if not match:
        return None
    start = ent.end_char + match.start(1)
    resolved = ResolvedDate(value=date(int(match.group(1)), 1, 1), precision="year", source="explicit")
    return DateMention(start=start, end=start + 4, text=match.group(1), resolved=resolved)


def _is_own_anchor(date: DateMention, ent: Span, hit: values.Hit) -> bool:
    """'Day +30' counts from the transplant or CAR-T infusion itself: it cannot date that event; and
    a cycle label ("C1D1 inotuzumab", "blina C2D8") labels the drug's own dose, so it cannot date the
    drug either: the line, day header or note it is written under does."""
    if hit.kind in PROCEDURE_KINDS:
        return date.resolved.anchor == "day0"
    return hit.kind in TREATMENT_KINDS and (date.resolved.anchor or "").startswith("cycle:")


def _start_cue_date(
    date: tuple[DateMention | None, str], ent: Span, hit: values.Hit, dates: NoteDates
) -> tuple[DateMention | None, str]:
    """The date written right after a start verb in the drug's clause is the start's, wherever the
    nearest date is: in "d/c'd 9/23 on blina C1 (started 9/20 per d/c summary)" blina started 9/20."""
    at = values.dated_start_at(hit)
    if at is None:
        return date
    position = sentence_of(ent).start_char + at
    found = [d for d in dates.starting_in(position, position + 1) if d.resolved.value]
    if found and not _parenthesis_allows(doc_text(ent.doc), found[0], ent):
        return date  # "InO C1 D1 1.3 mg + ponatinib 30 mg OD (started 11/1, ...)": the aside is ponatinib's
    return (found[0], "mention") if found else date


_LIST_MARKER = re.compile(r"[\s\-*•#]*(?:\d{1,2}[.)]\s+)?")  # "- ", "* ", "5. " before a line's opening date
_LATER_DAY_LABEL = re.compile(
    r"\b(?:(?:C\d{1,2}\s*)?D(?:ay)?\s*(?:[2-9]|[1-9]\d)\s*[:=]?|last\s+dose(?:\s+(?:on|given))?)\s*$", re.IGNORECASE
)
_LINE_LABEL = re.compile(r"\s*[:\-–—]\s")


def _not_a_later_day(
    date: tuple[DateMention | None, str], ent: Span, dates: NoteDates
) -> tuple[DateMention | None, str]:
    """A date labelled with a later day of the cycle ("(D8 6/27, D15 7/3)") or as the last dose is
    that dose's; the drug line's own date is the one that opens the line ("06/20/2019: InO C1D1 ...
    (D8 6/27)", "07/18/2019: InO C2D1 (last dose 8/1/2019)")."""
    chosen = date[0]
    text = doc_text(ent.doc)
    if chosen is None or not _LATER_DAY_LABEL.search(text, max(0, chosen.start - 16), chosen.start):
        return date
    line_start = text.rfind("\n", 0, ent.start_char) + 1
    opening = [d for d in dates.starting_in(line_start, ent.start_char) if d.resolved.value]
    if opening and _LIST_MARKER.fullmatch(text, line_start, opening[0].start) and _LINE_LABEL.match(text, opening[0].end):
        return opening[0], "mention"
    return date


def treatment_date(
    date: tuple[DateMention | None, str], ent: Span, hit: values.Hit, note: Note, dates: NoteDates, *, hypothetical: bool
) -> tuple[DateMention | None, str]:
    """A treatment's date after the treatment-only readings: a range's first date, the year that fits
    the tense, and Day 0 counted back from "Day +N" for a transplant or CAR-T."""
    if hit.kind not in PROCEDURE_KINDS:  # drugs: a start verb's date, a later day's label
        date = _start_cue_date(date, ent, hit, dates)
        date = _not_a_later_day(date, ent, dates)
        date = course_dates.outcome_after_drug(date, ent)
        date = course_dates.meeting_date(date, ent)
    elif date[0] is not None and date[0].resolved.precision == "day":
        # "relapse after allo-HSCT (14.02.2022)": the relapse's day; "relapsed after MUD alloHSCT
        # (10/2016)" recalls the transplant by its month, and keeps it
        date = course_dates.outcome_after_drug(date, ent)
    date = _range_start(date, dates, doc_text(ent.doc))
    date = _year_for_tense(date, note, hypothetical)
    date = _year_of_sentence(date, ent, dates)
    if hit.kind in PROCEDURE_KINDS:
        date = _day_zero_from_day_count(date, ent, dates, note)
    return date


# what joins the dates of one list of doses: "6/20, 6/27 and 7/3", "D1 1/23, D8 1/30, D15 2/6"
_DOSE_LIST_JOINER = re.compile(r"\s*(?:,|;|and|&)?\s*(?:and\s+)?(?:D(?:ay)?\s*\d{1,2}\s*[:=]?\s*)?", re.IGNORECASE)


def stop_date(date: tuple[DateMention | None, str], dates: NoteDates, text: str) -> tuple[DateMention | None, str]:
    """A course completed over a list of doses ended on the last of them: "completed C1 with doses on
    6/20, 6/27 and 7/3" stopped 7/3, "(D1 1/23, D8 1/30, D15 2/6)" on 2/6, not on the first."""
    chosen = date[0]
    if chosen is None or chosen.resolved.value is None:
        return date
    index = dates.count_ending_by(chosen.end) - 1
    last = chosen
    for following in dates.dates[index + 1 :]:
        if following.resolved.value is None or not _DOSE_LIST_JOINER.fullmatch(text, last.end, following.start):
            break
        last = following
    return (last, date[1]) if last is not chosen else date
