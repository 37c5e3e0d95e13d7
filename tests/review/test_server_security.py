"""Requests that do not come from the review page itself: foreign Host (DNS rebinding), foreign Origin, other ports."""

from __future__ import annotations

import pytest
import requests
from fastapi.testclient import TestClient

from chartabstract.review.server import create_app, load_session
from chartabstract.review.store import ReviewStore
from chartabstract.study import load_study
from tests.review.serve import start_server

PORT = 8765
ITEM = "/item/P1/blinatumomab_start"


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
