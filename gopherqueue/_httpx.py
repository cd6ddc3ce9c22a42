"""Imported first by ``gopherqueue``: imports httpx without its command-line client.

httpx's ``__init__`` imports its own CLI module, ``httpx._main``, which imports click, rich and
pygments whenever all three are installed (they are with ``gopherqueue[cli]`` beside the
``testing`` extra, whose uvicorn needs click, and in many developer environments). That costs
0.15-0.5 s of import time for a command this SDK never runs. While httpx is first imported,
``httpx._main`` is a stand-in whose ``main`` loads the real module on call, so ``httpx.main()``
still works and ``import httpx._main`` still gets the real module afterwards.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

__all__: list[str] = []


def _real_main(*args: Any, **kwargs: Any) -> Any:
    module = importlib.import_module("httpx._main")
    return module.main(*args, **kwargs)


def _import_httpx() -> None:
    if "httpx" in sys.modules:
        return
    stand_in = types.ModuleType("httpx._main", "Loads httpx's real CLI module when called.")
    stand_in.__dict__["main"] = _real_main
    sys.modules["httpx._main"] = stand_in
    try:
        import httpx  # noqa: F401  # pyright: ignore[reportUnusedImport]
    finally:
        if sys.modules.get("httpx._main") is stand_in:
            del sys.modules["httpx._main"]


_import_httpx()
