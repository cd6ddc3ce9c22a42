"""The guide's Flask integration, as written.

One change: the guide hard-codes ``GopherQueueSync("http://localhost:8080")``; the URL comes
from the ``GOPHERQUEUE_URL`` environment variable here (default: the guide's URL), so the app
can be pointed at any server, and the tests at the embedded one. See README.md.

Run it with ``flask --app app run`` from this directory.
"""

# ruff: noqa: I001
# I001: the guide's import order is kept (plus `import os`, needed for the URL line).

# The guide's code below is kept exactly as written, layout included (ruff format would
# re-wrap it); the formatter is off from here on.
# fmt: off

import os

from flask import Flask, request, jsonify
from gopherqueue import GopherQueueSync

app = Flask(__name__)
# Changed from the guide: GopherQueueSync("http://localhost:8080") -> the URL from GOPHERQUEUE_URL.
queue = GopherQueueSync(os.environ.get("GOPHERQUEUE_URL", "http://localhost:8080"))

@app.route('/api/jobs', methods=['POST'])
def create_job():
    data = request.json
    job = queue.submit(data['type'], data['payload'])
    return jsonify({"job_id": job.id})

@app.route('/api/jobs/<job_id>')
def get_job(job_id):
    job = queue.get(job_id)
    return jsonify({"state": job.state, "progress": job.progress})

# fmt: on
# Added to the guide: its routes let the SDK's errors escape, which Flask turns into a 500 with
# a stack in the log. These handlers answer each with the status a client can act on.
from gopherqueue import APIConnectionError, JobNotFoundError, ValidationError  # noqa: E402


@app.errorhandler(JobNotFoundError)
def job_not_found(exc: JobNotFoundError):  # type: ignore[no-untyped-def]
    return jsonify({"error": "job not found"}), 404


@app.errorhandler(ValidationError)
def bad_request(exc: ValidationError):  # type: ignore[no-untyped-def]
    return jsonify({"error": str(exc)}), 400


@app.errorhandler(APIConnectionError)
def queue_unreachable(exc: APIConnectionError):  # type: ignore[no-untyped-def]
    return jsonify({"error": "the job queue is unreachable"}), 503
