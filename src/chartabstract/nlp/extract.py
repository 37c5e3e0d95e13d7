"""Run the pipeline on a note and turn target spans into :class:`Mention` records.

The only module that reads ``span._``: it copies what spaCy and medspaCy found into plain
records, gives each mention its own date (dates belong to the event in their sentence), and
asks ``values`` for the value.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, replace

from spacy.language import Language
from spacy.tokens import Doc, Span

from datetime import date, timedelta

from chartabstract.models import DateMention, Mention, Note, ResolvedDate
from chartabstract.nlp import components, matchers, values
from chartabstract.nlp.folding import fold_spaces
from chartabstract.nlp.prefilter import Prefilter
from chartabstract.normalize.dates import find_dates

CONCEPT_OF_CATEGORY = {
    "BLINATUMOMAB": "blinatumomab",
    "INOTUZUMAB": "inotuzumab",
    "HSCT": "hsct",
    "CAR_T": "car_t",
    "MRD": "mrd",
    "CD19": "cd19",
    "CD22": "cd22",
    "DEATH": "death",
    "AGVHD": "agvhd",
    "CGVHD": "cgvhd",
    "RELAPSE": "relapse",
    "DEATH_CAUSE": "death_cause",
}
# Mentions of one group may share a date in their sentence ("CD19 neg, CD22 pos on 4/2/19");
# a date closer to a mention of another group belongs to that other event.
EVENT_GROUP = {
    "blinatumomab": "blinatumomab", "inotuzumab": "inotuzumab", "hsct": "hsct", "car_t": "car_t",
    "marrow_blasts": "marrow", "peripheral_blasts": "marrow", "mrd": "marrow", "cd19": "marrow",
    "cd22": "marrow", "death": "death", "agvhd": "gvhd", "cgvhd": "gvhd",
    # a relapse is usually dated by its marrow ("marrow 12/2 consistent with relapse, 45% blasts")
    "relapse": "marrow", "death_cause": "death",
}
OUTCOME_CONCEPTS = {"agvhd", "cgvhd", "relapse", "death_cause"}
# "died of / from / due to ... X": an acute GVHD or relapse named as the cause is also a cause of death
_CAUSE_LINK = re.compile(
    r"^[\s,]*(?:(?:on|at|in|at\s+home|peacefully|overnight|today|yesterday|\S*\d\S*)[\s,]+){0,4}"
    r"(?:of|from|due\s+to|secondary\s+to|attributed\s+to|related\s+to|as\s+a\s+result\s+of|:|was|is|-)\s"
    r"(?:[^.;]{0,60}?\b(?:complications?\s+of|of|from)\s)?[^.;]{0,40}$",
    re.IGNORECASE,
)
VALUE_CONCEPTS = {"marrow_blasts", "peripheral_blasts", "mrd", "cd19", "cd22"}
SNIPPET_CHARS = 400
_CAR_T_CONTEXT = re.compile(r"(?-i:\bCAR)|tisagenlecleucel|kymriah|brexucabtagene|tecartus|obecabtagene|CTL019|cellular\s+product", re.I)
_HSCT_CONTEXT = re.compile(r"\b(?:allo\w*|HSCT|HCT|SCT|BMT|transplant\w*|stem\s+cells?|graft|donor|conditioning)\b", re.I)
_DAY_ZERO_LOOKBACK = 600
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _day_zero_is_car_t(ent: Span) -> bool:
    """'Day 0' is the infusion day of whichever cell therapy was named last before it, in its paragraph."""
    text = _text(ent.doc)
    paragraph = max((m.end() for m in _BLANK_LINE.finditer(text, 0, ent.start_char)), default=0)
    window = text[max(paragraph, ent.start_char - _DAY_ZERO_LOOKBACK) : _sent(ent).end_char]
    car_t = [m.start() for m in _CAR_T_CONTEXT.finditer(window)]
    hsct = [m.start() for m in _HSCT_CONTEXT.finditer(window)]
    return bool(car_t) and (not hsct or max(car_t) > max(hsct))


@dataclass(frozen=True)
class _SectionInfo:
    category: str
    metadata: dict[str, object]
    date: DateMention | None


def process_note(nlp: Language, note: Note, *, dayfirst: bool = False, prefilter: Prefilter | None = None) -> list[Mention]:
    """Run the pipeline on one note and return its mentions, offsets into the note's own text."""
    folded = fold_spaces(note.text)
    text, to_original, provided = folded.text, folded.to_source, None
    if prefilter is not None:
        reduced = prefilter.reduce(folded.text)
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
    for _name, component in nlp.pipeline:  # as nlp(text) does
        doc = component(doc)
    return mentions_in_doc(doc, note, to_original, dayfirst=dayfirst, text=text)


