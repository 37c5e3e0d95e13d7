"""The report's figures (issue 17): SVG and 300-dpi PNG at publication size; the swimmer plot draws
prior therapies at their real day, says each lane's drug order, and never lets a marker hide another."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from datetime import date
from itertools import combinations

import pandas as pd
import pytest

from chartabstract.report import build_report, plots
from chartabstract.report.build import swimmer_lanes
from chartabstract.report.cohort_table import read_cohort
from chartabstract.report.summary import study_data
from chartabstract.report.swimmer import Lane, draw_swimmer
from tests.conftest import REPO

SEED_COHORT = REPO / "tests" / "data" / "seed_cohort" / "cohort.csv"


@pytest.fixture(scope="module")
def seed_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    return build_report(SEED_COHORT, out, landmark_day=60)


def _png_size(path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_figures_are_svg_and_png_at_publication_size(seed_report):
    pngs = [p for p in seed_report.figures if p.suffix == ".png"]
    assert len(pngs) == 4  # OS, OS by HSCT, landmark, swimmer
    for png in pngs:
        svg = png.with_suffix(".svg")
        assert svg in seed_report.figures and svg.is_file()
        root = ET.parse(svg).getroot()  # well-formed XML
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert root.get("width") == "504pt"  # 7 inches: a double journal column
        assert root.find(".//{http://www.w3.org/2000/svg}path") is not None  # vector paths, not an embedded bitmap
        assert root.find(".//{http://www.w3.org/2000/svg}image") is None
        width, _ = _png_size(png)
        assert width == 7 * plots.PNG_DPI  # 2100 px: 7 inches at 300 dpi


def test_figures_swimmer_prior_therapies_at_their_real_dates():
    cohort = read_cohort(SEED_COHORT)
    fig = draw_swimmer(swimmer_lanes(cohort, study_data(cohort)), title="t", note="n")
    drawn = {c.get_gid(): (ax, c) for ax in fig.axes for c in ax.collections if c.get_gid()}
    table = pd.read_csv(SEED_COHORT)
    checked = 0
    for column, kind in (("prior_hsct_date", "prior alloHSCT"), ("prior_cart_date", "prior CAR-T")):
        for row in table[table[column].notna()].itertuples():
            day = (date.fromisoformat(getattr(row, column)) - date.fromisoformat(row.mab1_start)).days
            ax, dots = drawn[f"{row.patient_id}|{kind}|{day}"]
            assert dots.get_offsets()[0][0] == day  # the real day, not clipped to an edge
            low, high = ax.get_xlim()
            assert low < day < high, (row.patient_id, kind, day, ax.get_xlim())
            checked += 1
    assert checked == 11  # 8 prior alloHSCT, 3 prior CAR-T
    assert len({ax for ax, _ in drawn.values()}) == 2  # some lie far earlier: the axis is broken


def test_figures_swimmer_lanes_name_the_drug_order():
    cohort = read_cohort(SEED_COHORT)
    lanes = swimmer_lanes(cohort, study_data(cohort))
    fig = draw_swimmer(lanes, title="t", note="n")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    order = dict(zip(cohort.table["patient_id"], cohort.table["mab1_drug"]))
    for label in labels:
        pid, drugs = label.split(None, 1)
        assert drugs == ("Blina\u2192InO" if order[pid] == "blinatumomab" else "InO\u2192Blina"), label


def test_figures_swimmer_markers_never_hide_each_other():
    # the cases: a relapse on a marrow's day, a start next to a marrow, flagged markers of every colour
    lanes = [
        Lane("P1", 400, True, [("blinatumomab start", 0, False), ("marrow >=5% blasts", -3, True),
                               ("inotuzumab start", 120, True), ("marrow >=5% blasts", 118, False),
                               ("relapse", 300, True), ("marrow >=5% blasts", 300, True), ("marrow <5% blasts", 302, False),
                               ("death", 400, True), ("prior alloHSCT", -900, False), ("prior CAR-T", -890, True)],
             ("blinatumomab", "inotuzumab")),
        Lane("P2", 200, False, [("inotuzumab start", 0, False), ("blinatumomab start", 30, False),
                                ("alloHSCT", 31, True), ("relapse", 31, False)], ("inotuzumab", "blinatumomab")),
    ]
    fig = draw_swimmer(lanes, title="t", note="n")
    fig.canvas.draw()
    centres: dict[str, list[tuple[float, float]]] = {}
    for ax in fig.axes:
        for dots in ax.collections:
            if dots.get_gid():
                x, y = ax.transData.transform(dots.get_offsets()[0])
                centres.setdefault(dots.get_gid().split("|")[0], []).append((x, y))
    marker_px = 5.0 * fig.dpi / 72  # a 5-pt marker in display pixels
    for pid, points in centres.items():
        for (x1, y1), (x2, y2) in combinations(points, 2):
            assert abs(x1 - x2) >= marker_px or abs(y1 - y2) >= marker_px, (pid, (x1, y1), (x2, y2))
    rings = [c for ax in fig.axes for c in ax.collections if not c.get_gid() and c.get_sizes().size
             and tuple(c.get_edgecolors()[0][:3]) == (0.0, 0.0, 0.0)]
    assert len(rings) == 7  # one black ring per flagged marker, whatever the marker's colour
