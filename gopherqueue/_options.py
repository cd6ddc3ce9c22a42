"""The clients' options: each checked once, at construction or ``with_options``, into the
:class:`Settings` every flow reads.

Each ``check_*`` raises :class:`~gopherqueue.ValidationError` naming the option, never echoing a
value that may be a credential.
"""

from __future__ import annotations

import ipaddress
import os
import platform
import random
import re
import ssl
import threading
import time
import warnings
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

import attrs
import httpx

from ._exceptions import ValidationError
from ._retry import RetryPolicy
from ._secrets import SecretHeaders
from ._version import __version__

if TYPE_CHECKING:
    from ._observe import RequestEvent

__all__ = [
    "MAX_EVENT_LINE_SIZE",
    "MAX_EVENT_SIZE",
    "MAX_RESPONSE_SIZE",
    "WAIT_CHUNK_MAX",
    "InsecureTransportWarning",
    "Settings",
    "check_api_key",
    "check_backend",
    "check_headers",
    "check_hook",
    "check_policy",
    "check_size",
    "check_timeout",
    "check_url",
    "check_verify",
    "check_wait_chunk",
    "client_headers",
    "evolve",
    "http_client_kwargs",
    "warn_if_insecure",
]

WAIT_CHUNK_MAX = 28.0
"""The real server drops any reply due 30 s or more after the request; stay clear of it."""


@attrs.frozen(kw_only=True)
class Settings:
    """Everything a flow needs to know about the client that runs it.

    The clock, the random source and the pauses are here, not module-level ``time`` and
    ``random``, so a test can make a flow deterministic by injecting them.
    """

    base_url: str
    headers: dict[str, str]
    timeout: httpx.Timeout
    retry: RetryPolicy
    wait_chunk: float
    auto_idempotency_key: bool
    clock: Callable[[], float] = time.monotonic
    """Monotonic seconds: deadlines, a stream's lifetime."""
    rng: Callable[[], float] = random.random
    """Uniform in [0, 1): the backoff's jitter."""
    sleep: Callable[[float], None] = time.sleep
    """How the sync drivers perform a ``Sleep``."""
    async_sleep: Callable[[float], Awaitable[None]] | None = None
    """How the async drivers perform a ``Sleep`` (``None``: :func:`asyncio.sleep`, imported
    only by async users)."""
    max_response_size: int | None = None
    max_event_line_size: int | None = None
    max_event_size: int | None = None
    on_request: Callable[[RequestEvent], None] | None = None


class InsecureTransportWarning(UserWarning):
    """An API key is about to travel unencrypted to a host that is not this machine."""


_warned_hosts: set[str] = set()
_warned_lock = threading.Lock()


# One User-Agent whichever library sends the request: servers and proxies that key on it see
# no change when the backend changes (httpx is always installed: it builds every request).
USER_AGENT = (
    f"gopherqueue-python/{__version__} httpx/{httpx.__version__} python/{platform.python_version()}"
)


def _is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine (an API key may travel there over plain HTTP)."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_url(url: object) -> str:
    """The server's base URL, from the argument or ``GOPHERQUEUE_URL``, without a trailing /."""
    if url is None:
        url = os.environ.get("GOPHERQUEUE_URL")
        if not url:
            raise ValidationError(
                "url is required: pass the server's URL (e.g. 'http://localhost:8080') "
                "or set GOPHERQUEUE_URL",
                field="url",
            )
    if not isinstance(url, str):
        raise ValidationError(f"url must be a str, got {type(url).__name__}", field="url")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            f"url must be an http:// or https:// URL with a host, got {url!r}", field="url"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValidationError(
            "url must not carry a query, fragment or credentials (use api_key for credentials)",
            field="url",
        )
    return url.rstrip("/")


# RFC 9110: a header name is a token; a value here is printable ASCII (httpx encodes str values
# as ASCII, and CR/LF would split the header).
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_HEADER_VALUE = re.compile(r"[\t\x20-\x7e]*")


