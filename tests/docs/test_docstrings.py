"""Every public name has a docstring, and every public function documents its parameters.

Read with griffe, as the site's API reference is: public names are those in
``gopherqueue.__all__`` and ``gopherqueue.testing.__all__``, with the public methods and
properties of the public classes. Parameters count as documented when a Google-style
``Args:`` section names them (for a class, in the class docstring or ``__init__``'s). A method
whose docstring points at another method with ``see :meth:`...``` shares that method's list.
"""

from __future__ import annotations

import re
from pathlib import Path

import griffe
import pytest

import gopherqueue
import gopherqueue.testing

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_MODULES = {"gopherqueue": gopherqueue, "gopherqueue.testing": gopherqueue.testing}
_SEE = re.compile(r"see\s+:meth:`~?(?P<target>[\w.]+)`")
_SENTENCE = re.compile(r"\S.*?\w.*?[.!?:](\s|$)", re.S)


def _load() -> griffe.Module:
    loader = griffe.GriffeLoader(docstring_parser=griffe.Parser.google, search_paths=[str(ROOT)])
    package = loader.load("gopherqueue")
    loader.resolve_aliases(external=False, implicit=False)
    assert isinstance(package, griffe.Module)
    return package


PACKAGE = _load()


def _public_objects() -> dict[str, griffe.Object]:
    found: dict[str, griffe.Object] = {}
    for module_name, module in PUBLIC_MODULES.items():
        griffe_module = PACKAGE if module_name == "gopherqueue" else PACKAGE["testing"]
        for name in module.__all__:
            if name.startswith("__"):
                continue
            obj = griffe_module[name]
            target = obj.final_target if obj.is_alias else obj
            found[f"{module_name}.{name}"] = target
            if target.is_class:
                for member_name, member in target.all_members.items():
                    if member_name.startswith("_"):
                        continue
                    member = member.final_target if member.is_alias else member
                    if member.is_function:
                        found[f"{module_name}.{name}.{member_name}"] = member
    return found


PUBLIC = _public_objects()


def _documented_params(obj: griffe.Object) -> set[str]:
    if obj.docstring is None:
        return set()
    names: set[str] = set()
    for section in obj.docstring.parse(griffe.Parser.google):
        if section.kind is griffe.DocstringSectionKind.parameters:
            names.update(param.name for param in section.value)
    return names


def _params(func: griffe.Function) -> list[str]:
    return [
        p.name
        for p in func.parameters
        if p.name not in ("self", "cls")
        and not p.name.startswith("_")
        and p.kind is not griffe.ParameterKind.var_keyword
    ]


def _params_documented(path: str, obj: griffe.Object) -> set[str]:
    documented = _documented_params(obj)
    if obj.is_function and obj.docstring is not None and (see := _SEE.search(obj.docstring.value)):
        owner = path.rsplit(".", 2)[0]
        target = PUBLIC.get(f"{owner}.{see['target']}") or PUBLIC.get(
            f"gopherqueue.{see['target']}"
        )
        assert target is not None, f"{path}: 'see {see['target']}' names no public method"
        documented |= _documented_params(target)
    return documented


def test_the_public_names_are_found() -> None:
    assert "gopherqueue.GopherQueueSync.submit" in PUBLIC
    assert "gopherqueue.testing.DevServer" in PUBLIC
    assert len(PUBLIC) > 100


@pytest.mark.parametrize("path", sorted(PUBLIC))
def test_has_a_docstring_with_a_sentence(path: str) -> None:
    docstring = PUBLIC[path].docstring
    assert docstring is not None, f"{path} has no docstring"
    assert _SENTENCE.match(docstring.value.strip()), f"{path}: {docstring.value!r}"


CALLABLES = {path: obj for path, obj in PUBLIC.items() if obj.is_function or obj.is_class}


@pytest.mark.parametrize("path", sorted(CALLABLES))
def test_parameters_are_documented(path: str) -> None:
    obj = CALLABLES[path]
    if obj.is_class:
        init = obj.all_members.get("__init__")
        if init is None or init.is_alias or not init.is_function:
            return  # attrs classes and exceptions: their fields are documented as attributes
        if init.parent is not obj and not init.parent.path.startswith("gopherqueue."):
            return
        params = _params(init)  # type: ignore[arg-type]
        documented = _documented_params(obj) | _documented_params(init)  # type: ignore[arg-type]
    else:
        if obj.parent is not None and "property" in obj.labels:
            return
        params = _params(obj)  # type: ignore[arg-type]
        documented = _params_documented(path, obj)
    missing = [p for p in params if p not in documented]
    assert not missing, f"{path}: parameters not in an Args section: {missing}"
