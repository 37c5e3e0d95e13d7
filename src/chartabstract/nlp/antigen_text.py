"""Read an antigen's (CD19, CD22) own words in its sentence: what a flow report writes about it.

ConText cues reach a fixed number of tokens either way, so in marker lists and flow tables a cue
of one marker spills onto the next ("CD19 NEGATIVE (8% dimly +), CD22 positive" made CD22 dim),
and a hyphen compound ("CD19-dim", "CD22-directed") reads as the minus sign of a negative result.
Pathology reports write each marker's result right after its name, up to the next marker name,
or as the head of a list ("positive for CD10, CD19, CD22 (dim)"). This module reads those words
as plain strings so :func:`chartabstract.nlp.values._antigen` can prefer them over the cues.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MARKER = re.compile(r"\bCD\s?-?\d{1,3}[a-z]?\b|\bTdT\b|\bHLA-?DR\b|\bsIg\w*\b|\bMPO\b|\bkappa\b|\blambda\b", re.IGNORECASE)
_OWN_LIMIT = 90  # characters after the name that can still be its result ("... but at reduced (dim) intensity")

_NEGATIVE = r"negative|negatief|neg|absent|lost|loss|lacking|undetectable|not\s+(?:expressed|detected|present|seen|identified)"
_DIM = r"dim|dimly|dimmer|weak|weakly|low|reduced|decreased|diminished|downregulated|down-?regulated"
_PARTIAL = r"partial|partially|partieel|subset|heterogeneous|heterogenous|variable|variably|subpopulation"
_POSITIVE = (
    r"positive|positief|pos|bright|strong|strongly|expressed|present|retained|preserved|"
    r"not\s+(?:lost|absent|negative)|uniform|uniformly|moderate"
)
_STATUS = re.compile(
    rf"(?<![\w-])(?:(?P<negative>{_NEGATIVE})|(?P<dim>{_DIM})|(?P<partial>{_PARTIAL})|(?P<positive>{_POSITIVE}))(?![\w-])",
    re.IGNORECASE,
)
# "CD19-dim", "CD19+", "CD22(-)", "CD19-/CD22+": the sign or word glued to the name
# A spaced dash before lower-case prose ("weak CD19 - less likely to work") or before a status word
# ("CD22 - POSITIVE (94%)") is a clause or label dash, not a sign
_GLUED = re.compile(r"^\s?(?:\(\s*(?P<psign>\+{1,2}|[-−–])\s*\)|(?P<sign>\+{1,2}|[-−–](?![\w.])(?!\s+(?:[a-z]|(?i:positive|negative|pos|neg|dim|partial|bright|weak|absent|present|expressed)\b)))|[-−–](?P<word>[A-Za-z]+))")
# a suspended hyphen: "CD19- and CD22-directed", the first marker's word written once, on the second
_SUSPENDED_HYPHEN = re.compile(r"^\s?[-−–]\s*(?:and|or|&|/|,)\s*(?:" + MARKER.pattern + r")[-−–](?P<word>[A-Za-z]+)", re.IGNORECASE)
_GLUED_WORDS = {"dim": "dim", "weak": "dim", "low": "dim", "bright": "positive", "positive": "positive", "pos": "positive", "ve": "negative",
                "negative": "negative", "neg": "negative", "partial": "partial", "het": "partial", "heterogeneous": "partial"}
_CANNOT_ASSESS = re.compile(
    r"\b(?:cannot|can\s*not|could\s+not|can't|couldn't|unable\s+to)\s+(?:be\s+)?(?:reliably\s+)?(?:assess|evaluat|determin|interpret)\w*"
    r"|\bnot\s+(?:assessable|evaluable|interpretable|assessed|evaluated|performed|tested|done|studied|included|in\s+(?:the\s+)?panel)\b"
    # the same in a Spanish, Italian or Portuguese report: "CD22: no estudiado", "no valorable", "non eseguito"
    r"|\b(?:no|non|não)\s+(?:estudiad[oa]|realizad[oa]|valorable|evaluad[oa]|analizad[oa]|eseguit[oa]|valutabile|testad[oa]|avaliad[oa])\b"
    r"|\bnon-?(?:evaluable|diagnostic)\b|\binsufficient\s+(?:events|cells|sample|material)\b",
    re.IGNORECASE,
)
_LIST_LINK = r"(?:\s*(?:\([^()]{0,25}\))?\s*(?:[+−-](?![\w]))?\s*(?:,|;|and|or|&|/)?\s*)"
_LIST_HEAD = re.compile(
    r"(?:(?P<positive>(?:positive|pos|bright|strongly\s+positive)\s+(?:for|of)|express(?:ed|es|ing)?|co-?express(?:ed|es|ing)?|retain(?:s|ed|ing)?|"
    r"(?:were|are|is)\s+positive\s+for)|(?P<negative>negative\s+(?:for|of)|lack(?:s|ed|ing)?|loss\s+of|(?:were|are)\s+negative\s+for)|"
    r"(?P<dim>(?:dim(?:ly)?|weak(?:ly)?)\s+(?:positive\s+)?(?:for|of)|dim\s+expression\s+of)|"
    r"(?P<partial>partial(?:ly)?\s+(?:positive\s+)?(?:for|of)|partial\s+expression\s+of))\s+"
    r"(?:(?:" + MARKER.pattern + r")" + _LIST_LINK + r")*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class OwnWords:
    """What the text writes about one marker: the words after it, its status and intensity."""

    after: str  # text after the name, up to the next marker name (or a ";")
    status: str = ""  # positive, negative, dim, partial: the first status it is given
    intensity: str = ""  # dim or partial written anywhere in its own words ("present on 95% but dim")
    compound: bool = False  # glued to a word that is no result ("CD19-independent gating")


def own_words(sentence: str, offset: int, text: str) -> OwnWords:
    """The marker's own result words in ``sentence``, where it is written at ``offset``."""
    end = offset + len(text)
    rest = sentence[end : end + _OWN_LIMIT]
    following = MARKER.search(rest)
    after = rest[: following.start()] if following else rest
    after = after.split(";")[0].split("\n\n")[0]
    suspended = _SUSPENDED_HYPHEN.match(rest)
    if suspended:  # "CD19- and CD22-directed therapies", "CD19- and CD22-negative": the hyphen's word is the next one's
        word = _GLUED_WORDS.get(suspended.group("word").lower(), "")
        return OwnWords(after, word, compound=not word)
    glued = _GLUED.match(after)
    if glued:
        if glued.group("word"):
            word = _GLUED_WORDS.get(glued.group("word").lower(), "")
            if not word:
                return OwnWords(after, compound=True)  # "-directed", "-independent", "-level"
            return OwnWords(after, word, _intensity(after[glued.end():]) if word == "positive" else "")
        sign = glued.group("psign") or glued.group("sign")
        status = "positive" if sign.startswith("+") else "negative"
        return OwnWords(after, status, _intensity(after[glued.end():]) if status == "positive" else "")
    found = _STATUS.search(after)
    if found and following is not None and re.fullmatch(r"[\s,:]*(?:(?:for|of|on)\s*)?", after[found.end():]):
        found = None  # "CD19 but expressed CD22": the word heads the next marker
    if found and not re.search(r"[.:]\s+[A-Z]", after[: found.start()]):
        status = next(name for name in ("negative", "dim", "partial", "positive") if found.group(name))
        return OwnWords(after, status, _intensity(after[found.end():]) if status == "positive" else "")
    head = _LIST_HEAD.search(sentence[max(0, offset - 160) : offset])
    if head:
        status = next(name for name in ("negative", "dim", "partial", "positive") if head.group(name))
        return OwnWords(after, status, _intensity(after) if status == "positive" else "")
    return OwnWords(after, _coordinated_status(sentence, end, after, following))