def mentions_in_doc(
    doc: Doc, note: Note, to_original: Callable[[int], int] = lambda offset: offset, *, dayfirst: bool = False,
    text: str | None = None,
) -> list[Mention]:
    """All mentions of one processed note; ``to_original`` maps doc offsets to the note's text.
    ``text`` is the text the doc was made from, when the caller has it (spaCy rebuilds it otherwise)."""
    targets = [ent for ent in doc.ents if ent.label_ != "IGNORE"]
    if not targets:
        return []
    doc.user_data[_TEXT_KEY] = text if text is not None else doc.text  # Doc.text is rebuilt on every access
    dates = find_dates(_text(doc), note.note_date, dayfirst=dayfirst)
    sections = _sections(doc, dates)
    hits = [(ent, _hit(ent, note, sections)) for ent in targets]
    listed = components.list_sentences(doc, targets, _text(doc))
    mentions = []
    for ent, (hit, section) in hits:
        mention = _mention(ent, hit, section, note, dates, [(e, h) for e, (h, _) in hits], to_original)
        if mention is None:
            continue
        mentions.append(mention)
        if hit.concept in ("agvhd", "cgvhd", "relapse") and _named_as_cause(ent, targets, listed):
            cause = "gvhd" if hit.concept != "relapse" else "relapse"
            mentions.append(replace(mention, concept="death_cause", value=cause, unit="", negated=False,
                                    mention_id=mention.mention_id + ":cause", rule_id=f"{hit.rule_id}_as_cause"))
    return mentions


def _named_as_cause(ent: Span, targets: list[Span], listed: dict[int, set[int]]) -> bool:
    """A death statement links to this target: "died of grade IV gut GVHD" (a death earlier in the
    sentence, joined by "of", "from", "due to"), "Immediate cause: sepsis in the setting of GVHD",
    or a line under a "Cause of death:" heading."""
    text = _text(ent.doc)
    for e in targets:
        if e.label_ != "DEATH":
            continue
        if _sent(ent).start in listed.get(e.start, ()) and (_sent(e).start != _sent(ent).start or e.end_char <= ent.start_char):
            return True
        if _sent(e).start == _sent(ent).start and e.end_char <= ent.start_char and _CAUSE_LINK.match(text[e.end_char : ent.start_char]):
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
        name = ASSERTION_OF_CATEGORY.get(modifier.category)
        if name:
            flags[name] = True
    return flags


def _sections(doc: Doc, dates: list[DateMention]) -> list[tuple[int, int, _SectionInfo]]:
    """(start token, end token, info) per section; a date on the header line dates the section."""
    found = []
    text = _text(doc)
    for section in doc._.sections:
        rule = section.rule
        metadata = dict(rule.metadata or {}) if rule is not None else {}
        section_date = None
        if section.title_end > section.title_start:
            title_end = doc[section.title_end - 1].idx + len(doc[section.title_end - 1])
            line_end = text.find("\n", title_end)
            line_end = len(text) if line_end < 0 else line_end
            # "BONE MARROW, 3/2/2019:" or a header line holding only a date dates the section;
            # a header followed by prose ("HISTORY: dx 10/2017, ...") does not.
            candidates = [d for d in dates if doc[section.title_start].idx <= d.start < line_end and d.resolved.value]
            if candidates and not _PROSE.search(text[title_end:line_end].replace(candidates[0].text, "")):
                section_date = candidates[0]
        info = _SectionInfo(section.category or "", metadata, section_date)
        found.append((section.title_start, section.body_end, info))
    return found


