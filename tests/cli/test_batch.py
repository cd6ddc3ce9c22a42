"""``gopherqueue batch``: files, chunks, bad lines and following the jobs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gopherqueue.testing import DevServer

from ._support import run

BATCH_PATH = "/api/v1/jobs/batch"


def _jsonl(count: int) -> list[str]:
    return [json.dumps({"type": "echo", "payload": {"n": n}}) for n in range(count)]


def test_a_2500_line_file_goes_in_3_chunks(server: DevServer, tmp_path: Path) -> None:
    path = tmp_path / "jobs.jsonl"
    path.write_text("\n".join(_jsonl(2500)) + "\n")
    ran = run(server.url, "--json", "batch", str(path))
    assert ran.code == 0, ran.err
    summary = ran.json()
    assert (summary["total"], summary["accepted"], summary["rejected"]) == (2500, 2500, 0)
    assert len(set(summary["job_ids"])) == 2500
    assert server.faults.hits("POST", BATCH_PATH) == 3
    assert server.job_count() == 2500


@pytest.mark.parametrize(
    ("bad", "named"),
    [
        ('{"type": "echo", "payload": ', "line 1701: not JSON"),
        ('["not", "an", "object"]', "line 1701: a job must be a JSON object"),
        ('{"type": "echo", "priority": 9}', "line 1701: "),
        ('{"payload": {}}', "line 1701: "),
    ],
    ids=["syntax", "not-an-object", "priority", "no-type"],
)
def test_one_bad_line_is_named_before_anything_is_sent(
    server: DevServer, tmp_path: Path, bad: str, named: str
) -> None:
    lines = _jsonl(2500)
    lines[1700] = bad
    path = tmp_path / "jobs.jsonl"
    path.write_text("\n".join(lines) + "\n")
    ran = run(server.url, "batch", str(path))
    assert ran.code == 2
    assert named in ran.err
    assert len(ran.err.strip().splitlines()) == 1
    assert server.faults.requests == []
    assert server.job_count() == 0


def test_a_json_array_from_stdin_atomically(server: DevServer) -> None:
    jobs = [{"type": "echo", "payload": n} for n in range(3)]
    ran = run(server.url, "--json", "batch", "-", "--atomic", stdin=json.dumps(jobs, indent=1))
    assert ran.code == 0, ran.err
    assert ran.json()["accepted"] == 3
    assert server.faults.hits("POST", BATCH_PATH) == 1


def test_an_atomic_batch_over_1000_is_refused_before_sending(
    server: DevServer, tmp_path: Path
) -> None:
    path = tmp_path / "jobs.jsonl"
    path.write_text("\n".join(_jsonl(1001)))
    ran = run(server.url, "batch", str(path), "--atomic")
    assert ran.code == 2
    assert "at most 1000" in ran.err
    assert server.faults.requests == []


def test_rejected_items_are_listed_with_their_lines(server: DevServer, tmp_path: Path) -> None:
    # A duplicate idempotency key in one batch: the server rejects the second item.
    lines = [
        json.dumps({"type": "echo", "idempotency_key": "same"}),
        "",
        json.dumps({"type": "echo", "idempotency_key": "same"}),
        json.dumps({"type": "echo"}),
    ]
    path = tmp_path / "jobs.jsonl"
    path.write_text("\n".join(lines))
    ran = run(server.url, "--json", "batch", str(path))
    summary = ran.json()
    assert ran.code == 2
    assert summary["accepted"] == 2
    assert [(r["index"], r["where"]) for r in summary["rejected_items"]] == [(1, "line 3")]
    text = run(server.url, "batch", str(path))
    assert "accepted" in text.err


def test_batch_wait_follows_every_job(server: DevServer, tmp_path: Path) -> None:
    lines = _jsonl(20)
    lines.append(json.dumps({"type": "error", "payload": {}, "max_attempts": 1}))
    path = tmp_path / "jobs.jsonl"
    path.write_text("\n".join(lines))
    ran = run(server.url, "--json", "batch", str(path), "--wait")
    assert ran.code == 1, ran.err
    summary = ran.json()
    assert summary["finished"] == {"completed": 20, "failed": 1, "unfinished": 0}

    ok = tmp_path / "ok.jsonl"
    ok.write_text("\n".join(_jsonl(5)))
    text = run(server.url, "batch", str(ok), "--wait")
    assert text.code == 0
    assert "5 completed" in text.err
