"""examples/demo.py (what ``nox -s demo`` runs): exits 0 and prints every step of the tour."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo.py"


def test_demo_runs_the_whole_tour() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOPHERQUEUE_")}
    done = subprocess.run(
        [sys.executable, str(DEMO)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    expected = [
        "Embedded GopherQueue server listening on http://127.0.0.1:",
        "server healthy: True",
        "Created job: ",
        "wait: completed=True success=True state=completed",
        "Job completed successfully!",
        "result output: {'hello': 'world'}",
        "(replayed=True)",
        "Batch: 2 accepted, 0 rejected",
        "'delivered_to': 'user2@example.com'",
        "event: connected",
        "event: job.created send_email",
        "completed    100%",
        "result: {'delivered_to': 'watcher@example.com'",
        "cancelled: state cancelled, reason 'no longer needed'",
        "cancelling a finished job -> ConflictError (409)",
        "error job: state dead_letter, error 'intentional error: \"boom\"'",
        "retry(reset_attempts=True): state pending, attempt 0",
        "charge_card after retry: completed, result {'charged': 990}",
        "unknown job -> JobNotFoundError",
        "Pending: 0, Running: 0",
        "Demo finished in",
    ]
    missing = [line for line in expected if line not in out]
    assert not missing, f"missing from the demo's output: {missing}\n{out}"
    assert out.count("event: job.created send_email") == 2
    # watch() polls, so the exact steps seen depend on timing; the handler takes 0.15 s a step.
    steps = re.findall(r"running +(\d+)%  sent part \d/4 to watcher@example.com", out)
    assert len(steps) >= 2, out
    assert [int(s) for s in steps] == sorted(int(s) for s in steps)
    assert "not an email" not in out  # the echo job was filtered out of the events
    assert out.count("Job completed successfully!") == 2  # sync and async clients
    assert done.stderr == ""
