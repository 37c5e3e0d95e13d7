"""Issue 16: one synoptic marrow report with rival blast counts resolves like a pathologist reads it.

Aspirate differential, then any other exact count, then the core-biopsy estimate, then flow,
then a qualitative bound; equal sources: the first statement of the report. A lower-ranked count
on the other side of the remission threshold is flagged. Reports are written for this test.
"""

from __future__ import annotations

from datetime import date

import pytest

from chartabstract.study import load_study
from chartabstract.timeline import build_timeline

STUDY = load_study()
REPORT_DATE = date(2021, 6, 2)


def _marrow(extract, text: str):
    mentions = [m for m in extract(text, note_type="bm_pathology", note_date=REPORT_DATE)]
    timeline = build_timeline("P1", mentions, STUDY, last_note_date=REPORT_DATE, notes=1)
    marrows = [e for e in timeline.events if e.kind == STUDY.registry.marrow_event]
    assert len(marrows) == 1, [e.values for e in marrows]
    return marrows[0]


@pytest.mark.parametrize(("report", "blasts"), [
    ("FINAL DIAGNOSIS: relapsed B-lymphoblastic leukemia.\nBlasts (aspirate differential): 78%\n"
     "Core biopsy: cellularity 90%, blasts approximately 85%.", "78"),
    ("Core biopsy estimate: blasts ~70%.\nAspirate differential (500 cells): blasts 64%.", "64"),
    ("No morphologic evidence of B-lymphoblastic leukemia (blasts 1%).\nCore biopsy: no increase in blasts.", "1"),
    ("Flow cytometry: abnormal B-lymphoblasts represent 4% of events.\nCore biopsy: blasts about 10%.", "10"),
    ("Blasts 2% by aspirate differential. NO MORPHOLOGIC EVIDENCE OF LEUKEMIA.", "2"),
    ("Hb 90, WCC 12.0, blasts 35% on film.\nBlasts 81% (500-cell count).", "81"),
])
def test_issue16_blast_source_rank(extract, report, blasts):
    assert _marrow(extract, report).value("blasts") == blasts


def test_issue16_blast_sources_across_remission_threshold_are_flagged(extract):
    marrow = _marrow(extract, "Aspirate differential: blasts 3%.\nCore biopsy: blasts estimated at 15%.")
    assert marrow.value("blasts") == "3"
    assert any(name == "blasts" and flag.kind == "conflict" for name, flag in marrow.field_flags)
