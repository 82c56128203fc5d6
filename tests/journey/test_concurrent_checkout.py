"""Races over real concurrent database connections. No overselling: fifty buyers racing for the last
ten units make exactly ten orders (row locks on the listing). A checkout is paid once however many
tabs pay it, and paying and the beat's cancelling of an expired checkout queue on the checkout's lock:
whichever comes second sees what the first did."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from ewtp.exceptions import ApplicationError
from marketplace.models import Listing, Order
from marketplace.services.checkout import cart_checkout, order_place
from marketplace.services.orders import order_cancel_unpaid
from payments.models import LedgerTransaction, Payment, PaymentAllocation
from payments.selectors import ledger_check
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

    buyer, checkout, _tea = _two_seller_cart_checked_out()

    def pay(_) -> str:
        try:
            return factories.pay(buyer, checkout).status
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=5) as pool:
        outcomes = list(pool.map(pay, range(5)))

    assert outcomes == ["succeeded"] * 5
    assert LedgerTransaction.objects.filter(kind="payment_captured").count() == 1
    assert set(Order.objects.filter(buyer=buyer).values_list("status", flat=True)) == {"paid"}
    assert ledger_check().ok


@pytest.fixture
def two_seller_checkout(transactional_db, reference_data):
    """A buyer's unpaid checkout of tea from China (2 of 10 in stock) and a batik scarf from Malaysia."""
    if connection.vendor != "postgresql":
        pytest.skip("Row locks that make one connection wait for another: PostgreSQL only")
    return _two_seller_cart_checked_out()


def _two_seller_cart_checked_out():
    """(buyer, their unpaid checkout, the tea listing): tea from China (2 of 10 in stock) and a batik scarf
    from Malaysia."""
    tea = factories.listing(factories.seller(), stock=10)
    batik = factories.batik_listing()
    buyer = factories.buyer()
    factories.cart_with(buyer, {tea: 2, batik: 1})
    return buyer, cart_checkout(buyer=buyer), tea


def _in_another_connection(work):
    """Run `work` in a thread of its own, with its own database connection."""
    def run():
        try:
            return work()
        finally:
            connection.close()
    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(run)
    pool.shutdown(wait=False)
    return future


def _wait_until_a_checkout_lock_is_awaited(future) -> None:
    """Until another connection waits for the row lock on a checkout (or its payment, locked with it) that
    ours holds; pg_locks is live, unlike pg_stat_activity inside a transaction."""
    deadline = time.monotonic() + 60  # a guard against hanging, not an assertion about time
    with connection.cursor() as cursor:
        while time.monotonic() < deadline and not future.done():
            cursor.execute("""SELECT 1 FROM pg_locks waiting JOIN pg_locks row ON row.pid = waiting.pid
                              WHERE NOT waiting.granted AND row.locktype = 'tuple'
                              AND row.relation IN ('marketplace_checkout'::regclass, 'payments_payment'::regclass)""")
            if cursor.fetchone():
                return
            time.sleep(0.02)
    raise AssertionError(f"the other connection never waited for the checkout's lock ({future})")


def test_a_second_tab_waits_for_the_first_payment_then_shows_it_paid_and_charges_nothing(two_seller_checkout):
    buyer, checkout, _ = two_seller_checkout

    def pay():
        return factories.pay(buyer, checkout)

    # given the first tab's payment has gone through but its transaction has not committed yet
    with transaction.atomic():
        first = pay()
        # when the second tab pays meanwhile, it waits for the checkout
        second = _in_another_connection(pay)
        _wait_until_a_checkout_lock_is_awaited(second)
        assert not second.done()

    # then, the first committed, the second tab gets the same payment: one charge, both orders paid
    assert first.status == "succeeded"
    assert (second.result(timeout=60).pk, second.result().status) == (first.pk, "succeeded")
    assert LedgerTransaction.objects.filter(kind="payment_captured").count() == 1
    assert set(Order.objects.filter(buyer=buyer).values_list("status", flat=True)) == {"paid"}
    assert ledger_check().ok


def test_paying_while_the_beat_cancels_the_expired_checkout_says_it_was_cancelled_and_charges_nothing(
        two_seller_checkout):
    buyer, checkout, tea = two_seller_checkout
    Order.objects.filter(buyer=buyer).update(quote_expires_at=timezone.now() - timedelta(minutes=1))

    def pay():
        try:
            return factories.pay(buyer, checkout).status
        except ApplicationError as exc:
            return exc.code

    # given the beat is cancelling the expired checkout's orders, not yet committed
    with transaction.atomic():
        for order in checkout.orders:
            order_cancel_unpaid(order_id=order.pk)
        # when the buyer pays meanwhile, the payment waits for the checkout
        paying = _in_another_connection(pay)
        _wait_until_a_checkout_lock_is_awaited(paying)

    # then the buyer is told the checkout was cancelled; nothing is charged and the stock is back on sale
    assert paying.result(timeout=60) == "checkout_cancelled"
    assert not LedgerTransaction.objects.exists()
    assert Payment.objects.get(buyer=buyer).status == "canceled"
    assert set(Order.objects.filter(buyer=buyer).values_list("status", flat=True)) == {"cancelled"}
    assert Listing.objects.get(pk=tea.pk).stock == 10


def test_the_beat_cancelling_a_checkout_being_paid_waits_and_leaves_the_paid_orders_alone(two_seller_checkout):
    buyer, checkout, tea = two_seller_checkout
    Order.objects.filter(buyer=buyer).update(quote_expires_at=timezone.now() - timedelta(minutes=1))

    def cancel():
        for order in checkout.orders:
            order_cancel_unpaid(order_id=order.pk)

    # given the buyer's payment of the just-expired checkout (re-quoted, the figures the same) is going through
    with transaction.atomic():
        payment = factories.pay(buyer, checkout)
        # when the beat cancels its orders meanwhile, it waits for the checkout
        cancelling = _in_another_connection(cancel)
        _wait_until_a_checkout_lock_is_awaited(cancelling)

    # then the orders stay paid, the money stays in escrow, the stock stays sold
    cancelling.result(timeout=60)
    assert payment.status == "succeeded"
    assert Payment.objects.get(buyer=buyer).status == "succeeded"
    assert set(Order.objects.filter(buyer=buyer).values_list("status", flat=True)) == {"paid"}
    assert Listing.objects.get(pk=tea.pk).stock == 8
    assert ledger_check().ok
