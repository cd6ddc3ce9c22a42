"""Every Python block in README.md and docs/ runs against the embedded server.

Each block runs as its own program with ``http://localhost:8080`` pointed at the plugin's
embedded server (reset before each block). A block that defines pytest tests (the testing
guide's) has them called with the plugin's fixtures. Framework blocks carry a marker naming the
test that runs their app instead, and this checks that the file exists; see ``_blocks``.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import linecache
import warnings
from collections.abc import Callable
from types import CodeType
from typing import Any

import pytest

from gopherqueue import GopherQueue, GopherQueueSync, InsecureTransportWarning
from gopherqueue.testing import DevServer

from ._blocks import Block, all_blocks

BLOCKS = all_blocks()
LOCAL = "http://localhost:8080"


def _compile(block: Block, url: str) -> CodeType:
    source = block.code.replace(LOCAL, url)
    # Tracebacks then show the block's lines.
    linecache.cache[block.id] = (len(source), None, source.splitlines(True), block.id)
    return compile(
        source, block.id, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True
    )


def _run(code: CodeType, namespace: dict[str, Any]) -> None:
    if code.co_flags & inspect.CO_COROUTINE:
        # A block with a top-level `await` / `async with` evaluates to a coroutine.
        asyncio.run(eval(code, namespace))
    else:
        exec(code, namespace)


def _call_tests(namespace: dict[str, Any], server: DevServer) -> list[str]:
    """Call each ``test_*`` function the block defined with the plugin's fixtures."""
    called: list[str] = []
    for name, test in list(namespace.items()):
        if not (name.startswith("test_") and callable(test)):
            continue
        server.reset()
        called.append(name)
        params = inspect.signature(test).parameters
        if inspect.iscoroutinefunction(test):

            async def run_async(test: Callable[..., Any] = test, params: Any = params) -> None:
                async with GopherQueue(server.url) as client:
                    fixtures = {"gopherqueue_server": server, "gopherqueue_async_client": client}
                    await test(**{p: fixtures[p] for p in params})

            asyncio.run(run_async())
        else:
            with GopherQueueSync(server.url) as client:
                fixtures = {"gopherqueue_server": server, "gopherqueue_client": client}
                test(**{p: fixtures[p] for p in params})
    return called


def _given(names: list[str], server: DevServer) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in names:
        if name == "job_id":
            with GopherQueueSync(server.url) as client:
                values["job_id"] = client.submit("echo", "given").id
        else:
            raise AssertionError(f"the docs test cannot provide {name!r}")
    return values


RUNNABLE = [b for b in BLOCKS if b.runs_in is None and not b.not_run]


@pytest.mark.parametrize("block", RUNNABLE, ids=[b.id for b in RUNNABLE])
def test_block_runs(block: Block, gopherqueue_server: DevServer) -> None:
    namespace: dict[str, Any] = {"__name__": "__main__"}
    namespace.update(_given(block.given, gopherqueue_server))
    code = _compile(block, gopherqueue_server.url)
    with warnings.catch_warnings():
        # Examples pass api_key="..." to a plain-http URL, as a reader's local setup would.
        warnings.simplefilter("ignore", InsecureTransportWarning)
        _run(code, namespace)
        _call_tests(namespace, gopherqueue_server)


ELSEWHERE = [b for b in BLOCKS if b.runs_in is not None]


@pytest.mark.parametrize("block", ELSEWHERE, ids=[b.id for b in ELSEWHERE])
def test_block_runs_elsewhere_in_a_file_that_exists(block: Block) -> None:
    assert block.runs_in is not None
    assert block.runs_in.is_file(), f"{block.id}: {block.runs_in} does not exist"


def test_every_block_is_accounted_for() -> None:
    # Each block runs here, runs in a named test, or says why it is no program.
    assert BLOCKS, "no Python blocks found in the docs"
    for block in BLOCKS:
        assert block.marker is None or block.runs_in or block.not_run or block.given, block.id
    assert len(RUNNABLE) >= 15, [b.id for b in RUNNABLE]


def test_the_testing_guide_defines_tests_that_get_called(gopherqueue_server: DevServer) -> None:
    # The guide's pytest example is run by calling its tests, not only by defining them.
    [block] = [b for b in RUNNABLE if "def test_resize" in b.code]
    namespace: dict[str, Any] = {"__name__": "docs_block"}
    _run(_compile(block, gopherqueue_server.url), namespace)
    called = _call_tests(namespace, gopherqueue_server)
    assert called == ["test_resize", "test_lost_response_is_not_a_duplicate", "test_async"]
