"""Command line: parses options, calls the stages, and turns domain errors into exit codes."""

from __future__ import annotations

import logging
import sys
import warnings
from pathlib import Path
from typing import Annotated, Optional

import click
import typer
from chartabstract import __version__
from chartabstract.cli_help import Command, Group, conventional
from chartabstract.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_SKIPPED, ChartAbstractError, NothingReadError, fatal

MAX_NOTE_BYTES = 10**12  # --max-note-mb's ceiling: a terabyte note is a mistake, and file reads need a C size

app = typer.Typer(
    cls=Group,
    help="Abstract leukemia charts into a research cohort table, with evidence for every value.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
rules_app = typer.Typer(cls=Group, help="Inspect and validate rule files.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


class _ReviewGroup(Group):
    """`chartabstract review DIR` serves the page; `review export|import|agreement` are subcommands.

    `serve` is never typed, so `review --help` shows its argument and options as the group's own.
    """

    _showing_help = False

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["serve", *args]
        return super().parse_args(ctx, args)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._showing_help = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._showing_help = False

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        params = super().get_params(ctx)
        if self._showing_help:  # only for the help page: parsing leaves these to `serve`
            params = [*conventional(self.commands["serve"].params), *params]
        return params

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return ["[OPTIONS] OUT", "|", "COMMAND [ARGS]..."]


review_app = typer.Typer(
    cls=_ReviewGroup, no_args_is_help=True,
    help="Adjudicate the flagged facts of a run. `review OUT --reviewer NAME` serves the review page on 127.0.0.1 and "
         "prints its URL (options below); the commands export and import a spreadsheet of the open items and measure "
         "agreement between reviewers. Decisions are stored in OUT/review.db and applied by the next `chartabstract run`.",
)
app.add_typer(review_app, name="review")


def _configure_logging(quiet: bool) -> None:
    """One place for logging: IDs and counts only, never note text; PyRuSH's DEBUG lines off."""
    logging.basicConfig(level=logging.ERROR if quiet else logging.WARNING, format="%(levelname)s: %(message)s")
    # medspaCy keeps an empty token Matcher beside regex rules; spaCy warns (W036) on each call.
    warnings.filterwarnings("ignore", message=r".*\[W036\]")
    try:
        from loguru import logger

        logger.disable("PyRuSH")
    except ImportError:  # loguru comes with medspaCy; without it there is nothing to silence
        pass


@app.command(cls=Command)
def run(
    notes: Annotated[Path, typer.Argument(help="A notes folder (<patient_id>/<YYYY-MM-DD>_<type>.txt) or a notes table (.csv, .tsv, .parquet, .jsonl) with OMOP NOTE columns.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder (its previous outputs are replaced as one set).")] = Path("out"),
    rules: Annotated[Optional[Path], typer.Option("--rules", help="A folder of edited rule files (default: the packaged rules).")] = None,
    columns: Annotated[Optional[str], typer.Option("--columns", help="Map table columns to the OMOP NOTE names (person_id, note_id, note_date, note_type or note_title or note_type_concept_id, note_text), e.g. 'person_id=mrn,note_text=body'.")] = None,
    dayfirst: Annotated[bool, typer.Option("--dayfirst", help="Read 03/04/2019 as 3 April (non-US exports). Without it, a patient chart whose dates are only ever day-first (14/12/2020) is read day-first; see README, Day/month order.")] = False,
    max_note_mb: Annotated[float, typer.Option("--max-note-mb", help="Skip (and list) notes larger than this many megabytes.")] = 5.0,
    no_prefilter: Annotated[bool, typer.Option("--no-prefilter", help="Run the full pipeline on every note, even those no rule can match.")] = False,
    date_tolerance: Annotated[Optional[int], typer.Option("--date-tolerance", min=0, help="Days two sources may disagree on a date before it is flagged as a conflict (default: rules/study.json, 3).")] = None,
    db: Annotated[Optional[Path], typer.Option("--db", help="Review database whose decisions are applied (default: OUT/review.db).")] = None,
    workers: Annotated[Optional[int], typer.Option("--workers", min=1, help="Extraction processes (default: one per core; 1 for a folder or Parquet table of under 100 notes).")] = None,
    engine: Annotated[str, typer.Option("--engine", help="local, or spark (Apache Spark; needs `pip install chartabstract\\[spark]`).")] = "local",
    spark_master: Annotated[str, typer.Option("--spark-master", help="Spark master URL for --engine spark.")] = "local[*]",
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Re-read every note instead of reusing the mentions of unchanged notes (OUT/cache.db).")] = False,
    max_note_seconds: Annotated[Optional[float], typer.Option(
        "--max-note-seconds", help="Stop extracting a note after this many seconds and skip it (default: 30 + 1 per 10,000 characters).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")] = False,
) -> None:
    """Read a notes folder or table and write into --out: the cohort table (cohort.csv, cohort.parquet), the timelines (events.csv), every mention (mentions.csv, note_nlp.csv), the review queue (review_queue.csv), data_dictionary.csv and run_manifest.json.

    Exit 0: every note read; 6: some inputs skipped (each printed); 3: no note could be read.
    """
    from chartabstract.ingest import IngestOptions, parse_column_map
    from chartabstract.run import RunOptions, run_extraction

    _configure_logging(quiet)
    if engine not in ("local", "spark"):
        fatal(f"--engine must be local or spark, not {engine!r}", 2)
    if max_note_seconds is not None and not 0 < max_note_seconds < 1e6:  # also refuses nan
        fatal(f"--max-note-seconds must be a number of seconds above 0, not {max_note_seconds:g}", 2)
    if not 1 <= max_note_mb * 1_000_000 <= MAX_NOTE_BYTES:  # also refuses nan
        fatal(f"--max-note-mb must be a number of megabytes from 0.000001 to {MAX_NOTE_BYTES // 1_000_000}, "
              f"not {max_note_mb:g}", 2)
    if db is not None:
        typer.echo(f"using the review database {db} (--db), not {out / 'review.db'}", err=True)
    try:
        options = RunOptions(
            notes=notes,
            out=out,
            rules_dir=rules,
            ingest=IngestOptions(
                columns=parse_column_map(columns) if columns else None,
                dayfirst=dayfirst,
                max_note_bytes=int(max_note_mb * 1_000_000),
            ),
            dayfirst=dayfirst,
            prefilter=not no_prefilter,
            progress=not quiet,
            date_tolerance=date_tolerance,
            db=db,
            workers=workers,
            cache=not no_cache,
            max_note_seconds=max_note_seconds,
            engine=engine,
            spark_master=spark_master,
        )
        summary = run_extraction(options)
    except NothingReadError as exc:
        for line in exc.lines:
            typer.echo(line, err=True)
        fatal(str(exc), exc.exit_code)
    except ChartAbstractError as exc:
        fatal(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        if no_cache or engine != "local":
            fatal("interrupted: nothing was kept, the next run starts over", EXIT_INTERRUPTED)
        fatal(f"interrupted: what was extracted is kept in {out / 'cache.db'}; run the same command again to resume",
              EXIT_INTERRUPTED)
    for problem in summary.decision_problems:
        typer.echo(f"review decision not applied: {problem}", err=True)
    for line in summary.skipped_lines():
        typer.echo(line, err=True)  # shown even with --quiet: nothing is dropped silently
    if not quiet:
        typer.echo(summary.describe(), err=True)
    raise typer.Exit(EXIT_SKIPPED if summary.skipped else EXIT_OK)


@app.command(cls=Command)
def evaluate(
    out: Annotated[Path, typer.Argument(help="The output folder of a run (holds cohort.csv).")],
    gold: Annotated[Path, typer.Option("--gold", help="Gold cohort table (CSV with the cohort columns).")],
    date_tolerance: Annotated[int, typer.Option("--date-tolerance", help="Days a date may differ and still count as right.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print everything, with each error and the confusion tables, as JSON.")] = False,
) -> None:
    """Print the per-field accuracy of a run's cohort.csv against a gold cohort, with wrong-but-flagged vs wrong-unflagged counts (writes nothing)."""
    import json

    from chartabstract.evaluate import evaluate_cohort

    _configure_logging(quiet=True)
    try:
        result = evaluate_cohort(out / "cohort.csv", gold, date_tolerance=date_tolerance)
    except ChartAbstractError as exc:
        fatal(str(exc), exc.exit_code)
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2))
        return
    typer.echo(f"{'field':<22}{'n':>4}{'right':>7}{'accuracy':>10}{'wrong, flagged':>16}{'wrong, unflagged':>18}")
    for name, score in [*result.fields.items(), ("TOTAL", result.totals())]:
        typer.echo(f"{name:<22}{score.total:>4}{score.correct:>7}{score.accuracy:>10.3f}{score.wrong_flagged:>16}{score.wrong_unflagged:>18}")
    for name in sorted(result.categorical & set(result.fields)):
        pairs = ", ".join(f"{g}->{p} x{n}" for (g, p), n in sorted(result.fields[name].confusion.items()) if g != p)
        if pairs:
            typer.echo(f"confusion {name}: {pairs}")
    for error in result.errors:
        typer.echo(f"  {error['patient_id']} {error['field']}: got {error['got']!r}, want {error['want']!r}"
                   f"{'' if error['flagged'] == 'yes' else '  (UNFLAGGED)'}")


@app.command(cls=Command)
def explain(
    out: Annotated[Path, typer.Argument(help="The output folder of a run.")],
    patient_id: Annotated[str, typer.Argument(help="The patient to show.")],
    snippets: Annotated[int, typer.Option("--snippets", help="Evidence sentences shown per event.")] = 3,
) -> None:
    """Print a patient's timeline: each event with its sources, evidence sentences and flags, then the cohort row."""
    from chartabstract.explain import render_timeline

    _configure_logging(quiet=True)
    try:
        typer.echo(render_timeline(out, patient_id, snippets=snippets))
    except ChartAbstractError as exc:
        fatal(str(exc), exc.exit_code)


@app.command("evaluate-mentions", cls=Command)
def evaluate_mentions(
    out: Annotated[Path, typer.Argument(help="The output folder of a run (holds mentions.csv).")],
    gold: Annotated[Path, typer.Option("--gold", help="Gold mentions CSV (docs/annotation_guide.md).")],
    notes: Annotated[Path, typer.Option("--notes", help="The notes the run read, to place gold anchors.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the full score, with every disagreement, as JSON.")] = False,
) -> None:
    """Print precision and recall per concept of a run's mentions.csv against gold mentions, detection and strict (attributes included)."""
    import json

    from chartabstract.ingest import IngestReport, read_notes
    from chartabstract.scoring import score_mentions

    _configure_logging(quiet=True)
    try:
        texts = {note.note_id: note.text for note in read_notes(notes, IngestReport())}
        score = score_mentions(out / "mentions.csv", gold, texts)
    except ChartAbstractError as exc:
        fatal(str(exc), exc.exit_code)
    if as_json:
        typer.echo(json.dumps(score.as_dict(), indent=2))
        return
    typer.echo(f"{'concept':<18}{'gold':>6}{'pred':>6}{'P':>8}{'R':>8}{'strict P':>10}{'strict R':>10}")
    rows = {**score.concepts, "TOTAL": score.total()}
    for name, concept in rows.items():
        d = concept.as_dict()
        typer.echo(f"{name:<18}{d['gold']:>6}{d['predicted']:>6}{d['precision']:>8.3f}{d['recall']:>8.3f}"
                   f"{d['strict_precision']:>10.3f}{d['strict_recall']:>10.3f}")


@app.command(cls=Command)
def report(
    source: Annotated[Path, typer.Argument(help="A run's output folder (cohort.csv, events.csv) or a cohort CSV file.")],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Report folder (default: report/ beside cohort.csv).")] = None,
    landmark: Annotated[Optional[int], typer.Option("--landmark", min=1, help="Also compare survival by alloHSCT done by this day after mAb2, counted from that day.")] = None,
    ci: Annotated[str, typer.Option("--ci", help="Survival CI: log (R's default, as most papers) or log-log (lifelines' default).")] = "log",
) -> None:
    """Write the study report of a run: the results table, survival curves and a swimmer plot (report.html, figures/*.svg and *.png, summary.json)."""
    from chartabstract.report import build_report

    _configure_logging(quiet=True)
    try:
        paths = build_report(source, out, landmark_day=landmark, ci_method=ci)
    except ChartAbstractError as exc:
        fatal(str(exc), exc.exit_code)
    import json

    summary = json.loads(paths.summary.read_text(encoding="utf-8"))
    state = {"final": "final: no open flags", "empty": "NO PATIENTS: nothing to report"}.get(
        summary.get("status", ""), f"PRELIMINARY: {summary['open_flags']['total']} open flag(s)")
    typer.echo(f"Report ({state}): {paths.html}")
    typer.echo(f"Summary: {paths.summary}; figures: {', '.join(p.name for p in paths.figures)}")


@rules_app.command("check", cls=Command)
def rules_check(
    rules_dir: Annotated[Optional[Path], typer.Argument(help="Rules folder to check (default: the packaged rules).")] = None,
) -> None:
    """Validate rule files without running (JSON, keys, categories, regexes, token patterns, concepts.json, study.json) and say what the prefilter scan covers."""
    from chartabstract.nlp.pipeline import build_nlp, has_token_targets
    from chartabstract.nlp.prefilter import Prefilter
    from chartabstract.nlp.rules import load_rules
    from chartabstract.study import load_study

    _configure_logging(quiet=True)
    try:
        rule_set = load_rules(rules_dir)
        load_study(rules_dir)  # the loader `run` uses: what passes here passes there
        build_nlp(rule_set)
    except ChartAbstractError as exc:
        fatal(str(exc), exc.exit_code)
    typer.echo(
        f"rules OK: {rule_set.source}: {len(rule_set.registry.concepts)} concepts, {len(rule_set.targets)} target, "
        f"{len(rule_set.context)} context, {len(rule_set.sections)} section rules (digest {rule_set.digest[:12]})"
    )
    if rule_set.defaults:
        typer.echo(f"from the packaged rules (not in this folder): {', '.join(rule_set.defaults)}")
    if has_token_targets(rule_set):
        typer.echo("prefilter: off (a target rule is a token pattern, which text scans cannot test)")
        return
    prefilter = Prefilter(rule_set)
    unscanned = prefilter.unscanned_rule_ids()
    if unscanned is None:
        typer.echo("prefilter: Hyperscan is not installed here; literal tests decide for every rule (same output, slower)")
        return
    typer.echo(f"prefilter: one Hyperscan pass tests {len(prefilter.rules) - len(unscanned)} of the {len(prefilter.rules)} target rules that decide which text is read")
    if unscanned:
        typer.echo(f"  left to literal tests (same output, slower): {', '.join(unscanned)}")


@app.command(cls=Command)
def version() -> None:
    """Print the version of chartabstract and of Python."""
    typer.echo(f"chartabstract {__version__} (Python {sys.version.split()[0]})")


def _open_review(out: Path, db: Path | None):  # -> (ReviewStore, Study)
    """The run's own review database, or the one named by --db, said on every command that uses it."""
    from chartabstract.review.store import open_run_review

    found = open_run_review(out, db)
    if db is not None:
        typer.echo(f"using the review database {db} (--db), not {out / 'review.db'}", err=True)
    return found


@review_app.command("serve", hidden=True, cls=Command)
def review_serve(
    out: Annotated[Path, typer.Argument(help="The output folder of a run.")],
    reviewer: Annotated[str, typer.Option("--reviewer", help="Your name, stored with every decision.")],
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 (0: any free port).")] = 0,
    db: Annotated[Optional[Path], typer.Option("--db", help="Another review database than the folder's own OUT/review.db (said on every use).")] = None,
    blind: Annotated[bool, typer.Option("--blind", help="Hide other reviewers' decisions (two-reviewer mode).")] = False,
    adjudicate: Annotated[bool, typer.Option("--adjudicate", help="Decide as the adjudicator: your decision resolves disagreements.")] = False,
) -> None:
    """Serve the review page on 127.0.0.1 and print its URL with this session's access token."""
    from chartabstract.review.server import free_socket, load_session, serve

    _configure_logging(quiet=False)
    try:
        store, study = _open_review(out, db)
        session = load_session(out, store, study, reviewer=reviewer, role="adjudicator" if adjudicate else "reviewer", blind=blind)
    except ChartAbstractError as exc:
        fatal(str(exc), exc.exit_code)
    try:
        sock = free_socket(port)
    except OSError as exc:
        fatal(f"127.0.0.1:{port}: cannot listen ({exc.strerror})", 5)
    open_items = sum(1 for item in store.items() if item.status != "decided")
    typer.echo(f"Review page for {reviewer}: http://127.0.0.1:{sock.getsockname()[1]}/?token={session.token}")
    typer.echo(f"{open_items} of {len(store.items())} flagged fields are open. Ctrl-C stops the server; "
               f"decisions are saved as you make them and applied by the next `chartabstract run`.")
    serve(session, sock)


@review_app.command("export", cls=Command)
def review_export(
    out: Annotated[Path, typer.Argument(help="The output folder of a run.")],
    to: Annotated[Path, typer.Option("--to", help="A .xlsx or .csv file to write.")],
    db: Annotated[Optional[Path], typer.Option("--db", help="Another review database than the folder's own OUT/review.db (said on every use).")] = None,
) -> None:
    """Write one row per open item to a spreadsheet (--to) for review: fill decision_value (ND = not determinable), then `review import` it."""
    import csv

    from chartabstract.review.spreadsheet import export_items

    try:
        store, _ = _open_review(out, db)
        with open(out / "mentions.csv", encoding="utf-8", newline="") as handle:
            mentions = {row["mention_id"]: row for row in csv.DictReader(handle)}
        count = export_items(store, mentions, to)
    except ChartAbstractError as exc:
        fatal(str(exc), exc.exit_code)
    typer.echo(f"Wrote {count} open item(s) to {to}.")


@review_app.command("import", cls=Command)
def review_import(
    out: Annotated[Path, typer.Argument(help="The output folder of a run.")],
    sheet: Annotated[Path, typer.Argument(help="The filled-in .xlsx or .csv from `review export`.")],
    reviewer: Annotated[str, typer.Option("--reviewer", help="Whose decisions these are.")],
    db: Annotated[Optional[Path], typer.Option("--db", help="Another review database than the folder's own OUT/review.db (said on every use).")] = None,
    adjudicate: Annotated[bool, typer.Option("--adjudicate", help="Import as the adjudicator.")] = False,
) -> None:
    """Validate every row of a filled-in spreadsheet and store all its decisions in OUT/review.db, or none if any row is wrong (errors by row number)."""
    from chartabstract.review.spreadsheet import import_decisions_report

    try:
        store, study = _open_review(out, db)
        count, unchanged = import_decisions_report(store, study, sheet, reviewer=reviewer,
                                                   role="adjudicator" if adjudicate else "reviewer")
    except ChartAbstractError as exc:
        fatal(str(exc), exc.exit_code)
    again = f" ({unchanged} already stored, not stored twice)" if unchanged else ""
    typer.echo(f"Imported {count} decision(s) from {sheet}{again}. Run `chartabstract run` again to apply them to cohort.csv.")


@review_app.command("agreement", cls=Command)
def review_agreement(
    out: Annotated[Path, typer.Argument(help="The output folder of a run.")],
    db: Annotated[Optional[Path], typer.Option("--db", help="Another review database than the folder's own OUT/review.db (said on every use).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Print percent agreement and Cohen's kappa per kind of fact between reviewers, and each disagreement."""
    import json

    from chartabstract.review.agreement import agreement

    try:
        store, study = _open_review(out, db)
        results, disagreements = agreement(store, study)
    except ChartAbstractError as exc:
        fatal(str(exc), exc.exit_code)
    if as_json:
        typer.echo(json.dumps({
            "fields": [{"field": r.field, "reviewers": list(r.reviewers), "items": r.items, "agreed": r.agreed,
                        "percent_agreement": round(r.percent, 1), "kappa": None if r.kappa is None else round(r.kappa, 3)}
                       for r in results],
            "disagreements": disagreements,
        }, indent=2))
        return
    if not results:
        typer.echo("No field has decisions from two reviewers yet.")
        return
    typer.echo(f"{'kind of fact':<36}{'reviewers':<26}{'items':>6}{'agree %':>9}{'kappa':>8}")
    for r in results:
        kappa = "n/a" if r.kappa is None else f"{r.kappa:.3f}"
        typer.echo(f"{r.field:<36}{' vs '.join(r.reviewers):<26}{r.items:>6}{r.percent:>9.1f}{kappa:>8}")
    for d in disagreements:
        typer.echo(f"  disagree: {d['patient_id']} {d['field']} ({d['reviewers']}): "
                   + ", ".join(f"{k}={v}" for k, v in d.items() if k not in ('patient_id', 'field', 'reviewers')))
