"""Run the pipeline on a note and turn target spans into :class:`Mention` records.

The only module that reads ``span._``: it copies what spaCy and medspaCy found into plain
records, asks ``mention_dates`` for each mention's own date (dates belong to the event in their
sentence) and ``values`` for the value.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date as Day

from spacy.language import Language
from spacy.tokens import Doc, Span

from chartabstract.concepts import OUTCOME_KINDS, PROCEDURE_KINDS, TREATMENT_KINDS, VALUE_KINDS, Registry, default_registry
from chartabstract.errors import RuleFileError
from chartabstract.evidence import SHEET_SPAN_DAYS
from chartabstract.models import SAMPLE_ANCHOR, DateMention, Mention, Note
from chartabstract.nlp import components, cue_reach, matchers, report_targets, values
from chartabstract.nlp.cell_product import is_prepared_for, is_product_logistics
from chartabstract.nlp.amended_values import supersede_amended_values
from chartabstract.nlp.administration_sheet import is_sheet, sheet_day
from chartabstract.nlp.study_drug_first_dose import study_drug_first_doses
from chartabstract.nlp.apposition import merge_appositions
from chartabstract.nlp.day_zero import date_bare_day_zeros
from chartabstract.nlp.graded_assertion import negation_holds
from chartabstract.nlp.doc_text import doc_text, remember_text, sentence_of, span_text
from chartabstract.nlp.folding import fold_spaces
from chartabstract.nlp.course_dates import first_dose_row_below, first_started_row_in_table
from chartabstract.nlp.list_item_dates import earlier_step_of_a_chain
from chartabstract.nlp.mention_dates import NoteDates, SentenceHits, date_of_mention, stop_date, treatment_date
from chartabstract.nlp.narrative_past import named_behind_remission, relapse_behind_remission, told_as_past
from chartabstract.nlp.not_given import answered_no, clause_after, negation_is_anothers, never_given_later, refused_right_after
from chartabstract.nlp.option_lists import in_option_list
from chartabstract.nlp.planned_first_day import planned_first_day
from chartabstract.nlp.specimen_date import specimen_date
from chartabstract.nlp.pipeline import registry_of
from chartabstract.nlp.prefilter import Prefilter
from chartabstract.nlp.relapse_dates import relapse_marrow_date
from chartabstract.normalize.decimal_comma import read_decimal_commas
from chartabstract.normalize.entry_days import rebase_to_entry_days
from chartabstract.normalize.dates import find_dates

# "died of / from / due to ... X": an acute GVHD or relapse named as the cause is also a cause of death
_CAUSE_LINK = re.compile(
    r"^[\s,]*(?:(?:on|at|in|at\s+home|peacefully|overnight|today|yesterday|\S*\d\S*)[\s,]+){0,4}"
    r"(?:of|from|due\s+to|secondary\s+to|attributed\s+to|related\s+to|as\s+a\s+result\s+of|:|was|is|-)\s"
    r"(?:[^.;]{0,60}?\b(?:complications?\s+of|of|from)\s)?[^.;]{0,40}$",
    re.IGNORECASE,
)
SNIPPET_CHARS = 400
# Cell-therapy words that are no target of their own; product names come from the target rules
# of the cellular_therapy concepts (targets.json, and their names in concepts.json), so a brand
# added there counts here too.
_CAR_T_CONTEXT = re.compile(r"(?-i:\bCAR)|cellular\s+product", re.I)
_HSCT_CONTEXT = re.compile(r"\b(?:allo\w*|HSCT|HCT|SCT|BMT|transplant\w*|stem\s+cells?|graft|donor|conditioning)\b", re.I)
_DAY_ZERO_LOOKBACK = 600
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _day_zero_is_car_t(ent: Span, categories: frozenset[str]) -> bool:
    """'Day 0' is the infusion day of whichever cell therapy was named last before it, in its paragraph.
    ``categories``: the target categories of the cellular_therapy concepts."""
    text = doc_text(ent.doc)
    paragraph = _paragraph_start(ent.doc, ent.start_char)
    begin, end = max(paragraph, ent.start_char - _DAY_ZERO_LOOKBACK), sentence_of(ent).end_char
    window = text[begin:end]
    car_t = [m.start() for m in _CAR_T_CONTEXT.finditer(window)]
    named = _car_t_starts(ent.doc, categories)  # the note's cell-therapy target matches, found once per document
    car_t += [start - begin for start in named[bisect_left(named, begin):bisect_left(named, end)]]
    hsct = [m.start() for m in _HSCT_CONTEXT.finditer(window)]
    own_start, own_end = ent.start_char - begin, ent.end_char - begin
    # the nearest naming wins: before the Day 0, or just after it in its own phrase ("Day 0: allo-HSCT");
    # a history named after it ("CAR-T (tisa-cel) D0 15/12/21 for R3 B-ALL post allo") is not its procedure
    def distance(start: int) -> int | None:
        if start < own_start:
            return own_start - start
        if start >= own_end and start - own_end <= _DAY_ZERO_AFTER and not _HISTORY_BEFORE.search(window, max(0, start - 12), start):
            return start - own_end
        return None
    near_car_t = min((d for d in map(distance, car_t) if d is not None), default=None)
    near_hsct = min((d for d in map(distance, hsct) if d is not None), default=None)
    return near_car_t is not None and (near_hsct is None or near_car_t < near_hsct)


_DAY_ZERO_AFTER = 40  # characters after a "Day 0" where the procedure it dates may be named
# "pre-TPH 30/01/2023", "pre-HSCT marrow 3/4": the procedure named as what a day came before
_BEFORE_IT = re.compile(r"\bpre[\s-]*$", re.IGNORECASE)
_HISTORY_BEFORE = re.compile(r"\b(?:post|after|s/p|following|prior)[\s-]*$", re.IGNORECASE)


_PARAGRAPHS_KEY = "chartabstract_paragraph_starts"
_CAR_T_KEY = "chartabstract_car_t_starts"


def _car_t_starts(doc: Doc, categories: frozenset[str]) -> list[int]:
    """Where the note's cell-therapy target matches start, sorted (once per document, not per 'Day 0')."""
    starts = doc.user_data.get(_CAR_T_KEY)
    if starts is None:
        starts = sorted(e.start_char for e in doc.ents if e.label_ in categories)
        doc.user_data[_CAR_T_KEY] = starts
    return starts


def _paragraph_start(doc: Doc, position: int) -> int:
    """Where the paragraph holding ``position`` starts: after the last blank line ending at or before
    it. The blank lines are found once per document, not once per mention."""
    starts = doc.user_data.get(_PARAGRAPHS_KEY)
    if starts is None:
        starts = [0, *(m.end() for m in _BLANK_LINE.finditer(doc_text(doc)))]
        doc.user_data[_PARAGRAPHS_KEY] = starts
    return starts[bisect_right(starts, position) - 1]


