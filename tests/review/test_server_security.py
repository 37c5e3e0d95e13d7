"""What the review page must not trust or get wrong: foreign Host, Origin and port; ids that are not URL-safe;
evidence from before a re-run."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import quote

import pytest
import requests
from fastapi.testclient import TestClient

from chartabstract.review.server import create_app, item_url, load_session
from chartabstract.review.store import Item, ReviewStore
from chartabstract.study import load_study
from tests.review.conftest import NOTES, run, write_notes
from tests.review.serve import start_server

PORT = 8765
ITEM = "/item/P1/blinatumomab_start.date"


@pytest.fixture()
def session(review_run):
    _, out = review_run
    store = ReviewStore(out / "review.db")
    yield load_session(out, store, load_study(), reviewer="ana")
    store.close()


def _client(session, port=PORT):
    return TestClient(create_app(session, port=port), base_url=f"http://127.0.0.1:{port}", follow_redirects=False)


@pytest.mark.parametrize(("host", "status"), [
    (f"127.0.0.1:{PORT}", 200), (f"localhost:{PORT}", 200), (f"LOCALHOST:{PORT}", 200),
    ("evil.example", 403), (f"evil.example:{PORT}", 403), ("127.0.0.1:9999", 403), ("127.0.0.1", 403),
    (f"127.0.0.1.evil.example:{PORT}", 403), ("", 403),
])
def test_server_host_must_name_this_page(session, host, status):
    with _client(session) as client:
        response = client.get(f"/?token={session.token}", headers={"host": host})
    assert response.status_code == status
    if status == 403:
        assert response.headers["content-type"].startswith("text/plain") and "Host" in response.text


@pytest.mark.parametrize(("origin", "status"), [
    (None, 303), (f"http://127.0.0.1:{PORT}", 303), (f"http://localhost:{PORT}", 303), ("null", 303),
    ("http://evil.example", 403), ("http://127.0.0.1:9999", 403), (f"https://127.0.0.1:{PORT}", 403),
    (f"http://127.0.0.1:{PORT}.evil.example", 403),
])
def test_server_post_origin_must_be_this_page(session, origin, status):
    headers = {"origin": origin} if origin else {}
    with _client(session) as client:
        response = client.post(f"{ITEM}?token={session.token}", headers=headers,
                               data={"csrf": session.csrf, "action": "correct", "value": "2019-03-10"})
    assert response.status_code == status
    assert len(session.store.decisions()) == (1 if status == 303 else 0)


def test_server_unknown_port_accepts_loopback_names_only(session):
    with TestClient(create_app(session)) as client:
        assert client.get(f"/?token={session.token}", headers={"host": "localhost:4242"}).status_code == 200
        assert client.get(f"/?token={session.token}").status_code == 403  # TestClient's Host: testserver


def test_server_real_process_checks_host_against_its_port(review_run):
    _, out = review_run
    process, url = start_server(out)
    try:
        with requests.Session() as client:
            client.trust_env = False  # 127.0.0.1 directly, never through a proxy
            assert client.get(url, timeout=10).status_code == 200
            assert client.get(url, headers={"Host": "rebound.example"}, timeout=10).status_code == 403
            port = url.split(":")[2].split("/")[0]
            assert client.get(url, headers={"Host": f"localhost:{int(port) + 1}"}, timeout=10).status_code == 403
    finally:
        process.kill()
        process.wait()


def test_server_cookie_is_named_after_the_port(session):
    names = []
    for port in (PORT, PORT + 1):
        with _client(session, port) as client:
            cookie = client.get(f"/?token={session.token}").headers["set-cookie"]
            assert client.get("/").status_code == 200  # the cookie carries the token on this port
        names.append(cookie.split("=")[0])
        assert {"httponly", "samesite=strict", "path=/"} <= {part.strip().lower() for part in cookie.split(";")}
    assert names == [f"chartabstract_review_{PORT}", f"chartabstract_review_{PORT + 1}"]


def test_server_item_url_encodes_reserved_characters_whole():
    item = Item("a/b?c#d%e f&g", "x/y", "conflict", "", "", (), (), "digest")
    assert item_url(item) == "/item?patient=a%2Fb%3Fc%23d%25e%20f%26g&field=x%2Fy"


def test_server_item_with_slash_in_its_id_is_reachable(session):
    odd = replace(session.store.items()[0], patient_id="P/1?#% x")
    session.store.sync_items([odd], {})
    session = load_session(session.out, session.store, session.study, reviewer="ana")
    with _client(session) as client:
        index = client.get(f"/?token={session.token}")
        assert item_url(odd).replace("&", "&amp;") in index.text
        page = client.get(item_url(odd))
        assert page.status_code == 200 and "P/1?#% x" in page.text
        posted = client.post(item_url(odd), data={"csrf": session.csrf, "action": "nd"})
    assert posted.status_code == 303 and posted.headers["location"] == "/"
    assert [(d.patient_id, d.choice) for d in session.store.decisions()] == [("P/1?#% x", "not_determinable")]


def test_server_patient_folder_with_reserved_characters(tmp_path):
    notes = write_notes(tmp_path / "notes", {name.replace("P1/", "P#1 a?b/"): text for name, text in NOTES.items()})
    run(notes, tmp_path / "out")
    store = ReviewStore(tmp_path / "out" / "review.db")
    session = load_session(tmp_path / "out", store, load_study(), reviewer="ana")
    first, following = store.items()[:2]
    assert first.patient_id == "P#1 a?b"
    with _client(session) as client:
        index = client.get(f"/?token={session.token}")
        assert f'href="/item?patient={quote("P#1 a?b", safe="")}&amp;field=' in index.text
        page = client.get(item_url(first))
        assert page.status_code == 200 and f'action="{item_url(first).replace("&", "&amp;")}"' in page.text
        posted = client.post(item_url(first), data={"csrf": session.csrf, "action": "nd"})
        assert posted.status_code == 303 and posted.headers["location"] == item_url(following)
        assert client.get(posted.headers["location"]).status_code == 200
    assert [(d.patient_id, d.field) for d in store.decisions()] == [(first.patient_id, first.field)]
    store.close()


def test_server_reloads_evidence_after_a_rerun(review_run, session):
    notes, out = review_run
    with _client(session) as client:
        before = client.get(f"{ITEM}?token={session.token}")
        assert before.status_code == 200 and "reloaded" not in before.text and "RERUN-MARKER" not in before.text
        discharge = "P1/2019-03-20_discharge.txt"
        write_notes(notes, {discharge: NOTES[discharge] + "Addendum RERUN-MARKER: seen in clinic.\n"})
        run(notes, out)
        after = client.get(ITEM)
        assert "The run was re-run; evidence reloaded." in after.text and "RERUN-MARKER" in after.text
        assert "reloaded" not in client.get(ITEM).text  # once per re-run
        assert "RERUN-MARKER" in client.get(ITEM).text
