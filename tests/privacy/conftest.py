"""Privacy fixtures: a buyer's order carried through to the end (paid, shipped, cleared, delivered, the
seller paid), made through the real services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.logistics.conftest import paid_order  # noqa: F401  (the fixture, reused)


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path):
    """Files go to this test's own folders: references (ORD-000001) repeat across test databases."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")


def complete(seller, order, settings, capture) -> None:
    """Book, clear, deliver and pay out `order` as the worker, the authority and the carrier would."""
    from customs.models import ClearanceCase
    from logistics.services import shipment_book
    from marketplace.services.orders import order_book_shipment, order_release_escrow
    from tests.customs.conftest import drive
    from tests.logistics.test_carrier_vs_customs import push

    settings.CUSTOMS_AUTHORITY_DELAY_SECONDS = 0
    with capture():
        shipment = order_book_shipment(user=seller, order_id=order.pk)
    shipment_book(shipment_id=shipment.pk)
    assert drive(ClearanceCase.objects.get(shipment_reference=order.reference).pk) == "cleared"
    shipment.refresh_from_db()
    push(shipment, ("delivered", timezone.now() + timedelta(minutes=1)))
    order_release_escrow(order_id=order.pk)
    order.refresh_from_db()
    assert order.status == "completed", order.status


@pytest.fixture
def completed_order(paid_order, settings, django_capture_on_commit_callbacks):  # noqa: F811
    """(seller, buyer, order): six tins of tea from Hangzhou to London, delivered and the seller paid."""
    seller, buyer, order = paid_order
    complete(seller, order, settings, django_capture_on_commit_callbacks)
    return seller, buyer, order
