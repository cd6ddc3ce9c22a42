"""Running the server: DevServer, AsyncDevServer, restart, thread safety, CLI and pytest plugin."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import httpx
import pytest

from gopherqueue.testing import AsyncDevServer, DevServer, JobContext
from gopherqueue.testing.__main__ import main

from ._helpers import RawStream, events_request, get_job, poll, submit, wait_for

ROOT = Path(__file__).resolve().parents[2]


def test_starts_fast_on_an_ephemeral_port_and_stops_cleanly() -> None:
    started = time.monotonic()
    server = DevServer().start()
    try:
        assert time.monotonic() - started < 0.5
        assert server.running
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert server.port > 0
        assert httpx.get(server.url + "/live").json() == {"alive": True}
        with pytest.raises(RuntimeError, match="already started"):
            server.start()
    finally:
        server.stop()
    server.stop()  # idempotent
    assert not server.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.url + "/live")


def test_restart_keeps_port_and_jobs_and_drops_open_connections() -> None:
    with DevServer() as server, httpx.Client(base_url=server.url) as client:
        gate = threading.Event()
        server.register("gated", lambda ctx: gate.wait(5))
        done = submit(client, type="echo", payload={"kept": True})
        wait_for(client, done["id"])
        running = submit(client, type="gated")
        port = server.port
        stream = RawStream(server.host, port, events_request(server.host, port))
        stream.wait_for("event: connected")
        failures: list[BaseException] = []

        def long_poll() -> None:
            try:
                httpx.post(
                    f"{server.url}/api/v1/jobs/{running['id']}/wait", json={"timeout": "10s"}
                )
            except httpx.HTTPError as exc:
                failures.append(exc)

        wait_path = f"/api/v1/jobs/{running['id']}/wait"
        waits_before = server.faults.hits("POST", wait_path)
        waiter = threading.Thread(target=long_poll)
        waiter.start()
        # The long-poll is in flight once the server has logged its request (the job is gated).
        poll(lambda: server.faults.hits("POST", wait_path) > waits_before)
        started = time.monotonic()
        server.restart()
        assert time.monotonic() - started < 0.5
        waiter.join(5)
        assert len(failures) == 1
        assert isinstance(failures[0], httpx.RemoteProtocolError)
        stream.wait_closed(2)
        assert server.port == port
        assert get_job(client, done["id"])["state"] == "completed"
        result = client.get(f"/api/v1/jobs/{done['id']}/result").json()
        assert result["success"] is True
        assert server.job_count() == 2
        assert client.get("/api/v1/stats").json()["workers"]["processed_jobs"] == 0
        gate.set()
        assert wait_for(client, running["id"])["state"] == "completed"
        assert server.get_job(running["id"].upper())["state"] == "completed"  # type: ignore[index]


def test_cross_thread_registration_and_reset_while_jobs_run() -> None:
    with DevServer(workers=8) as server, httpx.Client(base_url=server.url) as client:

        def register_many(n: int) -> None:
            for i in range(50):
                server.register(f"t{n}-{i}", lambda ctx: ctx.job_type)

        threads = [threading.Thread(target=register_many, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        jobs = [submit(client, type=f"t{n}-49") for n in range(4)]
        for job in jobs:
            assert wait_for(client, job["id"])["state"] == "completed"
        gate = threading.Event()
        server.register("gated", lambda ctx: gate.wait(5))
        for _ in range(5):
            submit(client, type="gated")
        server.reset()
        gate.set()
        assert server.job_count() == 0
        assert server.jobs() == []
        assert client.get("/api/v1/stats").json()["workers"]["active_workers"] == 0


def test_jobs_snapshots(server: DevServer, client: httpx.Client) -> None:
    a = submit(client, type="echo")
    b = submit(client, type="nope")
    wait_for(client, a["id"])
    wait_for(client, b["id"])
    assert [j["id"] for j in server.jobs()] == [a["id"], b["id"]]
    assert [j["id"] for j in server.jobs(state="failed")] == [b["id"]]
    assert [j["id"] for j in server.jobs(job_type="echo")] == [a["id"]]
    assert server.get_job(a["id"]) == get_job(client, a["id"])
    assert server.get_job("00000000-0000-0000-0000-000000000000") is None


async def test_async_dev_server() -> None:
    async with AsyncDevServer(workers=2) as server:

        async def double(ctx: JobContext) -> object:
            return ctx.payload_json() * 2

        server.register("double", double)
        async with httpx.AsyncClient(base_url=server.url) as client:
            job = (await client.post("/api/v1/jobs", json={"type": "double", "payload": 21})).json()
            done = (await client.post(f"/api/v1/jobs/{job['id']}/wait", json={})).json()
            assert done["result"]["output"] == "NDI="  # base64 of b"42"
            port = server.port
            await server.restart()
            assert server.port == port
            again = await client.get(f"/api/v1/jobs/{job['id']}")
            assert again.json()["state"] == "completed"
            assert server.job_count() == 1
    assert not server.running
    await asyncio.sleep(0)


def test_cli_main_rejects_bad_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--workers", "0"]) == 2
    assert "workers" in capsys.readouterr().err


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_cli_serves_until_interrupted() -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gopherqueue.testing",
            "--port",
            "0",
            "--api-key",
            "K",
            "--write-timeout",
            "5",
            "--workers",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
        # A test run started in the background inherits SIGINT ignored; the child must not.
        preexec_fn=_default_sigint,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        assert httpx.get(url + "/api/v1/stats").status_code == 401
        stats = httpx.get(url + "/api/v1/stats", headers={"X-API-Key": "K"}).json()
        assert stats["workers"]["total_workers"] == 2
        proc.send_signal(signal.SIGINT)
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


PLUGIN_TESTS = """
import httpx
import pytest


