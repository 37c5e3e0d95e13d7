"""`chartabstract explain`: one patient's reconciled timeline with the evidence behind each event."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from chartabstract.errors import InputError

# C0 and C1 controls (ESC opens ANSI and OSC sequences, BEL rings), DEL and bidi overrides: text
# from notes must not drive the terminal. Newline and tab are layout and stay.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def render_timeline(out: Path, patient_id: str, *, snippets: int = 3) -> str:
    """The patient's cohort row, events (date, values, flags) and their evidence sentences.

    Raises:
        InputError: the output folder has no run, or the patient is not in it.
    """
    events = [row for row in _read(out / "events.csv") if row["patient_id"] == patient_id]
    cohort = next((row for row in _read(out / "cohort.csv") if row["patient_id"] == patient_id), None)
    if cohort is None:
        raise InputError(f"{out / 'cohort.csv'}: no patient {patient_id!r}")
    mentions = {row["mention_id"]: row for row in _read(out / "mentions.csv") if row["patient_id"] == patient_id}
    lines = [f"Patient {patient_id}: last follow-up {cohort['last_followup_date'] or '?'}"]
    flagged = cohort.get("flags", "")
    lines.append(f"  flagged for review: {flagged.replace(';', ', ') if flagged else 'nothing'}")
    for event in events:
        values = f"  [{event['values'].replace(';', ', ')}]" if event["values"] else ""
        date = event["date"] or "date unknown"
        lines.append(f"\n{date:<12} {event['kind']}{values}  ({event['support']} mention(s), {event['precision'] or '-'} precision)")
        if event["flags"]:
            for flag in event["flags"].split(" | "):
                lines.append(f"    FLAG {flag}")
        ids = event["mention_ids"].split()
        for mention_id in ids[:snippets]:
            mention = mentions.get(mention_id)
            if mention:
                lines.append(f"    {mention['note_id']} ({mention['note_type']}, {mention['date_source']}): {mention['snippet'][:200]}")
        if len(ids) > snippets:
            lines.append(f"    ... {len(ids) - snippets} more")
    lines.append("\nCohort row:")
    for name, value in cohort.items():
        if name not in ("patient_id", "flags", "reviewed"):
            mark = "  <- flagged" if name in flagged.split(";") else ""
            lines.append(f"  {name:<22} {value}{mark}")
    return terminal_safe("\n".join(lines))


def terminal_safe(text: str) -> str:
    """Show control characters as visible escapes (ESC as \\x1b) instead of sending them."""
    return _CONTROL.sub(lambda m: ascii(m[0])[1:-1], text)


def _read(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        raise InputError(f"{path}: not found (run `chartabstract run` with --out {path.parent} first)")
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
