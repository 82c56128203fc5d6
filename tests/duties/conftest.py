"""Orders released by customs with the duties the (simulated) authority assessed, for duty settlement."""

from __future__ import annotations

import pytest

from customs.models import ClearanceCase
from logistics.services import shipment_book
from marketplace.models import Order
from marketplace.services.orders import order_book_shipment
from tests.customs.conftest import drive
from tests.finance.conftest import paid_order


@pytest.fixture(autouse=True)
def _instant_authority(settings):
    settings.CUSTOMS_AUTHORITY_DELAY_SECONDS = 0
    settings.CUSTOMS_IOSS_NUMBER = "IM2760000123"
    settings.UK_VAT_NUMBER = "GB123456789"


def book(seller, order: Order, *, assessed: dict | None = None) -> ClearanceCase:
    """The seller books the shipment, the worker opens the case; the authority will assess `assessed`."""
    from django.db import connection
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(using=connection.alias):
        shipment = order_book_shipment(user=seller, order_id=order.pk)
    shipment_book(shipment_id=shipment.pk)
    case = ClearanceCase.objects.get(shipment_reference=order.reference)
    if assessed is not None:
        case.declaration = {**case.declaration, "authority_simulation": {"assessed": assessed}}
        case.save(update_fields=["declaration"])
    return case


def released(seller, buyer, *, quantity: int = 10, assessed: dict | None = None) -> Order:
    """A paid DDP order, booked and cleared by customs (the authority assessing `assessed`)."""
    order = paid_order(seller, buyer, quantity=quantity)
    case = book(seller, order, assessed=assessed)
    assert drive(case.pk) == "cleared"
    return Order.objects.get(pk=order.pk)
