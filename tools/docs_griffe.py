"""A griffe extension for the documentation site: reST markup in docstrings becomes Markdown.

The code's docstrings use reST roles (``:class:`Job```) and ``::`` literal blocks, which
Material for MkDocs would show as raw text. This extension rewrites them when mkdocstrings
loads the package: a role naming a public object becomes a cross-reference to its page (so a
misspelt name fails ``mkdocs build --strict``), a role naming a private object becomes inline
code, and a ``::`` block becomes a fenced Python block.
"""

from __future__ import annotations

import importlib
import re
import textwrap
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(class|meth|func|exc|attr|data|mod|obj):`~?([^`]+)`")
_PUBLIC_MODULES = ("gopherqueue", "gopherqueue.testing")


def _public_names() -> dict[str, str]:
    """Public short name -> the path it is documented under."""
    found: dict[str, str] = {}
    for module_name in reversed(_PUBLIC_MODULES):
        module = importlib.import_module(module_name)
        for name in module.__all__:
            found[name] = f"{module_name}.{name}"
    return found


def _class_path(obj: griffe.Object) -> griffe.Object | None:
    current: griffe.Object | None = obj
    while current is not None and not current.is_class:
        current = current.parent
    return current


class SphinxRolesToMarkdown(griffe.Extension):
    """Rewrite reST roles and literal blocks in every docstring of the loaded package."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        """Rewrite the docstrings once the whole package is loaded."""
        if pkg.path != "gopherqueue":
            return
        self._public = _public_names()
        self._visit(pkg)

    def _visit(self, obj: griffe.Object) -> None:
        if obj.docstring is not None:
            obj.docstring.value = self._rewrite(obj.docstring.value, obj)
        if isinstance(obj, griffe.Function):
            _show_private_defaults(obj)
        for member in obj.members.values():
            if not member.is_alias:
                self._visit(member)  # type: ignore[arg-type]

    def _target(self, name: str, obj: griffe.Object) -> str | None:
        """The documented path for ``name`` seen from ``obj``; None if it is private."""
        head, _, rest = name.partition(".")
        if head in self._public:
            return self._public[head] + (f".{rest}" if rest else "")
        if name.startswith(("gopherqueue.", "gopherqueue_api.")):
            return name
        cls = _class_path(obj)
        if cls is not None and head in cls.all_members:
            owner = self._public.get(cls.name)
            return f"{owner}.{name}" if owner and self._public_path(cls) else None
        module = obj.module
        if head in module.all_members:
            return None  # a private helper of the module: shown as code
        # Unknown: keep it a cross-reference, so the strict build names it.
        return name

    def _public_path(self, cls: griffe.Object) -> bool:
        return self._public.get(cls.name, "").rsplit(".", 1)[0] in _PUBLIC_MODULES

    def _rewrite(self, text: str, obj: griffe.Object) -> str:
        def role(match: re.Match[str]) -> str:
            name = match[2].strip()
            shown = name.rsplit(".", 1)[-1] if match[0].count("~") else name
            label = f"`{shown}()`" if match[1] in ("meth", "func") else f"`{shown}`"
            target = self._target(name, obj)
            return f"[{label}][{target}]" if target else label

        return _literal_blocks(_ROLE.sub(role, text))


def _literal_blocks(text: str) -> str:
    """Turn reST ``::`` literal blocks into fenced Python blocks."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.rstrip().endswith("::") and not line.lstrip().startswith((">>>", "```")):
            stripped = line.rstrip()[:-2].rstrip()
            if stripped:
                out.append(stripped + ":")
            j = i + 1
            block: list[str] = []
            while j < len(lines) and (not lines[j].strip() or lines[j].startswith((" ", "\t"))):
                block.append(lines[j])
                j += 1
            while block and not block[-1].strip():
                block.pop()
            if block:
                out.extend(["", "```python", textwrap.dedent("\n".join(block)).strip("\n"), "```"])
                out.append("")
                i = j
                continue
        out.append(line)
        i += 1
    return "\n".join(out)


def _show_private_defaults(func: griffe.Function) -> None:
    """Show a default that names a private module constant (``_DEFAULT_TIMEOUT``) as its value."""
    for param in func.parameters:
        name = str(param.default) if param.default is not None else ""
        if not name.startswith("_") or not name.isidentifier():
            continue
        constant = func.module.members.get(name)
        if isinstance(constant, griffe.Attribute) and constant.value is not None:
            param.default = constant.value
