"""The swimmer plot: one lane per patient from mAb1 start, events at their real dates.

Prior therapies far earlier than mAb1 are drawn at their real day on a left panel of a broken
x axis, not clipped to an edge. Markers that would overlap in a lane are moved to separate rows
of the lane (dodged), so none hides another. Flagged values get a black ring with a white halo,
which shows on every marker colour, black included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from chartabstract.report import plots

BREAK_BEFORE_DAYS = -120  # events earlier than this go to the broken axis' left panel
SLOTS = (0.0, -0.32, 0.32, -0.16, 0.16)  # vertical offsets within a lane, tried in this order
MARKER_AREA = 26  # points^2: about 5 pt across
OVERLAP_FRACTION = 0.02  # two markers closer than this share of the panel's span would overlap
DRUG_MARKERS = {"blinatumomab": ("o", "#0072B2"), "inotuzumab": ("s", "#E69F00")}
DRUG_SHORT = {"blinatumomab": "Blina", "inotuzumab": "InO"}
MARKERS = {  # kind -> (marker, colour); drug starts are added per drug (DRUG_MARKERS)
    "alloHSCT": ("*", "#009E73"),
    "prior alloHSCT": ("P", "#009E73"),
    "prior CAR-T": ("h", "#CC79A7"),
    "relapse": ("v", "#D55E00"),
    "death": ("X", "#000000"),
    "marrow <5% blasts": ("d", "#56B4E9"),
    "marrow >=5% blasts": ("d", "#A6373F"),
}
DRAW_ORDER = ("start", "alloHSCT", "prior", "relapse", "death", "marrow")  # who keeps the lane's centre line


@dataclass(frozen=True)
class Lane:
    """One patient's events in days from mab1 start: (event kind, day, flagged) per point."""

    patient_id: str
    end_day: int
    died: bool
    points: list[tuple[str, int, bool]]
    drugs: tuple[str, str] = field(default=("", ""))  # (mAb1 drug, mAb2 drug)

    @property
    def label(self) -> str:
        first, second = (DRUG_SHORT.get(d, d) or "?" for d in self.drugs)
        return f"{self.patient_id}  {first}\u2192{second}"


def swimmer_figure(path: Path, lanes: list[Lane], *, title: str, footnote: str) -> list[Path]:
    """Write the swimmer plot as PNG and SVG (see ``draw_swimmer``); returns both paths."""
    return plots.save(draw_swimmer(lanes, title=title, note=footnote), path)


def marker_of(kind: str) -> tuple[str, str]:
    if kind.endswith(" start"):
        return DRUG_MARKERS.get(kind.removesuffix(" start"), ("o", "#777777"))
    return MARKERS[kind]


def draw_swimmer(lanes: list[Lane], *, title: str, note: str) -> Figure:
    """One lane per patient: a bar to last follow-up (arrow: alive) or death, events as markers.

    Each marker carries the gid ``<patient>|<kind>|<day>`` so tests can find where it was drawn.
    """
    days = [day for lane in lanes for _, day, _ in lane.points] + [lane.end_day for lane in lanes] + [0]
    far = [d for d in days if d < BREAK_BEFORE_DAYS]
    main_low = min([d for d in days if d >= BREAK_BEFORE_DAYS] + [-30])
    main_high = max(days)
    main_span = main_high - main_low
    main_limits = (main_low - 0.04 * main_span, main_high + 0.07 * main_span)
    legend_rows = 3
    with plt_context():
        heights = [0.3 * max(len(lanes), 3) + 0.35, 0.16 * legend_rows + 0.1, plots.footnote_height(note)]
        fig = Figure(figsize=(plots.WIDTH_IN, sum(heights) + 0.5), layout="constrained")
        outer = fig.add_gridspec(3, 1, height_ratios=heights)
        if far:
            far_span = max(max(far) - min(far), 60)
            far_limits = (min(far) - 0.12 * far_span, max(far) + 0.12 * far_span)
            row = outer[0].subgridspec(1, 2, width_ratios=[1, 5], wspace=0.02)
            left = fig.add_subplot(row[0])
            ax = fig.add_subplot(row[1], sharey=left)
            panels = [(left, far_limits), (ax, main_limits)]
        else:
            ax = fig.add_subplot(outer[0])
            panels = [(ax, main_limits)]
        used: set[str] = set()
        for y, lane in enumerate(lanes):
            _draw_lane(panels, y, lane, used)
        _axes(fig, panels, lanes, title)
        if not lanes:
            ax.text(0.5, 0.5, "No patients received both drugs", transform=ax.transAxes, ha="center", va="center",
                    color="#666666", fontsize=9)
            ax.set_xlim(-30, 365)
        legend_ax = fig.add_subplot(outer[1])
        legend_ax.axis("off")
        legend_ax.legend(handles=_legend(used), loc="upper left", ncol=4, frameon=False, borderaxespad=0,
                         handletextpad=0.3, columnspacing=1.2)
        plots.footnote(fig, fig.add_subplot(outer[2]), note)
    return fig


def plt_context():  # noqa: ANN201 - matplotlib's own context manager type
    import matplotlib.pyplot as plt

    return plt.rc_context(plots.STYLE)


