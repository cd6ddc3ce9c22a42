"""The guide's FastAPI API with a ``lifespan`` handler instead of ``@app.on_event``.

Same routes and responses as ``main.py`` (the guide's version). What differs:

* the client is created when the app starts, from ``GOPHERQUEUE_URL`` (default
  ``http://localhost:8080``), and closed when it shuts down, so its connections are released;
* routes get it through a dependency (``Queue``) instead of a module global, so each app
  instance (and each test) has its own client.

Run it with ``uvicorn main_lifespan:app`` from this directory.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request

from gopherqueue import GopherQueue


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # One client per process: connections are opened lazily on first use and shared by all
    # requests; `async with` closes them on shutdown.
    async with GopherQueue(os.environ.get("GOPHERQUEUE_URL", "http://localhost:8080")) as queue:
        app.state.queue = queue
        yield


def get_queue(request: Request) -> GopherQueue:
    return request.app.state.queue


Queue = Annotated[GopherQueue, Depends(get_queue)]

app = FastAPI(lifespan=lifespan)


@app.post("/api/jobs")
async def create_job(job_type: str, payload: dict[str, Any], queue: Queue) -> dict[str, str]:
    job = await queue.submit(job_type, payload)
    return {"job_id": job.id}


@app.get("/api/jobs/{job_id}")
async def get_job(job_id: str, queue: Queue) -> dict[str, Any]:
    job = await queue.get(job_id)
    return {"state": job.state, "progress": job.progress}


@app.get("/api/jobs/{job_id}/wait")
async def wait_for_job(job_id: str, queue: Queue, timeout: int = 30) -> dict[str, bool]:
    result = await queue.wait(job_id, timeout=timeout)
    return {"completed": result.completed, "success": result.success}
