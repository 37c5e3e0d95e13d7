"""The report's survival figures (matplotlib, no display), saved as SVG (vector) and 300-dpi PNG.

Figures are drawn at publication size: 7 inches wide (a double journal column, 180 mm), fonts of
7-9 pt. Curves are drawn from lifelines' estimates and stop at each group's last follow-up: nothing
is extrapolated. Numbers at risk are counted at the axis ticks, in an aligned table under the axes.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never a window, even where a display exists
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
from matplotlib.transforms import blended_transform_factory  # noqa: E402

from chartabstract.report import survival  # noqa: E402

WIDTH_IN = 7.0  # a double column (180 mm); single-column journals scale the SVG down
PNG_DPI = 300
# Okabe-Ito: distinguishable with the common colour-vision deficiencies and in greyscale
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
STYLE = {"font.size": 8, "axes.titlesize": 9, "axes.labelsize": 8, "xtick.labelsize": 7.5, "ytick.labelsize": 7.5,
         "legend.fontsize": 7.5, "svg.fonttype": "path", "svg.hashsalt": "chartabstract"}
FOOTNOTE_CHARS = 140  # a 7-inch line of 6.5 pt text


def save(fig: Figure, png: Path) -> list[Path]:
    """Write ``fig`` as ``png`` (300 dpi) and the same name with ``.svg``; close it. Returns both paths."""
    svg = png.with_suffix(".svg")
    with plt.rc_context({"svg.hashsalt": "chartabstract"}):  # stable ids: the same figure, the same file
        fig.savefig(svg, metadata={"Date": None})
    fig.savefig(png, dpi=PNG_DPI, metadata={"Software": None})
    plt.close(fig)
    return [png, svg]


def footnote(fig: Figure, ax: plt.Axes, text: str) -> None:
    """Pre-wrapped small print in its own axes row (``ax``), from the figure's left edge."""
    ax.axis("off")
    where = blended_transform_factory(fig.transFigure, ax.transAxes)
    note = fig.text(0.01, 1, "\n".join(textwrap.wrap(text, FOOTNOTE_CHARS)), fontsize=6.5, ha="left", va="top",
                    color="#333333", transform=where)
    note.set_in_layout(False)  # the row's height is reserved; the text must not squeeze the axes sideways


def footnote_height(text: str) -> float:
    return 0.12 * (len(textwrap.wrap(text, FOOTNOTE_CHARS)) + 0.5)


def km_figure(path: Path, groups: list[tuple[str, survival.SurvivalTimes]], *, title: str, footnote: str,
              ci_method: str = "log", xlabel: str = "Days from mAb2 start") -> list[Path]:
    """Write the Kaplan-Meier figure as PNG and SVG (see ``draw_km``); returns both paths."""
    note = f"Shaded: 95% CI. Ticks on the curves: censored (alive at last follow-up). {footnote.strip()}"
    return save(draw_km(groups, title=title, note=note, ci_method=ci_method, xlabel=xlabel), path)


def draw_km(groups: list[tuple[str, survival.SurvivalTimes]], *, title: str, note: str,
            ci_method: str = "log", xlabel: str = "Days from mAb2 start") -> Figure:
    """Kaplan-Meier curves with 95% CI bands (``ci_method``), censor ticks and numbers at risk.

    Each curve ends at its group's last follow-up. The legend sits above the axes, clear of the data;
    the numbers at risk sit under the axis ticks they count at. Artists carry gids (``km:<label>``,
    ``at-risk:<label>:<day>``) so tests can check the drawn values against lifelines.
    """
    fitted = [(label, times, survival.fit(times, label)) for label, times in groups]
    rows = max(1, len(groups))
    with plt.rc_context(STYLE):
        heights = [3.3, 0.2 + 0.17 * rows, footnote_height(note)]
        fig = plt.figure(figsize=(WIDTH_IN, sum(heights) + 0.75), layout="constrained")
        grid = fig.add_gridspec(3, 1, height_ratios=heights)
        ax, table, small = fig.add_subplot(grid[0]), fig.add_subplot(grid[1]), fig.add_subplot(grid[2])
        last = max([survival.last_time(k) for _, _, k in fitted if k is not None] or [365])
        ax.set_xlim(0, last * 1.03)
        ticks = [t for t in MaxNLocator(nbins=8, integer=True).tick_values(0, last) if 0 <= t <= last * 1.03]
        ax.set_xticks(ticks)
        for index, (label, times, kmf) in enumerate(fitted):
            colour = COLOURS[index % len(COLOURS)]
            name = f"{label} (n={len(times)})"
            if kmf is None:
                ax.plot([], [], color=colour, label=f"{name}: no patients")
                continue
            curve = kmf.survival_function_.iloc[:, 0]
            line, = ax.step(curve.index, curve.to_numpy(), where="post", color=colour, lw=1.4, label=name)
            line.set_gid(f"km:{label}")
            band = survival.confidence_band(kmf, ci_method)
            ax.fill_between(band.index, band["lower"], band["upper"], step="post", alpha=0.18, color=colour, lw=0)
            censored = [d for d, e in zip(times.days, times.events) if not e]
            marks = ax.scatter(censored, kmf.survival_function_at_times(censored).to_numpy(), marker="|", s=36,
                               color=colour, lw=1.1, zorder=3)
            marks.set_gid(f"censored:{label}")
        ax.set_ylim(0, 1.03)
        if all(kmf is None for _, _, kmf in fitted):
            ax.text(0.5, 0.5, "No patients in this analysis", transform=ax.transAxes, ha="center", va="center",
                    color="#666666", fontsize=9)
        ax.set_ylabel("Overall survival")
        ax.set_xlabel(xlabel)
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
        ax.grid(axis="y", color="#e6e6e6", lw=0.6)
        fig.suptitle(title, x=0.01, ha="left", fontsize=9)
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, frameon=False, borderaxespad=0.2)
        _at_risk(table, ax, fitted, ticks)
        footnote(fig, small, note)
    return fig


def _at_risk(table: plt.Axes, ax: plt.Axes, fitted: list, ticks: list[float]) -> None:
    table.set_xlim(ax.get_xlim())
    table.set_ylim(len(fitted) - 0.5, -0.9)
    table.set_xticks([])
    table.set_yticks(range(len(fitted)))
    table.set_yticklabels([label for label, _, _ in fitted], fontsize=7)
    for index, tick in enumerate(table.get_yticklabels()):
        tick.set_color(COLOURS[index % len(COLOURS)])
    for spine in table.spines.values():
        spine.set_visible(False)
    table.tick_params(axis="y", length=0, pad=10)
    table.text(0, -0.85, "Numbers at risk", fontsize=7, ha="right", va="center", transform=table.get_yaxis_transform(),
               fontweight="bold")
    for row, (label, _, kmf) in enumerate(fitted):
        for day, n in zip(ticks, survival.at_risk_table(kmf, [int(t) for t in ticks])):
            table.text(day, row, str(n), ha="center", va="center", fontsize=7, gid=f"at-risk:{label}:{int(day)}")
