"""The command line as click reads it: usage errors, option placement, argparse's leniencies.

The command parsed with argparse until it moved to click; what scripts could write then still
works, and click's own errors keep the command's one-line style and exit status 2.
"""

from __future__ import annotations

import subprocess

import pytest

from gopherqueue.testing import DevServer

from ._support import BIN, SECRET, check_secret, clean_env, run

UNKNOWN = "00000000-0000-4000-8000-000000000000"
COMMANDS = (
    "submit",
    "batch",
    "get",
    "list",
    "result",
    "wait",
    "watch",
    "events",
    "stats",
    "health",
    "cancel",
    "retry",
    "delete",
    "dev-server",
)


@pytest.mark.parametrize(
    "args",
    [
        ("frobnicate",),
        (),
        ("submit",),
        ("submit", "echo", "{}", "--priority", "high"),
        ("submit", "echo", "{}", "--bogus"),
        ("--timeout", "nan", "stats"),
        ("stats", "--count", "0"),
        ("watch", UNKNOWN, "--interval", "-1"),
        ("get", UNKNOWN, "extra"),
        ("cancel", UNKNOWN, "--wa"),
        ("get", UNKNOWN, "--url"),
    ],
    ids=[
        "command",
        "no-command",
        "missing-type",
        "int",
        "option",
        "nan",
        "count",
        "negative-interval",
        "extra",
        "unknown-prefix",
        "no-value",
    ],
)
def test_click_usage_errors_exit_2_with_one_line(server: DevServer, args: tuple[str, ...]) -> None:
    ran = run(server.url, *args)
    assert ran.code == 2, ran.err
    assert ran.out == ""
    lines = ran.err.strip().splitlines()
    assert len(lines) == 1, ran.err
    assert lines[0].startswith("error: ")
    assert "--help" in lines[0]
    assert "Usage:" not in ran.err
    assert "Traceback" not in ran.err
    assert server.faults.requests == []


def test_the_key_is_redacted_from_usage_errors(server: DevServer) -> None:
    # A key pasted where a value was expected: click would quote it back.
    ran = run(server.url, "get", UNKNOWN, SECRET)
    assert ran.code == 2
    assert "***" in ran.err
    from_env = run(
        server.url,
        "submit",
        "echo",
        "--priority",
        SECRET,
        key=None,
        env=clean_env(GOPHERQUEUE_API_KEY=SECRET),
    )
    assert from_env.code == 2
    assert "***" in from_env.err
    with_equals = run(server.url, f"--api-key={SECRET}", "stats", "--count", SECRET, key=None)
    assert with_equals.code == 2
    assert "***" in with_equals.err


def test_every_commands_help_names_the_key_option_but_never_the_key() -> None:
    env = clean_env(GOPHERQUEUE_API_KEY=SECRET)
    for command in COMMANDS:
        done = subprocess.run(
            [str(BIN), command, "--help"], capture_output=True, text=True, env=env, check=False
        )
        assert done.returncode == 0, done.stderr
        check_secret(done.stdout, done.stderr)
        assert "--api-key KEY" in done.stdout
        assert f"Usage: gopherqueue {command}" in done.stdout


def test_global_options_go_after_the_command_too(server: DevServer) -> None:
    ran = run(
        None,
        "stats",
        "--json",
        "--url",
        server.url,
        "--api-key",
        SECRET,
        "--timeout",
        "5",
        key=None,
    )
    assert ran.code == 0, ran.err
    assert ran.json()["total_jobs"] == 0
    # Before the command they count as well; after it, they override what came before.
    mixed = run("http://127.0.0.1:9", "--json", "stats", "--url", server.url)
    assert mixed.code == 0, mixed.err
    assert mixed.json()["total_jobs"] == 0


def test_version_and_short_help() -> None:
    version = subprocess.run(
        [str(BIN), "--version"], capture_output=True, text=True, env=clean_env(), check=False
    )
    assert version.returncode == 0
    assert version.stdout.startswith("gopherqueue ")
    short = subprocess.run(
        [str(BIN), "-h"], capture_output=True, text=True, env=clean_env(), check=False
    )
    assert short.returncode == 0
    assert "Usage: gopherqueue" in short.stdout


def test_a_negative_number_is_a_payload_as_with_argparse(server: DevServer) -> None:
    ran = run(server.url, "submit", "echo", "-5", "--wait")
    assert ran.code == 0, ran.err
    assert ran.out.strip() == "-5"
    decimal = run(server.url, "--json", "submit", "echo", "-1.5", "--tag", "k=v", "--wait")
    assert decimal.code == 0, decimal.err
    assert decimal.json()["result"]["output"] == -1.5
    assert decimal.json()["tags"] == {"k": "v"}
    # An option's value is still the option's.
    refused = run(server.url, "submit", "echo", "{}", "--priority", "-1")
    assert refused.code == 2
    assert "priority" in refused.err


def test_unique_prefixes_of_long_options_as_with_argparse(server: DevServer) -> None:
    ran = run(server.url, "--js", "submit", "echo", '"x"', "--wa", key=SECRET)
    # --wa is ambiguous (--wait, --wait-timeout): refused, nothing sent.
    assert ran.code == 2
    assert "ambiguous option: --wa could match --wait, --wait-timeout" in ran.err
    assert server.faults.requests == []
    ran = run(server.url, "--js", "submit", "echo", '"x"', "--max-att", "2", "--wait")
    assert ran.code == 0, ran.err
    assert ran.json()["max_attempts"] == 2
    assert ran.json()["result"]["output"] == "x"
    after = run(server.url, "stats", "--js")
    assert after.code == 0
    assert after.json()["completed"] == 1
