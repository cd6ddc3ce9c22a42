"""The guide's FastAPI integration, as written (``@app.on_event("startup")`` included).

One change: the guide hard-codes ``GopherQueue("http://localhost:8080")``; the URL comes from
the ``GOPHERQUEUE_URL`` environment variable here (default: the guide's URL), so the app can
be pointed at any server, and the tests at the embedded one. See README.md.

``on_event`` still works but FastAPI deprecates it, and this version never closes the client;
``main_lifespan.py`` is the same API with a ``lifespan`` handler that does.

Run it with ``uvicorn main:app`` from this directory.
"""

# ruff: noqa: F401, I001
# F401: the guide imports BackgroundTasks without using it. I001: the guide's import order is
# kept (plus `import os`, needed for the URL line).

# The guide's code below is kept exactly as written, layout included (ruff format would
# re-wrap it); the formatter is off from here on.
# fmt: off

import os

from fastapi import FastAPI, BackgroundTasks
from gopherqueue import GopherQueue

app = FastAPI()
# Changed from the guide: GopherQueue("http://localhost:8080") -> the URL from GOPHERQUEUE_URL.
queue = GopherQueue(os.environ.get("GOPHERQUEUE_URL", "http://localhost:8080"))

@app.on_event("startup")
async def startup():
    # Connection is lazy, but you can warm it up
    pass

@app.post("/api/jobs")
async def create_job(job_type: str, payload: dict):
    job = await queue.submit(job_type, payload)
    return {"job_id": job.id}

@app.get("/api/jobs/{job_id}")
async def get_job(job_id: str):
    job = await queue.get(job_id)
    return {"state": job.state, "progress": job.progress}

@app.get("/api/jobs/{job_id}/wait")
async def wait_for_job(job_id: str, timeout: int = 30):
    result = await queue.wait(job_id, timeout=timeout)
    return {"completed": result.completed, "success": result.success}

# fmt: on
# Added to the guide: its routes let the SDK's errors escape, which FastAPI answers with a 500.
# These handlers answer each with the status a client can act on.
from fastapi import Request  # noqa: E402
from fastapi.responses import JSONResponse  # noqa: E402

from gopherqueue import APIConnectionError, JobNotFoundError, ValidationError  # noqa: E402


@app.exception_handler(JobNotFoundError)
async def job_not_found(request: Request, exc: JobNotFoundError) -> JSONResponse:
    return JSONResponse({"error": "job not found"}, status_code=404)


@app.exception_handler(ValidationError)
async def bad_request(request: Request, exc: ValidationError) -> JSONResponse:
    return JSONResponse({"error": str(exc)}, status_code=400)


@app.exception_handler(APIConnectionError)
async def queue_unreachable(request: Request, exc: APIConnectionError) -> JSONResponse:
    return JSONResponse({"error": "the job queue is unreachable"}, status_code=503)