# "a small CD19-negative subpopulation (~8% of blasts)", "a CD19-negative escape subclone": the cells
# that lack the marker, so the rest of the population carries it; a "CD19-negative population" or
# "clone" may be the whole leukemia, and stays negative
_NEGATIVE_SUBSET = re.compile(
    r"^\s?[-−–]?\s*(?:negative|neg\.?)\s+(?:[a-z]+\s+)?(?:sub-?(?:populations?|sets?|clones?)|fractions?|components?)\b"
    r"(?:[^\d;.]{0,20}?(?P<pct>\d{1,3}(?:\.\d+)?)\s*%)?",
    re.IGNORECASE,
)


# ... or the subset named first: "(bimodal: one subpopulation CD22-neg.)", "a subclone CD19-negative"
_SUBSET_BEFORE = re.compile(r"\b(?:sub-?(?:populations?|sets?|clones?)|fractions?\s+of\s+(?:the\s+)?blasts|minority\s+of\s+(?:the\s+)?blasts)\s*(?:is\s+|was\s+)?$", re.IGNORECASE)


def subset_named_before(before: str) -> bool:
    """Whether a negative marker is said of a named part of the blasts, written before it."""
    return _SUBSET_BEFORE.search(before[-60:]) is not None


def negative_subset(after: str) -> tuple[bool, float | None]:
    """Whether the marker names a subpopulation that lacks it ("CD19-negative subpopulation
    (~8% of blasts)"), and that subpopulation's percent when written: the share of negative
    cells, not of positive ones."""
    found = _NEGATIVE_SUBSET.match(after)
    if found is None:
        return False, None
    return True, float(found.group("pct")) if found.group("pct") else None


