"""Render the reliability suite's scenario counts as the Markdown table of docs/reliability.md.

::

    GQ_RELIABILITY_REPORT=/tmp/gq-reliability.json pytest tests/reliability
    python -m tests.reliability.report /tmp/gq-reliability.json

Rows that are identical for both clients are merged into one ("sync, async").
"""

from __future__ import annotations

import json
import sys
from typing import Any

_COLUMNS = ("requested", "created", "duplicated", "lost", "attempts", "outcome")


def render(rows: list[dict[str, Any]]) -> str:
    merged: dict[tuple[Any, ...], list[str]] = {}
    for row in rows:
        key = (row["scenario"], *(row[c] for c in _COLUMNS))
        merged.setdefault(key, []).append(row["client"])
    lines = [
        "| scenario | clients | requested | created | duplicated | lost | attempts | outcome |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for key, clients in merged.items():
        scenario, *values = key
        cells = ["" if v is None else str(v) for v in values]
        lines.append(
            f"| {scenario} | {', '.join(sorted(clients, reverse=True))} | "
            + " | ".join(cells)
            + " |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as fh:
        rows = json.load(fh)
    sys.stdout.write(render(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
