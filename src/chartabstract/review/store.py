"""Stored review state (SQLite): items, reviewer decisions, and an append-only audit log.

Decisions are keyed by patient, field and an evidence digest, never by row numbers, so they
survive a re-run on the same or a grown export. When new evidence changes an item under a
decision (a new conflicting note), the digest changes and the item re-opens with the earlier
decision shown. Every write commits before it is acknowledged (WAL, synchronous=FULL).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chartabstract.study import Study

from chartabstract.errors import InputError, OutputError

# Each entry moves the schema one version up; PRAGMA user_version records how far a file is.
MIGRATIONS = [
    """
    CREATE TABLE items (
        item_key TEXT PRIMARY KEY,            -- patient_id|field
        patient_id TEXT NOT NULL,
        field TEXT NOT NULL,
        flags TEXT NOT NULL,                  -- conflict;low_support
        detail TEXT NOT NULL,
        tool_value TEXT NOT NULL,             -- the value the tool derived
        candidates TEXT NOT NULL,             -- JSON list
        evidence TEXT NOT NULL,               -- JSON list of mention ids
        evidence_digest TEXT NOT NULL,
        status TEXT NOT NULL,                 -- open, decided, reopened, disagreement, cleared
        updated_at TEXT NOT NULL
    );
    CREATE INDEX items_patient ON items(patient_id);
    CREATE TABLE decisions (
        decision_id INTEGER PRIMARY KEY AUTOINCREMENT,
        patient_id TEXT NOT NULL,
        field TEXT NOT NULL,
        evidence_digest TEXT NOT NULL,
        reviewer TEXT NOT NULL,
        role TEXT NOT NULL DEFAULT 'reviewer', -- reviewer or adjudicator
        choice TEXT NOT NULL,                   -- accept, correct, not_determinable
        value TEXT NOT NULL,
        previous_value TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        decided_at TEXT NOT NULL,
        source TEXT NOT NULL DEFAULT 'web'      -- web, spreadsheet
    );
    CREATE INDEX decisions_item ON decisions(patient_id, field);
    CREATE TABLE audit_log (
        audit_id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        patient_id TEXT NOT NULL DEFAULT '',
        field TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT ''
    );
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
        BEGIN SELECT RAISE(ABORT, 'decisions are never overwritten; add a new one'); END;
    """,
    # 2: items are facts (an event's date or value) deciding several columns, with a human label and
    # each candidate's source; INSERT OR REPLACE and DELETE can no longer rewrite history (REPLACE
    # deletes without firing delete triggers, so inserts over an existing id are refused too).
    """
    ALTER TABLE items ADD COLUMN label TEXT NOT NULL DEFAULT '';
    ALTER TABLE items ADD COLUMN decides TEXT NOT NULL DEFAULT '[]';            -- JSON list of columns
    ALTER TABLE items ADD COLUMN candidate_sources TEXT NOT NULL DEFAULT '[]';  -- JSON list, one per candidate
    CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
        BEGIN SELECT RAISE(ABORT, 'decisions are never deleted; add a new one'); END;
    CREATE TRIGGER decisions_no_replace BEFORE INSERT ON decisions
        WHEN NEW.decision_id IS NOT NULL AND EXISTS (SELECT 1 FROM decisions WHERE decision_id = NEW.decision_id)
        BEGIN SELECT RAISE(ABORT, 'decisions are never overwritten; add a new one'); END;
    CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
        WHEN NEW.audit_id IS NOT NULL AND EXISTS (SELECT 1 FROM audit_log WHERE audit_id = NEW.audit_id)
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    """,
    # 3: which run's output set the items come from, so review commands can tell a database that
    # missed the last switch (a run killed between switching its outputs and syncing the items)
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
]
CHOICES = ("accept", "correct", "not_determinable")
# items a reviewer still has to decide: new, re-opened by new evidence, reviewers disagreeing, or
# holding a stored decision that no longer fits the item's type
OPEN_STATUSES = ("open", "reopened", "disagreement", "invalid")


@dataclass(frozen=True)
class Item:
    """One flagged (patient, field) as the run left it."""

    patient_id: str
    field: str
    flags: str
    detail: str
    tool_value: str
    candidates: tuple[str, ...]
    evidence: tuple[str, ...]
    evidence_digest: str
    status: str = "open"
    label: str = ""  # "Bone marrow 2020-01-10: blast %", or a column's meaning
    decides: tuple[str, ...] = ()  # the cohort columns that follow this item's value
    candidate_sources: tuple[str, ...] = ()  # where each candidate was read: "note id: matched text"

    @property
    def key(self) -> str:
        return f"{self.patient_id}|{self.field}"


@dataclass(frozen=True)
class Decision:
    decision_id: int
    patient_id: str
    field: str
    evidence_digest: str
    reviewer: str
    role: str
    choice: str
    value: str
    previous_value: str
    reason: str
    decided_at: str
    source: str


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class ReviewStore:
    """The review database of one output folder (default out/review.db)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise OutputError(f"{path}: cannot open review database ({exc})") from None
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    def close(self) -> None:
        self.db.close()

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise OutputError(f"{self.path}: review database is from a newer chartabstract (schema {version})")
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            try:  # one transaction per step: a file is at one schema version or the next, never between
                self.db.executescript(f"BEGIN IMMEDIATE; {script}; PRAGMA user_version = {number}; COMMIT;")
            except sqlite3.Error:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # --- items ---

    def sync_items(self, items: Iterable[Item], statuses: dict[str, str], run_id: str = "") -> None:
        """Replace the open items with this run's; keep history of the rest as 'cleared'."""
        stamp = now()
        with self.transaction():
            self.db.execute("INSERT INTO meta VALUES ('run_id', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", (run_id,))
            self.db.execute("UPDATE items SET status = 'cleared', updated_at = ? WHERE status != 'cleared'", (stamp,))
            for item in items:
                self.db.execute(
                    """INSERT INTO items (item_key, patient_id, field, flags, detail, tool_value, candidates, evidence,
                       evidence_digest, status, updated_at, label, decides, candidate_sources) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                       ON CONFLICT(item_key) DO UPDATE SET flags=excluded.flags, detail=excluded.detail,
                       tool_value=excluded.tool_value, candidates=excluded.candidates, evidence=excluded.evidence,
                       evidence_digest=excluded.evidence_digest, status=excluded.status, updated_at=excluded.updated_at,
                       label=excluded.label, decides=excluded.decides, candidate_sources=excluded.candidate_sources""",
                    (item.key, item.patient_id, item.field, item.flags, item.detail, item.tool_value,
                     json.dumps(item.candidates), json.dumps(item.evidence), item.evidence_digest,
                     statuses.get(item.key, item.status), stamp, item.label, json.dumps(item.decides),
                     json.dumps(item.candidate_sources)),
                )
            self._audit("chartabstract run", "sync_items", detail=f"{len(statuses)} decided or reopened")

    @property
    def synced_run(self) -> str:
        """The run id of the output set whose items the database holds ("" before any)."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'run_id'").fetchone()
        return row[0] if row else ""

    def items(self, *, include_cleared: bool = False) -> list[Item]:
        query = "SELECT * FROM items" + ("" if include_cleared else " WHERE status != 'cleared'") + " ORDER BY patient_id, field"
        return [_item(row) for row in self.db.execute(query)]

    def item(self, patient_id: str, field: str) -> Item | None:
        row = self.db.execute("SELECT * FROM items WHERE patient_id = ? AND field = ?", (patient_id, field)).fetchone()
        return _item(row) if row else None

    # --- decisions ---

    def record_decision(
        self, item: Item, *, reviewer: str, choice: str, value: str, reason: str = "",
        role: str = "reviewer", source: str = "web", previous_value: str | None = None,
    ) -> Decision:
        """Store a decision (never overwriting an earlier one) and audit it; committed on return."""
        with self.transaction():
            decision_id = self._insert_decision(item, reviewer, choice, value, reason, role, source, previous_value)
        return self.decision(decision_id)

    def record_decisions(self, decisions: list[tuple[Item, str, str, str]], *, reviewer: str, role: str, source: str) -> int:
        """Store several decisions (item, choice, value, reason) in one transaction: all or none."""
        with self.transaction():
            for item, choice, value, reason in decisions:
                self._insert_decision(item, reviewer, choice, value, reason, role, source, None)
        return len(decisions)

    def _insert_decision(
        self, item: Item, reviewer: str, choice: str, value: str, reason: str, role: str, source: str, previous_value: str | None
    ) -> int:
        if choice not in CHOICES:
            raise ValueError(f"choice must be one of {CHOICES}")
        stamp = now()
        previous = previous_value if previous_value is not None else self.current_value(item)
        cursor = self.db.execute(
            """INSERT INTO decisions (patient_id, field, evidence_digest, reviewer, role, choice, value,
               previous_value, reason, decided_at, source) VALUES (?,?,?,?,?,?,?,?,?,?,?)""",
            (item.patient_id, item.field, item.evidence_digest, reviewer, role, choice, value, previous, reason, stamp, source),
        )
        self.db.execute("UPDATE items SET status = 'decided', updated_at = ? WHERE item_key = ?", (stamp, item.key))
        self._audit(reviewer, f"decide:{choice}", item.patient_id, item.field,
                    json.dumps({"value": value, "previous": previous, "reason": reason, "role": role, "source": source}))
        return int(cursor.lastrowid or 0)

    def decision(self, decision_id: int) -> Decision:
        return _decision(self.db.execute("SELECT * FROM decisions WHERE decision_id = ?", (decision_id,)).fetchone())

    def decisions(self, patient_id: str | None = None, field: str | None = None) -> list[Decision]:
        query, args = "SELECT * FROM decisions", []
        if patient_id is not None:
            query += " WHERE patient_id = ? AND field = ?"
            args = [patient_id, field]
        return [_decision(row) for row in self.db.execute(query + " ORDER BY decision_id", args)]

    def current_value(self, item: Item) -> str:
        effective = effective_decision(self.decisions(item.patient_id, item.field), item.evidence_digest)
        return effective.value if effective else item.tool_value

    def audit(self, actor: str, action: str, patient_id: str = "", field: str = "", detail: str = "") -> None:
        with self.transaction():
            self._audit(actor, action, patient_id, field, detail)

    def _audit(self, actor: str, action: str, patient_id: str = "", field: str = "", detail: str = "") -> None:
        self.db.execute(
            "INSERT INTO audit_log (at, actor, action, patient_id, field, detail) VALUES (?,?,?,?,?,?)",
            (now(), actor, action, patient_id, field, detail),
        )

    def audit_log(self) -> list[sqlite3.Row]:
        return list(self.db.execute("SELECT * FROM audit_log ORDER BY audit_id"))


def open_run_review(out: Path, db: Path | None = None) -> tuple[ReviewStore, Study]:
    """The review database and study definition of a finished run in `out`.

    Raises:
        InputError: no finished run, or no review database.
    """
    from chartabstract.study import load_study

    manifest_path = out / "run_manifest.json"
    if not manifest_path.exists():
        raise InputError(f"{out}: no finished run here (run `chartabstract run NOTES --out {out}` first)")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{manifest_path}: unreadable run manifest ({exc.__class__.__name__})") from None
    path = db or out / "review.db"  # the folder's own database, wherever the folder now is
    if not path.exists():
        used = manifest.get("review_db") if isinstance(manifest, dict) else None
        if db is None and used and Path(str(used)).is_absolute():
            raise InputError(f"{out}: this run kept its decisions in {used} (run with --db); pass --db {used} to review them")
        raise InputError(f"{path}: no review database (run `chartabstract run NOTES --out {out}` first)")
    rules = Path(str(manifest.get("rules", {}).get("source", "")))
    if not (rules / "study.json").exists():
        raise InputError(f"{out}: the rules folder of this run ({rules}) is gone; the study definition is needed to validate decisions")
    store = ReviewStore(path)
    run_id = str(manifest.get("run_id", ""))
    if db is None and run_id and store.synced_run != run_id and (out / ITEMS_FILE).exists():
        store.sync_items(*load_items(out / ITEMS_FILE), run_id)  # the run was stopped right after its switch
    return store, load_study(rules)


ITEMS_FILE = ".review_items.jsonl"  # every review item of an output set, with its status, one JSON object a line


def item_line(item: Item, status: str) -> str:
    return json.dumps({**asdict(item), "status": status}) + "\n"


def load_items(path: Path) -> tuple[list[Item], dict[str, str]]:
    """The items of an output set and their statuses, as the run wrote them."""
    items, statuses = [], {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            item = item_from_dict(json.loads(line))
            items.append(item)
            statuses[item.key] = item.status
    return items, statuses


def item_from_dict(data: dict) -> Item:
    """An item from its JSON form (lists back to tuples)."""
    return Item(**{**data, **{name: tuple(data[name]) for name in ("candidates", "evidence", "decides", "candidate_sources")}})


def effective_decision(decisions: list[Decision], digest: str | None) -> Decision | None:
    """The decision that sets the value: an adjudicator's, else the reviewers' when they agree.

    Only decisions made on the same evidence count; with a different digest the item re-opens.
    """
    current = [d for d in decisions if digest is None or d.evidence_digest == digest]
    adjudicated = [d for d in current if d.role == "adjudicator"]
    if adjudicated:
        return adjudicated[-1]
    latest: dict[str, Decision] = {}
    for decision in current:
        latest[decision.reviewer] = decision
    if not latest:
        return None
    values = {(d.choice == "not_determinable", d.value) for d in latest.values()}
    return max(latest.values(), key=lambda d: d.decision_id) if len(values) == 1 else None


def _item(row: sqlite3.Row) -> Item:
    return Item(row["patient_id"], row["field"], row["flags"], row["detail"], row["tool_value"],
                tuple(json.loads(row["candidates"])), tuple(json.loads(row["evidence"])), row["evidence_digest"], row["status"],
                row["label"], tuple(json.loads(row["decides"])), tuple(json.loads(row["candidate_sources"])))


def _decision(row: sqlite3.Row) -> Decision:
    return Decision(**{key: row[key] for key in row.keys()})
