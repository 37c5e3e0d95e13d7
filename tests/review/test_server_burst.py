"""Many reviewers' requests at once against the real server: every acknowledged decision stored once, no 500."""

from __future__ import annotations

import re
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.review.serve import start_server

THREADS, POSTS = 8, 40


def test_server_burst_from_eight_threads_stores_every_decision_once(review_run):
    _, out = review_run
    db = sqlite3.connect(out / "review.db")
    before = db.execute("SELECT count(*) FROM decisions").fetchone()[0]
    process, url = start_server(out)
    try:
        base, token = url.split("?")
        page = requests.get(f"{base}item?patient=P1&field=blinatumomab_start.date&{token}", timeout=10)
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)

        def post(thread: int) -> list[int]:
            with requests.Session() as client:
                client.trust_env = False  # 127.0.0.1 directly, never through a proxy
                return [client.post(f"{base}item?patient=P1&field=blinatumomab_start.date&{token}", allow_redirects=False, timeout=30,
                                    data={"csrf": csrf, "action": "correct", "value": "2019-03-10", "reason": f"{thread}-{n}"}
                                    ).status_code for n in range(POSTS)]

        with ThreadPoolExecutor(THREADS) as pool:
            statuses = [status for result in pool.map(post, range(THREADS)) for status in result]
    finally:
        process.kill()
        process.wait()
    assert statuses == [303] * THREADS * POSTS
    reasons = [row[0] for row in db.execute("SELECT reason FROM decisions")]
    assert len(reasons) - before == THREADS * POSTS
    assert sorted(reasons) == sorted(f"{t}-{n}" for t in range(THREADS) for n in range(POSTS))
