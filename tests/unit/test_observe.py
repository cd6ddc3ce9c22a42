"""Observability: the ``on_request`` metrics hook, OpenTelemetry spans (the optional extra),
and the ``GOPHERQUEUE_LOG`` switch, on BOTH clients."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

import gopherqueue._observe
from gopherqueue import JobNotFoundError, RequestEvent, ValidationError
from tests.unit.fakes import (
    JOB_ID,
    Client,
    FakeServer,
    call,
    error,
    job_json,
    not_found,
    ok,
    wait_json,
)

KEY = "sk-observe-0123456789"


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemorySpanExporter]:
    """The SDK's tracer, replaced by one of a local provider that keeps its spans in memory
    (the global provider stays untouched for the rest of the suite)."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(gopherqueue._observe, "_tracer", provider.get_tracer("test"))
    yield exporter
    provider.shutdown()


async def test_on_request_reports_every_attempt(
    make_client: Callable[..., Client], server: FakeServer
) -> None:
    seen: list[RequestEvent] = []
    gq = make_client(api_key=KEY, on_request=seen.append)
    server.script(error(503, "unavailable", "busy"), ok(job_json(), 201))
    await call(gq, "submit", "echo", {"a": 1})
    assert [(e.operation, e.method, e.path, e.status_code, e.attempt) for e in seen] == [
        ("submit_job", "POST", "/api/v1/jobs", 503, 1),
        ("submit_job", "POST", "/api/v1/jobs", 201, 2),
    ]
    assert all(e.duration >= 0 and e.error is None for e in seen)
    assert KEY not in repr(seen)


async def test_on_request_reports_transport_failures(
    make_client: Callable[..., Client], server: FakeServer
) -> None:
    import httpx

    seen: list[RequestEvent] = []
    gq = make_client(on_request=seen.append, max_retries=1)
    server.script(httpx.ConnectError("refused"), ok(job_json()))
    await call(gq, "get", JOB_ID, include_result=False)
    assert [(e.status_code, e.error, e.attempt) for e in seen] == [
        (None, "ConnectError", 1),
        (200, None, 2),
    ]


def test_on_request_must_be_callable() -> None:
    from gopherqueue import GopherQueueSync

    with pytest.raises(ValidationError) as info:
        GopherQueueSync("http://127.0.0.1:1", on_request="print")  # type: ignore[arg-type]
    assert info.value.field == "on_request"


async def test_one_span_per_operation_with_a_retry_event(
    gq: Client, server: FakeServer, spans: InMemorySpanExporter
) -> None:
    server.script(error(503, "unavailable", "busy"), ok(job_json(), 201), ok(wait_json()))
    job = await call(gq, "submit", "echo", {"a": 1})
    await call(gq, "wait", job.id, timeout=5)
    submit, wait = spans.get_finished_spans()
    assert submit.name == "gopherqueue submit"
    assert submit.attributes is not None
    assert submit.attributes["gopherqueue.job.id"] == JOB_ID
    assert submit.attributes["gopherqueue.job.type"] == "echo"
    assert submit.attributes["gopherqueue.job.state"] == "pending"
    assert submit.attributes["gopherqueue.job.attempt"] == 0
    assert submit.attributes["gopherqueue.retries"] == 1
    assert [e.name for e in submit.events] == ["gopherqueue.backoff", "gopherqueue.retry"]
    retry_event = submit.events[1]
    assert retry_event.attributes is not None
    assert retry_event.attributes["attempt"] == 2
    assert wait.name == "gopherqueue wait"
    assert wait.attributes is not None
    assert wait.attributes["gopherqueue.job.id"] == JOB_ID
    assert wait.attributes["gopherqueue.job.state"] == "completed"
    assert wait.attributes["gopherqueue.retries"] == 0
    for span in (submit, wait):
        assert KEY not in str(span.to_json())


async def test_errors_are_recorded_on_the_span(
    gq: Client, server: FakeServer, spans: InMemorySpanExporter
) -> None:
    server.script(not_found())
    with pytest.raises(JobNotFoundError):
        await call(gq, "get", JOB_ID)
    (span,) = spans.get_finished_spans()
    assert span.name == "gopherqueue get"
    assert span.status.status_code == StatusCode.ERROR
    assert [e.name for e in span.events] == ["exception"]
    assert span.attributes is not None
    assert span.attributes["gopherqueue.job.id"] == JOB_ID


def _run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": ".", **env},
        check=False,
    )


_ONE_GET = f"""
    import httpx
    from gopherqueue import GopherQueueSync

    def answer(request):
        return httpx.Response(404, json={{"error": {{"code": "not_found", "message": "job not found"}}}})

    client = GopherQueueSync(
        "http://127.0.0.1:1",
        api_key="{KEY}",
        http_client=httpx.Client(transport=httpx.MockTransport(answer)),
    )
    try:
        client.get("{JOB_ID}")
    except Exception as exc:
        print(type(exc).__name__)
"""


def test_gopherqueue_log_debug_writes_request_lines_without_the_key() -> None:
    done = _run_python(textwrap.dedent(_ONE_GET), GOPHERQUEUE_LOG="debug")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "JobNotFoundError"
    assert f"GET /api/v1/jobs/{JOB_ID} -> 404" in done.stderr
    assert "gopherqueue DEBUG" in done.stderr
    assert KEY not in done.stderr
    assert KEY not in done.stdout


def test_logging_is_off_by_default_and_for_unknown_levels() -> None:
    for env in ({}, {"GOPHERQUEUE_LOG": "loud"}):
        done = _run_python(textwrap.dedent(_ONE_GET), **env)
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""


def test_import_never_imports_opentelemetry() -> None:
    done = _run_python(
        "import sys, gopherqueue\n"
        'print(sorted(m for m in sys.modules if m.startswith("opentelemetry")))\n'
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_operations_work_without_opentelemetry_installed() -> None:
    done = _run_python(
        textwrap.dedent("""
        import importlib.abc, sys

        class Absent(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] == "opentelemetry":
                    raise ModuleNotFoundError(f"No module named {name!r}")
                return None

        sys.meta_path.insert(0, Absent())
        """)
        + textwrap.dedent(_ONE_GET)
        + 'print(sorted(m for m in sys.modules if m.startswith("opentelemetry")))\n'
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["JobNotFoundError", "[]"]
