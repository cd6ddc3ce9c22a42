"""Developer tasks: code generation, lint, type checks, tests, build, demo and benchmarks.

``nox -t ci`` is what CI runs (see README.md and .ci/run).
"""

from __future__ import annotations

import filecmp
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
    session.install("-e", ".[testing,aiohttp]", *_group("typecheck"))
    session.run("mypy", "--strict", "gopherqueue", "tests/typing")
    session.run("mypy", "--strict", "-p", GENERATED_PACKAGE)
    session.run("pyright", "gopherqueue", "tests/typing")


@nox.session(python=PYTHON, tags=["ci"])
def tests(session: nox.Session) -> None:
    """The test suite: unit, contract, embedded server, end-to-end and examples."""
    session.install("-e", ".[testing]", *_group("test"))
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON, tags=["ci"])
def build(session: nox.Session) -> None:
    """Build sdist and wheel, check them, and import the wheel from a fresh venv."""
    session.install("build", "twine", "check-wheel-contents")
    dist = ROOT / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    session.run("python", "-m", "build", "--outdir", str(dist))
    wheels = sorted(dist.glob("*.whl"))
    session.run("twine", "check", "--strict", *map(str, sorted(dist.iterdir())))
    session.run("check-wheel-contents", *map(str, wheels))
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv"
        session.run("python", "-m", "venv", str(venv))
        py = str(venv / "bin" / "python")
        session.run(py, "-m", "pip", "install", "--quiet", str(wheels[0]), external=True)
        # Import from outside the source tree so the checkout cannot shadow the wheel.
        with session.chdir(tmp):
            session.run(
                py,
                "-c",
                "import gopherqueue, gopherqueue_api, pathlib; "
                "assert 'site-packages' in gopherqueue.__file__, gopherqueue.__file__; "
                "assert (pathlib.Path(gopherqueue.__file__).parent / 'py.typed').exists(); "
                "assert (pathlib.Path(gopherqueue_api.__file__).parent / 'py.typed').exists(); "
                "print('imported', gopherqueue.__version__, 'from', gopherqueue.__file__)",
                external=True,
                env={"PYTHONPATH": ""},
            )


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