def _intensity(words: str) -> str:
    for found in _STATUS.finditer(words):
        if found.group("dim"):
            return "dim"
        if found.group("partial"):
            return "partial"
    return ""


def _coordinated_status(sentence: str, end: int, after: str, following: re.Match[str] | None) -> str:
    """"CD19 and CD22 are dim": one status word after two names joined by "and" is both names'."""
    if following is None or not re.fullmatch(r"\s+(?:and|&)\s+", after):
        return ""
    next_end = end + following.end()
    nxt = own_words(sentence, next_end - len(following.group()), following.group())
    return nxt.status if nxt.status and not nxt.after.lstrip().startswith("(") else ""


# "the CD19/CD10/CD34/CD45 tube", "CD22/CD24 backbone": bare names joined by slashes before a panel
# word name the reagents, not a result ("no aberrant population using the CD19/CD10 phenotype");
# "positive for CD19/CD22/CD10" is a result list
_PANEL = re.compile(
    r"(?:" + MARKER.pattern + r")(?:\s?/\s?(?:" + MARKER.pattern + r"))+"
    r"\s+(?:[a-z\-]+\s+)?(?:tubes?|panels?|backbones?|phenotypes?|gating|combinations?|cocktails?|strateg(?:y|ies))\b",
    re.IGNORECASE,
)
# ... or the markers a population was gated on ("CD19-negative subset gated on CD22/CD10/CD34"), or
# a panel named before its slashed list ("MRD-tube panel: CD19/CD10/CD34/CD38")
_GATED_ON = re.compile(
    r"\b(?:gated|gating|gate)\s+(?:on|with|using|by|via)\s+(?:" + MARKER.pattern + r")(?:\s?[/,]\s?(?:" + MARKER.pattern + r"))*"
    r"|\b(?:tubes?|panels?|backbones?|cocktails?)\s*[:=]\s*(?:" + MARKER.pattern + r")(?:\s?/\s?(?:" + MARKER.pattern + r"))+(?![+\-−])",
    re.IGNORECASE,
)