@dataclass(frozen=True)
class _SectionInfo:
    category: str
    metadata: dict[str, object]
    date: DateMention | None
    body_start: int = -1  # character offset where the section's header ends


def process_note(nlp: Language, note: Note, *, dayfirst: bool = False, prefilter: Prefilter | None = None) -> list[Mention]:
    """Run the pipeline on one note and return its mentions, offsets into the note's own text."""
    folded = fold_spaces(note.text)
    # same length: the offsets of folded still hold
    text, to_original, provided = read_decimal_commas(folded.text), folded.to_source, None
    if prefilter is not None:
        reduced = prefilter.reduce(text)
        if reduced is None:
            return []
        provided = reduced.matches
        if reduced.folded.changed:
            text, kept = reduced.text, reduced.folded
            to_original = lambda offset: folded.to_source(kept.to_source(offset))  # noqa: E731
    if len(text) >= nlp.max_length:
        nlp.max_length = len(text) + 1
    doc = nlp.make_doc(text)
    if provided is not None:
        doc.user_data[matchers.PROVIDED_MATCHES] = provided
    doc.user_data[report_targets.NOTE_TYPE_KEY] = note.note_type
    for _name, component in nlp.pipeline:  # as nlp(text) does
        doc = component(doc)
    return mentions_in_doc(doc, note, to_original, dayfirst=dayfirst, text=text, registry=registry_of(nlp))


def mentions_in_doc(
    doc: Doc, note: Note, to_original: Callable[[int], int] = lambda offset: offset, *, dayfirst: bool = False,
    text: str | None = None, registry: Registry | None = None,
) -> list[Mention]:
    """All mentions of one processed note; ``to_original`` maps doc offsets to the note's text.
    ``text`` is the text the doc was made from, when the caller has it (spaCy rebuilds it otherwise).
    ``registry``: the concepts the pipeline's rules were loaded with (None: the packaged ones)."""
    targets = [ent for ent in doc.ents if ent.label_ != "IGNORE"]
    if not targets:
        return []
    registry = registry or default_registry()
    remember_text(doc, text)
    dates = NoteDates(rebase_to_entry_days(find_dates(doc_text(doc), note.note_date, dayfirst=dayfirst, order_from=note.text,
                                                      chart_order=note.chart_date_order, year_first=note.chart_year_first), doc_text(doc), note.note_date))
    sections = _Sections(doc, dates)
    collected = specimen_date(note, dayfirst=dayfirst)
    sheet_dates = find_dates(note.text[:SHEET_HEAD_CHARS], note.note_date, dayfirst=dayfirst, order_from=note.text,
                             chart_order=note.chart_date_order, year_first=note.chart_year_first) if is_sheet(note.note_type) else None
    hits = [(ent, _hit(ent, note, sections, registry)) for ent in targets]
    by_sentence = SentenceHits([(ent, hit) for ent, (hit, _) in hits])
    deaths = _DeathStatements(targets, components.list_sentences(doc, targets, doc_text(doc)), registry)
    causes = registry.names_of_kind("death_cause")
    mentions = []
    for ent, (hit, section) in hits:
        mention = _mention(ent, hit, section, note, dates, by_sentence, to_original, collected, sheet_dates)
        if mention is None:
            continue
        mentions.append(mention)
        if hit.spec.cause_value and causes and not (mention.negated or mention.hypothetical) and deaths.name_as_cause(ent):
            mentions.append(replace(mention, concept=causes[0], value=hit.spec.cause_value, unit="", negated=False,
                                    mention_id=mention.mention_id + ":cause", rule_id=f"{hit.rule_id}_as_cause"))
    mentions = _of_a_blood_specimen(mentions, note.text, registry.names_of_kind(*VALUE_KINDS))
    mentions = supersede_amended_values(mentions, note.text, registry.names_of_kind(*VALUE_KINDS))
    mentions = merge_appositions(mentions, note.text, registry.names_of_kind(*TREATMENT_KINDS))
    mentions = study_drug_first_doses(mentions, note, registry.names_of_kind("treatment"), dayfirst=dayfirst)
    return date_bare_day_zeros(_planned_day_zeros(mentions), registry.names_of_kind(*PROCEDURE_KINDS))


SHEET_HEAD_CHARS = 2000  # the top of an administration sheet, where its header lines (and day) stand
_MEETING_NOTE = re.compile(r"mdt|tumou?r[_ ]?board|board|meeting|conference|committee", re.IGNORECASE)  # note types that recommend
_ROW_RECORDED = re.compile(r"\b(?:given|completed|administered|infused|hung|done|signed)\b", re.IGNORECASE)


def _later_row_of_a_sheet(hit: values.Hit, note: Note, when: Day) -> bool:
    """A dose row dated after its sheet's filing day that records the dose given: a chemotherapy
    record filed under the cycle's first day lists each later day's doses; those rows are no plans."""
    return (
        is_sheet(note.note_type) and (when - note.note_date).days <= SHEET_SPAN_DAYS
        and _ROW_RECORDED.search(hit.sentence + " " + hit.following[:80]) is not None
    )


# a report's specimen field naming blood, not marrow: "Specimen: PERIPHERAL BLOOD (EDTA)  Collected ..."
_BLOOD_SPECIMEN = re.compile(
    r"^[ \t]*(?:specimen|sample|source)(?:\s+(?:type|source|received))?[ \t]*[:\-][ \t]*(?:peripheral\s+blood|PB\b|whole\s+blood|blood\b)(?![^\n]*(?:marrow|aspirate|\bBM\b))",
    re.IGNORECASE | re.MULTILINE,
)
_SPECIMEN_FIELD_CHARS = 800  # the specimen field heads the report


def _of_a_blood_specimen(mentions: list[Mention], text: str, results: list[str]) -> list[Mention]:
    """A report whose specimen is peripheral blood reports blood results throughout: its blast
    percentage and CD19/CD22 are no marrow's."""
    if not _BLOOD_SPECIMEN.search(text[:_SPECIMEN_FIELD_CHARS]):
        return mentions
    return [replace(m, specimen="peripheral_blood") if m.concept in results else m for m in mentions]


