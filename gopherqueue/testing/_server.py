"""Running the embedded server: :class:`DevServer` (background thread) and
:class:`AsyncDevServer` (inside the caller's event loop).

Both bind the listening socket themselves (so ``port=0`` gives an ephemeral port known before
the first request) and drive uvicorn's HTTP protocol directly, with no lifespan and no 100 ms
main-loop tick, so starting and stopping take milliseconds. ``restart()`` drops every open
connection (in-flight long-polls and SSE streams included, like a process restart) and listens
again on the same port with the same jobs, which stay in memory the way BoltDB keeps them on
disk upstream.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import socket
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Optional, TypeVar, overload

from . import _uvicorn
from ._app import build_app
from ._engine import Engine, Handler, job_json
from ._faults import FaultInjector
from ._http import GoWireMiddleware

if TYPE_CHECKING:
    import uvicorn

__all__ = ["AsyncDevServer", "DevServer"]

_T = TypeVar("_T")
_H = TypeVar("_H", bound=Handler)


class _Inflight:
    """Tracks requests being served so a stop can end them quietly (no error logs)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.tasks: set[asyncio.Task[Any]] = set()
        self.aborted: set[asyncio.Task[Any]] = set()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)
        try:
            await self.app(scope, receive, send)
        except asyncio.CancelledError:
            if task not in self.aborted:
                raise
        finally:
            self.tasks.discard(task)
            self.aborted.discard(task)

    def abort_all(self) -> None:
        for task in list(self.tasks):
            self.aborted.add(task)
            task.cancel()