_PROSE = re.compile(r"[A-Za-z]{3,}")


def _section_of(ent: Span, sections: list[tuple[int, int, _SectionInfo]]) -> _SectionInfo:
    for start, end, info in sections:
        if start <= ent.start < end:
            return info
    return _SectionInfo("", {}, None)


def _hit(ent: Span, note: Note, sections: list[tuple[int, int, _SectionInfo]]) -> tuple[values.Hit, _SectionInfo]:
    rule = ent._.target_rule
    metadata = dict(rule.metadata or {}) if rule is not None else {}
    section = _section_of(ent, sections)
    sent = _sent(ent)
    groups: dict[str, str] = {}
    if rule is not None and isinstance(rule.pattern, str):
        match = re.search(rule.pattern, _span_text(ent), re.IGNORECASE)
        if match:
            groups = {k: v for k, v in match.groupdict().items() if v}
    concept = CONCEPT_OF_CATEGORY.get(ent.label_, "marrow_blasts")
    hit = values.Hit(
        concept=concept,
        rule_id=str(metadata.get("rule_id") or (rule.literal if rule is not None else ent.label_)),
        text=_span_text(ent),
        sentence=_span_text(sent),
        offset_in_sentence=ent.start_char - sent.start_char,
        line=_line_of(ent),
        note_type=note.note_type.lower(),
        section_specimen=str(section.metadata.get("specimen", "")),
        section_method=str(section.metadata.get("method", "")),
        cues=tuple(_cue(ent, modifier) for modifier in ent._.modifiers),
        groups=groups,
        fixed={k: str(v) for k, v in metadata.items() if k != "rule_id"},
    )
    if ent.label_ in ("CD19", "CD22"):
        hit = _replace(hit, cues=_own_cues(hit))
    if ent.label_ == "BLASTS":
        specimen = values.blast_specimen(hit)
        hit = _replace(hit, concept="peripheral_blasts" if specimen == "peripheral" else "marrow_blasts")
    elif hit.rule_id == "day_zero" and _day_zero_is_car_t(ent):
        hit = _replace(hit, concept="car_t")
    return hit, section


_TEXT_KEY = "chartabstract_text"
_SENTS_KEY = "chartabstract_sentences"


def _span_text(span: Span) -> str:
    """A span's text from the document text (``Span.text`` joins its tokens on every call)."""
    return _text(span.doc)[span.start_char : span.end_char]


def _sent(ent: Span) -> Span:
    """The sentence of a span, from a per-document index (spaCy's ``Span.sent`` walks the
    tokens on every call, and extraction asks for every target's sentence many times)."""
    doc = ent.doc
    cached = doc.user_data.get(_SENTS_KEY)
    if cached is None:
        sentences = list(doc.sents)
        cached = ([s.start for s in sentences], sentences)
        doc.user_data[_SENTS_KEY] = cached
    starts, sentences = cached
    return sentences[bisect_right(starts, ent.start) - 1]


def _text(doc: Doc) -> str:
    """The document text, computed once per document (spaCy joins every token on each access)."""
    cached = doc.user_data.get(_TEXT_KEY)
    return cached if cached is not None else doc.text


def _line_of(ent: Span) -> str:
    text = _text(ent.doc)
    start = text.rfind("\n", 0, ent.start_char) + 1
    end = text.find("\n", ent.end_char)
    return text[start : end if end >= 0 else len(text)]


def _replace(hit: values.Hit, **changes: object) -> values.Hit:
    return replace(hit, **changes)