def check_headers(headers: object) -> dict[str, str]:
    """Extra headers: a mapping of valid header names to printable ASCII values."""
    if headers is None:
        return {}
    if not isinstance(headers, Mapping):
        raise ValidationError(
            f"headers must be a mapping of str to str, got {type(headers).__name__}",
            field="headers",
        )
    checked: dict[str, str] = {}
    items: Mapping[object, object] = headers  # pyright: ignore[reportUnknownVariableType]
    for key, value in items.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise ValidationError("headers must map str to str", field="headers")
        # Values are not shown: a header may carry a credential.
        if not _HEADER_NAME.fullmatch(key):
            raise ValidationError(f"headers: {key!r} is not a valid header name", field="headers")
        if not _HEADER_VALUE.fullmatch(value):
            raise ValidationError(
                f"headers[{key!r}] must be printable ASCII (no line breaks)", field="headers"
            )
        checked[key] = value
    return checked


def check_verify(verify: object) -> bool | ssl.SSLContext:
    """``verify``: True (the default: verify against certifi's CAs), False, an SSLContext, or the
    path of a CA bundle file or directory (made into an SSLContext here: httpx deprecates paths).
    """
    if isinstance(verify, (bool, ssl.SSLContext)):
        return verify
    if isinstance(verify, os.PathLike):
        verify = os.fspath(cast("os.PathLike[str]", verify))
    if isinstance(verify, str):
        path = verify
        try:
            if os.path.isdir(path):
                return ssl.create_default_context(capath=path)
            return ssl.create_default_context(cafile=path)
        except (OSError, ValueError, TypeError) as exc:
            raise ValidationError(
                f"verify: cannot load CA certificates from {path!r}: {exc}", field="verify"
            ) from None
    raise ValidationError(
        "verify must be True, False, an ssl.SSLContext or the path of a CA bundle, "
        f"got {type(verify).__name__}",
        field="verify",
    )


def check_timeout(timeout: object) -> httpx.Timeout:
    """Seconds (or a timedelta) for every phase, an httpx.Timeout, or None for no limit."""
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if timeout is None:
        return httpx.Timeout(None)
    if isinstance(timeout, timedelta):
        timeout = timeout.total_seconds()
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValidationError(
            f"timeout must be a positive number of seconds, an httpx.Timeout or None, got {timeout!r}",
            field="timeout",
        )
    return httpx.Timeout(float(timeout))


MAX_RESPONSE_SIZE = 64 * 1024 * 1024
"""Default ``max_response_size``: bytes of one (decoded) non-streaming reply body."""
MAX_EVENT_LINE_SIZE = 1024 * 1024
"""Default ``max_event_line_size``: characters of one line of the event stream."""
MAX_EVENT_SIZE = 16 * 1024 * 1024
"""Default ``max_event_size``: characters of the data of one event."""


def check_size(value: object, field: str) -> int | None:
    """A size limit: a positive int, or ``None`` for no limit."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError(
            f"{field} must be a positive int (a size) or None (no limit), got {value!r}",
            field=field,
        )
    return value


def check_policy(retry: object, max_retries: object, default: RetryPolicy) -> RetryPolicy:
    """The retry policy from the ``retry`` and ``max_retries`` options (``None``: ``default``)."""
    policy = default if retry is None else retry
    if not isinstance(policy, RetryPolicy):
        raise ValidationError(
            f"retry must be a RetryPolicy, got {type(policy).__name__}", field="retry"
        )
    if max_retries is None:
        return policy
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ValidationError(
            f"max_retries must be an int >= 0, got {max_retries!r}", field="max_retries"
        )
    return attrs.evolve(policy, max_retries=max_retries)


def check_wait_chunk(value: object) -> float:
    """Seconds per long-poll: positive and clear of the server's 30 s write timeout."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not 0 < value <= WAIT_CHUNK_MAX
    ):
        raise ValidationError(
            f"wait_chunk must be a number of seconds in (0, {WAIT_CHUNK_MAX}] (the server drops "
            f"replies due 30 s after the request), got {value!r}",
            field="wait_chunk",
        )
    return float(value)