def _planned_day_zeros(mentions: list[Mention]) -> list[Mention]:
    """A "D0 ~18/8" in the sentence of a planned transplant ("Plan 2nd alloHSCT - haplo father,
    admission ~8/8, D0 ~18/8.") is the plan's Day 0, though the plan cue stops at the dash."""
    planned: dict[tuple[str, str], list[int]] = {}
    for m in mentions:
        if m.hypothetical and not m.negated:
            planned.setdefault((m.concept, m.snippet), []).append(m.start)

    def in_a_plans_sentence(day_zero: Mention) -> bool:  # the same sentence: same text, within its length
        return any(abs(at - day_zero.start) <= len(day_zero.snippet) for at in planned.get((day_zero.concept, day_zero.snippet), ()))

    return [
        replace(m, hypothetical=True, value="plan") if m.rule_id == "day_zero" and not m.hypothetical and in_a_plans_sentence(m) else m
        for m in mentions
    ]


class _DeathStatements:
    """A note's death targets by the sentences they can name a cause in: their own, and the lines
    under them when they head a list. Indexed once, so a mention looks only at its sentence's."""

    def __init__(self, targets: list[Span], listed: dict[int, set[int]], registry: Registry) -> None:
        self._listed = {start: set(heads) for start, heads in listed.items()}
        self._by_sentence: dict[int, list[Span]] = {}
        death = {c.category for c in registry.of_kind("death")}
        for e in targets:
            if e.label_ in death:
                # "Death certified 23:40 on 20/06." ... "Cause: 1(a) acute GVHD (gut)": the cause line
                # a few sentences on lists the death's causes, as a heading's lines do
                cause_line = components.cause_sentence_after(e.doc, sentence_of(e))
                if cause_line is not None:
                    self._listed.setdefault(e.start, set()).add(cause_line.start)
                for start in {sentence_of(e).start} | self._listed.get(e.start, set()):
                    self._by_sentence.setdefault(start, []).append(e)

    def name_as_cause(self, ent: Span) -> bool:
        """A death statement links to this target: "died of grade IV gut GVHD" (a death earlier in the
        sentence, joined by "of", "from", "due to"), "Immediate cause: sepsis in the setting of GVHD",
        or a line under a "Cause of death:" heading."""
        text = doc_text(ent.doc)
        sentence = sentence_of(ent).start
        for e in self._by_sentence.get(sentence, ()):
            if sentence in self._listed.get(e.start, ()) and (sentence_of(e).start != sentence or e.end_char <= ent.start_char):
                return True
            if sentence_of(e).start == sentence and e.end_char <= ent.start_char and _CAUSE_LINK.match(text[e.end_char : ent.start_char]):
                return True
        return False


ASSERTION_OF_CATEGORY = {
    "NEGATED_EXISTENCE": "negated",
    "HYPOTHETICAL": "hypothetical",
    "HISTORICAL": "historical",
    "FAMILY": "family",
    "POSSIBLE_EXISTENCE": "uncertain",
}


def assertions(ent: Span) -> dict[str, bool]:
    """The five assertion flags of a target from its ConText modifiers.

    A cue inside the target itself does not modify it ("skin warm and moist without lesion"
    as one finding, "no morphologic evidence of leukemia" as a blast bound): medspaCy 1.3.1
    means to skip such cues but does not always, so they are dropped here.
    """
    flags = dict.fromkeys(ASSERTION_OF_CATEGORY.values(), False)
    for modifier in ent._.modifiers:
        start, end = modifier.modifier_span
        if start < ent.end and ent.start < end:
            continue
        if end <= ent.start and _closes_between(ent.doc, end, ent.start):
            continue  # "blina (no remission), then InO": the cue speaks only inside its parentheses
        name = ASSERTION_OF_CATEGORY.get(modifier.category)
        if name:
            flags[name] = True
    return flags


def _closes_between(doc: Doc, start: int, end: int) -> bool:
    """Whether tokens [start, end) close a parenthesis opened before them: a cue inside
    parentheses does not reach a target after them (it may still speak of the word they follow)."""
    depth = 0
    for token in doc[start:end]:
        depth += (token.text == "(") - (token.text == ")")
        if depth < 0:
            return True
    return False


class _Sections:
    """A note's sections in order, each found by bisection on its first token (a long note has hundreds)."""

    def __init__(self, doc: Doc, dates: NoteDates) -> None:
        self._sections = _sections(doc, dates)
        self._starts = [start for start, _end, _info in self._sections]

    def of(self, ent: Span) -> _SectionInfo:
        """The section holding the target's first token: the last one starting at or before it."""
        index = bisect_right(self._starts, ent.start) - 1
        if index >= 0 and ent.start < self._sections[index][1]:
            return self._sections[index][2]
        return _SectionInfo("", {}, None)


def _sections(doc: Doc, dates: NoteDates) -> list[tuple[int, int, _SectionInfo]]:
    """(start token, end token, info) per section; a date on the header line dates the section."""
    found = []
    text = doc_text(doc)
    for section in doc._.sections:
        rule = section.rule
        metadata = dict(rule.metadata or {}) if rule is not None else {}
        section_date = None
        # where the header's words end (not the blank lines a header pattern may swallow, which the
        # prefilter's blanked paragraphs lengthen): the same place with and without the prefilter
        words = [doc[i] for i in range(section.title_start, section.title_end) if not doc[i].is_space]
        body_start = words[-1].idx + len(words[-1]) if words else -1
        if section.title_end > section.title_start:
            title_end = doc[section.title_end - 1].idx + len(doc[section.title_end - 1])
            line_end = text.find("\n", title_end)
            line_end = len(text) if line_end < 0 else line_end
            # "BONE MARROW, 3/2/2019:" or a header line holding only a date dates the section;
            # a header followed by prose ("HISTORY: dx 10/2017, ...") does not.
            candidates = [d for d in dates.starting_in(doc[section.title_start].idx, line_end) if d.resolved.value]
            if candidates and not _PROSE.search(text[title_end:line_end].replace(candidates[0].text, "")):
                section_date = candidates[0]
        info = _SectionInfo(section.category or "", metadata, section_date, body_start)
        found.append((section.title_start, section.body_end, info))
    return found


_PROSE = re.compile(r"[A-Za-z]{3,}")


