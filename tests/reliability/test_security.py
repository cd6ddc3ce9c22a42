"""The API key stays secret: not in reprs, error texts or logs; never sent after a redirect
or to another host; a warning when it would cross the network unencrypted; TLS verified."""

from __future__ import annotations

import asyncio
import datetime as dt
import http.server
import ipaddress
import logging
import pickle
import random
import socket
import ssl
import threading
import traceback
import uuid
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import certifi
import httpx
import pytest

import gopherqueue
from gopherqueue import (
    APIConnectionError,
    AuthenticationError,
    GopherQueue,
    GopherQueueError,
    GopherQueueSync,
    InsecureTransportWarning,
    RetryPolicy,
    UnexpectedResponseError,
    ValidationError,
)
from gopherqueue.testing import DevServer
from tests.reliability.helpers import FAST, call
from tests.reliability.mock import JOB_ID, Recorder, canned, invoke

SECRET = "gq-test-SECRET-9f3c"


# ------------------------------------------------------------------------------------------
# The key appears in no text the SDK produces


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(self.format(record))  # includes a formatted exc_info, if any
        self.texts.append(repr(record.args))


@pytest.fixture
def log_texts() -> Iterator[list[str]]:
    handler = _Collect()
    loggers = [logging.getLogger(name) for name in ("gopherqueue", "httpx", "httpcore")]
    saved = [(lg, lg.level) for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    try:
        yield handler.texts
    finally:
        for lg, level in saved:
            lg.removeHandler(handler)
            lg.setLevel(level)


def _texts_of_error(exc: BaseException) -> list[str]:
    texts = [str(exc), repr(exc), repr(exc.args), "".join(traceback.format_exception(exc))]
    if isinstance(exc, GopherQueueError):
        texts.append(str(getattr(exc, "message", "")))
    # What pytest --showlocals and Sentry-style local capture print: every frame's locals, the
    # SDK's and (through the chained causes) httpx's, httpcore's and aiohttp's.
    with_locals = traceback.TracebackException(
        type(exc), exc, exc.__traceback__, capture_locals=True
    )
    texts.append("".join(with_locals.format()))
    texts.append(repr(vars(exc)))
    texts.append(pickle.dumps(exc).decode("latin-1"))
    response = getattr(exc, "response", None)
    if response is not None:
        request = response.request
        texts.extend([repr(response), repr(response.headers), repr(request)])
        texts.extend([repr(request.headers), str(request.headers)])
    return texts


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def _workflow(kind: str, authed: DevServer, other: DevServer, texts: list[str]) -> int:
    """Everything a client does, successes and failures, collecting every text; returns how
    many requests the authenticated server accepted."""
    errors: list[BaseException] = []

    def make(url: str, **kwargs: Any) -> GopherQueue | GopherQueueSync:
        kwargs.setdefault("retry", FAST)
        if kind == "async-httpx":
            kwargs["http_backend"] = "httpx"
        cls = GopherQueueSync if kind == "sync" else GopherQueue
        client = cls(url, api_key=SECRET, **kwargs)
        # The settings object every SDK frame holds, and the client's attributes (a frame
        # capture prints the reprs of both).
        settings = repr(client._settings)
        assert "X-API-Key" in settings
        texts.extend([repr(client), str(client), settings, repr(vars(client))])
        return client

    async def expect_error(client: Any, method: str, *args: Any, **kwargs: Any) -> None:
        try:
            await call(client, method, *args, **kwargs)
        except GopherQueueError as exc:
            errors.append(exc)
        else:
            pytest.fail(f"{method} did not fail")

    good = make(authed.url)
    copy = good.with_options(timeout=5, headers={"X-Trace": "1"})
    texts.extend([repr(copy), str(copy), repr(good.raw), str(good.raw), repr(good.retry_policy)])

    job = await call(good, "submit", "echo", {"hello": "world"}, tags={"t": "1"})
    texts.append(repr(job))
    texts.append(repr(await call(good, "wait", job.id, 5)))
    texts.append(repr(await call(good, "get", job.id)))
    texts.append(repr(await call(good, "result", job.id)))
    texts.append(repr(await call(good, "list")))
    texts.append(repr(await call(good, "stats")))
    texts.append(repr(await call(good, "health")))
    # Handles, the one-liners, serialisation and the metrics hook.
    handle = good.job(job)
    texts.extend([repr(handle), repr(pickle.dumps(handle))])
    texts.append(repr(await call(handle, "output", 5)))
    texts.append(repr(await call(good, "submit_and_wait", "echo", {}, timeout=5)))
    texts.append(repr(await call(good, "wait_all", [job.id], timeout=5)))
    texts.append(job.to_json())
    seen: list[Any] = []
    hooked = make(authed.url, on_request=seen.append)
    await call(hooked, "stats")
    texts.extend(repr(event) for event in seen)
    batch = await call(
        good, "submit_batch", [{"type": "echo"}, {"type": "error", "max_attempts": 1}]
    )
    texts.append(repr(batch))
    failed = batch.jobs[1]
    await call(good, "wait", failed.id, 5)
    texts.append(repr(await call(good, "retry", failed.id)))
    await expect_error(good, "cancel", job.id)  # 409: already completed
    await expect_error(good, "retry", job.id)  # the server's 500 for a non-failed job
    await expect_error(good, "get", str(uuid.uuid4()))  # 404
    await expect_error(good, "submit", "echo", priority=9)  # ValidationError
    await call(good, "delete", job.id)
    await expect_error(good, "delete", job.id)  # 404
    await call(good, "submit", "echo", idempotency_key="once")
    await expect_error(
        good, "submit_batch", [{"type": "echo", "idempotency_key": "once"}], atomic=True
    )

    # Faults: exhausted retries of every kind, a lost response, a timeout.
    authed.faults.add("POST", "/api/v1/jobs", kind="status", status=503, times=3)
    await expect_error(good, "submit", "echo")
    authed.faults.add("GET", "/api/v1/stats", kind="html_502", times=3)
    await expect_error(good, "stats")
    authed.faults.add("GET", "/api/v1/stats", kind="drop_before", times=3)
    await expect_error(good, "stats")
    authed.faults.add("GET", "/api/v1/stats", kind="truncate", truncate_at=5)
    await expect_error(good, "stats")
    authed.faults.add("POST", "/api/v1/jobs", kind="drop_after")
    texts.append(repr(await call(good, "submit", "echo")))
    slow = make(authed.url, timeout=0.1, retry=RetryPolicy(max_retries=0))
    authed.faults.add("GET", "/api/v1/stats", kind="delay", delay=0.3)
    await expect_error(slow, "stats")

    # Events and watch.
    stream = good.events()
    if kind == "sync":
        first = await asyncio.to_thread(next, stream)
        stream.close()
    else:
        first = await stream.__anext__()
        await stream.aclose()
    texts.append(repr(first))
    watched = good.watch(batch.jobs[0].id, timeout=2)
    items = (
        await asyncio.to_thread(list, watched)
        if kind == "sync"
        else [item async for item in watched]
    )
    texts.append(repr(items))

    # 401 from a server that wants another key, and nothing listening at all.
    wrong = make(other.url)
    await expect_error(wrong, "stats")
    await expect_error(wrong, "submit", "echo")
    bad_stream = wrong.events(max_reconnects=0)
    try:
        if kind == "sync":
            await asyncio.to_thread(next, bad_stream)
        else:
            await bad_stream.__anext__()
    except GopherQueueError as exc:
        errors.append(exc)
    nowhere = make(f"http://127.0.0.1:{_closed_port()}")
    await expect_error(nowhere, "stats")
    await expect_error(nowhere, "submit", "echo")

    kinds = {type(e) for e in errors}
    assert AuthenticationError in kinds
    assert APIConnectionError in kinds
    assert gopherqueue.APITimeoutError in kinds
    assert gopherqueue.ServerError in kinds
    assert UnexpectedResponseError in kinds
    assert gopherqueue.ConflictError in kinds
    assert gopherqueue.BatchConflictError in kinds
    assert gopherqueue.JobNotFoundError in kinds
    assert ValidationError in kinds
    for exc in errors:
        texts.extend(_texts_of_error(exc))
    for client in (good, slow, wrong, nowhere, hooked):
        if isinstance(client, GopherQueue):
            await client.aclose()
        else:
            client.close()
    return authed.faults.hits()


async def test_api_key_never_in_reprs_errors_or_logs(log_texts: list[str]) -> None:
    with DevServer(api_key=SECRET) as authed, DevServer(api_key="gq-some-other-key") as other:
        texts: list[str] = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for kind in ("sync", "async", "async-httpx"):
                authed.reset()
                assert await _workflow(kind, authed, other, texts) > 20
        texts.extend(str(w.message) for w in caught)
    texts.extend(log_texts)
    # The collection is real: it holds logs of all three loggers and many error texts.
    assert any(t.startswith("gopherqueue ") for t in log_texts)
    assert any(t.startswith("httpx ") for t in log_texts)
    assert any(t.startswith("httpcore") for t in log_texts)
    assert any("401" in t for t in texts)
    leaks = [t for t in texts if SECRET in t or "SECRET-9f3c" in t]
    assert leaks == []


# ------------------------------------------------------------------------------------------
# Redirects: never followed, the key never sent elsewhere


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("get", (JOB_ID,)),
        ("submit", ("echo",)),
        ("delete", (JOB_ID,)),
        ("stats", ()),
        ("events", ()),
    ],
)
def test_redirect_to_another_host_is_not_followed(
    kind: str, status: int, method: str, args: tuple[Any, ...]
) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.host != "127.0.0.1":
            return canned(request)
        return httpx.Response(
            status,
            headers={"location": "http://evil.example/api/v1/stats", "content-type": "text/html"},
            stream=httpx.ByteStream(b'<a href="http://evil.example/api/v1/stats">Moved</a>.\n'),
        )

    recorder = Recorder(handle)
    with pytest.raises(UnexpectedResponseError, match="redirect") as info:
        invoke(kind, recorder, method, args, client_kwargs={"api_key": SECRET, "retry": FAST})
    assert info.value.status_code == status
    assert [r.url.host for r in recorder.requests] == ["127.0.0.1"]
    assert recorder.requests[0].headers["x-api-key"] == SECRET  # it went to the right host only


