"""``to_dict()`` / ``to_json()`` on every public model, built from the real server's captures:
JSON-ready (ISO-8601 datetimes, seconds, enum strings), never the raw generated model."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest

from gopherqueue import (
    BatchItem,
    BatchResult,
    Event,
    Health,
    Job,
    JobResult,
    QueueStats,
    WaitResult,
    WorkerStats,
)
from gopherqueue._events import _to_event
from gopherqueue._sse import SSEDecoder
from gopherqueue_api.models.batch_response import BatchResponse as RawBatchResponse
from gopherqueue_api.models.health import Health as RawHealth
from gopherqueue_api.models.job import Job as RawJob
from gopherqueue_api.models.job_result import JobResult as RawJobResult
from gopherqueue_api.models.stats import Stats as RawStats
from gopherqueue_api.models.wait_response import WaitResponse as RawWaitResponse
from tests.captures import load_all, load_all_sse

BUILDERS: dict[str, Callable[[Any], list[object]]] = {
    "submit_job": lambda d: [Job.from_api(RawJob.from_dict(d))],
    "get_job": lambda d: [Job.from_api(RawJob.from_dict(d))],
    "cancel_job": lambda d: [Job.from_api(RawJob.from_dict(d))],
    "retry_job": lambda d: [Job.from_api(RawJob.from_dict(d))],
    "list_jobs": lambda d: [Job.from_api(RawJob.from_dict(j)) for j in d["jobs"]],
    "get_job_result": lambda d: [JobResult.from_api(RawJobResult.from_dict(d))],
    "wait_for_job": lambda d: [WaitResult.from_api(RawWaitResponse.from_dict(d))],
    "submit_batch": lambda d: [BatchResult.from_api(RawBatchResponse.from_dict(d))],
    "get_stats": lambda d: [QueueStats.from_api(RawStats.from_dict(d))],
    "health": lambda d: [Health.from_api(RawHealth.from_dict(d))],
}


def models_from_captures() -> Iterator[tuple[str, object]]:
    for cap in load_all():
        build = BUILDERS.get(cap.operation or "")
        if build is None or cap.status is None or not 200 <= cap.status < 300:
            continue
        if cap.status == 200 and cap.operation == "health" and cap.json() is None:
            continue
        for model in build(cap.json()):
            yield cap.name, model
            if isinstance(model, BatchResult):
                for item in model.results:
                    yield cap.name, item
            if isinstance(model, QueueStats):
                yield cap.name, model.workers
    for sse in load_all_sse():
        decoder = SSEDecoder()
        for event in [*decoder.feed(sse.body), *decoder.close()]:
            yield sse.name, _to_event(event)


MODELS = list(models_from_captures())


def test_every_public_model_is_covered() -> None:
    kinds = {type(model) for _, model in MODELS}
    assert kinds >= {
        Job,
        JobResult,
        WaitResult,
        BatchResult,
        BatchItem,
        QueueStats,
        WorkerStats,
        Health,
        Event,
    }


@pytest.mark.parametrize(
    ("name", "model"), MODELS, ids=[f"{n}-{type(m).__name__}" for n, m in MODELS]
)
def test_to_dict_round_trips_through_json(name: str, model: Any) -> None:
    data = model.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert json.loads(model.to_json()) == data
    assert "raw" not in data


def _walk(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def test_values_are_json_ready_forms() -> None:
    job = next(m for _, m in MODELS if isinstance(m, Job) and m.started_at is not None)
    data = job.to_dict()
    assert datetime.fromisoformat(data["created_at"]) == job.created_at
    assert data["state"] == str(job.state)
    assert type(data["state"]) is str
    stats = next(m for _, m in MODELS if isinstance(m, QueueStats))
    assert stats.to_dict()["workers"]["uptime"] == stats.workers.uptime.total_seconds()
    result = next(m for _, m in MODELS if isinstance(m, JobResult) and m.output)
    assert result.to_dict()["output"] == result.json()
    assert result.to_dict()["duration"] == result.duration.total_seconds()
    for _, model in MODELS:
        for value in _walk(model.to_dict()):
            assert value is None or isinstance(value, (str, int, float, bool, list, dict))


def test_wait_result_nests_its_result() -> None:
    outcome = next(m for _, m in MODELS if isinstance(m, WaitResult) and m.result is not None)
    data = outcome.to_dict()
    assert outcome.result is not None
    assert data["result"] == outcome.result.to_dict()
    assert data["state"] == str(outcome.state)
