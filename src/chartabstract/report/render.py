"""report.html from the summary: every number goes through a formatter here, so a missing value
shows as its reason ("not reached", "not estimable: ...", "-") and never as Python's None or nan."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any


def render_html(summary: dict, figures: list[tuple[list[Path], str]], *, immortal_time_note: str, ci_note: str) -> str:
    """The self-contained page: the PNG of each figure embedded, its SVG linked beside it."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(loader=PackageLoader("chartabstract.report", "templates"), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined)
    images = []
    for paths, title in figures:
        png = next(p for p in paths if p.suffix == ".png")
        svg = next((p for p in paths if p.suffix == ".svg"), None)
        images.append({"title": title, "name": png.name, "svg": f"figures/{svg.name}" if svg else None,
                       "data": base64.b64encode(png.read_bytes()).decode("ascii")})
    return env.get_template("report.html").render(
        s=summary, images=images, immortal_time_note=immortal_time_note, ci_note=ci_note,
        fmt=count, ci=ci_range, number=number, median_range=median_range, median_os=median_os,
        survival_pct=survival_pct, p_value=p_value, followup=followup, get=lambda d, k: (d or {}).get(k),
    )


def number(value: Any) -> str:
    """206 for 206.0; one decimal otherwise (37.5); '-' for a missing value."""
    if value is None or value != value:  # None or NaN
        return "-"
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:.1f}"


def count(figure: dict | None) -> str:
    """'12/19 (63.2%)' for a count figure."""
    if not figure:
        return "not available"
    if not figure.get("of"):
        return "-"  # no patient in that group
    pct = "" if figure.get("pct") is None else f" ({figure['pct']}%)"
    return f"{figure['n']}/{figure['of']}{pct}"


def percent(value: float) -> str:
    """Percentages keep one decimal throughout (21.0%, 27.3%), as the paper prints them."""
    return f"{float(value):.1f}%"


def ci_range(pair: list | None, *, pct: bool = False) -> str:
    """'95% CI 140-NR' for days (NR: the bound is never reached), '95% CI 4.3%-62.4%' for percents."""
    if not pair or all(v is None for v in pair):
        return ""
    lower, upper = ("NR" if v is None else percent(v) if pct else number(v) for v in pair)
    return f"95% CI {lower}-{upper}"


def median_range(figure: dict | None) -> str:
    """'99 (28-540)', or why there is none."""
    if not figure or figure.get("median") is None:
        return "- (no values)"
    return f"{number(figure['median'])} ({number(figure['min'])}-{number(figure['max'])})"


def median_os(group: dict) -> str:
    """'203 (95% CI 140-NR)', 'not reached (longest follow-up 149 days; 95% CI 63-NR)' or '-'."""
    if not group.get("n"):
        return "- (no patients)"
    figure = group["median_os_days"]
    interval = ci_range(figure["ci"])
    if figure["median"] is None:
        longest = group.get("last_followup_days")
        why = f"longest follow-up {number(longest)} days" if longest is not None else figure.get("reason", "")
        return f"not reached ({why}{'; ' + interval if interval else ''})"
    return f"{number(figure['median'])} ({interval})" if interval else number(figure["median"])


def survival_pct(group: dict) -> str:
    """'26.5% (95% CI 11.2-62.4)', or the reason it is not estimable."""
    if not group.get("n"):
        return "- (no patients)"
    figure = group["one_year_os"]
    if figure["pct"] is None:
        return str(figure.get("reason") or "not estimable")
    interval = ci_range(figure["ci_pct"], pct=True)
    if not interval:
        return f"{percent(figure['pct'])} ({figure.get('reason', 'CI not estimable')})"
    return f"{percent(figure['pct'])} ({interval})"


def p_value(p: float | None, reason: str | None) -> str:
    if p is None:
        return reason or "not computed"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def followup(figure: dict) -> str:
    """'16.8 months (95% CI 12.1-NR)', or why it is not available."""
    if figure.get("median") is None:
        return figure.get("reason") or "not available"
    interval = ci_range(figure["ci"])
    return f"{number(figure['median'])} months" + (f" ({interval})" if interval else "")
