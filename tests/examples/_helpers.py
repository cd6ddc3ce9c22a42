"""Shared by the example tests: loading an example file and recording handlers."""

from __future__ import annotations

import importlib.util
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from gopherqueue.testing import JobContext

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load_module(path: Path, name: str) -> ModuleType:
    """Import ``path`` as a fresh module named ``name`` (re-running its module-level code, so a
    module-level client reads GOPHERQUEUE_URL again). The module is left out of sys.modules."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # for frameworks that look their app module up while loading
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


class Recorder:
    """A job handler for the embedded server that records each payload and returns ``output``.

    The real server only knows echo/sleep/error; the guide's job types (email, send_email,
    ...) get one of these, so the tests can check what each job carried and that it ran.
    """

    def __init__(self, output: Any = None) -> None:
        self.output = {"ok": True} if output is None else output
        self.payloads: list[Any] = []
        self._lock = threading.Lock()

    def __call__(self, ctx: JobContext) -> Any:
        with self._lock:
            self.payloads.append(ctx.payload_json())
        return self.output


def wait_for(predicate: Callable[[], object], timeout: float = 5.0) -> bool:
    """Poll ``predicate`` until it is true (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def refused_url() -> str:
    """A loopback URL nothing listens on: a port the OS handed out, then closed."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
