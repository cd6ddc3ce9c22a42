"""Developer tasks: code generation, lint, type checks, tests, build, demo and benchmarks.

``nox -t ci`` is what CI runs (see README.md and .ci/run).
"""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import tempfile
from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True

ROOT = Path(__file__).parent
PYPROJECT = nox.project.load_toml("pyproject.toml")
PYTHON = "3.11"
# Every Python the classifiers promise gets the test suite; the list is read from them so the
# two cannot disagree.
PYTHONS = nox.project.python_versions(PYPROJECT)


def _add_pyenv_interpreters() -> None:
    # This kind of machine ships 3.12 and 3.13 under pyenv without activating them, and uv
    # cannot download interpreters here: put their bin folders on PATH so nox finds them.
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if not root.is_dir():
        return
    found = [p / "bin" for p in sorted(root.iterdir()) if re.fullmatch(r"3\.\d+\.\d+", p.name)]
    os.environ["PATH"] = os.pathsep.join([*map(str, found), os.environ.get("PATH", "")])


_add_pyenv_interpreters()

# The generator is pinned exactly: a different version writes different code, and the
# regeneration check compares byte for byte.
GENERATOR = "openapi-python-client==0.29.1"
GENERATED_PACKAGE = "gopherqueue_api"
GENERATED_DIR = ROOT / "generated" / GENERATED_PACKAGE


def _group(name: str) -> list[str]:
    return nox.project.dependency_groups(PYPROJECT, name)


def _generate_into(session: nox.Session, out: Path) -> None:
    # --fail-on-warning turns any generator warning into a failure; post_hooks is empty in the
    # config, so no formatter from PATH touches the output.
    session.run(
        "openapi-python-client",
        "generate",
        "--path",
        str(ROOT / "openapi.yaml"),
        "--config",
        str(ROOT / "openapi-python-client.yaml"),
        "--meta",
        "none",
        "--output-path",
        str(out),
        "--overwrite",
        "--fail-on-warning",
        env={"PYTHONHASHSEED": "0"},
    )
    # The generator does not write the PEP 561 marker with `--meta none`.
    (out / "py.typed").write_text("")


def _differences(left: Path, right: Path) -> list[str]:
    """Every path that differs between two trees, relative to them."""
    found: list[str] = []

    def walk(cmp: filecmp.dircmp[str], prefix: str) -> None:
        found.extend(f"only committed: {prefix}{n}" for n in cmp.left_only if n != "__pycache__")
        found.extend(f"only generated: {prefix}{n}" for n in cmp.right_only if n != "__pycache__")
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
        found.extend(f"differs: {prefix}{n}" for n in mismatch + errors)
        for name, sub in cmp.subdirs.items():
            if name != "__pycache__":
                walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(left, right), "")
    return found


@nox.session(python=PYTHON)
def generate(session: nox.Session) -> None:
    """Regenerate generated/gopherqueue_api from openapi.yaml.

    ``nox -s generate -- --check`` regenerates into a temporary folder instead and fails on
    any difference from what is committed.
    """
    session.install(GENERATOR)
    check = "--check" in session.posargs
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / GENERATED_PACKAGE
        _generate_into(session, out)
        if check:
            diffs = _differences(GENERATED_DIR, out) if GENERATED_DIR.exists() else ["missing"]
            if diffs:
                session.error(
                    "generated/ is out of date with openapi.yaml (run `nox -s generate`):\n  "
                    + "\n  ".join(diffs)
                )
            session.log("generated/ matches openapi.yaml")
            return
        if GENERATED_DIR.exists():
            shutil.rmtree(GENERATED_DIR)
        shutil.copytree(out, GENERATED_DIR)
        session.log(f"wrote {GENERATED_DIR.relative_to(ROOT)}")


@nox.session(name="generate-check", python=PYTHON, tags=["ci"])
def generate_check(session: nox.Session) -> None:
    """Fail when generated/ differs from what openapi.yaml generates."""
    session.install(GENERATOR)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / GENERATED_PACKAGE
        _generate_into(session, out)
        diffs = _differences(GENERATED_DIR, out) if GENERATED_DIR.exists() else ["missing"]
    if diffs:
        session.error(
            "generated/ is out of date with openapi.yaml (run `nox -s generate`):\n  "
            + "\n  ".join(diffs)
        )
    session.log("generated/ matches openapi.yaml")