def _hit(ent: Span, note: Note, sections: _Sections, registry: Registry) -> tuple[values.Hit, _SectionInfo]:
    rule = ent._.target_rule
    metadata = dict(rule.metadata or {}) if rule is not None else {}
    section = sections.of(ent)
    sent = sentence_of(ent)
    groups: dict[str, str] = {}
    if rule is not None and isinstance(rule.pattern, str):
        match = re.search(rule.pattern, span_text(ent), re.IGNORECASE)
        if match is None:  # a lookbehind needs the text before the span ("from 2% to 22%")
            match = re.compile(rule.pattern, re.IGNORECASE).search(doc_text(ent.doc), ent.start_char, ent.end_char)
        if match:
            groups = {k: v for k, v in match.groupdict().items() if v}
    sharing = registry.of_category(ent.label_)
    if not sharing:  # load_rules refuses such a rule: a pipeline built from other rules
        raise RuleFileError(f"target category {ent.label_!r} is not in the concept registry {registry.source}")
    hit = values.Hit(
        spec=sharing[0],
        rule_id=str(metadata.get("rule_id") or (rule.literal if rule is not None else ent.label_)),
        text=span_text(ent),
        sentence=span_text(sent),
        offset_in_sentence=ent.start_char - sent.start_char,
        line=_line_of(ent),
        following=_following_text(ent),
        preceding=_preceding_text(ent),
        note_type=note.note_type.lower(),
        section_specimen=str(section.metadata.get("specimen", "")),
        section_method=str(section.metadata.get("method", "")),
        cues=tuple(_cue(ent, modifier) for modifier in ent._.modifiers if not _in_column_header(ent, modifier)),
        groups=groups,
        fixed={k: str(v) for k, v in metadata.items() if k != "rule_id"},
    )
    if hit.kind == "antigen":
        hit = _replace(hit, cues=_own_cues(hit))
    if len(sharing) > 1:  # marrow and blood values of one category (BLASTS): the specimen decides
        specimen = "peripheral_blood" if values.blast_specimen(hit) == "peripheral" else "marrow"
        hit = _replace(hit, spec=registry.concept_for(ent.label_, specimen) or sharing[0])
    elif hit.rule_id == "day_zero":
        cell_therapies = registry.of_kind("cellular_therapy")
        if cell_therapies and _day_zero_is_car_t(ent, frozenset(c.category for c in cell_therapies)):
            hit = _replace(hit, spec=cell_therapies[0])
    return hit, section


_AUTOLOGOUS = re.compile(
    r"\b(?:autologous(?:\s+(?:stem[- ]cell\s+|peripheral\s+blood\s+stem\s+cell\s+)?(?:SCT|HSCT|HCT|BMT|PBSCT|transplant\w*|graft|rescue))?"
    r"|auto-?(?:SCT|HSCT|HCT|BMT|PBSCT|graft|transplant\w*)|ASCT|ABMT)\b", re.IGNORECASE)
_OTHER_PROCEDURE = re.compile(r"\b(?:allo\w*|haplo\w*|MUD|MSD|cord|CAR[- ]?T\w*|tisagen\w*|HSCT|HCT|SCT|BMT|transplant\w*)\b", re.IGNORECASE)


def _day_zero_of_an_autologous_transplant(hit: values.Hit) -> bool:
    """Whether the last procedure named before a "Day 0" in its sentence is an autologous transplant
    (its own name, "autologous SCT", is a pseudo-target and makes no mention)."""
    before = hit.sentence[: hit.offset_in_sentence]
    autologous = list(_AUTOLOGOUS.finditer(before))
    if not autologous:
        return False
    after_it = before[autologous[-1].end():]
    return not _OTHER_PROCEDURE.search(after_it)


# a report line that retells the requester's history: "Clinical: ...", "Clinical info -", "Indication: ..."
_CLINICAL_LINE = re.compile(r"^\s*(?:clin\.?(?=\s*:)|clinical(?:\s+(?:info\w*|notes?|details|indications?))?|indications?(?:\s+for\s+\w+)?|reason\s+for\s+(?:study|referral|biopsy|procedure))\s*(?::|-{1,2}\s)", re.IGNORECASE)


def _is_title_date(text: str, date: DateMention | None, note_date: Day) -> bool:
    """The note's own date written in its first line, its title: it dates the note, not a procedure
    the title names ("TRANSITION TO TRANSPLANT  01/20/2023"); "Day 0 note 27.05.22" keeps it as Day 0's
    note date all the same."""
    if date is None or date.resolved.value != note_date:
        return False
    first = len(text) - len(text.lstrip())
    end = text.find("\n", first)
    return date.start < (len(text) if end < 0 else end)


def _line_of(ent: Span) -> str:
    text = doc_text(ent.doc)
    start = text.rfind("\n", 0, ent.start_char) + 1
    end = text.find("\n", ent.end_char)
    return text[start : end if end >= 0 else len(text)]


def _following_text(ent: Span) -> str:
    """The text after the mention's sentence, up to a blank line: where a graded outcome's grade
    or organ stage lines may follow it ("Acute GVHD, onset D+16:" then one line per organ)."""
    text = doc_text(ent.doc)
    end = sentence_of(ent).end_char
    rest = text[end : end + values.FOLLOWING_CHARS]
    blank = re.search(r"\n\s*\n", rest)
    return rest[: blank.start()] if blank else rest


def _preceding_text(ent: Span) -> str:
    """The text before the mention's sentence, back to a blank line: where organ stages may be
    written line by line before the graded outcome they add up to."""
    text = doc_text(ent.doc)
    start = sentence_of(ent).start_char
    before = text[max(0, start - values.FOLLOWING_CHARS) : start]
    blank = list(re.finditer(r"\n\s*\n", before))
    return before[blank[-1].end() :] if blank else before


def _replace(hit: values.Hit, **changes: object) -> values.Hit:
    return replace(hit, **changes)


# a table's column header: three or more capitalised words and nothing else ("Medication RxNorm Status
# Start Stop Sig" once its spaces are folded, "| Drug | Start | Stop |")
_COLUMN_HEADER = re.compile(r"^[ \t|]*[A-Z][A-Za-z/#()-]*(?:[ \t|]+[A-Z][A-Za-z/#()-]*){2,}[ \t|]*$")


def _in_column_header(ent: Span, modifier: object) -> bool:
    """A cue that is a column's name on the table's header line ("Start", "Stop"), above the row
    that names the drug: it labels the column, it says nothing of this row's dose."""
    text = doc_text(ent.doc)
    cue_start = ent.doc[modifier.modifier_span[0]].idx  # type: ignore[attr-defined]
    line_start = text.rfind("\n", 0, cue_start) + 1
    if line_start <= ent.start_char <= text.find("\n", cue_start) or (text.find("\n", cue_start) < 0):
        return False  # on the mention's own line
    line_end = text.find("\n", cue_start)
    return _COLUMN_HEADER.match(text[line_start:line_end]) is not None


def _cue(ent: Span, modifier: object) -> values.Cue:
    doc = ent.doc
    start, end = modifier.modifier_span  # type: ignore[attr-defined]
    span = doc[start:end]
    return values.Cue(
        category=modifier.category,  # type: ignore[attr-defined]
        text=span_text(span),
        distance=values.gap(span.start_char, span.end_char, ent.start_char, ent.end_char),
        direction=modifier.direction.upper(),  # type: ignore[attr-defined]
        start=span.start_char - sentence_of(ent).start_char,
        refusal=bool((modifier.rule.metadata or {}).get("refusal")),  # type: ignore[attr-defined]
        order=bool((modifier.rule.metadata or {}).get("order")),  # type: ignore[attr-defined]
        resolution=bool((modifier.rule.metadata or {}).get("resolution")),  # type: ignore[attr-defined]
        sequence=bool((modifier.rule.metadata or {}).get("sequence")),  # type: ignore[attr-defined]
    )


