"""The one place the embedded server touches uvicorn's non-public API.

uvicorn's public entry point, ``Server.serve()``, binds its own sockets, installs signal
handlers and runs a main loop that polls every 100 ms; the embedded server needs none of that:
it starts on a socket it bound itself (so the port is known before the first request), inside
a loop it owns, and must stop within a test's teardown, aborting open connections (a stuck
client must not hold a test up). So it uses ``Config.load()``, ``Server.startup(sockets=)``,
``Server.servers`` and ``Server.server_state`` (connections and tasks), which uvicorn has kept
stable across the 0.29-0.3x releases but does not document; the ``uvicorn<1`` pin in
pyproject.toml bounds that, and ``tests/testing`` exercises every use here.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import uvicorn

__all__ = ["abort_connections", "open_connections", "start", "stop_listening", "wait_closed"]


async def start(app: Any, sock: socket.socket) -> uvicorn.Server:
    """Serve ``app`` (ASGI 3, HTTP/1.1 over h11, no lifespan, no logging, no added headers) on
    an already bound ``sock`` in the running loop; returns once it accepts connections."""
    config = uvicorn.Config(
        app,
        http="h11",
        ws="none",
        lifespan="off",
        interface="asgi3",
        log_config=None,
        log_level=None,
        access_log=False,
        proxy_headers=False,
        server_header=False,
        date_header=False,
    )
    config.load()
    server = uvicorn.Server(config)
    # serve() would set this before startup(); lifespan="off" makes it a no-op object.
    server.lifespan = config.lifespan_class(config)
    await server.startup(sockets=[sock])
    return server


def stop_listening(server: uvicorn.Server) -> None:
    """Stop accepting new connections."""
    for listener in server.servers:
        listener.close()


def open_connections(server: uvicorn.Server) -> int:
    """How many connections the server holds open."""
    return len(server.server_state.connections)


def abort_connections(server: uvicorn.Server) -> set[asyncio.Task[Any]]:
    """Abort every open connection's transport; the tasks still answering requests."""
    for conn in list(server.server_state.connections):
        transport = getattr(conn, "transport", None)
        if isinstance(transport, asyncio.Transport):
            transport.abort()
    return set(server.server_state.tasks)


async def wait_closed(server: uvicorn.Server, timeout: float) -> None:
    """Wait (at most ``timeout`` seconds in all) until the listeners have closed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    for listener in server.servers:
        try:
            await asyncio.wait_for(listener.wait_closed(), max(deadline - loop.time(), 0.01))
        except TimeoutError:
            pass
