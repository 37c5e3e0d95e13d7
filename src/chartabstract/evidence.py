"""How much one mention's date and value can be trusted, and grouping mentions of one event.

The rules of SPEC section 4 and issue 4: an explicit day-precision date beats month-only; a
note written at the time of the event beats a history line written years later; a pathology
or flow report beats a progress-note summary of it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date

from chartabstract.models import Event, Mention

PRECISION_RANK = {"day": 3, "month": 2, "year": 1}
# A date whose day/month order was guessed from its note is written as fully as an explicit one;
# the guess is flagged on the event, not weighed here.
SOURCE_RANK = {"explicit": 3, "dayfirst_inferred": 3, "ambiguous_order": 3, "year_inferred": 2, "month_year_inferred": 2,
               "relative_to_event": 2,
               "relative_to_note": 2, "note_date": 1}
WRITTEN_SOURCES = ("explicit", "year_inferred", "dayfirst_inferred", "ambiguous_order", "month_year_inferred")  # a date the text wrote out
# words of note types written after the fact: their "initiation of blina" is not dated by the note
SUMMARY_TYPES = frozenset({"discharge", "summary", "letter", "referral", "survivorship", "outside", "records", "roadmap", "death", "transfer", "fax"})
# words of note types that record a dose ("chemo_admin": a ChemoCare-style administration record)
ADMINISTRATION_TYPES = frozenset({"infusion", "mar", "medication", "admission", "admit", "daycare", "admin", "administration"})
# words of note types that are administration sheets (an admission H&P is not: its header date is the
# admission's, and a drug named there may have been given anywhere before)
SHEET_SPAN_DAYS = 14  # an administration sheet filed under its first day records the days after it
SHEET_TYPES = frozenset({"mar", "infusion", "administration", "medication", "chemo", "chemotherapy", "daycare"})
# words of note types that are marrow or flow reports ("hmds_report": a UK (S)IHMDS integrated
# haematological malignancy diagnostic report, morphology, trephine and flow in one)
REPORT_TYPES = ("path", "bm", "marrow", "flow", "biopsy", "aspirate", "cytometry", "hmds", "trephine", "myelogram", "mielogram", "immunophenotyp")
CONTEMPORARY_DAYS = 10  # a note written within this many days of the event was written at the time
# a marrow known only from progress notes that give it no date: it took place on or before their day
UNDATED_RESTATEMENT = "only progress-note mentions with no date of their own"


def is_report(mention: Mention) -> bool:
    """True for pathology and flow cytometry reports (the primary source of marrow results)."""
    note_type = mention.note_type.lower()
    return any(kind in note_type for kind in REPORT_TYPES)


def is_contemporary(mention: Mention) -> bool:
    """The note was written on or shortly after the date it reports."""
    return closeness(mention) > 0


def closeness(mention: Mention) -> int:
    """2 when written the day of the event or the next, 1 within CONTEMPORARY_DAYS, else 0."""
    if mention.date is None:
        return 0
    days = (mention.note_date - mention.date).days
    if days > 1 and is_dated_sheet_row(mention):
        return 2  # an administration summary's row was recorded on its own day
    return 2 if 0 <= days <= 1 else 1 if 0 <= days <= CONTEMPORARY_DAYS else 0


def weight(mention: Mention) -> tuple[int, ...]:
    """Sort key of evidence strength, strongest last (compare lexicographically)."""
    return (
        PRECISION_RANK.get(mention.date_precision or "", 0),
        closeness(mention),
        SOURCE_RANK.get(mention.date_source, 0),
        int(not mention.historical),
        int(is_report(mention)),
    )


def procedure_weight(mention: Mention) -> tuple[int, ...]:
    """Sort key of a transplant's or infusion's date, strongest last: precision, then a start written
    with its own date ("Day 0 = 10/19", "infused on 2/3") over a bare name dated beside it (a unit's
    letterhead "BMT Date: 10/20" on a fax of the next day), then :func:`weight`."""
    return (
        PRECISION_RANK.get(mention.date_precision or "", 0),
        int(mention.value == "start" and mention.date_from == "mention"),
        *weight(mention),
    )


def is_strong(mention: Mention) -> bool:
    """A day-precision date written in the text (not inferred from where it was written)."""
    return mention.date_precision == "day" and mention.date_source in WRITTEN_SOURCES


def is_firsthand(mention: Mention) -> bool:
    """Written at the time of the event: a dated line in a note of those days, or "started today"
    / "yesterday" in the note of that day."""
    if mention.date_source == "relative_to_note":  # "today" under a day's entry heading is that day's
        return closeness(mention) == 2 or _SAME_DAY_WORD.fullmatch(mention.date_text.strip()) is not None
    return is_strong(mention) and is_contemporary(mention)


_SAME_DAY_WORD = re.compile(r"today|this\s+(?:morning|afternoon|evening)|tonight", re.IGNORECASE)


# a day unit's note type: "day_ward", "dayhospital", "day_unit", "day_oncology", "Tagesklinik", "HDD"
# (hôpital de jour): the unit where antibodies are given, its notes record the doses of their day
DAY_UNIT_TYPE = re.compile(r"day[\s_-]*(?:ward|unit|hospital|care|clinic|centre|center|oncology)|tagesklinik|\bhdd\b", re.IGNORECASE)


def is_administration_note(mention: Mention) -> bool:
    """An infusion, medication-administration, day-unit or admission note: where a dose is recorded as given."""
    return not ADMINISTRATION_TYPES.isdisjoint(re.split(r"[^a-z]+", mention.note_type.lower())) or DAY_UNIT_TYPE.search(mention.note_type) is not None


def is_record_row(mention: Mention) -> bool:
    """A row under its own day header in an administration record ("06/22/2020" then "11:05 InO
    0.8 mg IV"): recorded that day, however much later the record was printed for a chart extract."""
    return (
        is_administration_note(mention) and mention.date_from == "section" and is_strong(mention)
        and not mention.historical and mention.date is not None and mention.date <= mention.note_date
    )


def is_sheet(note_type: str) -> bool:
    """A medication-administration sheet: every dose row on it was given on the sheet's day."""
    return not SHEET_TYPES.isdisjoint(re.split(r"[^a-z]+", note_type.lower()))


def is_sheet_row_of_its_day(mention: Mention) -> bool:
    """A dose row of an administration sheet that writes the sheet's own day on the row ("X - 14/06/2021 -
    <drug> 0.8 mg/m2 IV over 60 min", then "11:00-12:02"): the record of that dose."""
    return (
        is_sheet(mention.note_type) and mention.date_from == "mention" and is_strong(mention)
        and not mention.historical and mention.date == mention.note_date
    )


SHEET_ROW_PRINTED_DAYS = 60  # an administration summary printed this long after its first row still records it


def is_dated_sheet_row(mention: Mention) -> bool:
    """A row of an administration sheet or summary that opens with its own day ("20180514 0948
    INOTUZUMAB ... Given", "08/04/2020 10:35 INOTUZUMAB ... Given"): recorded when given, however
    much later the summary covering the course was printed."""
    if not (is_sheet(mention.note_type) and mention.date_from == "mention" and mention.date_precision == "day"
            and not mention.historical and mention.date is not None and mention.date_text):
        return False
    if not 0 <= (mention.note_date - mention.date).days <= SHEET_ROW_PRINTED_DAYS:
        return False
    line_start = mention.snippet.rfind("\n", 0, max(0, mention.snippet.find(mention.date_text))) + 1
    return mention.snippet[line_start:].lstrip(" |\t").startswith(mention.date_text)


def is_correction(mention: Mention) -> bool:
    """Written to correct an earlier note: an addendum or a correction note."""
    note_type = mention.note_type.lower()
    return "addend" in note_type or "correct" in note_type


def written_at_the_time(mention: Mention) -> bool:
    """A first-hand record of an administration: dated in a note of those days, or a start written
    with no date of its own in a note of the day ("Adm for C1 blina", a "Cycle 1 Day 1" infusion
    note, a MAR row under its day header). A discharge summary's or letter's "initiation of blina"
    takes its note's date without being written on the day."""
    if is_firsthand(mention) or is_record_row(mention) or is_dated_sheet_row(mention):
        return True
    return (
        mention.value == "start" and not mention.historical and mention.date_from in ("note", "section")
        and closeness(mention) > 0 and SUMMARY_TYPES.isdisjoint(re.split(r"[^a-z]+", mention.note_type.lower()))
    )


def start_weight(mention: Mention) -> tuple[int, ...]:
    """Sort key of a drug start's evidence, strongest last: precision; a record written at the time
    beats a summary written later; a day the text writes beats a letter's own date ("we started
    blinatumomab" in a letter of 14 Jan, "commenced 10th January" in a later one); a start beats a dose given in the course; a correction beats the
    note it corrects; an administration note (infusion, MAR, admission) beats a plan written days
    before it ("InO C1D1 3/10" in the consult, "C1D1" in the infusion note of 3/10); then :func:`weight`; among equals the earliest date (the course's first dose)."""
    assert mention.date is not None
    return (
        PRECISION_RANK.get(mention.date_precision or "", 0),
        int(not dated_by_admission(mention)),
        int(written_at_the_time(mention)),
        # among later accounts, a day the text writes beats the day of a letter that names the start
        int(mention.date_from != "note" and not written_at_the_time(mention)),
        int(mention.value == "start"),
        int(is_correction(mention)),
        int(is_administration_note(mention)),
        *weight(mention),
        -mention.date.toordinal(),
    )


_ADMISSION_CUE = re.compile(r"^EVENT_START:\s*(?:admit\w*|adm\.?|admission)\b", re.IGNORECASE)
_ADMINISTRATION_CUE = re.compile(r"^EVENT_(?:START|DOSE):.*\b(?:start\w*|given|infus\w*|commenc\w*|initiat\w*|C\d+\s*D\d+)", re.IGNORECASE)


def dated_by_admission(mention: Mention) -> bool:
    """A start whose only start cue is the admission ("admitted 24/10 for Blincyto Cycle 1"): the
    first dose often runs the next morning, so a record of the infusion outranks it."""
    cues = mention.modifiers
    if any(_ADMISSION_CUE.match(c) for c in cues) and not any(_ADMINISTRATION_CUE.match(c) for c in cues):
        return True
    # "was in our inpatient care from 29.05.2022 to 02.06.2022 for the start of blinatumomab": the
    # day is the stay's, whatever the start word says
    before = before_its_date(mention, 40)
    return bool(before) and _STAY_BEFORE_DATE.search(before) is not None


def before_its_date(mention: Mention, chars: int) -> str:
    """Up to ``chars`` characters of the snippet before the mention's own written date ("" without one)."""
    dated = mention.snippet.find(mention.date_text) if mention.date_text else -1
    return mention.snippet[max(0, dated - chars) : dated] if dated > 0 else ""


_STAY_BEFORE_DATE = re.compile(
    r"\b(?:(?:inpatient|in-patient|hospital|ward|our)\s+(?:care|treatment|stay|admission)|hospitali[sz]ed|admitted|admission|stay)"
    r"\s+(?:(?:here\s+)?(?:from|on|since|between)\s+)?$",
    re.IGNORECASE,
)


def same_event(a: Mention, b: Mention, merge_days: int) -> bool:
    """Two dated mentions can describe one event: close days, or the same month/year at that precision."""
    assert a.date is not None and b.date is not None
    if "year" in (a.date_precision, b.date_precision):
        return a.date.year == b.date.year
    if "month" in (a.date_precision, b.date_precision):
        return (a.date.year, a.date.month) == (b.date.year, b.date.month)
    return abs((a.date - b.date).days) <= merge_days


def cluster(mentions: Sequence[Mention], merge_days: int) -> list[list[Mention]]:
    """Group dated mentions into events, in date order.

    Day-precision mentions form the clusters; month- and year-precision ones join a cluster in
    their month or year, and form their own only when nothing more precise is there.
    """
    dated = sorted((m for m in mentions if m.date is not None), key=lambda m: (m.date, -PRECISION_RANK.get(m.date_precision or "", 0)))
    precise = [m for m in dated if m.date_precision == "day"]
    coarse = [m for m in dated if m.date_precision != "day"]
    groups: list[list[Mention]] = []
    for mention in precise:
        if groups and _days(mention.date, groups[-1][0].date) <= merge_days:
            groups[-1].append(mention)
        else:
            groups.append([mention])
    for mention in sorted(coarse, key=lambda m: PRECISION_RANK.get(m.date_precision or "", 0), reverse=True):
        home = next((g for g in groups if any(same_event(mention, other, merge_days) for other in g)), None)
        if home is not None:
            home.append(mention)
        else:
            groups.append([mention])
    return sorted(groups, key=lambda g: min(m.date for m in g if m.date is not None))


def best(mentions: Sequence[Mention], key: Callable[[Mention], tuple[int, ...]] = weight) -> Mention:
    """The strongest mention (ties: the earliest note, for a stable choice)."""
    return max(mentions, key=lambda m: (key(m), -m.note_date.toordinal(), m.mention_id))


def _days(a: date | None, b: date | None) -> int:
    assert a is not None and b is not None
    return abs((a - b).days)


def below(value: str, threshold: float) -> bool:
    """Whether a blast value is under a threshold: '3' and '<5' are below 5; '>90' and '5' are not."""
    try:
        number = float(value.lstrip("<>="))
    except ValueError:
        return False
    if value.startswith("<"):
        return number <= threshold
    if value.startswith(">"):
        return False
    return number < threshold


def is_undated_restatement(event: Event) -> bool:
    """A marrow event dated only by the notes that restate it (see ``UNDATED_RESTATEMENT``)."""
    return any(flag.kind == "low_support" and flag.detail == UNDATED_RESTATEMENT for flag in event.flags)
