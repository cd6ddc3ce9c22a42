"""The guide's Python snippets (examples/guide/*.py) run against the embedded server.

Each example reads the server URL from GOPHERQUEUE_URL. They run in this process through
``runpy`` (a subprocess costs a second of interpreter start-up per script), except the SSE one,
which streams until interrupted and so runs as a subprocess that gets SIGINT.

The guide's job types (``email``) are unknown to the real server, where such a job fails with
"no handler registered"; most tests register a recording handler for them, and
``test_basic_usage_on_a_server_without_email_handler`` shows what happens without one.
"""

from __future__ import annotations

import os
import queue
import re
import runpy
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

from gopherqueue import GopherQueueSync
from gopherqueue.testing import DevServer, JobContext

from ._helpers import EXAMPLES, Recorder

GUIDE = EXAMPLES / "guide"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def run_example(name: str, url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Run examples/guide/<name>.py as ``__main__`` with GOPHERQUEUE_URL=url; its globals."""
    monkeypatch.setenv("GOPHERQUEUE_URL", url)
    return runpy.run_path(str(GUIDE / f"{name}.py"), run_name="__main__")


@pytest.fixture
def email(gopherqueue_server: DevServer) -> Recorder:
    recorder = Recorder({"sent": True})
    gopherqueue_server.register("email", recorder)
    return recorder


def test_basic_usage(
    gopherqueue_server: DevServer,
    email: Recorder,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run_example("basic_usage", gopherqueue_server.url, monkeypatch)

    out = capsys.readouterr().out
    match = re.fullmatch(rf"Created job: ({UUID})\nJob completed successfully!\n", out)
    assert match, out
    [job] = gopherqueue_server.jobs()
    assert job["id"] == match[1]
    assert (job["type"], job["state"]) == ("email", "completed")
    assert email.payloads == [{"to": "user@example.com"}]


def test_basic_usage_on_a_server_without_email_handler(
    gopherqueue_server: DevServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Like `gq serve`: an unknown job type fails (permanently), so no success line.
    run_example("basic_usage", gopherqueue_server.url, monkeypatch)

    out = capsys.readouterr().out
    assert re.fullmatch(rf"Created job: {UUID}\n", out), out
    [job] = gopherqueue_server.jobs()
    assert job["state"] == "failed"
    assert job["last_error"] == "no handler registered for job type: email"


def test_sync_client(
    gopherqueue_server: DevServer, email: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    namespace = run_example("sync_client", gopherqueue_server.url, monkeypatch)
    namespace["client"].close()  # the snippet leaves it open

    [job] = gopherqueue_server.jobs()
    assert job["id"] == namespace["job"].id
    assert (job["type"], job["state"]) == ("email", "completed")
    assert email.payloads == [{"to": "user@example.com"}]
    result = namespace["result"]
    assert (result.job_id, result.completed, result.success) == (job["id"], True, True)


def test_batch(
    gopherqueue_server: DevServer,
    email: Recorder,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run_example("batch", gopherqueue_server.url, monkeypatch)

    jobs = gopherqueue_server.jobs()
    assert [job["type"] for job in jobs] == ["email", "email"]
    assert capsys.readouterr().out == f"Accepted 2 of 2: {[job['id'] for job in jobs]}\n"
    deadline = time.monotonic() + 5
    while len(email.payloads) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sorted(p["to"] for p in email.payloads) == ["user1@example.com", "user2@example.com"]


def test_stats(
    gopherqueue_server: DevServer,
    gopherqueue_client: GopherQueueSync,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Fill every worker with a job that blocks, plus two more that have to queue, so that
    # both counts the snippet prints are non-zero.
    release = threading.Event()

    def hold(ctx: JobContext) -> None:
        release.wait(10)

    gopherqueue_server.register("hold", hold)
    workers = gopherqueue_client.stats().workers.total_workers
    try:
        for _ in range(workers + 2):
            gopherqueue_client.submit("hold")
        deadline = time.monotonic() + 5
        while len(gopherqueue_server.jobs(state="running")) < workers:
            assert time.monotonic() < deadline, gopherqueue_server.jobs()
            time.sleep(0.01)

        run_example("stats", gopherqueue_server.url, monkeypatch)

        pending = len(gopherqueue_server.jobs(state="pending"))
        running = len(gopherqueue_server.jobs(state="running"))
    finally:
        release.set()
    assert (pending, running) == (2, workers)
    assert capsys.readouterr().out == f"Pending: {pending}, Running: {running}\n"


def test_error_classes_with_auth(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with DevServer(api_key="example-key") as server:
        monkeypatch.setenv("GOPHERQUEUE_API_KEY", "example-key")
        run_example("error_classes", server.url, monkeypatch)
        assert server.job_count() == 0

    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "JobNotFoundError",
        "ValidationError",
        "AuthenticationError",
    ]
    assert "job not found" in lines[0]
    assert "job_type" in lines[1]
    assert "401" in lines[2]


def test_error_classes_without_auth(
    gopherqueue_server: DevServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Like `gq serve`, which has no auth: the wrong key is accepted.
    monkeypatch.delenv("GOPHERQUEUE_API_KEY", raising=False)
    run_example("error_classes", gopherqueue_server.url, monkeypatch)

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("JobNotFoundError: ")
    assert lines[1].startswith("ValidationError: ")
    assert lines[2] == "AuthenticationError: not raised, this server does not check API keys"


class _Lines:
    """The stdout lines of a subprocess, readable with a timeout."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self._queue: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        assert proc.stdout is not None
        stdout = proc.stdout
        threading.Thread(target=lambda: [self._queue.put(x) for x in stdout], daemon=True).start()

    def until(self, predicate: Any, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._queue.get(timeout=max(deadline - time.monotonic(), 0.001))
            except queue.Empty:
                raise AssertionError(f"no matching line in {timeout}s; saw {self.seen}") from None
            self.seen.append(line)
            if predicate(line):
                return line


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_sse_events(
    gopherqueue_server: DevServer, email: Recorder, gopherqueue_client: GopherQueueSync
) -> None:
    env = dict(os.environ, GOPHERQUEUE_URL=gopherqueue_server.url, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, str(GUIDE / "sse_events.py")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A test run started in the background inherits SIGINT ignored; the child must not.
        preexec_fn=_default_sigint,
    )
    try:
        lines = _Lines(proc)
        # The stream's first event tells that the subscription is live (the server keeps no
        # history: events published before it would be lost).
        assert lines.until(lambda line: True) == "connected: {'status': 'connected'}\n"

        other = gopherqueue_client.submit("echo", {"n": 1})
        job = gopherqueue_client.submit("email", {"to": "user@example.com"})
        line = lines.until(lambda line: job.id in line)

        assert line.startswith("job.created: {")
        assert f"'id': '{job.id}'" in line
        assert "'type': 'email'" in line
        # Events arrive in order, so the echo job's event would have come first.
        assert not any(other.id in seen for seen in lines.seen)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            _, stderr = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert proc.returncode == 0, stderr
