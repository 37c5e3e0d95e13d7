"""Targets that are findings only in a pathology or flow report, registered as
"chartabstract_report_targets".

"Relapsed B-lymphoblastic leukemia" is the diagnosis a hematopathologist signs out for the
specimen in front of them: a statement that the leukemia is back. The same words in a progress
note or a death certificate name the disease ("1b Relapsed B-lymphoblastic leukaemia"), as
"relapsed B-ALL" does, and are no relapse statement (docs/annotation_guide.md, relapse). Rules
with metadata ``only_in_reports`` are dropped from other notes before the cause-of-death rules
run, so a dropped match never hides a cause of death written with the same words.
"""

# no "from __future__ import annotations": spaCy reads the factory's annotations as types

from spacy.language import Language
from spacy.tokens import Doc

from chartabstract.evidence import REPORT_TYPES

NOTE_TYPE_KEY = "chartabstract_note_type"  # doc.user_data: the note type, set before the pipeline runs


@Language.factory("chartabstract_report_targets")
def make_report_targets(nlp: Language, name: str) -> "ReportOnlyTargets":
    return ReportOnlyTargets()


class ReportOnlyTargets:
    """Drops the matches of ``only_in_reports`` rules from a note that is no report.

    A doc whose note type is unknown (a pipeline run on bare text) keeps them.
    """

    def __call__(self, doc: Doc) -> Doc:
        note_type = doc.user_data.get(NOTE_TYPE_KEY)
        if note_type is None or is_report_type(note_type):
            return doc
        kept = [ent for ent in doc.ents if not _only_in_reports(ent)]
        if len(kept) != len(doc.ents):
            doc.ents = kept
        return doc


def is_report_type(note_type: str) -> bool:
    """A pathology or flow cytometry report, by its note type ("bm_pathology", "flow_cytometry")."""
    return any(kind in note_type.lower() for kind in REPORT_TYPES)


def _only_in_reports(ent: object) -> bool:
    rule = ent._.target_rule  # type: ignore[attr-defined]
    return bool(rule is not None and (rule.metadata or {}).get("only_in_reports"))
