"""``gopherqueue.testing``: a GopherQueue-compatible server for local runs and test suites.

Install with the ``testing`` extra (``pip install gopherqueue[testing]``); the client package
never imports this subpackage. The server is a faithful re-implementation of the real Go
server's HTTP API (same paths, status codes, error envelope, JSON key order, timestamps,
durations, SSE framing and the 30 s write timeout), with built-in ``echo``, ``sleep`` and
``error`` job types, Python handlers, API-key auth and fault injection. The deliberate
differences from upstream are listed in ``docs/testing.md``.

::

    from gopherqueue.testing import DevServer

    with DevServer() as server:
        server.register("resize", lambda ctx: {"ok": True})
        ...  # point a client at server.url

A pytest plugin (entry point ``gopherqueue``) provides the ``gopherqueue_server``,
``gopherqueue_client`` and ``gopherqueue_async_client`` fixtures, and
``python -m gopherqueue.testing`` runs the server from the command line.
"""

from ._durations import parse_go_duration
from ._engine import Handler, JobContext, PermanentError
from ._faults import Fault, FaultInjector, FaultKind
from ._server import AsyncDevServer, DevServer

__all__ = [
    "AsyncDevServer",
    "DevServer",
    "Fault",
    "FaultInjector",
    "FaultKind",
    "Handler",
    "JobContext",
    "PermanentError",
    "parse_go_duration",
]
