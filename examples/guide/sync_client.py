"""The guide's "Synchronous Client" snippet, runnable.

Verbatim except for one line: the guide hard-codes ``GopherQueueSync("http://localhost:8080")``;
here the URL comes from the ``GOPHERQUEUE_URL`` environment variable, with the guide's URL as
the default::

    GOPHERQUEUE_URL=http://127.0.0.1:8080 python examples/guide/sync_client.py

The snippet prints nothing and never closes the client (its connections are released when the
process exits); in a long-running program use ``with GopherQueueSync(...) as client:`` or call
``client.close()``.
"""

import os  # added for the URL line below

from gopherqueue import GopherQueueSync

# Changed from the guide: GopherQueueSync("http://localhost:8080") -> the URL from GOPHERQUEUE_URL.
client = GopherQueueSync(os.environ.get("GOPHERQUEUE_URL", "http://localhost:8080"))
job = client.submit("email", {"to": "user@example.com"})
result = client.wait(job.id, timeout=30)
