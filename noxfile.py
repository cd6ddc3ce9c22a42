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


JS = ROOT / "js"


def _npm(session: nox.Session, *args: str, env: dict[str, str] | None = None) -> None:
    """Run npm in js/ (Node and npm come from the machine, not from nox)."""
    with session.chdir(JS):
        session.run("npm", *args, external=True, env=env)


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
            _npm(session, "ci")
            _npm(session, "run", "generate:check")
            return
        if GENERATED_DIR.exists():
            shutil.rmtree(GENERATED_DIR)
        shutil.copytree(out, GENERATED_DIR)
        session.log(f"wrote {GENERATED_DIR.relative_to(ROOT)}")
    _npm(session, "ci")
    _npm(session, "run", "generate")
    session.log("wrote js/src/generated/schema.ts")


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
    # The TypeScript side, from the same spec with its own pinned generator.
    _npm(session, "ci")
    _npm(session, "run", "generate:check")


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
    "('httpx', 'attrs', 'starlette', 'uvicorn', 'click', 'rich')))"
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


NEXTJS_DIR = ROOT / "examples" / "nextjs"
JS_DIR = ROOT / "js"
# Where the example's package.json points (`file:.sdk/gopherqueue.tgz`): a fixed name, so the
# lock does not change with the SDK's version.
NEXTJS_SDK_TARBALL = NEXTJS_DIR / ".sdk" / "gopherqueue.tgz"


def _pack_sdk(session: nox.Session) -> None:
    """Build the TypeScript SDK and put its `npm pack` tarball where the example expects it."""
    with session.chdir(JS_DIR):
        session.run("npm", "ci", "--no-audit", "--no-fund", external=True)
        session.run("npm", "run", "build", external=True)
        with tempfile.TemporaryDirectory() as tmp:
            session.run("npm", "pack", "--pack-destination", tmp, external=True)
            (tarball,) = Path(tmp).glob("gopherqueue-*.tgz")
            NEXTJS_SDK_TARBALL.parent.mkdir(exist_ok=True)
            shutil.copyfile(tarball, NEXTJS_SDK_TARBALL)
    session.log(f"packed {tarball.name} as {NEXTJS_SDK_TARBALL.relative_to(ROOT)}")


def _unpin_sdk_in_lock(lock: Path) -> bool:
    """Drop the lock's integrity hash for the SDK tarball; True when there was one.

    npm ci trusts a locked hash over the file: with one, it installs the tarball it cached
    earlier instead of the one just packed. Without one it reads the file every time.
    """
    import json

    data = json.loads(lock.read_text())
    entry = data.get("packages", {}).get("node_modules/gopherqueue", {})
    if "integrity" not in entry:
        return False
    del entry["integrity"]
    lock.write_text(json.dumps(data, indent=2) + "\n")
    return True


@nox.session(python=PYTHON, tags=["ci"])
def nextjs(session: nox.Session) -> None:
    """The Next.js example: pack the TypeScript SDK, install the tarball, build, test in Chromium.

    Runs `next build` (type errors fail it) and then examples/nextjs/e2e, which starts the
    embedded server and `next start` and drives Debian's Chromium with playwright-core.
    Screenshots and the app server's log go to examples/nextjs/test-results/.
    ``nox -s nextjs -- --relock`` refreshes package-lock.json after a dependency change.
    """
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if chromium is None:
        session.error("no chromium on PATH: `apt-get install chromium` (.ci/run does it in CI)")
    if shutil.which("npm") is None:
        session.error("the Next.js example needs Node.js and npm")
    session.install("-e", ".[testing]")
    _pack_sdk(session)
    lock = NEXTJS_DIR / "package-lock.json"
    with session.chdir(NEXTJS_DIR):
        if "--relock" in session.posargs:
            session.run("npm", "install", "--no-audit", "--no-fund", external=True)
            _unpin_sdk_in_lock(lock)
            session.log("package-lock.json refreshed: commit it")
        elif _unpin_sdk_in_lock(lock):
            session.error(
                "examples/nextjs/package-lock.json pins the SDK tarball's hash, so npm ci would "
                "install a stale SDK; it was just removed: commit package-lock.json"
            )
        session.run("npm", "ci", "--no-audit", "--no-fund", external=True)
        env = {"NEXT_TELEMETRY_DISABLED": "1"}
        session.run("npm", "run", "build", external=True, env=env)
        session.run(
            "node",
            "--test",
            "--test-concurrency=1",
            "e2e/app.test.mjs",
            external=True,
            env={**env, "GQ_PYTHON": str(Path(session.bin) / "python"), "CHROMIUM_PATH": chromium},
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
    # The cli extra: figure 11 times the `gopherqueue` command, which parses with click.
    session.install("-e", ".[testing,cli]", *_group("bench"))
    session.run("python", "-m", "benchmarks", *session.posargs)


_IMPORT_CHECK = """
import {{ GopherQueue, JobNotFoundError, VERSION }} from "gopherqueue";
const esm = new GopherQueue("http://localhost:8080");
if (typeof esm.submit !== "function" || VERSION !== "{version}") throw new Error("ESM import");
const cjs = require("gopherqueue");
if (!(new cjs.JobNotFoundError("x", {{ status: 404, method: "GET", url: "", headers: new Headers() }}) instanceof cjs.APIStatusError)) throw new Error("CJS import");
if (cjs.GopherQueue === GopherQueue) throw new Error("ESM and CJS are one file?");
console.log("imported gopherqueue", VERSION, "as ESM and as CommonJS from the tarball");
"""


@nox.session(python=PYTHON, tags=["ci"])
def js(session: nox.Session) -> None:
    """The TypeScript SDK in js/: install, generate-check, lint, typecheck, test, build, bench, pack.

    ``npm ci`` installs the locked dependencies; the tests start the embedded server with this
    session's Python. The packed tarball is then installed into a scratch project and imported
    both as ESM and as CommonJS.
    """
    session.install("-e", ".[testing]")
    python = str(Path(session.bin) / "python")
    _npm(session, "ci", "--no-audit", "--no-fund")
    _npm(session, "run", "generate:check")
    _npm(session, "run", "lint")
    _npm(session, "run", "typecheck")
    _npm(session, "test", env={"GQ_PYTHON": python})
    _npm(session, "run", "build")
    # The benchmark's smoke run (writes nothing), so the script cannot rot between real runs.
    _npm(session, "run", "bench", "--", "--quick", env={"GQ_PYTHON": python})
    with tempfile.TemporaryDirectory() as tmp:
        with session.chdir(JS):
            session.run("npm", "pack", "--pack-destination", tmp, external=True)
        (tarball,) = Path(tmp).glob("gopherqueue-*.tgz")
        project = Path(tmp) / "scratch"
        project.mkdir()
        (project / "package.json").write_text('{"name": "scratch", "private": true}\n')
        with session.chdir(project):
            session.run("npm", "install", "--no-audit", "--no-fund", str(tarball), external=True)
            version = _package_version()
            (project / "check.mjs").write_text(
                "import { createRequire } from 'node:module';\n"
                "const require = createRequire(import.meta.url);\n"
                + _IMPORT_CHECK.format(version=version)
            )
            session.run("node", "check.mjs", external=True)


def _package_version() -> str:
    source = (ROOT / "gopherqueue" / "_version.py").read_text()
    match = re.search(r'^__version__ = "([^"]+)"$', source, flags=re.M)
    assert match, "gopherqueue/_version.py has no __version__"
    return match.group(1)
