"""Fork safety: a module-level client that made a request before ``os.fork()`` (gunicorn
``--preload``, Celery prefork, a ``multiprocessing`` fork pool) works in every child, each
child on connections of its own, and the parent keeps working on its own.

The server runs in a subprocess (``python -m gopherqueue.testing``), so the forking test
process holds no server thread, as a preloading master would not.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from gopherqueue import GopherQueue, GopherQueueSync
from gopherqueue._pool import Pool

from ._support import EXTERNAL_URL, make_client

WORKERS = 4
SUBMITS = 50

# The module-level client a preloading master would create; set by the test before the fork.
_CLIENT: Any = None


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    if EXTERNAL_URL is not None:
        yield EXTERNAL_URL
        return
    proc = subprocess.Popen(
        [sys.executable, "-m", "gopherqueue.testing", "--port", "0", "--workers", "4"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()  # printed once the server listens
        assert url.startswith("http://"), url
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _start_together(barrier: Any) -> None:
    # Pool initializer: every worker starts submitting at once, so on a shared connection
    # their requests would interleave.
    barrier.wait(timeout=60)


def _check(job: Any, tag: str, mismatches: list[str]) -> None:
    if job.tags.get("who") != tag:
        mismatches.append(f"{tag} got {job.tags.get('who')!r} ({job.id})")


def _submit_many(worker: int) -> list[str]:
    """Runs in a forked child: submits with distinct tags and returns what came back wrong
    (a job that is not the one this submit created, or an error)."""
    mismatches: list[str] = []
    tags = [f"w{worker}-{i}-pid{os.getpid()}" for i in range(SUBMITS)]
    try:
        if isinstance(_CLIENT, GopherQueueSync):
            for tag in tags:
                _check(_CLIENT.submit("echo", {"tag": tag}, tags={"who": tag}), tag, mismatches)
        else:

            async def main() -> None:
                for tag in tags:
                    job = await _CLIENT.submit("echo", {"tag": tag}, tags={"who": tag})
                    _check(job, tag, mismatches)

            asyncio.run(main())
    except Exception as exc:  # reported, not raised: the parent shows every child's failure
        mismatches.append(f"worker {worker}: {type(exc).__name__}: {exc}")
    return mismatches


def _parent_submits(client: GopherQueue | GopherQueueSync, runner: asyncio.Runner) -> list[str]:
    mismatches: list[str] = []
    tags = [f"parent-{i}" for i in range(10)]
    if isinstance(client, GopherQueueSync):
        for tag in tags:
            _check(client.submit("echo", tags={"who": tag}), tag, mismatches)
        return mismatches

    async def main() -> None:
        for tag in tags:
            _check(await client.submit("echo", tags={"who": tag}), tag, mismatches)

    runner.run(main())
    return mismatches


@pytest.mark.parametrize("kind", ["sync", "async", "async-httpx"])
def test_a_client_used_before_fork_gives_every_child_its_own_jobs(
    kind: str, server_url: str
) -> None:
    global _CLIENT
    client = make_client(kind, server_url)
    _CLIENT = client
    # The parent's event loop stays open across the fork (its pool too), as in a master that
    # keeps serving while it forks.
    with asyncio.Runner() as runner:
        try:
            if isinstance(client, GopherQueueSync):
                assert client.live()
            else:
                assert runner.run(client.live())
            assert _parent_submits(client, runner) == []

            ctx = multiprocessing.get_context("fork")
            barrier = ctx.Barrier(WORKERS)
            with ctx.Pool(WORKERS, initializer=_start_together, initargs=(barrier,)) as pool:
                results = pool.map(_submit_many, range(WORKERS), chunksize=1)
            assert [m for r in results for m in r] == []

            # The parent's own connections were never touched by a child.
            assert _parent_submits(client, runner) == []
        finally:
            _CLIENT = None
            if isinstance(client, GopherQueueSync):
                client.close()
            else:
                runner.run(client.aclose())


def test_a_pool_made_in_the_parent_is_fresh_in_a_forked_child() -> None:
    made: list[object] = []

    def factory() -> object:
        made.append(object())
        return made[-1]

    pool: Pool[object] = Pool(factory, None)
    parent = pool.get()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report whether it got the parent's object, then leave at once
        code = b"ERROR"
        try:
            fresh = pool.get()
            code = b"fresh" if fresh is not parent and pool.get() is fresh else b"SHARED"
            if pool.take() is parent:
                code = b"CLOSED-PARENTS"
        finally:
            os.write(write, code)
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        answer = pipe.read()
    os.waitpid(pid, 0)
    assert answer == b"fresh"
    assert pool.get() is parent  # the parent's pool is unchanged
