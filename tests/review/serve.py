"""Start `chartabstract review` as a real server process for the durability and browser tests."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path


def start_server(out: Path, reviewer: str = "tester") -> tuple[subprocess.Popen[str], str]:
    """The server process and its tokened URL (the first line it prints)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "chartabstract", "review", str(out), "--reviewer", reviewer, "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"(http://127\.0\.0\.1:\d+/\?token=\S+)", line)
    assert match, f"no URL in {line!r}: {process.stderr.read() if process.poll() is not None else ''}"
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, match.group(1)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("review server did not start listening")
