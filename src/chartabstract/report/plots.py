"""The report's figures as PNG files (matplotlib, no display): survival curves and a swimmer plot."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never a window, even where a display exists
import matplotlib.pyplot as plt  # noqa: E402
from lifelines.plotting import add_at_risk_counts  # noqa: E402

from chartabstract.report import survival  # noqa: E402

PRIOR_CLIP_DAYS = -180  # prior HSCT/CAR-T further back are drawn at this edge with an arrow marker


def km_figure(path: Path, groups: list[tuple[str, survival.SurvivalTimes]], *, title: str, footnote: str,
              ci_method: str = "log") -> Path:
    """Kaplan-Meier curves with 95% CI bands (``ci_method``), censor ticks and numbers at risk."""
    fig, ax = plt.subplots(figsize=(8, 5.2))
    fitted = []
    for label, times in groups:
        kmf = survival.fit(times, f"{label} (n={len(times)})")
        if kmf is None:
            continue
        kmf.plot_survival_function(ax=ax, ci_show=False, show_censors=True, censor_styles={"ms": 6, "marker": "|"})
        band = survival.confidence_band(kmf, ci_method)
        ax.fill_between(band.index, band["lower"], band["upper"], step="post", alpha=0.2,
                        color=ax.get_lines()[-1].get_color(), linewidth=0)
        fitted.append(kmf)
    ax.set_title(title)
    ax.set_xlabel("Days")
    ax.set_ylabel("Overall survival")
    ax.set_ylim(0, 1.05)
    if fitted:
        add_at_risk_counts(*fitted, ax=ax, rows_to_show=["At risk"])
    fig.text(0.01, 0.005, footnote, fontsize=7, ha="left", va="bottom", wrap=True)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


@dataclass(frozen=True)
class Lane:
    """One patient's events in days from mab1 start; ``flagged`` names flagged cohort columns."""

    patient_id: str
    end_day: int
    died: bool
    points: list[tuple[str, int, bool]]  # (event kind, day, flagged)


MARKERS = {
    "mAb1 start": ("o", "#1f77b4"),
    "mAb2 start": ("s", "#ff7f0e"),
    "alloHSCT": ("*", "#2ca02c"),
    "prior alloHSCT": ("<", "#2ca02c"),
    "prior CAR-T": ("<", "#9467bd"),
    "marrow <5% blasts": ("D", "#17becf"),
    "marrow >=5% blasts": ("D", "#d62728"),
    "relapse": ("v", "#8c564b"),
    "death": ("X", "black"),
}


def swimmer_figure(path: Path, lanes: list[Lane], *, title: str, footnote: str) -> Path:
    """One lane per patient: bar to last follow-up (or death), events as markers; flagged ringed red."""
    height = max(3.5, 0.32 * len(lanes) + 1.6)
    fig, ax = plt.subplots(figsize=(9, height))
    used: set[str] = set()
    for y, lane in enumerate(lanes):
        ax.barh(y, lane.end_day, left=0, height=0.5, color="#dddddd", edgecolor="#999999", linewidth=0.5)
        if not lane.died:
            ax.annotate("", xy=(lane.end_day + 25, y), xytext=(lane.end_day, y),
                        arrowprops={"arrowstyle": "->", "color": "#777777", "lw": 0.8})
        for kind, day, flagged in lane.points:
            marker, color = MARKERS[kind]
            shown = max(day, PRIOR_CLIP_DAYS)
            ax.scatter([shown], [y], marker=marker, color=color, s=42, zorder=3,
                       edgecolors="red" if flagged else "none", linewidths=1.6 if flagged else 0)
            used.add(kind)
    ax.set_yticks(range(len(lanes)))
    ax.set_yticklabels([lane.patient_id for lane in lanes], fontsize=7)
    ax.invert_yaxis()
    ax.axvline(0, color="#555555", lw=0.6)
    ax.set_xlabel("Days from mAb1 start (arrow: alive at last follow-up)")
    ax.set_title(title)
    handles = [plt.Line2D([], [], marker=MARKERS[k][0], color=MARKERS[k][1], linestyle="", label=k) for k in MARKERS if k in used]
    handles.append(plt.Line2D([], [], marker="o", markerfacecolor="white", markeredgecolor="red", linestyle="", label="flagged value"))
    ax.legend(handles=handles, fontsize=7, loc="lower right", framealpha=0.9)
    fig.text(0.01, 0.005, footnote, fontsize=7, ha="left", va="bottom", wrap=True)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
