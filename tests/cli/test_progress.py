"""The progress bars, drawn for a person: the command runs under a pseudo-terminal."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import termios
import threading
from collections.abc import Callable
from pathlib import Path

from gopherqueue.testing import DevServer, JobContext

from ._support import BIN, SECRET, check_secret, clean_env, run

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _in_pty(args: list[str], on_output: Callable[[str], None] = lambda _: None) -> tuple[int, str]:
    """Run the command with a terminal for stdin, stdout and stderr; all it drew, as text."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    child = subprocess.Popen(
        [str(BIN), *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=clean_env(TERM="xterm-256color"),
    )
    os.close(slave)
    drawn = b""
    try:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child is gone and the terminal closed
                break
            if not data:
                break
            drawn += data
            on_output(_ANSI.sub("", drawn.decode("utf-8", "replace")))
    finally:
        os.close(master)
        code = child.wait()
    check_secret(drawn)
    return code, _ANSI.sub("", drawn.decode("utf-8", "replace"))


def test_watch_draws_a_live_bar_that_reaches_100_percent(server: DevServer) -> None:
    release = threading.Event()

    def held(ctx: JobContext) -> str:
        ctx.report_progress(40, "halfway")
        release.wait()
        return "released"

    server.register("held", held)
    try:
        job_id = run(server.url, "submit", "held").out.strip()

        def release_at_40(drawn: str) -> None:
            # The bar showed the job's own progress while it ran; now let it finish.
            if "40%" in drawn:
                release.set()

        code, drawn = _in_pty(
            ["--url", server.url, "--api-key", SECRET, "watch", job_id, "--interval", "0.2"],
            release_at_40,
        )
    finally:
        release.set()
    assert code == 0, drawn
    assert "halfway" in drawn
    assert "━" in drawn
    after = drawn.partition("40%")[2]
    assert "100%" in after
    assert "completed" in after
    assert "released" in after


def test_batch_wait_draws_bars_for_submitting_and_finishing(
    server: DevServer, tmp_path: Path
) -> None:
    path = tmp_path / "jobs.jsonl"
    path.write_text("\n".join(json.dumps({"type": "echo", "payload": n}) for n in range(1500)))
    code, drawn = _in_pty(["--url", server.url, "--api-key", SECRET, "batch", str(path), "--wait"])
    assert code == 0, drawn
    assert re.search(r"submitting.*1500/1500.*100%", drawn), drawn
    assert re.search(r"finished.*1500/1500.*100%", drawn), drawn
    assert "accepted 1500, rejected 0 of 1500" in drawn


def test_no_bar_when_stderr_is_not_a_terminal(server: DevServer) -> None:
    job_id = run(server.url, "submit", "echo", "{}").out.strip()
    ran = run(server.url, "watch", job_id)
    assert ran.code == 0
    assert "━" not in ran.err
    assert "\x1b[" not in ran.err + ran.out