class _Core:
    """The loop-affine part: engine, faults, ASGI app and the uvicorn protocol server."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        workers: int,
        api_key: Optional[str],
        write_timeout: Optional[float],
        retry_backoff: float,
        retry_backoff_max: float,
        keepalive_interval: float,
        wait_initial_delay: float,
    ) -> None:
        self.host = host
        self.port = port
        self.engine = Engine(
            workers=workers, retry_backoff=retry_backoff, retry_backoff_max=retry_backoff_max
        )
        self.faults = FaultInjector()
        app = build_app(
            self.engine,
            self.faults,
            api_key=api_key,
            write_timeout=write_timeout,
            keepalive_interval=keepalive_interval,
            wait_initial_delay=wait_initial_delay,
        )
        assert isinstance(app, GoWireMiddleware)
        self.inflight = _Inflight(app)
        self._server: Optional[uvicorn.Server] = None

    @property
    def serving(self) -> bool:
        return self._server is not None

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose
        # proto says TCP, and without it every response pays a 40 ms Nagle/delayed-ACK stall.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
            sock.listen(128)
            sock.setblocking(False)
        except OSError:
            sock.close()
            raise
        self.port = int(sock.getsockname()[1])
        return sock

    async def start(self) -> None:
        self.engine.attach(asyncio.get_running_loop())
        sock = self._bind()
        try:
            server = await _uvicorn.start(self.inflight, sock)
        except BaseException:
            sock.close()
            raise
        self._server = server

    async def stop_http(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        _uvicorn.stop_listening(server)
        # Transports first: their connection_lost() callbacks then run before the cancelled
        # requests resume, so uvicorn sees "disconnected" and does not try to answer them.
        tasks = _uvicorn.abort_connections(server)
        self.inflight.abort_all()
        if tasks:
            await asyncio.wait(tasks, timeout=2.0)
        # connection_lost() callbacks run one loop iteration after abort().
        await asyncio.sleep(0)
        await _uvicorn.wait_closed(server, 2.0)

    async def restart(self) -> None:
        await self.stop_http()
        self.engine.restart_counters()
        await self.start()

    async def shutdown(self) -> None:
        await self.stop_http()
        self.engine.close()


class _BaseServer:
    """API shared by both server forms: URL, handlers, reset, faults and job inspection."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        workers: int = 4,
        api_key: Optional[str] = None,
        write_timeout: Optional[float] = 30.0,
        retry_backoff: float = 0.05,
        retry_backoff_max: float = 2.0,
        keepalive_interval: float = 15.0,
        wait_initial_delay: float = 0.0,
    ) -> None:
        self._core = _Core(
            host=host,
            port=port,
            workers=workers,
            api_key=api_key,
            write_timeout=write_timeout,
            retry_backoff=retry_backoff,
            retry_backoff_max=retry_backoff_max,
            keepalive_interval=keepalive_interval,
            wait_initial_delay=wait_initial_delay,
        )
        #: The API key requests must carry, or ``None`` when auth is off.
        self.api_key = api_key
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._loop_thread: Optional[int] = None
        self._thread: Optional[threading.Thread] = None

    # -- addressing ------------------------------------------------------------------------

    @property
    def host(self) -> str:
        """The host the server listens on."""
        return self._core.host

    @property
    def port(self) -> int:
        """The TCP port (the real one once started with ``port=0``)."""
        return self._core.port

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:54321`` (no trailing slash)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def running(self) -> bool:
        """Whether the HTTP listener is up."""
        return self._core.serving

    @property
    def faults(self) -> FaultInjector:
        """The fault injector: ``server.faults.add(...)`` and ``server.faults.hits(...)``."""
        return self._core.faults

    # -- cross-thread calls ----------------------------------------------------------------

    def _call(self, fn: Callable[[], _T]) -> _T:
        loop = self._loop
        if loop is None or not loop.is_running() or threading.get_ident() == self._loop_thread:
            return fn()
        future: concurrent.futures.Future[_T] = concurrent.futures.Future()

        def run() -> None:
            try:
                future.set_result(fn())
            except BaseException as exc:
                future.set_exception(exc)

        loop.call_soon_threadsafe(run)
        return future.result(timeout=30)

    # -- handlers and state ----------------------------------------------------------------

    @overload
    def register(self, job_type: str) -> Callable[[_H], _H]: ...

    @overload
    def register(self, job_type: str, handler: _H) -> _H: ...

    def register(self, job_type: str, handler: Optional[_H] = None) -> Any:
        """Run ``handler(ctx)`` for jobs of ``job_type``; usable as a decorator.

        ``handler`` may be ``async def`` (runs on the server loop) or a plain function (runs in
        a worker thread). It gets a :class:`~gopherqueue.testing.JobContext`; its return value
        (bytes, str, JSON-able or ``None``) becomes the result ``output``; raising fails the
        attempt (``PermanentError``: category ``permanent``, anything else ``temporary``).
        Handlers are removed by :meth:`reset`.

        Args:
            job_type: The job type to handle.
            handler: The handler; without it, ``register`` returns a decorator.

        Returns:
            The handler (or the decorator).
        """
        if handler is None:

            def decorator(fn: _H) -> _H:
                self._call(lambda: self._core.engine.register(job_type, fn))
                return fn

            return decorator
        chosen = handler
        self._call(lambda: self._core.engine.register(job_type, chosen))
        return handler

    def unregister(self, job_type: str) -> None:
        """Remove the handler for a job type (built-ins come back on :meth:`reset`).

        Args:
            job_type: The job type.
        """
        self._call(lambda: self._core.engine.unregister(job_type))

    def reset(self) -> None:
        """Forget all jobs, idempotency keys, counters, faults, the request log and custom
        handlers; the built-in ``echo``, ``sleep`` and ``error`` handlers stay."""
        self._call(self._core.engine.reset)
        self._core.faults.clear()

    def jobs(
        self, state: Optional[str] = None, job_type: Optional[str] = None
    ) -> list[dict[str, Any]]:
        """Snapshots of the stored jobs (the wire JSON as dicts), oldest first.

        Args:
            state: Only jobs in this state.
            job_type: Only jobs of this type.

        Returns:
            The jobs.
        """

        def collect() -> list[dict[str, Any]]:
            return [
                job_json(j)
                for j in self._core.engine.all_jobs()
                if (state is None or j.state == state) and (job_type is None or j.type == job_type)
            ]

        return self._call(collect)

    def job_count(self) -> int:
        """How many jobs are stored (read from the engine, not over HTTP)."""
        return self._call(lambda: len(self._core.engine.all_jobs()))

    def get_job(self, job_id: str) -> Optional[dict[str, Any]]:
        """A snapshot of one job (wire JSON as a dict).

        Args:
            job_id: The job's id.

        Returns:
            The job, or ``None`` if there is none with this id.
        """

        def find() -> Optional[dict[str, Any]]:
            job = self._core.engine.get(job_id.lower())
            return None if job is None else job_json(job)

        return self._call(find)


