"""Write the study report: summary.json, PNG figures and a self-contained report.html."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from chartabstract import __version__
from chartabstract.errors import InputError, OutputError
from chartabstract.report import plots, swimmer
from chartabstract.report.cohort_table import Cohort, read_cohort
from chartabstract.report.render import render_html
from chartabstract.report.summary import StudyData, build_summary, study_data

IMMORTAL_TIME_NOTE = (
    "Groups by alloHSCT after mAb2 are compared from mAb2 start: transplanted patients had to survive "
    "until their transplant, so this comparison carries immortal-time bias in their favour. "
    "Use --landmark DAYS for a landmark analysis."
)
CI_NOTES = {
    "log": "95% CIs: Greenwood variance on the log scale (R survfit's default).",
    "log-log": "95% CIs: lifelines' exponential Greenwood (log(-log)) intervals.",
}


@dataclass(frozen=True)
class ReportPaths:
    html: Path
    summary: Path
    figures: list[Path]  # each figure as PNG and SVG


def build_report(source: Path, out: Path | None = None, *, landmark_day: int | None = None, ci_method: str = "log") -> ReportPaths:
    """Read a cohort (a run folder or a cohort.csv) and write the report into ``out``.

    Args:
        source: a run's output folder (cohort.csv, optionally events.csv) or a cohort CSV file.
        out: where to write (default: ``report/`` beside the cohort table).
        landmark_day: also compare OS by alloHSCT done by this day after mAb2, from that day on.
        ci_method: ``log`` (R's default, as most papers) or ``log-log`` (lifelines' default).

    Raises:
        InputError: the cohort table cannot be read; OutputError: ``out`` cannot be written.
    """
    cohort = read_cohort(source)
    out = out or cohort.source.parent / "report"
    try:
        (out / "figures").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out}: cannot create the report folder ({exc.strerror})") from None
    if ci_method not in CI_NOTES:
        raise InputError(f"--ci must be one of {', '.join(CI_NOTES)}, not {ci_method!r}")
    data = study_data(cohort)
    summary = build_summary(cohort, landmark_day=landmark_day, ci_method=ci_method, data=data)
    summary["source"] = str(cohort.source)
    summary["generated"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    summary["tool_version"] = __version__
    figures = _figures(cohort, data, out / "figures", landmark_day, summary, ci_method)
    summary_path = out / "summary.json"
    summary_path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    html_path = out / "report.html"
    html_path.write_text(render_html(summary, figures, immortal_time_note=IMMORTAL_TIME_NOTE,
                                     ci_note=CI_NOTES[ci_method]), encoding="utf-8")
    return ReportPaths(html=html_path, summary=summary_path, figures=[path for paths, _ in figures for path in paths])


def _figures(cohort: Cohort, data: StudyData, folder: Path, landmark_day: int | None, summary: dict,
             ci_method: str) -> list[tuple[list[Path], str]]:
    flags = summary["open_flags"]
    flag_note = f" Open flags behind this figure: {flags['survival']}."

    def plots_note(text: str) -> str:
        return f"{text} {CI_NOTES[ci_method]}"

    def km_figure(path: Path, groups: list, *, title: str, footnote: str, **options: str) -> list[Path]:
        return plots.km_figure(path, groups, title=title, footnote=footnote, ci_method=ci_method, **options)

    no_hsct = [d is None for d in data.hsct_day]
    made = [
        (km_figure(folder / "os_from_mab2.png", [("All patients", data.times)],
                         title="Overall survival from mAb2 start", footnote=plots_note(flag_note)),
         "Overall survival from mAb2 start"),
        (km_figure(folder / "os_by_hsct.png",
                         [("alloHSCT after mAb2", data.times.subset([not n for n in no_hsct])),
                          ("no alloHSCT after mAb2", data.times.subset(no_hsct))],
                         title="Overall survival from mAb2 start, by alloHSCT after mAb2",
                         footnote=plots_note(IMMORTAL_TIME_NOTE + flag_note)),
         "Overall survival by alloHSCT after mAb2"),
    ]
    if landmark_day is not None:
        from chartabstract.report.survival import landmark

        treated, untreated = landmark(data.times, data.hsct_day, landmark_day)
        made.append((km_figure(folder / f"os_landmark_day{landmark_day}.png",
                                     [(f"alloHSCT by day {landmark_day}", treated), (f"no alloHSCT by day {landmark_day}", untreated)],
                                     title=f"Landmark analysis at day {landmark_day} after mAb2 start",
                                     footnote=plots_note(f"Patients alive at day {landmark_day}; time from the landmark." + flag_note),
                                     xlabel=f"Days from the landmark (day {landmark_day} after mAb2 start)"),
                     f"Landmark analysis at day {landmark_day}"))
    lanes = swimmer_lanes(cohort, data, _marrow_points(cohort.source.parent / "events.csv"))
    swimmer_flags = cohort.open_flags(SWIMMER_COLUMNS, data.both["patient_id"])
    made.append((swimmer.swimmer_figure(folder / "swimmer.png", lanes, title="Patient timelines from mAb1 start",
                                        footnote=f"Ringed: a flagged value (open flags behind this figure: {swimmer_flags}). "
                                                 "Markers on the same days are set one above the other in the lane."),
                 "Swimmer plot"))
    return made


SWIMMER_COLUMNS = ("mab1_start", "mab2_start", "prior_hsct_date", "prior_cart_date", "hsct_after_mab2_date",
                   "relapse_after_mab2_date", "death_date", "last_followup_date")
_POINT_COLUMNS = (("prior alloHSCT", "prior_hsct_date"), ("prior CAR-T", "prior_cart_date"),
                  ("alloHSCT", "hsct_after_mab2_date"), ("relapse", "relapse_after_mab2_date"), ("death", "death_date"))


def swimmer_lanes(cohort: Cohort, data: StudyData,
                  marrows: dict[str, list[tuple[date, str, bool]]] | None = None) -> list[swimmer.Lane]:
    """One swimmer lane per study patient, days from mAb1 start, prior therapies at their real day."""
    marrows = marrows or {}
    lanes = []
    for row in data.both.to_dict("records"):
        pid, zero = str(row["patient_id"]), row["mab1_start"]
        flagged = cohort.flags.get(pid, frozenset())
        drugs = (str(row.get("mab1_drug") or ""), str(row.get("mab2_drug") or ""))
        points = [(f"{drugs[0] or 'mAb1'} start", 0, "mab1_start" in flagged),
                  (f"{drugs[1] or 'mAb2'} start", (row["mab2_start"] - zero).days, "mab2_start" in flagged)]
        for kind, column in _POINT_COLUMNS:
            if row.get(column) is not None:
                points.append((kind, (row[column] - zero).days, column in flagged))
        for when, blasts, event_flagged in marrows.get(pid, []):
            if (when - zero).days >= -60:
                kind = "marrow <5% blasts" if _below_five(blasts) else "marrow >=5% blasts"
                points.append((kind, (when - zero).days, event_flagged))
        end = row["death_date"] or row["last_followup_date"] or row["mab2_start"]
        lanes.append(swimmer.Lane(pid, (end - zero).days, row["death_date"] is not None, points, drugs))
    return sorted(lanes, key=lambda lane: -lane.end_day)


def _marrow_points(events_csv: Path) -> dict[str, list[tuple[date, str, bool]]]:
    """Marrow blast results from a run's events.csv (absent for a hand-made cohort table)."""
    found: dict[str, list[tuple[date, str, bool]]] = {}
    if not events_csv.is_file():
        return found
    with events_csv.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            if row.get("kind") != "marrow" or not row.get("date"):
                continue
            values = dict(part.split("=", 1) for part in (row.get("values") or "").split(";") if "=" in part)
            if "blasts" not in values:
                continue
            try:
                when = date.fromisoformat(row["date"])
            except ValueError:
                raise InputError(f"{events_csv}, line {line}: date must be ISO, not {row['date']!r}") from None
            found.setdefault(row["patient_id"], []).append((when, values["blasts"], bool(row.get("flags"))))
    return found


def _below_five(blasts: str) -> bool:
    text = blasts.strip()
    try:
        return float(text.lstrip("<>")) <= 5 if text.startswith("<") else float(text.lstrip(">")) < 5
    except ValueError:
        return False
