"""The module layout's rules, checked on the source.

* A private module's ``__all__`` lists exactly the names other SDK modules import from it (the
  package's public namespace included); every other name is the module's own business.
* Only ``_generated`` imports the generated package, ``gopherqueue_api``.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "gopherqueue"
# _version.py holds only __version__ (and is read by the build backend).
CORE = sorted(p for p in PACKAGE.glob("_*.py") if p.name not in ("__init__.py", "_version.py"))


def _module_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(importer: str, is_package: bool, level: int, module: str | None) -> str:
    if level == 0:
        return module or ""
    base = importer.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, module] if module else base)


def _imported_names() -> dict[str, set[str]]:
    """For each SDK module, the names the other SDK modules take from it."""
    used: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        importer = _module_of(path)
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(), str(path))
        aliases: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                source = _resolve(importer, is_package, node.level, node.module)
                for alias in node.names:
                    sub = f"{source}.{alias.name}"
                    if (
                        sub.startswith("gopherqueue.")
                        and (PACKAGE.parent / sub.replace(".", "/")).with_suffix(".py").exists()
                    ):
                        aliases[alias.asname or alias.name] = sub
                    elif source != importer:
                        used[source].add(alias.name)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
            ):
                used[aliases[node.value.id]].add(node.attr)
    return used


USED = _imported_names()


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_all_lists_what_other_modules_import(path: Path) -> None:
    name = _module_of(path)
    module = importlib.import_module(name)
    declared = set(getattr(module, "__all__", ()))
    assert declared == USED.get(name, set()), (
        f"{name}.__all__ should list exactly the names other SDK modules import from it"
    )
    assert not any(n.startswith("_") for n in declared)


def test_only_the_adapter_imports_the_generated_package() -> None:
    importers = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "gopherqueue_api"
            ):
                importers.add(path.name)
            if isinstance(node, ast.Import) and any(
                a.name.startswith("gopherqueue_api") for a in node.names
            ):
                importers.add(path.name)
    assert importers == {"_generated.py"}


def test_importing_the_sdk_leaves_the_generated_package_for_first_use() -> None:
    # The generated models cost tens of milliseconds to import; _generated defers them.
    code = (
        "import sys, gopherqueue\n"
        "loaded = [m for m in sys.modules if m.startswith('gopherqueue_api')]\n"
        "assert not loaded, loaded\n"
        "from gopherqueue import _generated as gen\n"
        "assert gen.RawJob.__module__ == 'gopherqueue_api.models.job'\n"
        "assert 'RawJob' in vars(gen)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