_MARKER = re.compile(r"\bCD\s?\d{1,3}[a-z]?\b|\bTdT\b|\bHLA-?DR\b", re.IGNORECASE)


def _own_cues(hit: values.Hit) -> tuple[values.Cue, ...]:
    """An adjacent cue belongs to the nearest marker: in "CD19 (dim) and CD22", dim is CD19's.

    Cues with a direction ("positive for CD10, CD19, CD22") reach over lists and are kept.
    """
    markers = [(m.start(), m.end()) for m in _MARKER.finditer(hit.sentence)]
    own_start = hit.offset_in_sentence
    own_end = own_start + len(hit.text)
    kept = []
    for cue in hit.cues:
        if cue.direction != "BIDIRECTIONAL" or not markers:
            kept.append(cue)
            continue
        cue_end = cue.start + len(cue.text)
        nearest = min(values.gap(cue.start, cue_end, a, b) for a, b in markers)
        if values.gap(cue.start, cue_end, own_start, own_end) <= nearest:
            kept.append(cue)
    return tuple(kept)


def _mention(
    ent: Span,
    hit: values.Hit,
    section: _SectionInfo,
    note: Note,
    dates: NoteDates,
    hits: SentenceHits,
    to_original: Callable[[int], int],
    collected: DateMention | None = None,
    sheet_dates: list[DateMention] | None = None,
) -> Mention | None:
    if hit.rule_id == "day_zero" and _day_zero_of_an_autologous_transplant(hit):
        return None  # "BEAM autologous SCT (Day 0 14/05/2012)": no allogeneic transplant's Day 0
    attrs = section.metadata.get("attributes") or {}
    assert isinstance(attrs, dict)
    flags = assertions(ent)
    negated = flags["negated"]
    hypothetical = flags["hypothetical"]
    if hypothetical and hit.kind in VALUE_KINDS and not any(cue_reach.supposes_a_result(cue, hit.sentence) for cue in hit.cues):
        hypothetical = False  # "blinatumomab (CD19+) vs inotuzumab (CD22+)": the choice is the drug's, the result is found
    if hypothetical and flags["historical"] and cue_reach.history_only_orders(hit):
        flags["historical"] = False  # "held in reserve if disease persists after inotuzumab": a plan's order
    header_reaches = bool(attrs) and _history_reaches(ent, section, flags, note, to_original)
    historical = flags["historical"] or (bool(attrs.get("historical")) and header_reaches)
    # a family history paragraph ends where the letter's prose resumes ("We have explained that ...")
    family = (flags["family"] and _relative_is_subject(hit)) or (bool(attrs.get("family")) and header_reaches)
    # a rule may state the assertion itself: "post-transplant" is history, "pre-transplant evaluation" a plan
    hypothetical = hypothetical or hit.fixed.get("hypothetical") == "True"
    if hit.kind in TREATMENT_KINDS and not hypothetical and not negated:
        # "I discussed salvage options:" over "- Blinatumomab, requiring admission ...": a menu item
        hypothetical = in_option_list(note.text, to_original(ent.start_char))
    historical = historical or hit.fixed.get("historical") == "True"
    uncertain = flags["uncertain"]
    value = values.interpret(hit)
    kind, cycle = "", None
    # a report's results and its verdict belong to the day the specimen was taken, not its sign-out
    # (an extramedullary relapse named in a marrow report was found elsewhere: "CNS relapse, see CSF";
    # the clinical history recalls earlier events)
    sampled = None if historical else (
        collected if hit.kind in VALUE_KINDS or (hit.kind == "relapse" and value.value != "extramedullary") else None
    )
    date = date_of_mention(ent, hit, dates, hits, section.date)
    if date[1] == "note" and hit.kind in TREATMENT_KINDS and hit.kind not in PROCEDURE_KINDS and is_sheet(note.note_type):
        # the sheet's header is read from the note as written: the prefilter may have folded it away
        # (it names no target), leaving a prose line's date ("tapered off 1/20") first
        row = to_original(sentence_of(ent).start_char)
        day = sheet_day(note.text, row, [d for d in sheet_dates or [] if d.start < row], note.note_date)
        date = (day, "section") if day is not None else date  # "Patient X  12/04/2021" over "10:00 <drug> ... 10:00-11:02"
    if date[0] is not None and date[1] == "mention" and cue_reach.prior_to_its_sentence(hit, date[0].start - sentence_of(ent).start_char):
        date = (None, "note")  # "discussed 10.08.2022: declined (age, prior SCT)": the date is the discussion's
    if (hit.kind in PROCEDURE_KINDS and hit.rule_id != "day_zero" and hit.nearest("EVENT_START") is None
            and _is_title_date(doc_text(ent.doc), date[0], note.note_date)):
        date = (None, "note")  # "NURSE NAVIGATOR - TRANSITION TO TRANSPLANT   01/20/2023": the note's own date in its title
    # "who achieved CR with 2 cycles of InO", "he developed skin GVHD": a past course retold without
    # a date (a dated one is history only when long before the note: _dated_long_before)
    # a count from the transplant ("at Day +18") places the event in the course, not before the note
    counted = date[0] is not None and date[0].resolved.reported_source == "relative_to_event"
    narrated = (date[0] is None or counted) and not (hypothetical or uncertain) and (
        told_as_past(hit.sentence, section.category)
        or (hit.kind in TREATMENT_KINDS and named_behind_remission(hit.sentence, hit.offset_in_sentence))
        or (hit.kind == "relapse" and relapse_behind_remission(hit.sentence, hit.offset_in_sentence, hit.offset_in_sentence + len(hit.text)))
    )
    if negated and hit.kind in _REFUSABLE_NOT and all(cue.refusal for cue in hit.cues if cue.category == "NEGATED_EXISTENCE"):
        negated = False  # "DLI deferred (prior GVHD)", "declines transplant (fear of GVHD)": a refusal is a proposal's
    if hit.kind not in TREATMENT_KINDS:  # a treatment's date is settled below, before its kind
        if hit.kind == "relapse":
            marrow = relapse_marrow_date(date[0], doc_text(ent.doc), ent.end_char, sentence_of(ent).end_char, dates)
            date = (marrow, "mention") if marrow is not None else date
        absent = negated and hit.kind not in VALUE_KINDS  # "CD19 negative" is a result, not an absence
        historical = historical or narrated or _dated_long_before(date[0], note, section, negated=absent, hypothetical=hypothetical)
        if date[0] is None and not historical and earlier_step_of_a_chain(doc_text(ent.doc), ent.end_char, sentence_of(ent).end_char, dates):
            historical = True  # "CD19+ relapse 06/2021 -> MRD+ CR w/ blina x2 -> relapse 10/2021": a step before a dated one
        # ... but the question it asks ("Clinical information: new cytopenias. ?Relapse.") is the report's own doubt
        if (hit.kind in VALUE_KINDS or (hit.kind == "relapse" and not uncertain)) and _CLINICAL_LINE.match(_line_of(ent)):
            historical = True  # a report's "Clinical: B-ALL CR2 MRD+ before blinatumomab (0.12% on 2/14)" retells the referral
    if hit.kind in TREATMENT_KINDS:
        if hit.kind in PROCEDURE_KINDS and hit.nearest("EVENT_HOLD") is not None:
            negated = True  # a transplant "on hold" is deferred, not interrupted
        if negated and negation_is_anothers(
            hit.sentence, (hit.offset_in_sentence, hit.offset_in_sentence + len(hit.text)),
            [cue.start for cue in hit.cues if cue.category == "NEGATED_EXISTENCE"], _other_treatments(ent, hit, hits),
        ):
            negated = False  # "Blina started 3/1 but InO was never given": the cue is InO's
        if not negated and never_given_later(clause_after(hit.after, hit.following), _other_treatments_after(ent, hit, hits)):
            negated = hypothetical = True  # "approved blina as a bridge, but it was never administered"
        if not negated and refused_right_after(hit.after):
            negated = hypothetical = True  # "inotuzumab declined 1/2023 (liver)": a plan that did not happen
        if not negated and answered_no(hit.after + hit.following):
            negated = True  # "Prior treatment with blinatumomab: [ ] Yes [X] No"
        if negated and (any(cue.refusal for cue in hit.cues) or hit.nearest("EVENT_HOLD") is not None):
            hypothetical = True  # declined / cancelled / not a candidate: a plan that did not happen
        ordered_today = hypothetical and not negated and _ordered_for_today(hit)
        if ordered_today:
            hypothetical = False  # "Start blinatumomab today": the order is the administration
        date = treatment_date(date, ent, hit, note, dates, hypothetical=hypothetical)
        if hit.kind in PROCEDURE_KINDS and _BEFORE_IT.search(hit.before[-8:]):
            date = (None, "none")  # "pre-TPH 30/01/2023", "pre-HSCT marrow 3/4": a day before the procedure
        if hit.fixed.get("undated") == "True":
            date = (None, "note")  # "post-allo relapse (5/2019)": the line's date is the relapse's, not the transplant's
        kind, cycle = values.event_kind(hit, hypothetical=hypothetical, historical=historical)
        if ordered_today and kind in ("mention", "dose") and (
            _orders_a_start(hit) or any(_START_ORDER.search(c.text) for c in hit.cues)
        ):
            kind = "start"  # the order verb was read as the plan cue: "Start blina 9 mcg/day today" is the first dose
        row = None if date[1] == "mention" or hypothetical or negated or hit.kind in PROCEDURE_KINDS else (
            first_dose_row_below(ent, dates) or first_started_row_in_table(ent, dates, note.note_type))
        if row is not None:  # "Regimen: <drug> - cycle 1" over "  D1 <date>: ... given": the first dose
            date, kind = (row, "mention"), "start"
        elif narrated and not historical and not hypothetical:
            historical = True  # a narrated start, stop or cycle keeps its kind: the timeline may need it
            kind = "history" if kind in ("mention", "dose") else kind
        if kind == "start" and date[1] in ("section", "note") and not (negated or hypothetical):
            first_day = planned_first_day(ent, dates, note.note_date)
            if first_day is not None:
                date = (first_day, "mention")  # "start blina ... C1D1 5/1/23" in a 4/24 note: a plan (below)
        if kind == "stop":
            date = stop_date(date, dates, doc_text(ent.doc))
        # after the kind: a narrative's dated event keeps its own kind ("discontinued on 5/2/19" is a stop)
        historical = historical or _dated_long_before(date[0], note, section, negated=negated, hypothetical=hypothetical)
        if historical and cue_reach.anchors_a_day_count(hit):
            historical = False  # "now Day +30 s/p MUD allo (Day 0 = 10/10/2018)": the day the count runs from
        if section.category == "medications" and kind == "mention":
            kind = "dose"
        elif kind == "mention" and date[0] is None and not (negated or historical) and section.category in _PLAN_SECTIONS:
            hypothetical, kind = True, "plan"  # "- alloHSCT: HLA typing sent": a plan line names what is ahead
        elif kind in ("start", "dose") and date[0] is None and not (negated or historical) and _MEETING_NOTE.search(note.note_type):
            hypothetical, kind = True, "plan"  # a tumour board's "then blinatumomab 5 mcg/m2/day D1-7": its recommendation
        when = date[0].resolved.value if date[0] else None
        if when is not None and when > note.note_date and not negated and kind != "history" and not _later_row_of_a_sheet(hit, note, when):
            hypothetical, kind = True, "plan"  # an administration dated after its note is a plan
        elif hit.kind in PROCEDURE_KINDS and not hypothetical and (is_product_logistics(hit) or _prepared_for(ent, hit, date[0])):
            kind, date = "mention", (None, "note")  # "Product: Kymriah, received 03/14": not the infusion's day
    elif hit.kind in VALUE_KINDS:
        negated = False  # "CD19 negative", "no MRD": the negation is the value
        kind = value.value
        if not kind and not uncertain and (hit.kind == "antigen" or hit.spec.reads == "status"):
            return None  # "CD19 panel", "sent for MRD": not a result
        if hit.spec.reads == "percent" and values.is_mrd_level(hit, value):
            return None  # "MRD positive, 0.12% abnormal B-lymphoblasts": the MRD mention holds it
    elif hit.kind == "death":
        kind = ""
    elif hit.kind in OUTCOME_KINDS:
        kind = value.value
        if hit.kind == "death_cause":
            if hypothetical or negated:
                return None  # "risk of death from infection": not this patient's cause of death
        elif hit.kind == "graded_outcome" and not negated and _DENIED_RIGHT_AFTER.match(hit.after):
            negated, kind = True, ""  # a problem line "# GVHD - none;": the general "- none" cue skips GVHD (organ lists)
        elif hit.kind == "graded_outcome" and negated and not negation_holds(hit, graded=value.unit in ("grade", "staging")):
            negated = False  # "CRS maximum grade 2, now resolved": a resolved outcome happened
        elif negated and hit.kind != "relapse":
            kind = ""  # "no acute GVHD": an absence has no grade (a relapse keeps the kind it denies:
            # "no morphological relapse", "not an MRD recurrence")
    specimen = value.specimen or hit.spec.specimen  # an antigen of a blood sample ("PB flow: CD19+")
    start, end = to_original(ent.start_char), to_original(ent.end_char - 1) + 1
    return Mention(
        mention_id=f"{note.note_id}:{start}-{end}",
        patient_id=note.patient_id,
        note_id=note.note_id,
        note_date=note.note_date,
        note_type=note.note_type,
        section=section.category,
        start=start,
        end=end,
        text=note.text[start:end],
        snippet=_snippet(ent),
        concept=hit.concept,
        rule_id=hit.rule_id,
        negated=negated,
        hypothetical=hypothetical,
        historical=historical,
        family=family,
        uncertain=uncertain,
        date=date[0].resolved.value if date[0] else note.note_date if date[1] == "note" else None,
        date_precision=(date[0].resolved.precision if date[0] else "day" if date[1] == "note" else None),
        date_source=(date[0].resolved.reported_source if date[0] else "note_date" if date[1] == "note" else "none"),
        date_text=date[0].text if date[0] else "",
        date_from=date[1],
        # the mention keeps its note's date (docs/annotation_guide.md); the sample's day is
        # recorded as an offset from it, which the timeline applies to the marrow and relapse
        date_anchor=(date[0].resolved.anchor or "") if date[0] else SAMPLE_ANCHOR if sampled and date[1] == "note" else "",
        date_offset_days=(date[0].resolved.offset_days if date[0] else
                          (sampled.resolved.value - note.note_date).days if sampled and sampled.resolved.value and date[1] == "note" else None),
        value=kind,
        unit=value.unit,
        level_pct=value.level_pct,
        cycle=cycle,
        method=value.method if hit.kind in VALUE_KINDS else "",
        specimen=specimen,
        donor_type=value.donor_type,
        percent_positive=value.percent_positive,
        modifiers=tuple(f"{cue.category}:{cue.text}" for cue in hit.cues),
    )


