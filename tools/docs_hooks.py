"""MkDocs hooks for the documentation site: pages whose lists come from the code.

``<!-- gopherqueue:exception-tree -->`` becomes the tree of the public exception classes and
``<!-- gopherqueue:endpoint-modules -->`` the table of the generated endpoint modules, both
read from the installed packages at build time so they cannot drift from the code.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import Any

import gopherqueue

_TREE = "<!-- gopherqueue:exception-tree -->"
_ENDPOINTS = "<!-- gopherqueue:endpoint-modules -->"
# A link from a guide to a file outside docs/ (an example app, the benchmarks): it works on
# the repository host but has no page on the site.
_OUTSIDE_LINK = re.compile(r"\[([^\]]+)\]\(\.\./([^)#\s]+)\)")


def exception_tree() -> str:
    """The public exception classes as an indented tree under ``GopherQueueError``."""
    public = {
        obj
        for name in gopherqueue.__all__
        if isinstance(obj := getattr(gopherqueue, name), type) and issubclass(obj, BaseException)
    }
    lines: list[str] = []

    def draw(cls: type, depth: int) -> None:
        bases = [b.__name__ for b in cls.__bases__ if b not in public and b is not object]
        extra = f" (also {', '.join(bases)})" if bases and depth else ""
        lines.append(f"{'    ' * depth}{cls.__name__}{extra}")
        children = sorted((c for c in public if cls in c.__bases__), key=lambda c: c.__name__)
        for child in children:
            draw(child, depth + 1)

    roots = sorted(
        (c for c in public if not any(b in public for b in c.__bases__)), key=lambda c: c.__name__
    )
    for root in roots:
        draw(root, 0)
    return "```text\n" + "\n".join(lines) + "\n```"


def endpoint_modules() -> str:
    """A table of the generated endpoint modules: group, module, first docstring line."""
    api = importlib.import_module("gopherqueue_api.api")
    rows = ["| group | module | what it calls |", "|---|---|---|"]
    for group in sorted(m.name for m in pkgutil.iter_modules(api.__path__)):
        package = importlib.import_module(f"gopherqueue_api.api.{group}")
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            module = importlib.import_module(f"gopherqueue_api.api.{group}.{info.name}")
            doc = (module.sync_detailed.__doc__ or "").strip().splitlines()
            rows.append(f"| `{group}` | `{info.name}` | {doc[0] if doc else ''} |")
    return "\n".join(rows)


def _outside(match: re.Match[str]) -> str:
    text, path = match[1], match[2]
    return text if path.strip("/") in text else f"{text} (`{path}` in the repository)"


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """Fill in the generated parts of a page; links out of docs/ name the path instead."""
    markdown = _OUTSIDE_LINK.sub(_outside, markdown)
    if _TREE in markdown:
        markdown = markdown.replace(_TREE, exception_tree())
    if _ENDPOINTS in markdown:
        markdown = markdown.replace(_ENDPOINTS, endpoint_modules())
    return markdown
