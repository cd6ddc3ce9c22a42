"""The guide's "Async Views (Django 4.1+)" snippet, verbatim.

``async_client`` is the module-level ``GopherQueue`` from ``queue.py``. Under ASGI all
requests share one event loop and its connections; under WSGI (``runserver``, gunicorn sync
workers, Django's test client) Django runs each async view in a fresh event loop, and the
client then opens a fresh connection pool for that loop.

As in the guide the view has no decorators: it accepts any method and needs no login; add
``@require_POST`` (it works on async views) and an authentication check for real use.
"""

# ruff: noqa: I001
# I001: the guide's import order is kept.

# The guide's code below is kept exactly as written, layout included (ruff format would
# re-wrap it); the formatter is off from here on.
# fmt: off

from django.http import JsonResponse
from .queue import async_client

async def async_batch_process(request):
    """Submit batch jobs asynchronously."""
    jobs = []
    for item_id in request.POST.getlist("item_ids"):
        job = await async_client.submit(
            "process_item",
            {"item_id": item_id}
        )
        jobs.append(job.id)

    return JsonResponse({"queued_jobs": jobs})
