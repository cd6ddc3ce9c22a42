"""Exceptions cross process boundaries: a real failure in a worker process reaches the parent
with its type and details (a ``ProcessPoolExecutor`` used to get ``BrokenProcessPool``, and a
``multiprocessing.Pool`` hung), and its pickle holds no API key."""

from __future__ import annotations

import multiprocessing
import pickle
import uuid
from concurrent.futures import ProcessPoolExecutor

import pytest

from gopherqueue import GopherQueueSync, JobNotFoundError

from ._support import Target

SECRET = "gq-worker-SECRET-0b7e"

pytestmark = pytest.mark.e2e


def _get_unknown_job(url: str) -> None:
    """Runs in a worker process: a real 404 from the server."""
    with GopherQueueSync(url, api_key=SECRET) as client:
        client.get(str(uuid.uuid4()))


def _pickled_failure(url: str) -> bytes:
    try:
        _get_unknown_job(url)
    except JobNotFoundError as exc:
        return pickle.dumps(exc)
    raise AssertionError("no JobNotFoundError")


def _check(exc: BaseException) -> None:
    assert type(exc) is JobNotFoundError
    assert isinstance(exc, JobNotFoundError)
    assert exc.status_code == 404
    assert exc.code == "not_found"
    assert exc.message == "job not found"
    assert exc.request_id
    assert exc.method == "GET"
    assert "x-api-key" not in exc.response.request.headers


def test_a_process_pool_delivers_job_not_found_to_the_parent(target: Target) -> None:
    # spawn: the worker shares nothing with the parent, so everything crosses as a pickle.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        future = pool.submit(_get_unknown_job, target.url)
        with pytest.raises(JobNotFoundError) as caught:
            future.result(timeout=120)
        _check(caught.value)
        data = pool.submit(_pickled_failure, target.url).result(timeout=120)
    assert SECRET.encode() not in data
    _check(pickle.loads(data))


def test_a_multiprocessing_pool_delivers_job_not_found_to_the_parent(target: Target) -> None:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        pending = pool.apply_async(_get_unknown_job, (target.url,))
        with pytest.raises(JobNotFoundError) as caught:
            pending.get(timeout=120)
    _check(caught.value)
