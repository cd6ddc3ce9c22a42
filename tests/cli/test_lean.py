"""The command costs the library nothing: ``import gopherqueue`` loads none of its libraries."""

from __future__ import annotations

import subprocess
import sys

from ._support import clean_env

_PROBE = (
    "import sys, gopherqueue; "
    "print(sorted(m for m in sys.modules if m.split('.')[0] in ('rich', 'click', 'pygments') "
    "or m.startswith('gopherqueue.cli') or m == 'httpx._main'))"
)


def test_import_gopherqueue_imports_no_cli_library() -> None:
    # This environment has click (uvicorn needs it), rich and pygments: all that httpx's own
    # CLI module needs, so a plain `import httpx` would load them.
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, env=clean_env(), check=True
    )
    assert done.stdout.strip() == "[]"


def test_httpx_main_still_works_after_import_gopherqueue() -> None:
    probe = (
        "import gopherqueue, httpx, httpx._main as m; "
        "assert hasattr(m, 'click'); print(httpx.main.__name__)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=clean_env(), check=True
    )
    assert done.stdout.strip() == "_real_main"


def test_help_imports_no_output_library() -> None:
    probe = (
        "import sys\n"
        "from gopherqueue.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('rich' in sys.modules, file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=clean_env(), check=True
    )
    assert done.stderr.strip() == "False"
    assert "submit" in done.stdout


def test_the_cli_package_imports_click_only_when_the_command_runs() -> None:
    # gopherqueue.cli imports click (its parser) inside main(), and rich only in commands that
    # draw: importing the package, or asking for --help, costs neither rich nor (on import)
    # click.
    probe = (
        "import sys\n"
        "import gopherqueue.cli\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('click', 'rich')), "
        "file=sys.stderr)\n"
        "gopherqueue.cli.main(['--help'])\n"
        "print('click' in sys.modules, 'rich' in sys.modules, file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=clean_env(), check=True
    )
    assert done.stderr.strip().splitlines() == ["[]", "True False"]
