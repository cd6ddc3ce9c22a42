"""The guide's FastAPI API with a ``lifespan`` handler instead of ``@app.on_event``.

Same routes and responses as ``main.py`` (the guide's version). What differs:

* the client is created when the app starts, from ``GOPHERQUEUE_URL`` (default
  ``http://localhost:8080``), and closed when it shuts down, so its connections are released;
* routes get it through a dependency (``Queue``) instead of a module global, so each app
  instance (and each test) has its own client;
* the SDK's errors get the status a client can act on (404, 400, 503), not a 500.

Run it with ``uvicorn main_lifespan:app`` from this directory.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from gopherqueue import APIConnectionError, GopherQueue, JobNotFoundError, ValidationError


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


@app.exception_handler(JobNotFoundError)
async def job_not_found(request: Request, exc: JobNotFoundError) -> JSONResponse:
    return JSONResponse({"error": "job not found"}, status_code=404)


@app.exception_handler(ValidationError)
async def bad_request(request: Request, exc: ValidationError) -> JSONResponse:
    return JSONResponse({"error": str(exc)}, status_code=400)


@app.exception_handler(APIConnectionError)
async def queue_unreachable(request: Request, exc: APIConnectionError) -> JSONResponse:
    return JSONResponse({"error": "the job queue is unreachable"}, status_code=503)