# outcomes a refusal cue cannot negate: what is declined or deferred is the proposal beside them
_DENIED_RIGHT_AFTER = re.compile(r"[ \t]*(?:[-–:][ \t]*)?(?:none|nil)\b(?![ \t]*(?:of|since|now|currently|at\s+present)\b)", re.IGNORECASE)
_REFUSABLE_NOT = frozenset({"graded_outcome", "severity_outcome", "relapse"})
# sections whose lines say what is to come: a treatment named there with no event cue and no date of
# its own ("3. allograft in CR2: re-refer", "Inotuzumab ozogamicin - high response rates in relapse")
# is the plan. A dated or cued administration ("Plan: C1D1 blinatumomab today", "continue blina")
# keeps its kind: only the bare name ("mention") becomes a plan.
_PLAN_SECTIONS = frozenset({"assessment_plan"})
# dates a narrative section can carry for a past event: not "Day +30 after the allograft (Day 0 ...)",
# whose date is a count from the transplant that the note is about
_OWN_DATE_SOURCES = frozenset({"explicit", "year_inferred", "month_year_inferred", "dayfirst_inferred", "ambiguous_order", "relative_to_note"})
# an unsectioned note (a progress or MDT note written as one block) tells its past like a history section
_UNSECTIONED_HISTORY_DAYS = 90