def test_server_and_handler(gopherqueue_server):
    assert gopherqueue_server.job_count() == 0
    gopherqueue_server.register("triple", lambda ctx: ctx.payload_json() * 3)
    job = httpx.post(gopherqueue_server.url + "/api/v1/jobs", json={"type": "triple", "payload": 2})
    assert job.status_code == 201


def test_isolation(gopherqueue_server):
    assert gopherqueue_server.job_count() == 0
    job = httpx.post(gopherqueue_server.url + "/api/v1/jobs", json={"type": "triple"}).json()
    done = httpx.post(gopherqueue_server.url + f"/api/v1/jobs/{job['id']}/wait", json={}).json()
    assert done["result"]["error_category"] == "permanent"  # the handler was removed


def test_sync_client(gopherqueue_client, gopherqueue_server):
    job = gopherqueue_client.submit("echo", {"a": 1})
    result = gopherqueue_client.wait(job.id, timeout=5)
    assert getattr(result.state, "value", result.state) == "completed"
    assert gopherqueue_server.job_count() == 1


@pytest.mark.asyncio
async def test_async_client(gopherqueue_async_client, gopherqueue_server):
    job = await gopherqueue_async_client.submit("echo", "x")
    result = await gopherqueue_async_client.wait(job.id, timeout=5)
    assert getattr(result.state, "value", result.state) == "completed"
"""


def _docs_example() -> str:
    text = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    match = re.search(r"```python\n(import gopherqueue\n.*?)```", text, re.S)
    assert match is not None, "docs/testing.md lost its pytest example"
    return match.group(1)


def test_pytest_plugin_and_the_docs_example(tmp_path: Path) -> None:
    (tmp_path / "test_uses_plugin.py").write_text(textwrap.dedent(PLUGIN_TESTS))
    (tmp_path / "test_docs_example.py").write_text(_docs_example())
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
    )
    # Autoloading off keeps the child fast (and independent of whether the package, and so
    # its pytest11 entry point, is installed); the plugin is loaded by module name instead.
    env = _env()
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "gopherqueue.testing._plugin"]
    command += ["-p", "pytest_asyncio.plugin", "-p", "no:cacheprovider", str(tmp_path)]
    proc = subprocess.run(
        command, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "7 passed" in proc.stdout


def test_small_responses_are_not_held_back_by_nagle(server: DevServer) -> None:
    # A listening socket created without proto=IPPROTO_TCP made asyncio skip TCP_NODELAY, and
    # every keep-alive response then waited ~40 ms for a delayed ACK.
    with httpx.Client(base_url=server.url) as client:
        client.get("/live")
        started = time.monotonic()
        for _ in range(20):
            client.get("/live")
        assert (time.monotonic() - started) / 20 < 0.02


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["--port", "99999"], "--port: must be a TCP port from 0 to 65535, got 99999"),
        (["--port", "-1"], "--port: must be a TCP port"),
        (["--port", "abc"], "--port: must be a whole number, got 'abc'"),
        (["--workers", "x"], "--workers: must be a whole number"),
        (["--write-timeout", "nan"], "--write-timeout: must be a finite number of seconds"),
        (["--keepalive", "-5"], "--keepalive: must be a finite number of seconds >= 0"),
        (["--retry-backoff", "inf"], "--retry-backoff: must be a finite number"),
    ],
)
def test_cli_out_of_range_values_are_usage_errors_without_a_traceback(
    argv: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # --port 99999 used to reach the socket layer and die with a raw OverflowError traceback.
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert named in err
    assert err.startswith("usage: python -m gopherqueue.testing")
    assert "Traceback" not in err