def _second_loopback() -> str:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.2", 0))
        except OSError:
            pytest.skip("127.0.0.2 is not bindable here")
    return "127.0.0.2"


async def test_redirect_over_real_sockets_reaches_no_other_host(
    kind: str, server: DevServer, make_client: Callable[..., Any]
) -> None:
    with DevServer(host=_second_loopback()) as elsewhere:
        client = make_client(api_key=SECRET)
        # A proxy that answers every API call with a redirect elsewhere, JSON body and all.
        server.faults.add(
            "*",
            "/api/v1/*",
            kind="status",
            status=302,
            times=None,
            headers={"Location": f"{elsewhere.url}/api/v1/jobs"},
        )
        for method, args in (("submit", ("echo",)), ("get", (JOB_ID,)), ("stats", ())):
            error = await _raises(client, method, *args)
            assert isinstance(error, UnexpectedResponseError), repr(error)
            assert error.status_code == 302
        assert elsewhere.faults.hits() == 0
        assert server.faults.hits() == 3  # redirects are not retried either


async def _raises(client: Any, method: str, *args: Any) -> BaseException:
    try:
        await call(client, method, *args)
    except Exception as exc:
        return exc
    pytest.fail(f"{method} did not raise")


def test_with_options_cannot_replace_the_key_header_silently(kind: str) -> None:
    """A header override keeps the configured key (and never drops it for another)."""
    recorder = Recorder()
    invoke(
        kind,
        recorder,
        "stats",
        client_kwargs={"api_key": SECRET},
        options={"headers": {"X-API-Key": "something-else", "X-Trace": "t"}},
    )
    assert recorder.requests[0].headers["x-api-key"] == SECRET
    assert recorder.requests[0].headers["x-trace"] == "t"


