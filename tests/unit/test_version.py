"""The release version is kept in one place per language and agrees everywhere it shows.

Python: ``gopherqueue/_version.py`` (hatchling reads it for the wheel's metadata; the client's
User-Agent is built from it). The version must sort above every release of upstream's own
``gopherqueue`` package on PyPI (1.1.2 at the time of writing), or pip would keep preferring
upstream's empty wheels.
"""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import httpx

import gopherqueue
from gopherqueue import GopherQueueSync

ROOT = Path(__file__).resolve().parents[2]
UPSTREAM_HIGHEST = (1, 1, 2)


def _parts(version: str) -> tuple[int, ...]:
    match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", version)
    assert match, f"not a plain X.Y.Z release version: {version!r}"
    return tuple(int(p) for p in match.groups())


def test_the_version_file_is_the_one_place() -> None:
    source = (ROOT / "gopherqueue" / "_version.py").read_text()
    (declared,) = re.findall(r'^__version__ = "([^"]+)"$', source, flags=re.M)
    assert gopherqueue.__version__ == declared


def test_pyproject_takes_the_version_from_the_version_file() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"], "a static version would be a second place"
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["path"] == "gopherqueue/_version.py"


def test_installed_metadata_matches() -> None:
    # An editable install records the version at install time: this catches a version file
    # changed without the package metadata following it.
    assert importlib.metadata.version("gopherqueue") == gopherqueue.__version__


def test_the_user_agent_carries_the_version() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["user-agent"])
        return httpx.Response(200, json={"alive": True})

    http = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://gq.test")
    with GopherQueueSync("http://gq.test", http_client=http) as client:
        client.live()
    (agent,) = seen
    assert agent.startswith(f"gopherqueue-python/{gopherqueue.__version__} ")


def test_the_version_sorts_above_upstream_releases() -> None:
    assert _parts(gopherqueue.__version__) > UPSTREAM_HIGHEST


def test_the_changelog_names_the_first_release_with_this_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    released = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", changelog, flags=re.M)
    assert released, "no released section"
    assert released[0] == gopherqueue.__version__


def test_the_typescript_package_has_the_same_version() -> None:
    import json

    package = json.loads((ROOT / "js" / "package.json").read_text())
    lock = json.loads((ROOT / "js" / "package-lock.json").read_text())
    source = (ROOT / "js" / "src" / "version.ts").read_text()
    (in_source,) = re.findall(r'^export const VERSION = "([^"]+)";$', source, flags=re.M)
    assert package["version"] == lock["version"] == in_source == gopherqueue.__version__
    assert lock["packages"][""]["version"] == gopherqueue.__version__
