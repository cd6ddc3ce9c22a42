"""The public surface: ``gopherqueue.__all__`` is sorted, complete and documented, and the two
clients offer the same operations with the same parameters."""

from __future__ import annotations

import inspect
import re
import types

import pytest

import gopherqueue
from gopherqueue import GopherQueue, GopherQueueSync

ALL = list(gopherqueue.__all__)


def test_all_is_sorted_without_duplicates() -> None:
    assert sorted(ALL) == ALL
    assert len(set(ALL)) == len(ALL)


def test_all_matches_the_public_names() -> None:
    public = {
        name
        for name, value in vars(gopherqueue).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert set(ALL) == public | {"__version__"}


def test_star_import_gives_exactly_all() -> None:
    namespace: dict[str, object] = {}
    exec("from gopherqueue import *", namespace)
    namespace.pop("__builtins__")
    assert set(namespace) == set(ALL)


@pytest.mark.parametrize("name", ALL)
def test_every_name_exists_and_is_documented(name: str) -> None:
    obj = getattr(gopherqueue, name)
    if inspect.isclass(obj) or inspect.isfunction(obj):
        # Its own docstring, not one inherited or generated (Enum's "An enumeration.").
        doc = vars(obj).get("__doc__") if inspect.isclass(obj) else obj.__doc__
        assert doc
        assert doc.strip()
        assert doc.strip() != "An enumeration."
        assert obj.__module__.startswith("gopherqueue")


def test_version() -> None:
    assert isinstance(gopherqueue.__version__, str)
    assert re.fullmatch(r"\d+\.\d+\.\d+([.-]?\w+)*", gopherqueue.__version__)


def _public_members(cls: type) -> dict[str, object]:
    return {n: getattr(cls, n) for n in dir(cls) if not n.startswith("_")}


def test_both_clients_offer_the_same_operations() -> None:
    sync_members = set(_public_members(GopherQueueSync)) - {"close"}
    async_members = set(_public_members(GopherQueue)) - {"aclose"}
    assert sync_members == async_members


@pytest.mark.parametrize(
    "name", sorted(n for n in _public_members(GopherQueueSync) if n != "close")
)
def test_operation_parity(name: str) -> None:
    sync_attr = inspect.getattr_static(GopherQueueSync, name)
    async_attr = inspect.getattr_static(GopherQueue, name)
    if isinstance(sync_attr, property):
        assert isinstance(async_attr, property)
        return
    sync_sig = inspect.signature(sync_attr)
    async_sig = inspect.signature(async_attr)
    assert list(sync_sig.parameters) == list(async_sig.parameters)
    for param in sync_sig.parameters:
        s, a = sync_sig.parameters[param], async_sig.parameters[param]
        assert (s.kind, s.default) == (a.kind, a.default), param
    assert sync_attr.__doc__
    assert async_attr.__doc__


def test_async_operations_are_coroutines() -> None:
    # Not awaited: iterators (events, watch, as_completed), a copy, and a handle (no I/O).
    streaming = {"as_completed", "events", "job", "watch", "with_options"}
    for name, member in _public_members(GopherQueue).items():
        if callable(member) and name not in streaming:
            assert inspect.iscoroutinefunction(member), name
    for name, member in _public_members(GopherQueueSync).items():
        if callable(member):
            assert not inspect.iscoroutinefunction(member), name


def test_both_handles_offer_the_same_methods() -> None:
    sync_members = _public_members(gopherqueue.JobHandle)
    async_members = _public_members(gopherqueue.AsyncJobHandle)
    assert set(sync_members) == set(async_members)
    for name in sync_members:
        s, a = (
            inspect.getattr_static(c, name)
            for c in (gopherqueue.JobHandle, gopherqueue.AsyncJobHandle)
        )
        if isinstance(s, property):
            assert isinstance(a, property), name
            continue
        assert list(inspect.signature(s).parameters) == list(inspect.signature(a).parameters)
        assert s.__doc__
        assert a.__doc__
        # Every I/O method is a coroutine on the async handle; watch is an iterator.
        assert inspect.iscoroutinefunction(a) == (name != "watch"), name
        assert not inspect.iscoroutinefunction(s), name


@pytest.mark.parametrize(
    "name", sorted(n for n in _public_members(GopherQueue) if callable(getattr(GopherQueue, n)))
)
def test_every_async_method_documents_what_its_sync_twin_does(name: str) -> None:
    """help() on the async client shows the arguments, returns and errors, not only "see
    GopherQueueSync.x" (issue 12 item 18)."""
    async_doc = inspect.getdoc(getattr(GopherQueue, name)) or ""
    assert async_doc.strip()
    twin = getattr(GopherQueueSync, "close" if name == "aclose" else name)
    sync_doc = inspect.getdoc(twin) or ""
    assert "see :meth:" not in async_doc
    for section in ("Args:", "Returns:", "Raises:"):
        if section in sync_doc:
            assert section in async_doc, f"GopherQueue.{name} lacks {section}"
    for parameter in inspect.signature(twin).parameters:
        if parameter != "self" and f"    {parameter}:" in sync_doc:
            assert f"    {parameter}:" in async_doc, f"GopherQueue.{name} lacks {parameter}"


@pytest.mark.parametrize("cls", [GopherQueueSync, GopherQueue])
def test_help_on_the_constructor_shows_the_options(cls: type) -> None:
    doc = inspect.getdoc(cls.__init__) or ""  # type: ignore[misc]
    assert "Initialize self" not in doc
    for option in ("url:", "api_key:", "timeout:", "http_client:", "max_response_size:"):
        assert option in doc