def _cue(ent: Span, modifier: object) -> values.Cue:
    doc = ent.doc
    start, end = modifier.modifier_span  # type: ignore[attr-defined]
    span = doc[start:end]
    return values.Cue(
        category=modifier.category,  # type: ignore[attr-defined]
        text=_span_text(span),
        distance=values.gap(span.start_char, span.end_char, ent.start_char, ent.end_char),
        direction=modifier.direction.upper(),  # type: ignore[attr-defined]
        start=span.start_char - _sent(ent).start_char,
        refusal=bool((modifier.rule.metadata or {}).get("refusal")),  # type: ignore[attr-defined]
        order=bool((modifier.rule.metadata or {}).get("order")),  # type: ignore[attr-defined]
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
    dates: list[DateMention],
    all_hits: list[tuple[Span, values.Hit]],
    to_original: Callable[[int], int],
) -> Mention | None:
    attrs = section.metadata.get("attributes") or {}
    assert isinstance(attrs, dict)
    flags = assertions(ent)
    negated = flags["negated"]
    hypothetical = flags["hypothetical"]
    historical = flags["historical"] or bool(attrs.get("historical"))
    family = flags["family"] or bool(attrs.get("family"))
    uncertain = flags["uncertain"]
    value = values.interpret(hit)
    kind, cycle = "", None
    date = _date_for(ent, hit, note, dates, all_hits, section)
    if hit.concept in values.TREATMENTS:
        if hit.concept in ("hsct", "car_t") and hit.nearest("EVENT_HOLD") is not None:
            negated = True  # a transplant "on hold" is deferred, not interrupted
        if negated and (any(cue.refusal for cue in hit.cues) or hit.nearest("EVENT_HOLD") is not None):
            hypothetical = True  # declined / cancelled / not a candidate: a plan that did not happen
        if hypothetical and _ordered_for_today(hit):
            hypothetical = False  # "Start blinatumomab today": the order is the administration
        date = _range_start(date, dates, _text(ent.doc))
        date = _year_for_tense(date, note, hypothetical)
        if hit.concept in ("hsct", "car_t"):
            date = _day_zero_from_day_count(date, ent, dates, note)
        kind, cycle = values.event_kind(hit, hypothetical=hypothetical, historical=historical)
        if section.category == "medications" and kind == "mention":
            kind = "dose"
        when = date[0].resolved.value if date[0] else None
        if when is not None and when > note.note_date and not negated and kind != "history":
            hypothetical, kind = True, "plan"  # an administration dated after its note is a plan
    elif hit.concept in VALUE_CONCEPTS:
        negated = False  # "CD19 negative", "no MRD": the negation is the value
        kind = value.value
        if not kind and not uncertain and hit.concept in ("mrd", "cd19", "cd22"):
            return None  # "CD19 panel", "sent for MRD": not a result
    elif hit.concept == "death":
        kind = ""
    elif hit.concept in OUTCOME_CONCEPTS:
        kind = value.value
        if hit.concept == "death_cause":
            if hypothetical or negated:
                return None  # "risk of death from infection": not this patient's cause of death
        elif negated:
            kind = ""  # "no acute GVHD", "no evidence of relapse": an absence has no grade or kind
    specimen = {"marrow_blasts": "marrow", "peripheral_blasts": "peripheral_blood"}.get(hit.concept, "")
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
        date_source=(date[0].resolved.source if date[0] else "note_date" if date[1] == "note" else "none"),
        date_text=date[0].text if date[0] else "",
        date_from=date[1],
        date_anchor=(date[0].resolved.anchor or "") if date[0] else "",
        date_offset_days=date[0].resolved.offset_days if date[0] else None,
        value=kind,
        unit=value.unit,
        level_pct=value.level_pct,
        cycle=cycle,
        method=value.method if hit.concept in VALUE_CONCEPTS else "",
        specimen=specimen,
        donor_type=value.donor_type,
        percent_positive=value.percent_positive,
        modifiers=tuple(f"{cue.category}:{cue.text}" for cue in hit.cues),
    )