_TARGETED_BEFORE = re.compile(r"\b(?:target(?:s|ed|ing)?|aim(?:s|ed|ing)?\s+at)\s+(?:the\s+|any\s+|residual\s+)*$", re.IGNORECASE)
_REAGENT_AFTER = re.compile(r"\s*(?:reagent|antibod(?:y|ies)|clone|kit|lot)\b", re.IGNORECASE)
_NEITHER_NOR = re.compile(r"\bneither\s+CD\s?(?:19|22)\S*\s+nor\b", re.IGNORECASE)
# the normal B cells a marrow after treatment holds: their markers are no result of the leukaemia
_NORMAL_CELLS = re.compile(
    r"\bhematogones?\b|\bhaematogones?\b|\bnormal\s+(?:maturing\s+)?B[- ]?(?:cell|lymphocyte)s?(?:\s+precursors?)?\b|\bpolyclonal\s+B[- ]?cells?\b"
    r"|\bbenign\s+B[- ]?(?:cell|lymphoid)\s+precursors?\b",
    re.IGNORECASE,
)


def _in_closed_aside(sentence: str, start: int, offset: int) -> bool:
    """Whether ``start`` lies in a parenthesis that closes before ``offset``: "CD19 is DIM (... lower
    than the normal B-cell progenitors ...), CD22 remains positive" compares CD19 with the normal
    cells; CD22's result after the parenthesis is the leukaemia's."""
    opened = sentence.rfind("(", 0, start)
    if opened < 0 or sentence.rfind(")", opened, start) >= 0:
        return False
    closed = sentence.find(")", start)
    return 0 <= closed < offset


def not_a_result(sentence: str, offset: int, text: str) -> bool:
    """No result of this marker here: a restatement inside the parenthesis of its own result
    ("CD19 negative (2% of blasts CD19+)") or of why it was not assessed ("CD22: not assessed
    (epitope masking by CD22 antibody)"), a name in a slashed panel list, or expression that
    could not be assessed, or a marker the population was gated on."""
    if any(m.start() <= offset < m.end() for pattern in (_PANEL, _GATED_ON) for m in pattern.finditer(sentence)):
        return True
    if _TARGETED_BEFORE.search(sentence, max(0, offset - 30), offset):
        return True  # "blinatumomab ... (target the CD19+ fraction)": what a drug aims at, not a result
    if _REAGENT_AFTER.match(sentence, offset + len(text)):
        return True  # "CD22 reagent supply interruption", "CD19 antibody clone": the reagent, not the cells
    if _NEITHER_NOR.search(sentence):
        return True  # "no abnormal lymphoblasts (neither CD19+ nor CD19- leukaemic population)"
    if any(not _in_closed_aside(sentence, m.start(), offset) for m in _NORMAL_CELLS.finditer(sentence, 0, offset)):
        return True  # "Normal B-cell precursors (hematogones) 0.3% - these are CD19 positive, CD22 positive": not the leukaemia's
    before = sentence[:offset]
    opened = before.rfind("(")
    if opened > before.rfind(")") and opened >= 0:
        earlier = before[max(0, opened - 40) : opened]
        for m in MARKER.finditer(earlier):  # "CD19 PARTIAL (" but not "CD19 CAR-T not an option ("
            between = earlier[m.end():]
            if _same_marker(m.group(), text) and re.fullmatch(r"[\s+\-−:|]*(?:ve\b[\s,]*)?(?:(?:" + _STATUS.pattern + r")[\s,]*)?", between, re.IGNORECASE):
                return True
            if _same_marker(m.group(), text) and _CANNOT_ASSESS.fullmatch(between.strip(" :-|")):
                return True  # "CD22: not assessed (recent inotuzumab - CD22 epitope masking)": the reason, no result
    own = own_words(sentence, offset, text)
    if own.status:
        return bool(_CANNOT_ASSESS.search(own.after))
    # up to the clause's end: "CD19 positive, CD10 bright. (CD22 not included in the MRD tube.)" is CD22's
    clause = re.split(r";|\.\s", sentence[offset : offset + 200])[0]
    return bool(_CANNOT_ASSESS.search(clause))


def _same_marker(a: str, b: str) -> bool:
    return re.sub(r"[\s-]", "", a).lower() == re.sub(r"[\s-]", "", b).lower()
