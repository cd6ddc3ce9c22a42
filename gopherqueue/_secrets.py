"""Header containers whose repr never shows a credential.

Tracebacks with local variables (``pytest --showlocals``, Sentry) and debuggers print the repr
of every object a frame holds. The SDK keeps the API key in headers, so every header mapping
it creates or attaches to a request is one of these.
"""

from __future__ import annotations

import httpx

__all__ = ["Secret", "SecretHeaders", "mask_request"]

_SECRET = frozenset({"x-api-key", "authorization", "proxy-authorization"})
"""Lower-case names of the headers whose values are never shown."""

_HIDDEN = "[secure]"


def _masked(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(k, _HIDDEN if k.lower() in _SECRET else v) for k, v in items]


class Secret:
    """A credential kept by a client: ``value`` is the text, the repr never shows it."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "Secret('[secure]')"


class SecretHeaders(dict[str, str]):
    """A plain ``dict`` of headers whose repr hides the API key and other credentials."""

    __slots__ = ()

    def __repr__(self) -> str:
        return repr(dict(_masked(list(self.items()))))


class _MaskedHeaders(httpx.Headers):
    """:class:`httpx.Headers` whose repr also hides ``X-API-Key`` (httpx hides only
    ``Authorization``)."""

    def __repr__(self) -> str:
        shown = _masked(self.multi_items())
        as_dict = dict(shown)
        # The same text as httpx's own repr, for the same headers.
        return f"Headers({as_dict!r})" if len(as_dict) == len(shown) else f"Headers({shown!r})"


def mask_request(request: httpx.Request) -> httpx.Request:
    """``request``, its headers swapped for a copy whose repr hides the API key."""
    request.headers = _MaskedHeaders(request.headers)
    return request
