"""SIGKILL the review server during a burst of decisions: nothing acknowledged is lost."""

from __future__ import annotations

import re
import signal
import sqlite3
import threading
import time

import httpx

from tests.review.serve import start_server


def test_durability_sigkill_during_burst_keeps_every_acknowledged_decision(review_run):
    _, out = review_run
    process, url = start_server(out)
    acknowledged: list[str] = []
    try:
        client = httpx.Client(follow_redirects=False, timeout=5)
        client.get(url)  # sets the token cookie
        page = client.get(url.split("?")[0] + "item?patient=P1&field=blinatumomab_start.date")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)

        def burst() -> None:
            for n in range(2000):
                reason = f"burst {n}"
                try:
                    response = client.post(url.split("?")[0] + "item?patient=P1&field=blinatumomab_start.date",
                                           data={"csrf": csrf, "action": "correct", "value": "2019-03-10", "reason": reason})
                except httpx.HTTPError:
                    return  # the server died mid-request: that one was never acknowledged
                if response.status_code == 303:
                    acknowledged.append(reason)

        worker = threading.Thread(target=burst)
        worker.start()
        while len(acknowledged) < 25 and worker.is_alive():
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        worker.join(timeout=30)
    finally:
        process.kill()
        process.wait()
    assert len(acknowledged) >= 25
    db = sqlite3.connect(out / "review.db")
    stored = {row[0] for row in db.execute("SELECT reason FROM decisions")}
    assert set(acknowledged) <= stored
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    audited = db.execute("SELECT count(*) FROM audit_log WHERE action = 'decide:correct'").fetchone()[0]
    assert audited == len(stored)
