"""Running the installed ``gopherqueue`` command in a subprocess, as a user's shell does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs

# Every invocation passes this key; no test's output may contain it.
SECRET = "cli-secret-5d1e8f0a9b7c"
# The console script installed next to this interpreter (the wheel's entry point).
BIN = Path(sys.executable).with_name("gopherqueue")
# A safety net against a hung child; not a synchronisation.
_LIMIT = 300


@attrs.frozen
class Ran:
    """One finished run: exit status and the two streams as text."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        """Stdout as one JSON document."""
        return json.loads(self.out)

    def json_lines(self) -> list[Any]:
        """Stdout as JSON Lines."""
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without GOPHERQUEUE_* variables (an outer run may target a server)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOPHERQUEUE_")}
    env.update(extra)
    return env


def check_secret(*texts: str | bytes) -> None:
    """Fail when the key appears in any of ``texts``."""
    for text in texts:
        data = text.encode() if isinstance(text, str) else text
        assert SECRET.encode() not in data, "the API key appeared in the command's output"


def run(
    url: str | None,
    *args: str,
    key: str | None = SECRET,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
) -> Ran:
    """Run ``gopherqueue --url URL --api-key KEY ARGS...`` and collect its output."""
    command = [str(BIN)]
    if url is not None:
        command += ["--url", url]
    if key is not None:
        command += ["--api-key", key]
    done = subprocess.run(
        [*command, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=clean_env() if env is None else env,
        timeout=_LIMIT,
        check=False,
    )
    check_secret(done.stdout, done.stderr)
    return Ran(done.returncode, done.stdout, done.stderr)
