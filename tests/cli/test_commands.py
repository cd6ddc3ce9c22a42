"""Every command through the installed entry point, against the embedded server: stdout
(parsed with ``--json``), stderr and the exit status."""

from __future__ import annotations

import json
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from gopherqueue.testing import DevServer, JobContext

from ._support import BIN, SECRET, check_secret, clean_env, run

UNKNOWN = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def gate(server: DevServer) -> Iterator[threading.Event]:
    """A ``held`` job type whose jobs run until the test sets the event."""
    release = threading.Event()

    def held(ctx: JobContext) -> str:
        ctx.report_progress(40, "halfway")
        release.wait()
        return "released"

    server.register("held", held)
    yield release
    release.set()


def test_help_lists_every_command_and_never_the_key() -> None:
    env = clean_env(GOPHERQUEUE_API_KEY=SECRET)
    done = subprocess.run(
        [str(BIN), "--help"], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0
    check_secret(done.stdout, done.stderr)
    for name in ("submit", "batch", "get", "list", "result", "wait", "watch", "events"):
        assert name in done.stdout
    for name in ("stats", "health", "cancel", "retry", "delete", "dev-server", "--json"):
        assert name in done.stdout
    for command in ("submit", "batch", "dev-server"):
        sub = subprocess.run(
            [str(BIN), command, "--help"], capture_output=True, text=True, env=env, check=False
        )
        assert sub.returncode == 0
        check_secret(sub.stdout, sub.stderr)


def test_submit_prints_the_id_and_get_shows_the_job(server: DevServer) -> None:
    ran = run(server.url, "submit", "echo", '{"to": "a@example.com"}')
    assert ran.code == 0, ran.err
    job_id = ran.out.strip()
    assert server.get_job(job_id) is not None

    got = run(server.url, "--json", "wait", job_id)
    assert got.code == 0
    assert got.json()["result"]["output"] == {"to": "a@example.com"}

    shown = run(server.url, "--json", "get", job_id)
    assert shown.code == 0
    job = shown.json()
    assert job["id"] == job_id
    assert job["state"] == "completed"
    assert job["result"]["success"] is True

    table = run(server.url, "get", job_id)
    assert table.code == 0
    assert job_id in table.out
    assert "completed" in table.out


def test_submit_passes_every_option(server: DevServer) -> None:
    ran = run(
        server.url,
        "--json",
        "submit",
        "echo",
        "[1, 2]",
        "--priority",
        "0",
        "--delay",
        "1h",
        "--timeout",
        "90s",
        "--max-attempts",
        "5",
        "--idempotency-key",
        "order-7",
        "--correlation-id",
        "trace-1",
        "--tag",
        "team=core",
        "--tag",
        "env=test",
    )
    assert ran.code == 0, ran.err
    job = ran.json()
    assert job["priority"] == 0
    assert job["max_attempts"] == 5
    assert job["tags"] == {"team": "core", "env": "test"}
    assert job["state"] in ("scheduled", "delayed")
    assert job["scheduled_at"] is not None

    again = run(server.url, "--json", "submit", "echo", "[1, 2]", "--idempotency-key", "order-7")
    assert again.code == 0
    assert again.json()["id"] == job["id"]
    assert again.json()["replayed"] is True


def test_payload_from_a_file_and_from_stdin(server: DevServer, tmp_path: Path) -> None:
    path = tmp_path / "payload.json"
    path.write_text('{"from": "file"}')
    from_file = run(server.url, "--json", "submit", "echo", f"@{path}", "--wait")
    assert from_file.code == 0, from_file.err
    assert from_file.json()["result"]["output"] == {"from": "file"}

    from_stdin = run(server.url, "submit", "echo", "-", "--wait", stdin='{"from": "stdin"}')
    assert from_stdin.code == 0, from_stdin.err
    assert json.loads(from_stdin.out) == {"from": "stdin"}


@pytest.mark.parametrize(
    "args",
    [
        ("submit", "echo", "{not json"),
        ("submit", "echo", "{}", "--priority", "9"),
        ("submit", "echo", "{}", "--tag", "novalue"),
        ("submit", "", "{}"),
        ("get", "not-a-uuid"),
        ("frobnicate",),
    ],
    ids=["payload", "priority", "tag", "type", "job-id", "command"],
)
def test_bad_input_exits_2_before_any_request(server: DevServer, args: tuple[str, ...]) -> None:
    ran = run(server.url, *args)
    assert ran.code == 2
    assert ran.out == ""
    assert "Traceback" not in ran.err
    assert server.faults.requests == []


def test_submit_wait_on_a_failing_job_exits_1(server: DevServer) -> None:
    ran = run(server.url, "submit", "error", '"boom"', "--max-attempts", "1", "--wait")
    assert ran.code == 1
    assert "failed" in ran.err
    assert "boom" in ran.err

    as_json = run(server.url, "--json", "submit", "error", "{}", "--max-attempts", "1", "--wait")
    assert as_json.code == 1
    assert as_json.json()["state"] == "dead_letter"
    assert as_json.json()["result"]["success"] is False


def test_wait_times_out_on_a_held_job_with_exit_3(server: DevServer, gate: threading.Event) -> None:
    job_id = run(server.url, "submit", "held").out.strip()
    ran = run(server.url, "wait", job_id, "--timeout", "1")
    assert ran.code == 3
    assert "still" in ran.err
    as_json = run(server.url, "--json", "wait", job_id, "--timeout", "0")
    assert as_json.code == 3
    assert as_json.json()["timed_out"] is True
    watched = run(server.url, "watch", job_id, "--timeout", "1", "--interval", "0.2")
    assert watched.code == 3
    assert "did not finish" in watched.err


@pytest.mark.parametrize(
    "args",
    [
        ("get", UNKNOWN),
        ("wait", UNKNOWN),
        ("result", UNKNOWN),
        ("cancel", UNKNOWN),
        ("retry", UNKNOWN),
        ("delete", UNKNOWN),
        ("watch", UNKNOWN),
    ],
    ids=lambda a: a[0],
)
def test_an_unknown_id_exits_4(server: DevServer, args: tuple[str, ...]) -> None:
    ran = run(server.url, *args)
    assert ran.code == 4
    assert ran.err.startswith("error: ")
    assert len(ran.err.strip().splitlines()) == 1


def test_result_of_an_unfinished_job_exits_4(server: DevServer, gate: threading.Event) -> None:
    job_id = run(server.url, "submit", "held").out.strip()
    assert run(server.url, "result", job_id).code == 4


def _refused_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Bound and closed without listening: connections to it are refused.
    return f"http://127.0.0.1:{port}"


def test_a_refused_port_exits_5_with_one_line() -> None:
    ran = run(_refused_url(), "stats")
    assert ran.code == 5
    assert ran.err.startswith("error: ")
    assert "Traceback" not in ran.err
    assert len(ran.err.strip().splitlines()) == 1

    verbose = run(_refused_url(), "--verbose", "stats")
    assert verbose.code == 5
    assert "Traceback" in verbose.err


def test_a_wrong_key_is_refused_and_never_printed(server: DevServer) -> None:
    wrong = "wrong-key-" + SECRET[::-1]
    for extra in ((), ("--verbose",)):
        ran = run(server.url, *extra, "stats", key=wrong)
        assert ran.code == 5
        assert wrong not in ran.out + ran.err
    from_env = run(
        server.url, "--json", "stats", key=None, env=clean_env(GOPHERQUEUE_API_KEY=SECRET)
    )
    assert from_env.code == 0
    assert from_env.json()["total_jobs"] == 0


def test_list_filters_and_prints_a_table(server: DevServer) -> None:
    first = run(server.url, "submit", "echo", "1", "--wait").code
    assert first == 0
    failed = run(server.url, "submit", "error", "{}", "--max-attempts", "1", "--wait")
    assert failed.code == 1
    all_jobs = run(server.url, "--json", "list").json()
    assert len(all_jobs) == 2
    dead = run(server.url, "--json", "list", "--state", "dead_letter").json()
    assert [j["type"] for j in dead] == ["error"]
    echoes = run(server.url, "--json", "list", "--type", "echo").json()
    assert [j["type"] for j in echoes] == ["echo"]
    table = run(server.url, "list")
    assert table.code == 0
    for job in all_jobs:
        assert job["id"] in table.out


def test_result_raw_writes_the_output_bytes(server: DevServer) -> None:
    job_id = run(server.url, "submit", "echo", '{"k": "v"}').out.strip()
    assert run(server.url, "wait", job_id).code == 0
    raw = subprocess.run(
        [str(BIN), "--url", server.url, "--api-key", SECRET, "result", job_id, "--raw"],
        capture_output=True,
        env=clean_env(),
        check=False,
    )
    assert raw.returncode == 0
    assert raw.stdout == b'{"k":"v"}'
    as_json = run(server.url, "--json", "result", job_id)
    assert as_json.json()["output"] == {"k": "v"}


def test_cancel_retry_and_delete(server: DevServer) -> None:
    job_id = run(server.url, "submit", "echo", "{}", "--delay", "1h").out.strip()
    cancelled = run(server.url, "--json", "cancel", job_id, "--reason", "not needed")
    assert cancelled.code == 0
    assert cancelled.json()["state"] == "cancelled"

    dead = run(server.url, "--json", "submit", "error", "{}", "--max-attempts", "1", "--wait")
    dead_id = dead.json()["id"]
    retried = run(server.url, "retry", dead_id, "--reset-attempts")
    assert retried.code == 0
    assert retried.out.startswith(dead_id)

    deleted = run(server.url, "--json", "delete", job_id)
    assert deleted.code == 0
    assert deleted.json() == {"id": job_id, "deleted": True}
    assert run(server.url, "get", job_id).code == 4


def test_cancel_force_stops_a_running_job(server: DevServer, gate: threading.Event) -> None:
    job_id = run(server.url, "submit", "held").out.strip()
    watched = run(server.url, "--json", "watch", job_id, "--timeout", "0")
    assert watched.json_lines()[0]["id"] == job_id
    ran = run(server.url, "--json", "cancel", job_id, "--force")
    assert ran.code == 0
    assert ran.json()["state"] == "cancelled"
    assert run(server.url, "wait", job_id).code == 1


def test_watch_streams_json_lines_to_the_end(server: DevServer) -> None:
    job_id = run(server.url, "submit", "echo", '"hi"').out.strip()
    ran = run(server.url, "--json", "watch", job_id)
    assert ran.code == 0
    lines = ran.json_lines()
    assert lines[-1]["state"] == "completed"
    assert lines[-1]["result"]["output"] == "hi"
    text = run(server.url, "watch", job_id)
    assert text.code == 0
    assert text.out.strip() == '"hi"'


def test_stats_and_health(server: DevServer) -> None:
    assert run(server.url, "submit", "echo", "{}", "--wait").code == 0
    stats = run(server.url, "--json", "stats")
    assert stats.code == 0
    assert stats.json()["completed"] == 1
    assert stats.json()["workers"]["total_workers"] >= 1
    table = run(server.url, "stats")
    assert "completed" in table.out

    watched = run(server.url, "--json", "stats", "--watch", "0.01", "--count", "3")
    assert watched.code == 0
    assert [s["completed"] for s in watched.json_lines()] == [1, 1, 1]

    health = run(server.url, "--json", "health")
    assert health.code == 0
    assert health.json()["healthy"] is True
    assert "healthy" in run(server.url, "health").out


def test_events_tails_the_stream_as_json_lines(server: DevServer) -> None:
    command = [str(BIN), "--url", server.url, "--api-key", SECRET, "--json", "events"]
    with subprocess.Popen(
        [*command, "--count", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(),
    ) as child:
        assert child.stdout is not None
        first = json.loads(child.stdout.readline())
        # Connected: what is submitted from now on is on the stream.
        assert first["event"] == "connected"
        job_id = run(server.url, "submit", "echo", "{}", "--delay", "1h").out.strip()
        assert run(server.url, "cancel", job_id).code == 0
        rest = [json.loads(line) for line in child.stdout]
        err = child.stderr.read() if child.stderr else ""
    assert child.returncode == 0, err
    check_secret(err, json.dumps(rest))
    assert [e["event"] for e in rest] == ["job.created", "job.cancelled"]
    assert {e["job_id"] for e in rest} == {job_id}


def test_events_filters_by_type_and_event(server: DevServer) -> None:
    command = [str(BIN), "--url", server.url, "--api-key", SECRET, "events"]
    with subprocess.Popen(
        [*command, "--type", "echo", "--event", "job.created", "--event", "connected", "--count=2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(),
    ) as child:
        assert child.stdout is not None
        assert child.stdout.readline().startswith("connected")
        assert run(server.url, "submit", "error", "{}", "--max-attempts", "1").code == 0
        job_id = run(server.url, "submit", "echo", "{}").out.strip()
        rest = child.stdout.read()
    assert child.returncode == 0
    assert rest.split()[:3] == ["job.created", job_id, "echo"]


def test_dev_server_serves_the_embedded_server() -> None:
    with subprocess.Popen(
        [str(BIN), "--api-key", SECRET, "dev-server", "--port", "0", "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(),
    ) as child:
        try:
            assert child.stdout is not None
            url = child.stdout.readline().strip()
            assert url.startswith("http://127.0.0.1:")
            assert run(url, "--json", "stats").json()["workers"]["total_workers"] == 2
            # It requires the key it was given.
            assert run(url, "stats", key=None).code == 5
        finally:
            child.terminate()
            out, err = child.communicate()
    check_secret(out, err)
