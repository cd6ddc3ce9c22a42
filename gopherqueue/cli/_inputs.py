"""Reading what the command line names: payloads, batch files, tags and durations."""

from __future__ import annotations

import json
import re
import sys
from typing import Any, Optional, Union

from ._main import CliError, ExitCode

__all__ = ["BatchFile", "parse_duration", "parse_tags", "read_batch", "read_payload"]

_NUMBER = re.compile(r"[0-9]+(\.[0-9]*)?")


def _read_text(source: str, what: str) -> str:
    if source == "-":
        return sys.stdin.read()
    try:
        with open(source, encoding="utf-8") as file:
            return file.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {what} {source!r}: {exc}", ExitCode.USAGE) from None


def read_payload(argument: Optional[str]) -> Any:
    """The payload given as JSON text, ``@FILE`` or ``-`` (stdin); ``None`` when not given."""
    if argument is None:
        return None
    if argument == "-":
        text, where = sys.stdin.read(), "stdin"
    elif argument.startswith("@"):
        text, where = _read_text(argument[1:], "payload file"), argument[1:]
    else:
        text, where = argument, "the payload argument"
    try:
        return json.loads(text)
    except ValueError as exc:
        raise CliError(f"payload: {where} is not JSON: {exc}", ExitCode.USAGE) from None


def parse_tags(items: list[str]) -> Optional[dict[str, str]]:
    """``--tag k=v`` options as a dict (``None`` when there are none)."""
    tags: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise CliError(f"--tag must be KEY=VALUE, got {item!r}", ExitCode.USAGE)
        tags[key] = value
    return tags or None


def parse_duration(text: Optional[str]) -> Union[str, float, None]:
    """A duration option: plain numbers are seconds, anything else a Go duration for the SDK."""
    if text is None:
        return None
    return float(text) if _NUMBER.fullmatch(text) else text


class BatchFile:
    """The items of a batch file and the line each came from (for error messages)."""

    def __init__(self, items: list[dict[str, Any]], lines: list[int]) -> None:
        self.items = items
        self.lines = lines

    def where(self, index: int) -> str:
        """``line N`` for the item at ``index``."""
        return f"line {self.lines[index]}" if 0 <= index < len(self.lines) else f"item {index}"


def read_batch(source: str) -> BatchFile:
    """Parse a JSON array or JSON Lines (blank lines skipped); name the first bad line."""
    text = _read_text(source, "batch file")
    name = "stdin" if source == "-" else source
    if text.lstrip().startswith("["):
        return _read_array(text, name)
    items: list[dict[str, Any]] = []
    lines: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as exc:
            raise CliError(f"{name}: line {number}: not JSON: {exc}", ExitCode.USAGE) from None
        if not isinstance(item, dict):
            raise CliError(
                f"{name}: line {number}: a job must be a JSON object with a 'type'",
                ExitCode.USAGE,
            )
        items.append(item)  # pyright: ignore[reportUnknownArgumentType]
        lines.append(number)
    if not items:
        raise CliError(f"{name}: no jobs in the file", ExitCode.USAGE)
    return BatchFile(items, lines)


def _read_array(text: str, name: str) -> BatchFile:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(f"{name}: line {exc.lineno}: not JSON: {exc.msg}", ExitCode.USAGE) from None
    if not isinstance(data, list):
        raise CliError(f"{name}: expected a JSON array of jobs", ExitCode.USAGE)
    items: list[dict[str, Any]] = []
    for index, item in enumerate(data):  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
        if not isinstance(item, dict):
            raise CliError(
                f"{name}: item {index}: a job must be a JSON object with a 'type'",
                ExitCode.USAGE,
            )
        items.append(item)  # pyright: ignore[reportUnknownArgumentType]
    if not items:
        raise CliError(f"{name}: no jobs in the file", ExitCode.USAGE)
    # An array's items have no line of their own; they are named by index ("item N").
    return BatchFile(items, [])
