"""The review page: a local web app on 127.0.0.1, one reviewer per session, token and CSRF guarded.

Every request needs the session token (from the printed URL, then an HttpOnly same-site cookie
named after the port, so reviewers on other ports neither share nor log out each other) and a
Host naming this page (no DNS rebinding); every form post carries the page's CSRF token and no
foreign Origin. Note text is only ever rendered through Jinja2's autoescaping. Each request has
its own database connection; decisions are committed before the response that acknowledges them.
"""

from __future__ import annotations

import csv
import hmac
import json
import re
import secrets
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from chartabstract.errors import InputError
from chartabstract.review.items import item_kind
from chartabstract.review.store import Item, ReviewStore, effective_decision
from chartabstract.review.validate import InvalidValue, validate_value, value_spec
from chartabstract.study import Study

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))


def cookie_name(port: int | None) -> str:
    """The token cookie of the page on `port`: cookies ignore ports, so the name must not."""
    return f"chartabstract_review_{port}" if port else "chartabstract_review"


def item_url(item: Item) -> str:
    """The item page's URL: ids go in the query, each percent-encoded whole, so '/', '?', '#', '%' and spaces
    survive (a path segment cannot carry '/': %2F is decoded before routing)."""
    return f"/item?patient={quote(item.patient_id, safe='')}&field={quote(item.field, safe='')}"


TEMPLATES.env.filters["item_url"] = item_url


@dataclass
class ReviewSession:
    """What one running review page knows: who reviews, the secrets, the run's evidence."""

    out: Path
    store: ReviewStore
    study: Study
    reviewer: str
    role: str = "reviewer"
    blind: bool = False
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    mentions: dict[str, dict[str, str]] = field(default_factory=dict)
    events: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    notes_missing: str = ""  # why note texts could not be read again (evidence falls back to sentences)
    run_stamp: tuple[int, int] = (0, 0)  # run_manifest.json's mtime_ns and size when the evidence was read
    reload_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


def load_session(out: Path, store: ReviewStore, study: Study, *, reviewer: str, role: str = "reviewer", blind: bool = False) -> ReviewSession:
    """A session with the run's evidence read."""
    session = ReviewSession(out, store, study, reviewer, role, blind)
    _load_evidence(session, store)
    return session


def _load_evidence(session: ReviewSession, store: ReviewStore) -> None:
    """Read the run's evidence (mentions, events, and the text of every evidence note) and which run it is."""
    stamp = _run_stamp(session.out)  # taken first: a re-run while reading shows as a change on the next page
    needed = {m for item in store.items() for m in item.evidence}
    mentions = {row["mention_id"]: row for row in _read(session.out / "mentions.csv") if row["mention_id"] in needed}
    events: dict[str, list[dict[str, str]]] = {}
    for row in _read(session.out / "events.csv"):
        events.setdefault(row["patient_id"], []).append(row)
    notes, missing = _note_texts(session.out, {m["note_id"] for m in mentions.values()})
    session.mentions, session.events, session.notes, session.run_stamp = mentions, events, notes, stamp
    session.notes_missing = missing


def _run_stamp(out: Path) -> tuple[int, int]:
    info = (out / "run_manifest.json").stat()
    return info.st_mtime_ns, info.st_size


def _reload_if_rerun(session: ReviewSession, store: ReviewStore) -> bool:
    """Read the evidence again if `chartabstract run` has written a new run, so no page shows the old one's."""
    with session.reload_lock:
        if _run_stamp(session.out) == session.run_stamp:
            return False
        _load_evidence(session, store)
        return True


def _note_texts(out: Path, note_ids: set[str]) -> tuple[dict[str, str], str]:
    """Evidence note texts, read again from the run's input (they are never copied into outputs),
    or why they cannot be: the page says so instead of quietly showing sentences only."""
    from chartabstract.ingest import IngestOptions, IngestReport, read_notes

    manifest = json.loads((out / "run_manifest.json").read_text())
    options = manifest.get("options", {})
    ingest = IngestOptions(columns=options.get("columns"), dayfirst=bool(options.get("dayfirst")),
                           max_note_bytes=int(options.get("max_note_bytes") or 5_000_000))
    source = Path(manifest["input"]["path"])
    if not source.exists():
        return {}, f"the run's input {source} is not there any more: evidence shows the extracted sentences only"
    return {note.note_id: note.text for note in read_notes(source, IngestReport(), ingest) if note.note_id in note_ids}, ""


@contextmanager
def _request_store(session: ReviewSession) -> Iterator[ReviewStore]:
    """A database connection for one request: request threads must not share one (nested transactions)."""
    store = ReviewStore(session.store.path)
    try:
        yield store
    finally:
        store.close()


