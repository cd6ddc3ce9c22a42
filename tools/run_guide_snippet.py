"""Run the guide's first snippet against the embedded server, from an installed wheel.

``nox -s build`` runs this with the Python of a fresh venv that has only the built wheel (and
its ``testing`` extra) installed, from outside the source tree, to show that what users install
works as the guide says. The snippet itself is ``examples/guide/basic_usage.py``, unchanged.
"""

from __future__ import annotations

import contextlib
import io
import os
import pathlib
import runpy
import sys

import gopherqueue
from gopherqueue.testing import DevServer, JobContext


def _email(ctx: JobContext) -> dict[str, str]:
    return {"sent_to": ctx.payload_json()["to"]}


def main(snippet: str) -> int:
    if "site-packages" not in gopherqueue.__file__:
        print(f"gopherqueue was imported from {gopherqueue.__file__}, not the wheel")
        return 1
    with DevServer() as server:
        server.register("email", _email)
        os.environ["GOPHERQUEUE_URL"] = server.url
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            runpy.run_path(snippet, run_name="__main__")
        print(printed.getvalue(), end="")
        if "Job completed successfully!" not in printed.getvalue():
            print("the snippet did not report a completed job")
            return 1
        if server.job_count() != 1:
            print(f"expected the snippet to create one job, the server has {server.job_count()}")
            return 1
    print(f"guide snippet ran on gopherqueue {gopherqueue.__version__} from the wheel")
    return 0


if __name__ == "__main__":
    sys.exit(main(str(pathlib.Path(sys.argv[1]).resolve())))