# ------------------------------------------------------------------------------------------
# InsecureTransportWarning


def _unique_host() -> str:
    return f"gq-{uuid.uuid4().hex[:12]}.example"


def _record(fn: Callable[[], Any]) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [w for w in caught if issubclass(w.category, InsecureTransportWarning)]


@pytest.mark.parametrize("cls", [GopherQueueSync, GopherQueue])
def test_insecure_warning_once_per_host(cls: type[Any]) -> None:
    host = _unique_host()
    first = _record(lambda: cls(f"http://{host}:8080", api_key=SECRET))
    again = _record(
        lambda: [
            GopherQueueSync(f"http://{host}:8080", api_key=SECRET),
            GopherQueue(f"http://{host}/", api_key=SECRET),
        ]
    )
    assert len(first) == 1
    assert again == []
    message = str(first[0].message)
    assert host in message
    assert "https" in message
    assert SECRET not in message
    assert first[0].filename == __file__  # points at the caller's line


def test_insecure_warning_for_non_loopback_ip_and_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    ip = str(ipaddress.IPv4Address(random.randint(0x0A000001, 0x0AFFFFFE)))
    assert len(_record(lambda: GopherQueueSync(f"http://{ip}:8080", api_key=SECRET))) == 1
    monkeypatch.setenv("GOPHERQUEUE_API_KEY", SECRET)
    assert len(_record(lambda: GopherQueue(f"http://{_unique_host()}"))) == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080",
        "http://127.9.9.9",
        "http://localhost:8080",
        "http://app.localhost",
        "http://[::1]:8080",
        f"https://{_unique_host()}",
        f"https://{_unique_host()}:8443",
    ],
)
@pytest.mark.parametrize("cls", [GopherQueueSync, GopherQueue])
def test_no_insecure_warning_for_loopback_or_https(url: str, cls: type[Any]) -> None:
    assert _record(lambda: cls(url, api_key=SECRET)) == []


