"""The guide's reusable client module (``queue.py``), verbatim: one sync and one async client
per process, created at import from the GOPHERQUEUE_* settings. Creating them does no I/O;
connections open on first use."""

# ruff: noqa: I001
# I001: the guide's import order is kept.

# The guide's code below is kept exactly as written, layout included (ruff format would
# re-wrap it); the formatter is off from here on.
# fmt: off

from django.conf import settings
from gopherqueue import GopherQueue, GopherQueueSync

# Synchronous client for regular Django views
sync_client = GopherQueueSync(
    url=settings.GOPHERQUEUE_URL,
    api_key=settings.GOPHERQUEUE_API_KEY,
    timeout=settings.GOPHERQUEUE_TIMEOUT
)

# Async client for async views/management commands
async_client = GopherQueue(
    url=settings.GOPHERQUEUE_URL,
    api_key=settings.GOPHERQUEUE_API_KEY,
)
