"""The guide's "Migration from Celery" snippet: the "After (GopherQueue)" code, verbatim.

Like the guide's snippet this is module-level code: importing the module submits one
``send_email`` job (``python manage.py shell -c "import myapp.celery_migration"``). In an app
the call goes where ``send_email.delay(...)`` was. The "Before (Celery)" code is not included:
it needs a Celery app (``@app.task``), which this project does not have.
"""

# The guide's code below is kept exactly as written, layout included (ruff format would
# re-wrap it); the formatter is off from here on.
# fmt: off

from .queue import sync_client

sync_client.submit("send_email", {
    "user_id": 123,
    "template": "welcome"
})
