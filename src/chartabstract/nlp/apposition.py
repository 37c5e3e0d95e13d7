"""One treatment written twice in a row is one mention: "Blincyto (blinatumomab)",
"inotuzumab ozogamicin (Besponsa)", "tisagenlecleucel (Kymriah), CD19-directed CAR-T".

A brand beside its generic name, or a product beside its class, names one administration;
written as two mentions, a reader (and the gold standard: docs/annotation_guide.md, "Drugs,
HSCT, CAR-T ... the name or phrase as written") counts one. The two are merged into one span,
keeping the reading that says more (an event kind over a bare "mention", an own date over the
note's date). A "Day 0" stays apart: "allo-SCT (Day 0: 9 June 2020)" is the transplant named and
then its day, two mentions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from chartabstract.models import Mention
from chartabstract.nlp.day_zero import DAY_ZERO_RULE

# only spaces, brackets and commas between the two names: "X (Y)", "X, Y", "X Y"
_APPOSITION_GAP = re.compile(r"^[\s(),]{0,4}$")
_BARE_VALUES = ("", "mention", "dose")



def merge_appositions(mentions: Sequence[Mention], note_text: str, concepts: Sequence[str]) -> list[Mention]:
    """The mentions with each run of the same treatment named back to back merged into one.

    Args:
        mentions: one note's mentions, in any order.
        note_text: the note's text (the mentions' offsets point into it).
        concepts: the concepts whose mentions may merge (treatments, transplants, cell therapies).

    Returns:
        The mentions in their order, a merged pair standing where its first mention stood.
    """
    merged: list[Mention] = []
    first_of: list[int] = []  # per merged entry, the id of the mention it started from: its place in the output
    index_of: dict[str, int] = {}  # concept -> index in merged of its last mention (by position)
    for mention in sorted(mentions, key=lambda m: (m.start, m.end)):
        last_index = index_of.get(mention.concept)
        last = merged[last_index] if last_index is not None else None
        if (
            mention.concept in concepts and last is not None and last.end <= mention.start
            and DAY_ZERO_RULE not in (last.rule_id, mention.rule_id)
            and _APPOSITION_GAP.match(note_text[last.end : mention.start])
        ):
            merged[last_index] = _union(last, mention, note_text)
            continue
        index_of[mention.concept] = len(merged)
        merged.append(mention)
        first_of.append(id(mention))
    order = {id(m): n for n, m in enumerate(mentions)}
    return [mention for _, mention in sorted(zip(first_of, merged), key=lambda pair: order[pair[0]])]


def _union(first: Mention, second: Mention, note_text: str) -> Mention:
    """One mention spanning both, with the attributes of the more informative one."""
    keep = first
    if first.value in _BARE_VALUES and second.value not in _BARE_VALUES:
        keep = second
    elif first.value == second.value and first.date_source == "note_date" and second.date_source not in ("note_date", "none"):
        keep = second
    start, end = first.start, second.end
    return replace(keep, start=start, end=end, text=note_text[start:end], mention_id=f"{keep.note_id}:{start}-{end}")
