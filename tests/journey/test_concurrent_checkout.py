"""No overselling: fifty buyers racing for the last ten units over real concurrent database
connections make exactly ten orders (row locks on the listing)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from ewtp.exceptions import ApplicationError
from marketplace import services
from marketplace.models import Listing, Order
from payments.models import Payment, PaymentAllocation
from tests import factories

pytestmark = pytest.mark.xdist_group("worker")


def test_fifty_checkouts_for_the_last_ten_units_make_ten_orders(transactional_db, reference_data):
    listing = factories.listing(factories.seller(), stock=10)
    buyers = [factories.buyer() for _ in range(50)]

    def checkout(buyer) -> str:
        try:
            services.order_place(buyer=buyer, listing_id=listing.pk, quantity=1)
            return "ordered"
        except ApplicationError as exc:
            return exc.code
        finally:
            connection.close()  # each thread used its own connection

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(checkout, buyers))

    assert outcomes.count("ordered") == 10
    assert set(outcomes) == {"ordered", "insufficient_stock"}
    assert Order.objects.count() == 10 and Payment.objects.count() == 10  # each a checkout of one order
    assert PaymentAllocation.objects.count() == 10
    assert Listing.objects.get(pk=listing.pk).stock == 0