def _dated_long_before(date: DateMention | None, note: Note, section: _SectionInfo, *, negated: bool, hypothetical: bool) -> bool:
    """Whether a mention told in a narrative section is past history because it carries its own date
    well before the note: in a history of present illness or a death note's final diagnosis, "MRD
    negative after induction (3/2018)" or "relapsed in May 2019" written a year later is history,
    though no "s/p" or "prior" says so. The section's `history_when_dated_days` (sections.json)
    gives how far back; events of the last weeks are the illness being presented, not history."""
    if date is None or negated or hypothetical or date.resolved.value is None:
        return False
    if date.resolved.reported_source not in _OWN_DATE_SOURCES:
        return False
    days = section.metadata.get("history_when_dated_days") if section.category else _UNSECTIONED_HISTORY_DAYS
    return isinstance(days, int) and (note.note_date - date.resolved.value).days >= days


# a blank line, then a line of prose rather than another list item: the header's list has ended
_PARAGRAPH_AFTER_LIST = re.compile(r"\S[^\n]*\n[ \t]*\n[ \t]*(?![-*•]|\d{1,2}[.)]\s)\S")


def _history_reaches(ent: Span, section: _SectionInfo, flags: dict[str, bool], note: Note,
                     to_original: Callable[[int], int]) -> bool:
    """Whether a history section's header ("Diagnoses:", "Clinical history:") still makes the
    mention history. Not when the mention is in doubt ("R/o relapse", "?Relapse", "relapse
    suspected"): that is the question the current test answers, not a past event. Not past the
    header's list: a letter's "Diagnoses:" list followed by a blank line and paragraphs of prose is
    no header over the letter (the sectionizer runs a section to the next header).

    Read on the note's own text (the prefilter blanks paragraphs without targets, which would hide
    the prose), and found once per section: searching from the header to every mention made long
    sections quadratic."""
    if flags["uncertain"]:
        return False
    if section.body_start < 0:
        return True
    if ent.start_char < section.body_start:
        return False  # "Treatment to date in this relapse:": the header's own words name the present
    ends = ent.doc.user_data.setdefault(_LIST_ENDS_KEY, {})
    if section.body_start not in ends:
        start = to_original(section.body_start)
        body = note.text[start:]
        stripped = len(body) - len(body.lstrip())
        found = _PARAGRAPH_AFTER_LIST.search(body, stripped)
        ends[section.body_start] = start + found.end() if found else None
    end = ends[section.body_start]
    return end is None or to_original(ent.start_char) < end


_LIST_ENDS_KEY = "chartabstract_history_list_ends"


def _prepared_for(ent: Span, hit: values.Hit, date: DateMention | None) -> bool:
    """ "Lymphodepletion today before Tecartus": today is the lymphodepletion's (see cell_product)."""
    return is_prepared_for(hit, None if date is None else date.start - sentence_of(ent).start_char)


