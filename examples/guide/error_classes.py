"""The guide's "Error Handling" table, as code: the three exception types it names.

The guide has no Python snippet for this section, only a table promising ``JobNotFoundError``,
``ValidationError`` and ``AuthenticationError``; this example raises and catches each of them.
The URL comes from ``GOPHERQUEUE_URL`` (default ``http://localhost:8080``, as in the guide) and
the API key, when the server wants one, from ``GOPHERQUEUE_API_KEY`` (the client reads both
variables itself)::

    GOPHERQUEUE_URL=http://127.0.0.1:8080 python examples/guide/error_classes.py

``gq serve`` has no way to turn authentication on, so against it the last step reports that
no ``AuthenticationError`` was raised; the embedded server raises it when started with
``api_key=...``.
"""

import asyncio
import os
import uuid

from gopherqueue import AuthenticationError, GopherQueue, JobNotFoundError, ValidationError

URL = os.environ.get("GOPHERQUEUE_URL", "http://localhost:8080")


async def main() -> None:
    async with GopherQueue(URL) as client:
        # Not Found: a job id nobody has submitted.
        try:
            await client.get(str(uuid.uuid4()))
        except JobNotFoundError as exc:
            print(f"JobNotFoundError: {exc}")

        # Validation: a job needs a type. (The client refuses this before sending it; what the
        # server refuses as invalid is a BadRequestError, a subclass of ValidationError.)
        try:
            await client.submit("", {"to": "user@example.com"})
        except ValidationError as exc:
            print(f"ValidationError: {exc}")

    # Auth: a wrong API key.
    async with GopherQueue(URL, api_key="not-the-right-key") as client:
        try:
            await client.stats()
        except AuthenticationError as exc:
            print(f"AuthenticationError: {exc}")
        else:
            print("AuthenticationError: not raised, this server does not check API keys")


asyncio.run(main())
