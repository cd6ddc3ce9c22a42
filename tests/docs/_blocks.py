"""The Python code blocks of the Markdown documentation, and how each one is tested.

A block runs here unless the line just before its opening fence is a marker comment:

- ``<!-- docs-test: runs in PATH -->``: the block belongs to a framework app or an excerpt of
  one, and PATH (a test module or an example that its tests run) is where it runs instead.
- ``<!-- docs-test: not run: REASON -->``: a signature or a code excerpt, not a program.
- ``<!-- docs-test: given NAME, ... -->``: the block is a fragment that uses these names
  (``job_id``: the id of a job that exists); the test defines them, then runs the block.
"""

from __future__ import annotations

import re
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]

_FENCE = re.compile(r"^```(?P<lang>[\w+-]*)[^\n]*\n(?P<code>.*?)^```[ \t]*$", re.S | re.M)
_MARKER = re.compile(r"<!--\s*docs-test:\s*(?P<what>.*?)\s*-->\s*$")


@attrs.frozen
class Block:
    """One fenced Python block: where it is, its code and how it is tested."""

    path: Path
    line: int
    code: str
    marker: str | None

    @property
    def id(self) -> str:
        """``file:line`` of the opening fence, relative to the repository."""
        return f"{self.path.relative_to(ROOT)}:{self.line}"

    @property
    def runs_in(self) -> Path | None:
        """The file named by a ``runs in`` marker."""
        if self.marker and self.marker.startswith("runs in "):
            return ROOT / self.marker.removeprefix("runs in ").strip()
        return None

    @property
    def not_run(self) -> bool:
        """Whether a ``not run`` marker says this block is no program."""
        return bool(self.marker and self.marker.startswith("not run:"))

    @property
    def given(self) -> list[str]:
        """The names a ``given`` marker says the test defines."""
        if self.marker and self.marker.startswith("given "):
            return [n.strip() for n in self.marker.removeprefix("given ").split(",")]
        return []


def python_blocks(path: Path) -> list[Block]:
    """Every ``python`` fenced block of one Markdown file, in order."""
    text = path.read_text(encoding="utf-8")
    found: list[Block] = []
    for match in _FENCE.finditer(text):
        if match["lang"] not in ("python", "py"):
            continue
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = _MARKER.search(before)
        found.append(
            Block(
                path=path,
                line=text.count("\n", 0, match.start()) + 1,
                code=match["code"],
                marker=marker["what"] if marker else None,
            )
        )
    return found


def all_blocks() -> list[Block]:
    """The Python blocks of README.md and every page under docs/."""
    return [block for path in DOCUMENTS for block in python_blocks(path)]