@nox.session(python=PYTHON, tags=["ci"])
def lint(session: nox.Session) -> None:
    """Ruff lint and format check on everything but generated/."""
    session.install(*_group("lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON, tags=["ci"])
def typecheck(session: nox.Session) -> None:
    """mypy --strict on gopherqueue/ and the generated package; pyright on gopherqueue/."""
    session.install("-e", ".[testing,cli]", *_group("typecheck"))
    session.run("mypy", "--strict", "gopherqueue", "tests/typing")
    session.run("mypy", "--strict", "-p", GENERATED_PACKAGE)
    session.run("pyright", "gopherqueue", "tests/typing")


@nox.session(python=PYTHON, tags=["ci"])
def tests(session: nox.Session) -> None:
    """The test suite: unit, contract, embedded server, end-to-end and examples."""
    session.install("-e", ".[testing,cli]", *_group("test"))
    session.run("pytest", *session.posargs)


@nox.session(name="tests-pythons", python=[p for p in PYTHONS if p != PYTHON], tags=["ci"])
def tests_pythons(session: nox.Session) -> None:
    """The test suite on every other Python the classifiers name."""
    session.install("-e", ".[testing,cli]", *_group("test"))
    session.run("pytest", "-q", *session.posargs)


@nox.session(name="tests-lowest", python=PYTHON, tags=["ci"])
def tests_lowest(session: nox.Session) -> None:
    """The test suite with the lowest versions the runtime dependencies declare.

    The package's own dependencies are resolved to their lowest allowed versions (uv's
    ``lowest-direct``); the pinned test tools stay as pinned.
    """
    if session.venv_backend != "uv":
        session.error("tests-lowest needs the uv backend (pip cannot resolve lowest versions)")
    session.install(*_group("test"))
    session.install("--resolution=lowest-direct", "-e", ".[testing,cli]")
    session.run("python", "-c", _PRINT_VERSIONS)
    session.run("pytest", "-q", *session.posargs)


_PRINT_VERSIONS = (
    "import importlib.metadata as m; "
    "print(', '.join(f'{n} {m.version(n)}' for n in "
    "('httpx', 'attrs', 'starlette', 'uvicorn')))"
)


def _wheel_files(wheel: Path) -> list[str]:
    import zipfile

    with zipfile.ZipFile(wheel) as archive:
        return sorted(archive.namelist())


@nox.session(python=PYTHON, tags=["ci"])
def build(session: nox.Session) -> None:
    """Build the sdist and the wheel, check both, and run the guide from the installed wheel.

    Also builds a second wheel from the sdist and fails unless it holds the same files as the
    direct wheel, so the sdist is complete. The guide's first snippet then runs from a fresh
    venv with only the wheel (and its ``testing`` extra) installed, against the embedded server.
    """
    session.install("build", "twine", "check-wheel-contents")
    dist = ROOT / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    session.run("python", "-m", "build", "--outdir", str(dist))
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    session.run("twine", "check", "--strict", str(sdist), str(wheel))
    session.run("check-wheel-contents", str(wheel))
    with tempfile.TemporaryDirectory() as tmp:
        from_sdist = Path(tmp) / "from-sdist"
        session.run("python", "-m", "build", "--wheel", "--outdir", str(from_sdist), str(sdist))
        (rebuilt,) = from_sdist.glob("*.whl")
        direct, again = _wheel_files(wheel), _wheel_files(rebuilt)
        if direct != again:
            only_direct = sorted(set(direct) - set(again))
            only_sdist = sorted(set(again) - set(direct))
            session.error(
                f"the wheel built from the sdist differs: only in the direct wheel {only_direct}, "
                f"only in the sdist's {only_sdist}"
            )
        session.log(f"the wheel built from the sdist has the same {len(direct)} files")

        venv = Path(tmp) / "venv"
        session.run("python", "-m", "venv", str(venv))
        py = str(venv / "bin" / "python")
        session.run(py, "-m", "pip", "install", "--quiet", f"{wheel}[testing,cli]", external=True)
        # Run from outside the source tree so the checkout cannot shadow the wheel.
        with session.chdir(tmp):
            session.run(
                py,
                "-c",
                "import gopherqueue, gopherqueue_api, pathlib; "
                "assert (pathlib.Path(gopherqueue.__file__).parent / 'py.typed').exists(); "
                "assert (pathlib.Path(gopherqueue_api.__file__).parent / 'py.typed').exists(); "
                "print('imported', gopherqueue.__version__, 'from', gopherqueue.__file__)",
                external=True,
                env={"PYTHONPATH": ""},
            )
            session.run(
                py,
                str(ROOT / "tools" / "run_guide_snippet.py"),
                str(ROOT / "examples" / "guide" / "basic_usage.py"),
                external=True,
                env={"PYTHONPATH": ""},
            )
            # The wheel's console script (the `cli` extra's entry point) starts.
            session.run(
                str(venv / "bin" / "gopherqueue"),
                "--version",
                external=True,
                env={"PYTHONPATH": ""},
            )


@nox.session(python=PYTHON, tags=["ci"])
def docs(session: nox.Session) -> None:
    """Build the documentation site into site/ with ``mkdocs build --strict``.

    Every warning fails the build: a broken link, a missing page, or a cross-reference in a
    docstring that names nothing. The API reference is read from the installed package.
    """
    session.install("-e", ".[testing]", *_group("docs"))
    session.run(
        "mkdocs",
        "build",
        "--strict",
        "--site-dir",
        str(ROOT / "site"),
        env={"NO_MKDOCS_2_WARNING": "1"},
    )
    # reST markup that reached a page unconverted (a role the docstring extension missed, or a
    # ``literal`` Markdown shows as is) is a docstring bug the strict build cannot see.
    raw = re.compile(r":(class|meth|func|exc|attr|data|mod|obj):`|``\w")
    leftovers = [
        f"{page.relative_to(ROOT)}: {match[0]}"
        for page in sorted((ROOT / "site").rglob("*.html"))
        for match in [raw.search(page.read_text(encoding="utf-8"))]
        if match
    ]
    if leftovers:
        session.error("reST markup left in the built pages:\n  " + "\n  ".join(leftovers))


@nox.session(python=PYTHON)
def demo(session: nox.Session) -> None:
    """Start the embedded server and run the guided tour in examples/demo.py."""
    session.install("-e", ".[testing]")
    session.run("python", "examples/demo.py", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Benchmarks against raw httpx and aiohttp; writes benchmarks/RESULTS.md.

    ``nox -s bench -- --quick`` runs tiny counts (what CI does) and writes nothing.
    """
    session.install("-e", ".[testing]", *_group("bench"))
    session.run("python", "-m", "benchmarks", *session.posargs)
