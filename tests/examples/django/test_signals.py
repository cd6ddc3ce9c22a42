"""The guide's post_save receiver (myapp/signals.py): creating an Order queues three jobs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from gopherqueue import Priority
from gopherqueue.testing import DevServer

from .._helpers import Recorder, wait_for

pytestmark = pytest.mark.django_db

TYPES = ("send_order_confirmation", "notify_warehouse", "update_analytics")


@pytest.fixture
def handlers(gopherqueue_server: DevServer) -> dict[str, Recorder]:
    recorders = {job_type: Recorder() for job_type in TYPES}
    for job_type, recorder in recorders.items():
        gopherqueue_server.register(job_type, recorder)
    return recorders


def test_creating_an_order_queues_three_jobs(
    gopherqueue_server: DevServer, handlers: dict[str, Recorder]
) -> None:
    from myapp.models import Order

    order = Order.objects.create(customer_email="grace@example.com", total=Decimal("42.50"))

    jobs = gopherqueue_server.jobs()
    assert [(job["type"], job["priority"]) for job in jobs] == [
        ("send_order_confirmation", Priority.NORMAL),
        ("notify_warehouse", Priority.NORMAL),
        ("update_analytics", Priority.BULK),
    ]
    assert wait_for(lambda: all(recorder.payloads for recorder in handlers.values()))
    payloads: dict[str, Any] = {t: handlers[t].payloads for t in TYPES}
    assert payloads == {
        "send_order_confirmation": [{"order_id": order.id, "email": "grace@example.com"}],
        # post_save(created=True) runs before any item can reference the order, so the
        # guide's list is always empty here (see the note in signals.py).
        "notify_warehouse": [{"order_id": order.id, "items": []}],
        "update_analytics": [{"event": "order_created", "order_id": order.id, "total": "42.50"}],
    }


def test_updating_an_order_queues_nothing(gopherqueue_server: DevServer) -> None:
    from myapp.models import Order

    order = Order.objects.create(customer_email="grace@example.com", total=Decimal("1.00"))
    assert gopherqueue_server.job_count() == 3

    order.total = Decimal("2.00")
    order.save()
    order.items.create(sku="SKU-1", quantity=2)

    assert gopherqueue_server.job_count() == 3