def create_app(session: ReviewSession, port: int | None = None) -> FastAPI:
    """The review app for one session, served on 127.0.0.1:`port` (None: port unknown, any is accepted)."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    cookie = cookie_name(port)

    @app.middleware("http")
    async def require_token(request: Request, call_next: Any) -> Response:
        refusal = _foreign_request(request, port)
        if refusal:
            return PlainTextResponse(f"403: {refusal}", status_code=403)
        offered = request.query_params.get("token") or request.cookies.get(cookie) or ""
        if not hmac.compare_digest(offered, session.token):
            return PlainTextResponse("403: open the review page with the URL printed by `chartabstract review`", status_code=403)
        response: Response = await call_next(request)
        if request.query_params.get("token"):
            response.set_cookie(cookie, session.token, httponly=True, samesite="strict", path="/")
        response.headers["Content-Security-Policy"] = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request) -> Response:
        with _request_store(session) as store:
            reloaded = _reload_if_rerun(session, store)
            items = store.items()
            chosen = {name: request.query_params.get(name, "") for name in ("patient", "kind", "flag")}
            by_patient: dict[str, list[dict[str, Any]]] = {}
            for item in items:
                if _matches(item, chosen, session.study):
                    by_patient.setdefault(item.patient_id, []).append(_summary(session, store, item))
            done = sum(1 for item in items if _mine_or_effective(session, store, item) is not None)
            return TEMPLATES.TemplateResponse(request, "index.html", {
                "session": session, "patients": by_patient, "done": done, "total": len(items),
                "next": _next_item(session, store, None), "reloaded": reloaded, "chosen": chosen,
                "filters": _filters(items, session.study),
            })

    @app.get("/item", response_class=HTMLResponse)
    @app.get("/item/{patient}/{field}", response_class=HTMLResponse)  # the first form, for ids without '/'
    def item_page(request: Request, error: str = "") -> Response:
        with _request_store(session) as store:
            item = store.item(*_item_key(request))
            if item is None:
                return PlainTextResponse("no such review item", status_code=404)
            return _render_item(request, session, store, item, error=error)

    @app.post("/item")
    @app.post("/item/{patient}/{field}")
    def decide(
        request: Request, csrf: str = Form(""), action: str = Form(""), value: str = Form(""), reason: str = Form(""),
    ) -> Response:
        if not hmac.compare_digest(csrf, session.csrf):
            return PlainTextResponse("403: the form is stale or forged (CSRF token mismatch); reload the page", status_code=403)
        with _request_store(session) as store:
            item = store.item(*_item_key(request))
            if item is None:
                return PlainTextResponse("no such review item", status_code=404)
            choice = {"accept": "accept", "correct": "correct", "nd": "not_determinable"}.get(action)
            if choice is None:
                return _render_item(request, session, store, item, error="choose accept, correct or not determinable", status=400)
            try:
                if choice == "not_determinable" or (choice == "accept" and value == "" == item.tool_value):
                    decided = ""  # not determinable, or the tool's empty value accepted: nothing applies
                else:  # a picked candidate is validated like a typed correction
                    decided = validate_value(session.study, item.field, value)
            except InvalidValue as exc:
                return _render_item(request, session, store, item, error=str(exc), status=400, typed=value)
            store.record_decision(item, reviewer=session.reviewer, choice=choice, value=decided,
                                  reason=reason.strip(), role=session.role)
            following = _next_item(session, store, item)
        return RedirectResponse(item_url(following) if following else "/", status_code=303)

    @app.get("/static/review.js")
    def script() -> Response:
        return Response(Path(__file__).with_name("templates").joinpath("review.js").read_text(), media_type="text/javascript")

    return app


def _item_key(request: Request) -> tuple[str, str]:
    """(patient, field) of /item?patient=P&field=F, or of the first form /item/P/F."""
    params = request.path_params or request.query_params
    return params.get("patient", ""), params.get("field", "")


def _foreign_request(request: Request, port: int | None) -> str:
    """Why a request does not come from this page: another Host (DNS rebinding) or a post from another Origin."""
    if not _names_this_page(request.headers.get("host", ""), port, ""):
        return "unexpected Host header; open the page at the URL printed by `chartabstract review`"
    origin = request.headers.get("origin")
    # our own forms post with Origin "null": the page's Referrer-Policy is no-referrer (the CSRF token still guards them)
    if request.method == "POST" and origin not in (None, "null") and not _names_this_page(origin, port, "http://"):
        return "cross-origin post refused"
    return ""


def _names_this_page(authority: str, port: int | None, scheme: str) -> bool:
    """Whether a Host ("") or Origin ("http://") header is 127.0.0.1 or localhost with the served port."""
    port_pattern = f":{port}" if port else r"(:\d+)?"
    return re.fullmatch(rf"{scheme}(127\.0\.0\.1|localhost){port_pattern}", authority.lower()) is not None


def _render_item(
    request: Request, session: ReviewSession, store: ReviewStore, item: Item, *, error: str = "", status: int = 200, typed: str = ""
) -> Response:
    reloaded = _reload_if_rerun(session, store)
    decisions = store.decisions(item.patient_id, item.field)
    visible = [d for d in decisions if not session.blind or d.reviewer == session.reviewer]
    evidence = [_evidence(session, mention_id) for mention_id in item.evidence]
    spec = value_spec(session.study, item.field) or {"type": "", "allowed": ""}
    sources = dict(zip(item.candidates, item.candidate_sources))
    choices = [(value, sources.get(value, "")) for value in dict.fromkeys([item.tool_value, *item.candidates])]
    decides = [(name, (session.study.column(name) or {}).get("meaning", "")) for name in item.decides]
    return TEMPLATES.TemplateResponse(request, "item.html", {
        "session": session, "item": item, "spec": spec, "choices": choices, "decides": decides, "decisions": visible,
        "evidence": [e for e in evidence if e], "events": session.events.get(item.patient_id, []),
        "error": error, "typed": typed, "next": _next_item(session, store, item),
        "progress": _progress(session, store), "reloaded": reloaded, "notes_missing": session.notes_missing,
    }, status_code=status)


def _evidence(session: ReviewSession, mention_id: str) -> dict[str, Any] | None:
    """A note cut into text / highlighted sentence / text, for the template to escape."""
    mention = session.mentions.get(mention_id)
    if mention is None:
        return None
    text = session.notes.get(mention["note_id"])
    start, end = int(mention["start"]), int(mention["end"])
    if text is None:
        return {"mention": mention, "before": "", "sentence": mention["snippet"], "after": "", "missing": True}
    sentence_start = max(text.rfind("\n", 0, start) + 1, start - 300)
    sentence_end = text.find("\n", end)
    sentence_end = len(text) if sentence_end < 0 else min(sentence_end, end + 300)
    return {
        "mention": mention, "anchor": f"m{abs(hash(mention_id)) % 10**9}",
        "before": text[:sentence_start], "sentence_before": text[sentence_start:start], "target": text[start:end],
        "sentence_after": text[end:sentence_end], "after": text[sentence_end:], "missing": False,
    }


def _matches(item: Item, chosen: dict[str, str], study: Study) -> bool:
    """Whether an item passes the index page's patient, kind and flag filters ("" = any)."""
    return ((not chosen["patient"] or item.patient_id == chosen["patient"])
            and (not chosen["kind"] or item_kind(item.field, study) == chosen["kind"])
            and (not chosen["flag"] or chosen["flag"] in item.flags.split(";")))


