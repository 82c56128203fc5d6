"""No overselling: fifty buyers racing for the last ten units over real concurrent database
connections make exactly ten orders (row locks on the listing)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from ewtp.exceptions import ApplicationError
from marketplace.models import Cart, Listing, Order
from marketplace.services.cart import cart_add
from marketplace.services.checkout import cart_checkout, checkout_pay, order_place
from payments.models import Payment, PaymentAllocation
from tests import factories

pytestmark = pytest.mark.xdist_group("worker")


def test_fifty_checkouts_for_the_last_ten_units_make_ten_orders(transactional_db, reference_data):
    listing = factories.listing(factories.seller(), stock=10)
    buyers = [factories.buyer() for _ in range(50)]

    def checkout(buyer) -> str:
        try:
            order_place(buyer=buyer, listing_id=listing.pk, quantity=1)
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


def test_a_checkout_paid_from_five_tabs_at_once_is_charged_once(transactional_db, reference_data):
    from payments.models import LedgerTransaction
    from payments.selectors import ledger_check

    tea = factories.listing(factories.seller(), stock=10)
    batik = factories.listing(factories.seller(country="MY", currency="MYR", legal_name="KL Batik Sdn. Bhd."),
                              title_en="Batik scarf", title_zh="", hs_code="621410")
    buyer = factories.buyer()
    cart = Cart.objects.create(user=buyer)
    cart_add(cart=cart, listing_id=tea.pk, quantity=2, user=buyer)
    cart_add(cart=cart, listing_id=batik.pk, quantity=1, user=buyer)
    checkout = cart_checkout(buyer=buyer)

    def pay(_) -> str:
        try:
            return checkout_pay(buyer=buyer, reference=checkout.reference, expected_total=checkout.total,
                                card_number="4242424242424242").status
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=5) as pool:
        outcomes = list(pool.map(pay, range(5)))

    assert outcomes == ["succeeded"] * 5
    assert LedgerTransaction.objects.filter(kind="payment_captured").count() == 1
    assert set(Order.objects.filter(buyer=buyer).values_list("status", flat=True)) == {"paid"}
    assert ledger_check().ok