class DevServer(_BaseServer):
    """A GopherQueue-compatible server on a background thread with its own event loop.

    ::

        with DevServer() as server:
            client = GopherQueueSync(server.url)
            ...

    Constructor arguments: ``host``/``port`` (``0`` = ephemeral), ``workers`` (concurrent
    handlers), ``api_key`` (turns on auth), ``write_timeout`` (seconds; ``None`` disables the
    emulation of upstream's 30 s WriteTimeout), ``retry_backoff``/``retry_backoff_max``
    (automatic retry delay: ``backoff * 2**(attempt-1)`` capped), ``keepalive_interval`` (SSE
    comment period) and ``wait_initial_delay`` (a fixed delay before wait first looks at the
    job; upstream's first look is after 500 ms).

    :meth:`register`, :meth:`reset`, :attr:`faults` and the inspection methods are safe to
    call from any thread.
    """

    def _submit(self, coro: Any, timeout: float = 30.0) -> None:
        assert self._loop is not None
        asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def start(self) -> DevServer:
        """Start listening; returns ``self``. Raises ``RuntimeError`` if already started."""
        if self._thread is not None:
            raise RuntimeError("server already started")
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)
            self._loop_thread = threading.get_ident()
            loop.call_soon(ready.set)
            try:
                loop.run_forever()
            finally:
                pending = asyncio.all_tasks(loop)
                for task in pending:
                    task.cancel()
                if pending:
                    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        thread = threading.Thread(target=run, name="gopherqueue-dev-server", daemon=True)
        self._loop = loop
        self._thread = thread
        thread.start()
        ready.wait()
        try:
            self._submit(self._core.start())
        except BaseException:
            self._halt()
            raise
        return self

    def _halt(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
        self._loop = None
        self._thread = None
        self._loop_thread = None

    def stop(self) -> None:
        """Stop the server and its event loop (idempotent). Running handlers are cancelled."""
        if self._loop is None:
            return
        try:
            self._submit(self._core.shutdown())
        finally:
            self._halt()

    def restart(self) -> None:
        """Drop all connections and listen again on the same port with the same jobs."""
        if self._loop is None:
            raise RuntimeError("server not started")
        self._submit(self._core.restart())

    def __enter__(self) -> DevServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class AsyncDevServer(_BaseServer):
    """The same server inside the *current* event loop (for async code and tests)::

        async with AsyncDevServer() as server:
            client = GopherQueue(server.url)
            ...

    Takes the same arguments as :class:`DevServer`; :meth:`start`, :meth:`stop` and
    :meth:`restart` are coroutines. Handlers run on this loop (sync ones in threads).
    """

    async def start(self) -> AsyncDevServer:
        """Start listening; returns ``self``."""
        if self._core.serving:
            raise RuntimeError("server already started")
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        await self._core.start()
        return self

    async def stop(self) -> None:
        """Stop listening and cancel running handlers (idempotent)."""
        if self._loop is None:
            return
        await self._core.shutdown()
        self._loop = None
        self._loop_thread = None

    async def restart(self) -> None:
        """Drop all connections and listen again on the same port with the same jobs."""
        if self._loop is None:
            raise RuntimeError("server not started")
        await self._core.restart()

    async def __aenter__(self) -> AsyncDevServer:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()
