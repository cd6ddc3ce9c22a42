"""The guide's ``signals.py``, verbatim; connected in ``MyappConfig.ready()`` (apps.py).

Note on the guide's design: ``post_save`` with ``created=True`` fires on the order's first
save, before any ``OrderItem`` can point at it, so the ``notify_warehouse`` job always gets
``"items": []``; the jobs are also submitted even if the surrounding transaction later rolls
back. Wrapping the submits in ``transaction.on_commit(...)`` and triggering them once the items
are saved fixes both; the example keeps the guide's code as written.
"""

# ruff: noqa: I001
# I001: the guide's import order is kept.

# The guide's code below is kept exactly as written, layout included (ruff format would
# re-wrap it); the formatter is off from here on.
# fmt: off

from django.db.models.signals import post_save
from django.dispatch import receiver
from .models import Order
from .queue import sync_client

@receiver(post_save, sender=Order)
def order_created_handler(sender, instance, created, **kwargs):
    if created:
        # Queue multiple background tasks for new orders
        sync_client.submit("send_order_confirmation", {
            "order_id": instance.id,
            "email": instance.customer_email
        })
        sync_client.submit("notify_warehouse", {
            "order_id": instance.id,
            "items": list(instance.items.values("sku", "quantity"))
        })
        sync_client.submit("update_analytics", {
            "event": "order_created",
            "order_id": instance.id,
            "total": str(instance.total)
        }, priority=4)  # Bulk priority