def test_no_insecure_warning_without_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOPHERQUEUE_API_KEY", raising=False)
    assert _record(lambda: GopherQueueSync(f"http://{_unique_host()}")) == []


# ------------------------------------------------------------------------------------------
# TLS


def _ssl_context_of(http: httpx.Client | httpx.AsyncClient) -> ssl.SSLContext:
    context: ssl.SSLContext = http._transport._pool._ssl_context  # type: ignore[union-attr]
    return context


async def _http_of(client: GopherQueue | GopherQueueSync) -> httpx.Client | httpx.AsyncClient:
    raw = client.raw
    if isinstance(client, GopherQueue):
        return raw.get_async_httpx_client()
    return raw.get_httpx_client()


@pytest.mark.parametrize("cls", [GopherQueueSync, GopherQueue])
async def test_tls_verification_on_by_default(cls: type[Any]) -> None:
    client = cls("https://gopherqueue.example", api_key=SECRET)
    http = await _http_of(client)
    context = _ssl_context_of(http)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.cert_store_stats()["x509_ca"] > 0
    assert http.follow_redirects is False


@pytest.mark.parametrize("cls", [GopherQueueSync, GopherQueue])
@pytest.mark.parametrize("as_path", [False, True])
async def test_verify_accepts_a_ca_bundle_path(cls: type[Any], as_path: bool) -> None:
    bundle: str | Path = Path(certifi.where()) if as_path else certifi.where()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # httpx deprecates verify=<str>: the SDK must not pass it on
        client = cls("https://gopherqueue.example", verify=bundle)
        context = _ssl_context_of(await _http_of(client))
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.cert_store_stats()["x509_ca"] > 0


async def test_verify_false_is_an_explicit_opt_out() -> None:
    context = _ssl_context_of(
        await _http_of(GopherQueue("https://gopherqueue.example", verify=False))
    )
    assert context.verify_mode == ssl.CERT_NONE


@pytest.mark.parametrize("verify", ["/nonexistent/ca.pem", 5, None, b"/etc/ssl"])
def test_bad_verify_refused(verify: Any) -> None:
    with pytest.raises(ValidationError) as info:
        GopherQueueSync("https://gopherqueue.example", verify=verify)
    assert info.value.field == "verify"


def _make_ca_and_server_cert(tmp: Path) -> tuple[Path, Path, Path]:
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)

    def name(common: str) -> Any:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("gq test CA"))
        .issuer_name(name("gq test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.IPv4Address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, cert_path, key_path = tmp / "ca.pem", tmp / "server.pem", tmp / "server.key"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_path, cert_path, key_path


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[str, Path, list[dict[str, str]]]]:
    """An HTTPS server on 127.0.0.1 with a certificate from a private CA; yields its URL, the
    CA bundle and the headers of every request it received."""
    ca_path, cert_path, key_path = _make_ca_and_server_cert(tmp_path)
    seen: list[dict[str, str]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append({k.lower(): v for k, v in self.headers.items()})
            body = b'{"alive":true}\n'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # failed handshakes are the point of some tests

    httpd = Server(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{httpd.server_address[1]}", ca_path, seen
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


async def test_untrusted_certificate_is_refused_before_the_key_is_sent(
    kind: str, tls_server: tuple[str, Path, list[dict[str, str]]]
) -> None:
    url, ca_path, seen = tls_server
    cls = GopherQueueSync if kind == "sync" else GopherQueue
    default = cls(url, api_key=SECRET, retry=RetryPolicy(max_retries=0))
    error = await _raises(default, "live")
    assert isinstance(error, APIConnectionError)
    assert "CERTIFICATE_VERIFY_FAILED" in "".join(traceback.format_exception(error))
    assert SECRET not in str(error)
    assert seen == []  # the handshake failed: no request, no key

    trusted = cls(url, api_key=SECRET, verify=ca_path)
    assert await call(trusted, "live") is True
    assert seen[-1]["x-api-key"] == SECRET
    for client in (default, trusted):
        if isinstance(client, GopherQueue):
            await client.aclose()
        else:
            client.close()