def check_backend(http_backend: object, http_client: object) -> str:
    """``http_backend``: "httpx", "aiohttp" or ``None`` (aiohttp, unless an httpx client is
    injected). aiohttp cannot take an injected httpx client.
    """
    if http_backend is None:
        # An injected httpx.AsyncClient means httpx; otherwise aiohttp, whose pool holds up
        # under concurrency where httpcore's does not (docs/architecture.md, "The default
        # async transport").
        return "aiohttp" if http_client is None else "httpx"
    if http_backend not in ("httpx", "aiohttp"):
        raise ValidationError(
            f"http_backend must be 'httpx', 'aiohttp' or None, got {http_backend!r}",
            field="http_backend",
        )
    if http_backend == "aiohttp" and http_client is not None:
        raise ValidationError(
            "http_client (an httpx.AsyncClient) cannot be combined with http_backend='aiohttp': "
            "pass one or the other",
            field="http_client",
        )
    return http_backend


def check_api_key(api_key: object) -> str | None:
    """The API key, from the argument or ``GOPHERQUEUE_API_KEY`` (``None``: no key)."""
    if api_key is None:
        api_key = os.environ.get("GOPHERQUEUE_API_KEY") or None
    if api_key is not None and (
        not isinstance(api_key, str) or not api_key or not _HEADER_VALUE.fullmatch(api_key)
    ):
        # Never echo the key itself.
        raise ValidationError(
            "api_key must be a non-empty str of printable ASCII characters, or None",
            field="api_key",
        )
    return api_key


def client_headers(extra: Mapping[str, str], api_key: str | None) -> dict[str, str]:
    """Every request's headers: User-Agent, Accept, the caller's ``extra`` headers, and the
    API key."""
    headers = SecretHeaders({"User-Agent": USER_AGENT, "Accept": "application/json"})
    headers.update(extra)
    if api_key is not None:
        headers["X-API-Key"] = api_key
    return headers


def warn_if_insecure(url: str, *, stacklevel: int) -> None:
    """Warn once per host when an API key would travel over plain HTTP off this machine."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme != "http" or _is_loopback(host):
        return
    with _warned_lock:
        if host in _warned_hosts:
            return
        _warned_hosts.add(host)
    warnings.warn(
        f"an API key will be sent over plain HTTP to {host}; use https:// outside this machine",
        InsecureTransportWarning,
        stacklevel=stacklevel,
    )


def evolve(
    settings: Settings,
    api_key: str | None,
    *,
    timeout: object,
    max_retries: object,
    retry: object,
    headers: object,
    wait_chunk: object,
) -> Settings:
    """``settings`` with the options of ``with_options`` changed (``None``: keep the value)."""
    changes: dict[str, Any] = {"retry": check_policy(retry, max_retries, settings.retry)}
    if timeout is not None:
        changes["timeout"] = check_timeout(timeout)
    if headers is not None:
        merged = SecretHeaders(settings.headers)
        merged.update(check_headers(headers))
        if api_key is not None:
            merged["X-API-Key"] = api_key
        changes["headers"] = merged
    if wait_chunk is not None:
        changes["wait_chunk"] = check_wait_chunk(wait_chunk)
    return attrs.evolve(settings, **changes)


def http_client_kwargs(
    url: str, headers: dict[str, str], timeout: httpx.Timeout, verify: bool | ssl.SSLContext
) -> dict[str, Any]:
    """The arguments of the httpx client a client makes for itself."""
    return {
        "base_url": url,
        "headers": headers,
        "timeout": timeout,
        "verify": verify,
        # Redirects are never followed: the server's only redirects come from unclean paths,
        # and following one with the API key could leak it.
        "follow_redirects": False,
    }


def check_hook(hook: object, name: str) -> Any:
    """A callback option: callable or ``None``."""
    if hook is not None and not callable(hook):
        raise ValidationError(
            f"{name} must be callable or None, got {type(hook).__name__}", field=name
        )
    return hook