def _filters(items: list[Item], study: Study) -> dict[str, list[str]]:
    """The values each filter of the index page offers: those present among the items."""
    return {
        "patient": sorted({i.patient_id for i in items}),
        "kind": sorted({item_kind(i.field, study) for i in items}),
        "flag": sorted({flag for i in items for flag in i.flags.split(";") if flag}),
    }


def _summary(session: ReviewSession, store: ReviewStore, item: Item) -> dict[str, Any]:
    mine = _mine_or_effective(session, store, item)
    return {"item": item, "decided": mine is not None, "value": mine.value if mine else item.tool_value}


def _mine_or_effective(session: ReviewSession, store: ReviewStore, item: Item) -> Any:
    decisions = [d for d in store.decisions(item.patient_id, item.field)
                 if d.evidence_digest == item.evidence_digest and _still_valid(session.study, item, d)]
    if session.blind or session.role == "reviewer":
        mine = [d for d in decisions if d.reviewer == session.reviewer]
        if mine:
            return mine[-1]
        if session.blind:
            return None
    return effective_decision(decisions, item.evidence_digest)


def _still_valid(study: Study, item: Item, decision: Any) -> bool:
    """A stored decision that no longer fits its item (stored by an older version) decides nothing."""
    if decision.choice == "not_determinable" or decision.value == "":
        return True
    try:
        validate_value(study, item.field, decision.value)
    except InvalidValue:
        return False
    return True


def _progress(session: ReviewSession, store: ReviewStore) -> tuple[int, int]:
    items = store.items()
    return sum(1 for i in items if _mine_or_effective(session, store, i) is not None), len(items)


def _next_item(session: ReviewSession, store: ReviewStore, current: Item | None) -> Item | None:
    """The next item this reviewer has not decided, after the current one (wrapping around)."""
    items = store.items()
    pending = [i for i in items if _mine_or_effective(session, store, i) is None]
    if not pending:
        return None
    if current is None:
        return pending[0]
    keys = [i.key for i in items]
    position = keys.index(current.key) if current.key in keys else -1
    later = [i for i in pending if keys.index(i.key) > position and i.key != current.key]
    return (later or [i for i in pending if i.key != current.key] or [None])[0]


def free_socket(port: int = 0) -> socket.socket:
    """A listening socket on the loopback address only (port 0: any free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(128)
    return sock


def serve(session: ReviewSession, sock: socket.socket) -> None:
    """Run the app until Ctrl-C."""
    import uvicorn

    config = uvicorn.Config(create_app(session, port=sock.getsockname()[1]), log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


def _read(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        raise InputError(f"{path}: not found (run `chartabstract run --out {path.parent}` first)")
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