def _date_for(
    ent: Span,
    hit: values.Hit,
    note: Note,
    dates: list[DateMention],
    all_hits: list[tuple[Span, values.Hit]],
    section: _SectionInfo,
) -> tuple[DateMention | None, str]:
    """The date of this mention's event: its sentence's nearest date it owns, else section, else note."""
    sent = _sent(ent)
    in_sentence = [
        d for d in dates
        if sent.start_char <= d.start < sent.end_char and not _is_own_anchor(d, ent, hit)
    ]
    if in_sentence:
        neighbours = [(e, h) for e, h in all_hits if _sent(e).start == sent.start]
        group = EVENT_GROUP[hit.concept]
        best: tuple[int, DateMention] | None = None
        text = _text(ent.doc)
        for candidate in in_sentence:
            distance = _claim(text, candidate, ent.start_char, ent.end_char)
            owner_distance, owner = min(
                ((_claim(text, candidate, e.start_char, e.end_char), h) for e, h in neighbours),
                key=lambda pair: pair[0],
            )
            if owner_distance < distance and EVENT_GROUP[owner.concept] != group:
                continue  # closer to another event's mention: that event's date
            if not _parenthesis_allows(_text(ent.doc), candidate, ent):
                continue
            if _COMPARISON_BEFORE.search(_text(ent.doc), max(0, candidate.start - 50), candidate.start):
                continue  # "46% blasts, up from 22% in September": the date of the earlier value
            if _ARROW.search(_text(ent.doc)[min(candidate.end, ent.end_char) : max(candidate.start, ent.start_char)]):
                continue  # "relapse 5/2018 -> blinatumomab": the date is the step before the arrow
            # A calendar date beats an event-relative one ("C1D1 today", "Day +30, 1/2/19").
            rank = distance + (10_000 if candidate.resolved.value is None and not candidate.resolved.invalid else 0)
            if best is None or rank < best[0]:
                best = (rank, candidate)
        if best is not None:
            return best[1], "mention"
    year = _year_after(ent, hit)
    if year is not None:
        return year, "mention"
    header = _header_line_date(_text(ent.doc), _sent(ent).start_char, dates)
    if header is not None:
        return header, "section"
    if section.date is not None:
        return section.date, "section"
    return None, "note"


_ARROW = re.compile(r"->|→|=>|-->|>>")
_COMPARISON_BEFORE = re.compile(
    r"\b(?:(?:up|down|increased|decreased|risen|rose|fallen|fell|rising|falling|improved|worsened)\s+from|compared\s+(?:with|to))\b[^.;()\n]{0,30}$",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"\s[-–—]\s|:\s|;|\)\s*[-–—:]")
_CLAUSE_PENALTY = 200


def _claim(text: str, date: DateMention, start: int, end: int) -> int:
    """How far a date is from a mention, a clause break or a closing parenthesis between them
    counting as far: in "Blinatumomab C1 started 1 July 2019 - MRD-negative CR2" the date is the start's."""
    gap = values.gap(date.start, date.end, start, end)
    between = text[min(date.end, end) : max(date.start, start)]
    # "blinatumomab (from 7th June 2021), inotuzumab": a parenthesis closing between them
    # holds the date of what precedes it
    enclosed = date.end <= start and ")" in between and "(" not in between.split(")", 1)[0]
    return gap + (_CLAUSE_PENALTY if _CLAUSE_BREAK.search(between) or enclosed else 0)
_AFTER_TARGET = re.compile(r"^[\s\w/+%.,:~<>-]{0,24}$")


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
        closed = text.find(")", date.end)
        if closed < 0 or closed >= ent.end_char:
            return True  # the mention is inside the same parentheses
        # "BMBx (11/7): 2% blasts" dates the line; "(1st relapse 2/2018) on blina" dates the relapse
        return bool(_DATE_LEADS_PARENTHESIS.match(text[opened + 1 : date.start]))
    return bool(_AFTER_TARGET.match(text[ent.end_char : opened]))


_DATE_LEADS_PARENTHESIS = re.compile(r"^\s*(?:[\w~+-]{1,8}\s+)?$")


_HEADER_LINES_BACK = 6


def _header_line_date(text: str, sentence_start: int, dates: list[DateMention]) -> DateMention | None:
    """A dated header line ("BMBx 7/16/18:") dates the lines under it, up to a blank line."""
    position = sentence_start
    for _ in range(_HEADER_LINES_BACK):
        line_end = text.rfind("\n", 0, position)
        if line_end < 0:
            return None
        line_start = text.rfind("\n", 0, line_end) + 1
        line = text[line_start:line_end].strip()
        if not line:
            return None  # a blank line ends the block
        if line.endswith(":"):
            return next((d for d in dates if line_start <= d.start < line_end and d.resolved.value), None)
        position = line_start
    return None


