"""API keys against a server that checks them (issue 4).

``gq serve`` has no flag that turns auth on (docs/protocol.md §1), so this needs the embedded
server, which answers 401 ``unauthorized`` (``missing credentials`` / ``invalid credentials``)
to API requests without the right ``X-API-Key`` and leaves the probes open.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from gopherqueue import AuthenticationError, JobState
from gopherqueue.testing import DevServer

from ._support import Api, make_client

pytestmark = [pytest.mark.e2e, pytest.mark.needs_embedded("a server with an API key")]

KEY = "s3cret-key"


@pytest.fixture
def auth_server(
    embedded_server_factory: Callable[..., DevServer], monkeypatch: pytest.MonkeyPatch
) -> DevServer:
    # A key in the environment would be picked up by the clients meant to have none.
    monkeypatch.delenv("GOPHERQUEUE_API_KEY", raising=False)
    return embedded_server_factory(api_key=KEY)


@pytest.fixture
async def clients(client_kind: str, auth_server: DevServer) -> AsyncIterator[dict[str, Api]]:
    made = {
        "right": Api(make_client(client_kind, auth_server.url, api_key=KEY)),
        "none": Api(make_client(client_kind, auth_server.url)),
        "wrong": Api(make_client(client_kind, auth_server.url, api_key="not-the-key")),
    }
    try:
        yield made
    finally:
        for api in made.values():
            await api.close()


async def test_the_right_key_works(clients: dict[str, Api]) -> None:
    gq = clients["right"]
    job = await gq.submit("echo", {"authorised": True})
    outcome = await gq.wait(job.id, timeout=10)
    assert outcome.state is JobState.COMPLETED
    assert (await gq.get(job.id)).job_result.json() == {"authorised": True}
    assert (await gq.stats()).completed == 1


@pytest.mark.parametrize(("who", "message"), [("none", "missing"), ("wrong", "invalid")])
async def test_no_key_or_a_wrong_key_is_refused(
    clients: dict[str, Api], auth_server: DevServer, who: str, message: str
) -> None:
    gq = clients[who]
    with pytest.raises(AuthenticationError, match=f"{message} credentials") as info:
        await gq.submit("echo", 1)
    assert info.value.status_code == 401
    assert info.value.code == "unauthorized"
    assert auth_server.job_count() == 0
    # Not retried: one request.
    assert auth_server.faults.hits("POST", "/api/v1/jobs") == 1
    with pytest.raises(AuthenticationError):
        await gq.stats()
    with pytest.raises(AuthenticationError):
        await gq.list()
    with pytest.raises(AuthenticationError):
        await gq.get("6b1f3c1e-0000-4000-8000-000000000000")


@pytest.mark.parametrize("who", ["none", "wrong"])
async def test_probes_need_no_key(clients: dict[str, Api], who: str) -> None:
    gq = clients[who]
    assert (await gq.health()).healthy is True
    assert await gq.ready() is True
    assert await gq.live() is True