def _draw_lane(panels: list, y: int, lane: Lane, used: set[str]) -> None:
    for panel, limits in panels:
        low, high = limits
        if lane.end_day > low and high > 0:  # the bar [0, end] shows on this panel
            panel.barh(y, min(lane.end_day, high) - max(0, low), left=max(0, low), height=0.36, color="#e3e3e3",
                       edgecolor="#9a9a9a", linewidth=0.5, zorder=1)
        else:  # the far panel: a guide line so the eye finds the lane
            panel.axhline(y, color="#eeeeee", lw=0.6, zorder=0)
    main, (low, high) = panels[-1]
    if not lane.died:
        main.annotate("", xy=(lane.end_day + 0.035 * (high - low), y), xytext=(lane.end_day, y),
                      arrowprops={"arrowstyle": "-|>", "color": "#666666", "lw": 0.7, "mutation_scale": 6}, zorder=1)
    for kind, day, flagged, offset in _dodge(lane.points, panels):
        panel = panels[0][0] if day < BREAK_BEFORE_DAYS else main
        marker, colour = marker_of(kind)
        size = MARKER_AREA * (1.9 if marker == "*" else 1.0)
        dot = panel.scatter([day], [y + offset], marker=marker, color=colour, s=size, zorder=4,
                            edgecolors="white", linewidths=0.4)
        dot.set_gid(f"{lane.patient_id}|{kind}|{day}")
        if flagged:
            _ring(panel, day, y + offset)
        used.update({kind, "flagged"} if flagged else {kind})


def _ring(panel, day: int, y: float) -> None:  # noqa: ANN001
    """A black ring on a white halo: visible on light bars and on every marker colour."""
    panel.scatter([day], [y], marker="o", s=MARKER_AREA * 2.7, facecolors="none", edgecolors="white", linewidths=2.0,
                  zorder=5)
    panel.scatter([day], [y], marker="o", s=MARKER_AREA * 2.7, facecolors="none", edgecolors="black", linewidths=0.9,
                  zorder=6)


def _dodge(points: list[tuple[str, int, bool]], panels: list) -> list[tuple[str, int, bool, float]]:
    """Give each point a vertical slot in its lane so that no two markers overlap.

    Points are placed in ``DRAW_ORDER`` (treatments and outcomes keep the centre line), each in the
    first slot with no placed point closer than a marker's width on its panel's scale.
    """
    def rank(point: tuple[str, int, bool]) -> int:
        return next((i for i, word in enumerate(DRAW_ORDER) if word in point[0]), len(DRAW_ORDER))

    placed: list[tuple[str, int, bool, float]] = []
    for kind, day, flagged in sorted(points, key=lambda p: (rank(p), p[1])):
        low, high = panels[0][1] if day < BREAK_BEFORE_DAYS else panels[-1][1]
        width = OVERLAP_FRACTION * (high - low) * (5 if len(panels) > 1 and day < BREAK_BEFORE_DAYS else 1)
        for slot in SLOTS:
            if all(abs(day - d) >= width or s != slot for _, d, _, s in placed):
                break
        else:
            slot = SLOTS[len(placed) % len(SLOTS)]
        placed.append((kind, day, flagged, slot))
    return placed


def _axes(fig: Figure, panels: list, lanes: list[Lane], title: str) -> None:
    first, main = panels[0][0], panels[-1][0]
    for panel, limits in panels:
        panel.set_xlim(*limits)
        if limits[0] < 0 < limits[1]:
            panel.axvline(0, color="#555555", lw=0.6, zorder=2)
        panel.xaxis.set_major_locator(MaxNLocator(nbins=3 if panel is not main else 9, integer=True))
    first.set_yticks(range(len(lanes)))
    first.set_yticklabels([lane.label for lane in lanes], fontsize=7, family="DejaVu Sans Mono")
    first.set_ylim(len(lanes) - 0.5, -0.6)
    if len(panels) > 1:  # a broken axis: hide the facing spines, draw the break marks
        first.spines["right"].set_visible(False)
        main.spines["left"].set_visible(False)
        main.tick_params(axis="y", left=False, labelleft=False)
        kwargs = {"marker": [(-1, -1.6), (1, 1.6)], "markersize": 7, "linestyle": "none", "color": "#444444",
                  "mec": "#444444", "mew": 0.8, "clip_on": False}
        first.plot([1, 1], [0, 1], transform=first.transAxes, **kwargs)
        main.plot([0, 0], [0, 1], transform=main.transAxes, **kwargs)
        first.set_title("earlier (axis broken)", fontsize=7, loc="left", color="#444444")
    main.set_title(title, loc="left")
    main.set_xlabel("Days from mAb1 start (lane arrow: alive at last follow-up)")


def _legend(used: set[str]) -> list[Line2D]:
    kinds = sorted((k for k in used if k.endswith(" start")), key=lambda k: (k not in DRUG_MARKERS, k))
    kinds += [k for k in MARKERS if k in used]
    handles = [Line2D([], [], marker=marker_of(k)[0], color=marker_of(k)[1], linestyle="",
                      markersize=9 if marker_of(k)[0] == "*" else 6,
                      markeredgecolor="white", markeredgewidth=0.4, label=k) for k in kinds]
    if "flagged" in used:
        handles.append(Line2D([], [], marker="o", markerfacecolor="none", markeredgecolor="black", linestyle="",
                              markersize=10, markeredgewidth=0.9, label="flagged value (open)"))
    return handles