def _relative_is_subject(hit: values.Hit) -> bool:
    """Whether a FAMILY cue makes the target a relative's rather than the patient's.

    A death or a cause of death is a relative's only when the relative is named before it, as its
    subject ("her father died of leukemia"); after it the relative is a bystander ("passed away at
    home, wife at bedside"). Donors ("haplo (mom)", "from her brother") are PSEUDO cues in context.json,
    so a transplant keeps its FAMILY cue: "her daughter underwent a BMT" is the daughter's; but a kin
    word that qualifies a transplant word ("sibling allograft") names the donor, for every transplant
    mention of the sentence (its "Day 0" too).
    """
    cues = [cue for cue in hit.cues if cue.category == "FAMILY"]
    if hit.kind in ("death", "death_cause"):
        if _informant_speaks_of_the_patient(hit, cues):
            return False
        return any(cue.start < hit.offset_in_sentence for cue in cues)
    if hit.kind == "transplant":
        return not all(_DONOR_OF_A_TRANSPLANT.match(hit.sentence, cue.start) for cue in cues)
    return True


# A relative who calls to report the death names the patient by their own kinship: "Call from: Helen
# (daughter)" then "her mother died at home on Saturday". The kin word the caller uses for the patient.
_CALLER = re.compile(
    r"\b(?:call(?:ed)?\s+from|(?:tele)?phone\s+call\s+from|message\s+from|informed\s+by)\b[^\n]{0,40}?\b(?P<kin>daughter|son|wife|husband|partner|mother|father|sister|brother)\b"
    r"|\b(?P<kin2>daughter|son|wife|husband|partner)\b[^\n.]{0,25}?\b(?:rang|phoned|called|telephoned)\b",
    re.IGNORECASE,
)
_PATIENT_AS_CALLERS_KIN = {
    "daughter": ("mother", "father", "mum", "mom", "dad"), "son": ("mother", "father", "mum", "mom", "dad"),
    "wife": ("husband", "partner"), "husband": ("wife", "partner"), "partner": ("partner", "husband", "wife"),
    "mother": ("daughter", "son"), "father": ("daughter", "son"), "sister": ("sister", "brother"), "brother": ("sister", "brother"),
}


def _informant_speaks_of_the_patient(hit: values.Hit, cues: list[values.Cue]) -> bool:
    """A death told by a relative who called: "her mother died" in the daughter's call is the patient's,
    and so is "Wife Angela called to inform the team that Roberto passed away": the caller's own kin
    word names the informant, not the one who died."""
    caller = _CALLER.search(hit.preceding + "\n" + hit.sentence[: hit.offset_in_sentence])
    if caller is None or not cues:
        return False
    kin = "kin" if caller.group("kin") else "kin2"
    callers_word_at = caller.start(kin) - len(hit.preceding) - 1  # in the sentence, or negative before it
    patient_words = _PATIENT_AS_CALLERS_KIN[caller.group(kin).lower()]
    return all(cue.text.lower() in patient_words or cue.start == callers_word_at for cue in cues)


# "Sibling allograft (sister donor) 12/09/2023, Day 0", "brother-donor alloSCT", "mother haplo BMT":
# a kin word standing right before a transplant word names the donor of the patient's transplant
# (a relative's own transplant is "her brother's BMT", "her brother had a BMT").
_DONOR_OF_A_TRANSPLANT = re.compile(
    r"(?:mother|father|brother|sister|son|daughter|sibling|sib|mum|mom|dad|parent|cousin|aunt|uncle|niece|nephew)"
    r"[\s-]+(?:donor[\s-]+|donated[\s-]+)?(?:haplo\w*[\s-]+)?(?:allo\w*|hsct|hct|sct|bmt|transplant\w*|graft)\b",
    re.IGNORECASE,
)


_TODAY = re.compile(r"\b(?:today|tonight|this\s+(?:morning|afternoon|evening)|now)\b", re.IGNORECASE)
_TODAY_REACH = 40  # characters: "today" must stand near the drug or its order ("Start blina 9 mcg/day IV today")
# "admitted today to start blinatumomab", "here to start C3 today": the purpose of today's visit
_START_ORDER = re.compile(r"\b(?:start|begin|initiate)\b", re.IGNORECASE)
_TO_START = re.compile(r"to\s+(?:start|begin|initiate|receive|restart|resume)\b", re.IGNORECASE)
_PLAN_WORDS = re.compile(r"\b(?:plan\w*|prior\s+auth\w*|authori[sz]\w*|schedul\w*|will|tomorrow|next|pending)\b", re.IGNORECASE)


def _other_treatments(ent: Span, hit: values.Hit, hits: SentenceHits) -> list[int]:
    """Offsets in the sentence of the other treatments it names."""
    sentence_start = sentence_of(ent).start_char
    return [e.start_char - sentence_start for e, other in hits.of(sentence_of(ent))
            if other.kind in TREATMENT_KINDS and e.start_char != ent.start_char]


def _other_treatments_after(ent: Span, hit: values.Hit, hits: SentenceHits) -> list[int]:
    """Offsets into ``hit.after`` of the other treatments named later in the sentence."""
    after_start = sentence_of(ent).start_char + hit.offset_in_sentence + len(hit.text)
    return [e.start_char - after_start for e, other in hits.of(sentence_of(ent))
            if other.kind in TREATMENT_KINDS and e.start_char >= after_start]


def _ordered_for_today(hit: values.Hit) -> bool:
    """True when the only planning cue is an order or today's purpose ("admitted today to start") and
    it is for today: "today" near the drug or its cue, and no plan word in the sentence ("prior auth
    submitted today, plan C1D1 4/3" is still a plan)."""
    hypothetical_cues = [cue for cue in hit.cues if cue.category == "HYPOTHETICAL"]
    if not hypothetical_cues or _PLAN_WORDS.search(hit.sentence):
        return False
    if not all(cue.order or _TO_START.match(cue.text) for cue in hypothetical_cues):
        return False
    spans = [(hit.offset_in_sentence, hit.offset_in_sentence + len(hit.text))]
    spans += [(cue.start, cue.start + len(cue.text)) for cue in hypothetical_cues]
    return any(
        values.gap(today.start(), today.end(), start, end) <= _TODAY_REACH
        for today in _TODAY.finditer(hit.sentence) for start, end in spans
    )


_START_ORDERS = frozenset({"start", "begin", "initiate"})


def _orders_a_start(hit: values.Hit) -> bool:
    """Whether the order cue is a start verb ("Start blina today"), not "give" or "resume"."""
    return any(cue.order and cue.text.split()[-1].lower() in _START_ORDERS for cue in hit.cues if cue.category == "HYPOTHETICAL")


def _snippet(ent: Span) -> str:
    sent = sentence_of(ent)
    text = span_text(sent)
    if len(text) > SNIPPET_CHARS:
        centre = ent.start_char - sent.start_char
        start = max(0, centre - SNIPPET_CHARS // 2)
        text = text[start : start + SNIPPET_CHARS]
    return " ".join(text.split())