_TODAY = re.compile(r"\b(?:today|tonight|this\s+(?:morning|afternoon|evening)|now)\b", re.IGNORECASE)


def _ordered_for_today(hit: values.Hit) -> bool:
    """True when the only planning cue is an order and the order is for today."""
    hypothetical_cues = [cue for cue in hit.cues if cue.category == "HYPOTHETICAL"]
    return bool(hypothetical_cues) and all(cue.order for cue in hypothetical_cues) and bool(_TODAY.search(hit.sentence))


def _day_zero_from_day_count(
    date: tuple[DateMention | None, str], ent: Span, dates: list[DateMention], note: Note
) -> tuple[DateMention | None, str]:
    """ "Seen today, Day +30 after her transplant": Day 0 was 30 days before today (or the note).

    Only when the sentence gives no calendar date for the transplant itself.
    """
    chosen = date[0]
    if chosen is not None and chosen.resolved.source in ("explicit", "year_inferred"):
        return date
    sent = _sent(ent)
    counts = [
        d for d in dates
        if sent.start_char <= d.start < sent.end_char and d.resolved.anchor == "day0" and (d.resolved.offset_days or 0) > 0
    ]
    if not counts:
        return date
    count = min(counts, key=lambda d: values.gap(d.start, d.end, ent.start_char, ent.end_char))
    today = chosen.resolved.value if chosen is not None and chosen.resolved.value else note.note_date
    day_zero = today - timedelta(days=count.resolved.offset_days or 0)
    resolved = ResolvedDate(day_zero, "day", "relative_to_event", anchor="day0", offset_days=count.resolved.offset_days)
    return DateMention(count.start, count.end, count.text, resolved), "mention"


_RANGE_JOINER = re.compile(r"^\s*(?:-|–|—|to|through|thru|until)\s*$", re.IGNORECASE)


def _range_start(
    date: tuple[DateMention | None, str], dates: list[DateMention], text: str
) -> tuple[DateMention | None, str]:
    """A treatment dated by a range ("blina x2 (3/2018-5/2018)") started on the range's first date."""
    chosen = date[0]
    if chosen is None:
        return date
    for earlier in dates:
        if earlier.end <= chosen.start and _RANGE_JOINER.match(text[earlier.end : chosen.start]) and earlier.resolved.value:
            return earlier, date[1]
    return date


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
    soon = (future - note.note_date).days <= 45 and (note.note_date - past).days > 180
    wanted = future if hypothetical or soon else past
    if wanted == value:
        return date
    return replace(chosen, resolved=replace(chosen.resolved, value=wanted)), date[1]


_YEAR_AFTER = re.compile(r"^[\s,:(-]{1,3}(?:in\s+)?((?:19[89]|20[0-4])\d)\b(?![/.-]\d)")


def _year_after(ent: Span, hit: values.Hit) -> DateMention | None:
    """History lines write a treatment and its year side by side: "allo 2017", "blina 2018 at OSH".

    A bare year is not a date in general ("WBC 2019" is a count), so it is read only right
    after a treatment name.
    """
    if hit.concept not in values.TREATMENTS:
        return None
    match = _YEAR_AFTER.match(hit.after)
    if not match:
        return None
    start = ent.end_char + match.start(1)
    resolved = ResolvedDate(value=date(int(match.group(1)), 1, 1), precision="year", source="explicit")
    return DateMention(start=start, end=start + 4, text=match.group(1), resolved=resolved)


def _is_own_anchor(date: DateMention, ent: Span, hit: values.Hit) -> bool:
    """'Day +30' counts from the transplant or CAR-T infusion itself: it cannot date that event."""
    return hit.concept in ("hsct", "car_t") and date.resolved.anchor == "day0"



def _snippet(ent: Span) -> str:
    sent = _sent(ent)
    text = _span_text(sent)
    if len(text) > SNIPPET_CHARS:
        centre = ent.start_char - sent.start_char
        start = max(0, centre - SNIPPET_CHARS // 2)
        text = text[start : start + SNIPPET_CHARS]
    return " ".join(text.split())
