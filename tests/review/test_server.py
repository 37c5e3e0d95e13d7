"""Every route of the review page: token, CSRF, validation, escaping, and decisions stored."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from chartabstract.review.server import create_app, load_session
from chartabstract.review.store import ReviewStore
from chartabstract.study import load_study

PORT = 8765  # never bound: the TestClient talks to the app directly, with Host 127.0.0.1:PORT


@pytest.fixture()
def client(review_run):
    _, out = review_run
    store = ReviewStore(out / "review.db")
    session = load_session(out, store, load_study(), reviewer="ana")
    with TestClient(create_app(session, port=PORT), base_url=f"http://127.0.0.1:{PORT}", follow_redirects=False) as test_client:
        yield test_client, session, out
    store.close()


def _item_url(session) -> str:
    item = next(i for i in session.store.items() if i.field == "blinatumomab_start.date")
    return f"/item/{item.patient_id}/{item.field}"


@pytest.mark.parametrize(("method", "path"), [("get", "/"), ("get", "/item?patient=P1&field=blinatumomab_start.date"),
                                              ("post", "/item?patient=P1&field=blinatumomab_start.date"), ("get", "/static/review.js")])
def test_server_every_route_needs_the_token(client, method, path):
    test_client, _, _ = client
    assert getattr(test_client, method)(path).status_code == 403
    assert getattr(test_client, method)(path + "?token=wrong").status_code == 403


def test_server_token_in_url_then_cookie(client):
    test_client, session, _ = client
    first = test_client.get(f"/?token={session.token}")
    assert first.status_code == 200 and "blinatumomab_start" in first.text
    assert "httponly" in first.headers["set-cookie"].lower() and "samesite=strict" in first.headers["set-cookie"].lower()
    assert test_client.get("/").status_code == 200  # the cookie now carries the token
    assert "default-src 'self'" in first.headers["content-security-policy"]


def test_server_note_text_is_escaped(client):
    test_client, session, _ = client
    page = test_client.get(_item_url(session) + f"?token={session.token}")
    assert page.status_code == 200
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in page.text
    assert "<script>alert" not in page.text
    assert re.search(r"<mark id=\"m\d+\">blinatumomab</mark>", page.text)


def test_server_post_without_or_with_wrong_csrf_is_rejected(client):
    test_client, session, _ = client
    url = _item_url(session) + f"?token={session.token}"
    for csrf in ("", "forged"):
        response = test_client.post(url, data={"csrf": csrf, "action": "accept", "value": "2019-03-04"})
        assert response.status_code == 403 and "CSRF" in response.text
    assert session.store.decisions() == []


@pytest.mark.parametrize(("field", "value", "message"), [
    ("blinatumomab_start.date", "2019-02-30", "is not a real date"),
    ("blinatumomab_start.date", "March", "is not a real date"),
])
def test_server_validation_errors(client, field, value, message):
    test_client, session, _ = client
    url = _item_url(session) + f"?token={session.token}"
    response = test_client.post(url, data={"csrf": session.csrf, "action": "correct", "value": value})
    assert response.status_code == 400 and message in response.text
    assert session.store.decisions() == []


def test_server_unknown_action_and_item(client):
    test_client, session, _ = client
    url = _item_url(session) + f"?token={session.token}"
    assert test_client.post(url, data={"csrf": session.csrf, "action": "maybe"}).status_code == 400
    assert test_client.get(f"/item/P9/nothing?token={session.token}").status_code == 404


def test_server_accept_correct_and_not_determinable_are_stored_and_audited(client, review_run):
    test_client, session, out = client
    notes, _ = review_run
    items = session.store.items()
    accept, correct, nd = items[0], items[1], items[2]
    token = f"?token={session.token}"
    first = test_client.post(f"/item/{accept.patient_id}/{accept.field}{token}",
                             data={"csrf": session.csrf, "action": "accept", "value": accept.tool_value or accept.candidates[0]})
    assert first.status_code == 303 and first.headers["location"].startswith("/item?patient=")
    test_client.post(f"/item/{correct.patient_id}/{correct.field}{token}",
                     data={"csrf": session.csrf, "action": "correct", "value": "2019-03-05" if correct.field.endswith("start") else correct.tool_value, "reason": "admin note"})
    test_client.post(f"/item/{nd.patient_id}/{nd.field}{token}", data={"csrf": session.csrf, "action": "nd", "value": ""})
    decisions = session.store.decisions()
    assert [d.choice for d in decisions] == ["accept", "correct", "not_determinable"]
    assert all(d.reviewer == "ana" and d.decided_at for d in decisions)
    assert decisions[1].previous_value == correct.tool_value and decisions[1].reason == "admin note"
    assert [row["action"] for row in session.store.audit_log()][-3:] == ["decide:accept", "decide:correct", "decide:not_determinable"]


def test_server_blind_mode_hides_other_reviewers(review_run):
    _, out = review_run
    store = ReviewStore(out / "review.db")
    item = next(i for i in store.items() if i.field == "blinatumomab_start.date")
    store.record_decision(item, reviewer="ana", choice="correct", value="2019-03-10", reason="reason from ana")
    for blind, shown in ((True, False), (False, True)):
        session = load_session(out, store, load_study(), reviewer="bo", blind=blind)
        with TestClient(create_app(session, port=PORT), base_url=f"http://127.0.0.1:{PORT}") as test_client:
            page = test_client.get(f"/item/{item.patient_id}/{item.field}?token={session.token}")
        assert ("reason from ana" in page.text) is shown
    store.close()
