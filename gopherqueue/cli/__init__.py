"""The ``gopherqueue`` command: submit, follow and inspect jobs from the shell.

Install with the ``cli`` extra (``pip install gopherqueue[cli]``). ``import gopherqueue`` never
imports this subpackage; this subpackage imports its parser (``click``) only in `main`, and its
output library (``rich``) and the clients only once a command runs, so ``gopherqueue --help``
starts fast. See ``docs/cli.md``
for the commands, the ``--json`` output and the exit codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

__all__ = ["main"]


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``) and return the exit status."""
    from ._main import run

    return run(argv)
