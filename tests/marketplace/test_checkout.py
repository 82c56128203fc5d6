"""One payment per checkout: a cart from several sellers is paid once in the buyer's currency;
escrow, payouts and refunds then go seller order by seller order, and the ledger balances."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from ewtp.exceptions import ApplicationError, Conflict
from ewtp.fx import fx_rates_store, fx_table
from ewtp.money import Money
from marketplace.models import Listing, Order
from marketplace.services.addresses import address_add
from marketplace.services.checkout import QuoteChanged, cart_checkout, checkout_pay
from marketplace.services.orders import order_cancel_unpaid, order_refund_rejected
from payments import services as payments
from payments.models import LedgerTransaction, Payment, Payout
from payments.selectors import ledger_check
from tests import factories
from tests.factories import api_client as api

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_fx_cache():
    yield
    fx_table.cache_clear()


@pytest.fixture
def cart_of_two_sellers():
    """A buyer in Germany with Longjing tea from China and a batik scarf from Malaysia in the cart."""
    tea = factories.listing(factories.seller(), title_en="Longjing green tea", stock=10, moq=2)
    batik = factories.batik_listing(stock=5)
    buyer = factories.buyer()
    factories.cart_with(buyer, {tea: 4, batik: 2})
    return buyer, tea, batik


def _pay_page(client, checkout, card="4242 4242 4242 4242", total=None):
    total = total or checkout.total
    return client.post(f"/checkout/{checkout.reference}/", {
        "card_number": card, "expected_amount": str(total.amount), "expected_currency": total.currency})


def _later_rates(factor: Decimal):
    """Tomorrow's reference rates: the yuan and the ringgit move by `factor` against the euro."""
    today = fx_table()
    rates = {code: rate * factor if code in ("CNY", "MYR") else rate for code, rate in today.rates_per_eur.items()
             if code != "EUR"}
    fx_rates_store(as_of=today.as_of + timedelta(days=1), rates_per_eur=rates, source="test")


def test_a_german_buyer_pays_two_sellers_in_one_payment_and_each_seller_is_paid_in_its_own_currency(
        cart_of_two_sellers):
    buyer, tea, batik = cart_of_two_sellers
    client = Client()
    client.force_login(buyer)

    # when the buyer checks out and lands on the one pay page
    checkout = cart_checkout(buyer=buyer)
    page = client.get(f"/checkout/{checkout.reference}/").content.decode()

    # then both seller orders are listed with their breakdowns and one total in euros
    assert page.count('data-testid="checkout-order"') == 2
    assert "Longjing green tea" in page and "Batik scarf" in page
    orders = {order.company.currency: order for order in checkout.orders}
    assert checkout.total == orders["CNY"].total + orders["MYR"].total and checkout.total.currency == "EUR"

    # when they pay once with the sandbox card
    paid = _pay_page(client, checkout)

    # then one payment paid both orders, one charge is in the ledger, escrow holds each order's share
    assert paid.status_code == 302 and paid.url == "/orders/"
    payment = Payment.objects.get(buyer=buyer)
    assert payment.status == "succeeded" and payment.total == checkout.total
    assert set(Order.objects.filter(buyer=buyer).values_list("status", flat=True)) == {"paid"}
    assert LedgerTransaction.objects.filter(kind="payment_captured").count() == 1
    assert {a.reference: a.total for a in payment.allocations.all()} == {
        o.reference: o.total for o in orders.values()}
    assert ledger_check().ok

    # when customs rejects the tea: only the tea order's share goes back to the buyer
    order_refund_rejected(reference=orders["CNY"].reference, reason="prohibited goods")
    payment.refresh_from_db()
    assert payment.refunded_amount == orders["CNY"].total_amount
    assert Order.objects.get(pk=orders["CNY"].pk).status == "refunded"
    assert Order.objects.get(pk=orders["MYR"].pk).status == "paid"
    assert ledger_check().ok

    # and once the scarf is delivered, its seller is paid in ringgit, the fee kept in euros
    payout = payments.escrow_release(reference=orders["MYR"].reference, company_id=batik.company_id,
                                     seller_currency="MYR")
    assert payout.currency == "MYR" and payout.fee_currency == "EUR" and payout.amount > 0
    assert not Payout.objects.filter(reference=orders["CNY"].reference).exists()
    report = ledger_check()
    assert report.ok, report.problems


def test_each_seller_order_is_released_to_its_own_seller_in_its_currency(cart_of_two_sellers):
    buyer, tea, batik = cart_of_two_sellers
    checkout = cart_checkout(buyer=buyer)
    factories.pay(buyer, checkout)
    tea_order, batik_order = sorted(checkout.orders, key=lambda o: o.company.country)
    # a payout for another seller's order is refused, nothing moves
    with pytest.raises(Conflict) as wrong:
        payments.escrow_release(reference=tea_order.reference, company_id=batik.company_id, seller_currency="MYR")
    assert wrong.value.code == "wrong_seller"
    # each release is one payout, in the seller's currency, once
    cny = payments.escrow_release(reference=tea_order.reference, company_id=tea.company_id, seller_currency="CNY")
    again = payments.escrow_release(reference=tea_order.reference, company_id=tea.company_id, seller_currency="CNY")
    myr = payments.escrow_release(reference=batik_order.reference, company_id=batik.company_id,
                                  seller_currency="MYR")
    assert cny.pk == again.pk and (cny.currency, myr.currency) == ("CNY", "MYR")
    assert Payout.objects.count() == 2
    assert ledger_check().ok


def test_a_seller_refund_of_one_order_is_a_partial_refund_of_the_one_payment(cart_of_two_sellers):
    buyer, tea, _ = cart_of_two_sellers
    checkout = cart_checkout(buyer=buyer)
    factories.pay(buyer, checkout)
    tea_order = next(o for o in checkout.orders if o.company_id == tea.company_id)
    other = next(o for o in checkout.orders if o.company_id != tea.company_id)
    payments.payment_refund(reference=tea_order.reference, amount=Money(Decimal("5.00"), "EUR"), reason="dented tin")
    # an order's share can never give back more than it was paid, even though the payment holds more
    with pytest.raises(ApplicationError) as too_much:
        payments.payment_refund(reference=tea_order.reference, amount=tea_order.total, reason="again")
    assert too_much.value.code == "invalid_amount"
    payments.payment_refund(reference=tea_order.reference, reason="seller cancelled")
    payment = Payment.objects.get(buyer=buyer)
    assert payment.refunded_amount == tea_order.total_amount
    assert payment.allocations.get(reference=other.reference).refunded_amount == 0
    assert ledger_check().ok


def test_an_expired_quote_is_requoted_and_the_buyer_confirms_the_new_total_before_paying(cart_of_two_sellers):
    buyer, _, _ = cart_of_two_sellers
    client = Client()
    client.force_login(buyer)
    checkout = cart_checkout(buyer=buyer)
    old_total = checkout.total
    # given the quote expired and the yuan and ringgit rose 10% meanwhile
    Order.objects.filter(buyer=buyer).update(quote_expires_at=timezone.now() - timedelta(minutes=1))
    _later_rates(Decimal("0.9"))

    # when the buyer pays the total they saw
    response = _pay_page(client, checkout, total=old_total)

    # then nothing is charged; the page shows old and new figures per order and the new rate's date
    assert response.status_code == 302 and response.url == f"/checkout/{checkout.reference}/"
    payment = Payment.objects.get(buyer=buyer)
    assert payment.status == "requires_payment_method" and not LedgerTransaction.objects.exists()
    assert payment.total > old_total
    page = client.get(response.url).content.decode()
    assert "Your quote has changed" in page and page.count('data-testid="quote-change"') == 2
    new_day = fx_table().as_of.isoformat()
    assert new_day in page and "Confirm and pay" in page
    changed = Order.objects.filter(buyer=buyer).first()
    assert changed.quote["requoted"]["figures"][-1]["name"] == "total"
    assert changed.quote_expires_at > timezone.now()
    assert payment.total == sum((o.total for o in Order.objects.filter(buyer=buyer)), Money.zero("EUR"))

    # when they confirm the new total, it is charged once
    paid = _pay_page(client, checkout, total=payment.total)
    assert paid.status_code == 302 and paid.url == "/orders/"
    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert ledger_check().ok


def test_an_expired_quote_whose_figures_did_not_move_is_renewed_and_paid(cart_of_two_sellers):
    buyer, _, _ = cart_of_two_sellers
    checkout = cart_checkout(buyer=buyer)
    Order.objects.filter(buyer=buyer).update(quote_expires_at=timezone.now() - timedelta(minutes=1))
    payment = factories.pay(buyer, checkout)
    assert payment.status == "succeeded" and payment.total == checkout.total


def test_a_new_ship_to_address_requotes_before_paying(cart_of_two_sellers):
    buyer, _, _ = cart_of_two_sellers
    checkout = cart_checkout(buyer=buyer)
    address_add(user=buyer, name="B", line="1 Rue de Rivoli", city="Paris", country="FR", make_default=True)
    with pytest.raises(QuoteChanged):
        factories.pay(buyer, checkout)
    assert set(Order.objects.filter(buyer=buyer).values_list("ship_country", flat=True)) == {"FR"}
    assert Payment.objects.get(buyer=buyer).destination == "FR"
    assert not LedgerTransaction.objects.exists()


def test_tampered_totals_another_buyer_and_replays_move_no_money(cart_of_two_sellers):
    buyer, _, _ = cart_of_two_sellers
    checkout = cart_checkout(buyer=buyer)
    url = f"/api/v1/checkouts/{checkout.reference}/pay/"
    good = {"card_number": "4242424242424242", "expected_total": checkout.total.as_json()}

    cheaper = {**good, "expected_total": {"amount": "1.00", "currency": "EUR"}}
    response = api(buyer).post(url, cheaper, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "total_mismatch"

    in_dollars = {**good, "expected_total": {**checkout.total.as_json(), "currency": "USD"}}
    response = api(buyer).post(url, in_dollars, format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "currency_mismatch"

    assert api(factories.buyer()).post(url, good, format="json").status_code == 404
    assert api(factories.buyer()).get(f"/api/v1/checkouts/{checkout.reference}/").status_code == 404
    assert not LedgerTransaction.objects.exists()
    assert Payment.objects.get(buyer=buyer).status == "requires_payment_method"

    # paid once; the same request again gets the same answer and charges nothing more
    first = api(buyer).post(url, good, format="json")
    replay = api(buyer).post(url, good, format="json")
    assert first.status_code == replay.status_code == 200
    assert first.json() == replay.json() and first.json()["status"] == "succeeded"
    assert {o["status"] for o in first.json()["orders"]} == {"paid"}
    assert LedgerTransaction.objects.filter(kind="payment_captured").count() == 1
    assert ledger_check().ok


def test_a_paid_checkout_paid_again_later_returns_the_same_payment_and_requotes_nothing(cart_of_two_sellers):
    buyer, _, _ = cart_of_two_sellers
    checkout = cart_checkout(buyer=buyer)
    first = factories.pay(buyer, checkout)
    # given the quote has since expired and the rates moved
    Order.objects.filter(buyer=buyer).update(quote_expires_at=timezone.now() - timedelta(minutes=1))
    _later_rates(Decimal("0.9"))

    # when an old tab submits again, even with a card that would be declined
    again = factories.pay(buyer, checkout, "4000000000000002")

    # then it is the same paid payment, for the same total: nothing re-quoted, charged or released
    assert (again.pk, again.status, again.total) == (first.pk, "succeeded", checkout.total)
    assert not any(order.quote.get("requoted") for order in Order.objects.filter(buyer=buyer))
    assert LedgerTransaction.objects.filter(kind="payment_captured").count() == 1
    assert set(Order.objects.filter(buyer=buyer).values_list("status", flat=True)) == {"paid"}


def test_paying_a_checkout_of_two_sellers_runs_a_bounded_number_of_queries(
        cart_of_two_sellers, django_assert_max_num_queries):
    buyer, _, _ = cart_of_two_sellers
    checkout = cart_checkout(buyer=buyer)

    def pay():
        return factories.pay(buyer, checkout)

    # lock checkout and payment; lock the orders; confirm and capture (payment, allocations, ledger);
    # each order marked paid (its lock, event and status: 5 with savepoints); 10 savepoints in all.
    # Before the Checkout model it was 40. Telling buyer and sellers (notifications/kinds.py: its savepoint, the
    # allocations, orders and members, the users, the records and reading them back) adds 9 however many orders;
    # webhooks record the orders' order.paid events in the capture's transaction (an outbox: savepoint, the
    # allocations, the events, the endpoints asking): 5 more.
    with django_assert_max_num_queries(38):
        assert pay().status == "succeeded"
    with django_assert_max_num_queries(3):  # a replay: the locked checkout is paid, and that is all
        assert pay().status == "succeeded"


def test_the_api_shows_what_changed_when_a_quote_expired(cart_of_two_sellers):
    buyer, _, _ = cart_of_two_sellers
    created = api(buyer).post("/api/v1/cart/checkout/", {"idempotency_key": "api-1"}, format="json").json()
    Order.objects.filter(buyer=buyer).update(quote_expires_at=timezone.now() - timedelta(minutes=1))
    _later_rates(Decimal("0.9"))
    url = f"/api/v1/checkouts/{created['reference']}/pay/"
    response = api(buyer).post(url, {"card_number": "4242424242424242", "expected_total": created["total"]},
                               format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "quote_changed"
    changes = response.json()["changes"]
    assert len(changes) == 2 and {f["name"] for f in changes[0]["figures"]} == {
        "goods", "shipping", "duty", "tax", "total"}
    assert changes[0]["fx_new"]["as_of"] > changes[0]["fx_old"]["as_of"]
    new_total = api(buyer).get(f"/api/v1/checkouts/{created['reference']}/").json()["total"]
    assert new_total != created["total"]
    paid = api(buyer).post(url, {"card_number": "4242424242424242", "expected_total": new_total}, format="json")
    assert paid.status_code == 200 and paid.json()["status"] == "succeeded"


def test_a_declined_card_then_3d_secure_on_the_pay_page(cart_of_two_sellers):
    buyer, _, _ = cart_of_two_sellers
    client = Client()
    client.force_login(buyer)
    checkout = cart_checkout(buyer=buyer)
    declined = _pay_page(client, checkout, card="4000 0000 0000 0002")
    assert declined.status_code == 200 and "declined" in declined.content.decode()
    challenged = _pay_page(client, checkout, card="4000 0027 6000 3184")
    assert challenged.status_code == 302
    page = client.get(challenged.url).content.decode()
    assert 'data-testid="authenticate"' in page and not LedgerTransaction.objects.exists()
    done = client.post(f"/checkout/{checkout.reference}/authenticate/", {"approve": "1"})
    assert done.status_code == 302 and done.url == "/orders/"
    assert set(Order.objects.filter(buyer=buyer).values_list("status", flat=True)) == {"paid"}
    assert ledger_check().ok


def test_a_cancelled_checkout_cannot_be_paid(cart_of_two_sellers):
    buyer, tea, _ = cart_of_two_sellers
    checkout = cart_checkout(buyer=buyer)
    Order.objects.filter(buyer=buyer).update(quote_expires_at=timezone.now() - timedelta(minutes=1))
    for order in checkout.orders:  # the beat's step: the reservation expired unpaid
        order_cancel_unpaid(order_id=order.pk)
    assert Listing.objects.get(pk=tea.pk).stock == 10
    with pytest.raises(Conflict) as cancelled:
        factories.pay(buyer, checkout)
    assert cancelled.value.code == "checkout_cancelled"
    assert not LedgerTransaction.objects.exists()


def test_the_order_page_links_to_its_checkouts_payment(cart_of_two_sellers):
    buyer, _, _ = cart_of_two_sellers
    checkout = cart_checkout(buyer=buyer)
    client = Client()
    client.force_login(buyer)
    page = client.get(f"/orders/{checkout.orders[0].pk}/").content.decode()
    assert f'href="/checkout/{checkout.reference}/"' in page


def test_the_order_list_links_unpaid_orders_to_their_checkout_in_constant_queries(
        cart_of_two_sellers, django_assert_max_num_queries):
    buyer, _, _ = cart_of_two_sellers
    checkout = cart_checkout(buyer=buyer)
    client = Client()
    client.force_login(buyer)
    with django_assert_max_num_queries(10):  # the layout's own queries, then orders, lines, checkouts
        page = client.get("/orders/").content.decode()
    assert page.count(f'href="/checkout/{checkout.reference}/"') == 2
    factories.pay(buyer, checkout)
    assert 'data-testid="pay-link"' not in client.get("/orders/").content.decode()


def test_a_seller_who_cannot_ship_cancels_its_order_and_only_that_share_is_refunded(cart_of_two_sellers):
    buyer, tea, batik = cart_of_two_sellers
    checkout = cart_checkout(buyer=buyer)
    factories.pay(buyer, checkout)
    tea_order = next(o for o in checkout.orders if o.company_id == tea.company_id)
    batik_order = next(o for o in checkout.orders if o.company_id == batik.company_id)
    seller = tea.company.members.first().user
    client = Client()
    client.force_login(seller)
    page = client.get(f"/orders/{tea_order.pk}/").content.decode()
    assert 'data-testid="cancel-order"' in page
    # another seller cannot cancel it, and a reason is required
    other = Client()
    other.force_login(batik.company.members.first().user)
    other.post(f"/orders/{tea_order.pk}/cancel/", {"reason": "no"})
    client.post(f"/orders/{tea_order.pk}/cancel/", {"reason": ""})
    assert Order.objects.get(pk=tea_order.pk).status == "paid"
    # when the seller cancels with a reason
    client.post(f"/orders/{tea_order.pk}/cancel/", {"reason": "Harvest ruined by frost."})
    # then that order is refunded and its stock is back; the other seller's order is untouched
    assert Order.objects.get(pk=tea_order.pk).status == "refunded"
    assert Order.objects.get(pk=batik_order.pk).status == "paid"
    assert Listing.objects.get(pk=tea.pk).stock == 10
    payment = Payment.objects.get(buyer=buyer)
    assert payment.refunded_amount == tea_order.total_amount < payment.amount
    assert ledger_check().ok


def test_a_failed_payment_puts_the_stock_back_on_sale_and_paying_again_takes_it_again(cart_of_two_sellers):
    buyer, tea, batik = cart_of_two_sellers
    checkout = cart_checkout(buyer=buyer)
    tea.refresh_from_db()
    assert tea.stock == 6  # 4 of 10 held for the checkout

    # when the card is declined
    payment = checkout_pay(buyer=buyer, reference=checkout.reference, card_number="4000000000000002")

    # then the stock is back on sale while the orders wait for another card
    assert payment.status == "failed"
    tea.refresh_from_db()
    batik.refresh_from_db()
    assert (tea.stock, batik.stock) == (10, 5)
    assert set(Order.objects.filter(buyer=buyer).values_list("status", "stock_reserved")) == {
        ("pending_payment", False)}

    # when another buyer takes all but one scarf, paying again is refused with what sold out; nothing charged
    Listing.objects.filter(pk=batik.pk).update(stock=1)
    with pytest.raises(Conflict) as sold_out:
        checkout_pay(buyer=buyer, reference=checkout.reference, card_number="4242424242424242")
    assert sold_out.value.code == "out_of_stock" and "Batik scarf" in sold_out.value.message
    assert Payment.objects.get(pk=payment.pk).status == "failed"
    tea.refresh_from_db()
    assert tea.stock == 10  # nothing half-taken

    # when the scarves are back, paying again takes the stock again and pays once
    Listing.objects.filter(pk=batik.pk).update(stock=5)
    paid = checkout_pay(buyer=buyer, reference=checkout.reference, card_number="4242424242424242")
    assert paid.status == "succeeded"
    tea.refresh_from_db()
    batik.refresh_from_db()
    assert (tea.stock, batik.stock) == (6, 3)
    assert set(Order.objects.filter(buyer=buyer).values_list("status", "stock_reserved")) == {("paid", True)}
    assert ledger_check().ok


def test_an_unpaid_order_whose_payment_failed_is_cancelled_without_returning_stock_twice(cart_of_two_sellers):
    buyer, tea, _ = cart_of_two_sellers
    checkout = cart_checkout(buyer=buyer)
    checkout_pay(buyer=buyer, reference=checkout.reference, card_number="4000000000000002")
    order = next(order for order in checkout.orders if order.company_id == tea.company_id)
    # when the reservation runs out (the beat task)
    order_cancel_unpaid(order_id=order.pk)
    # then the order is cancelled and the stock counted back once
    tea.refresh_from_db()
    assert tea.stock == 10 and Order.objects.get(pk=order.pk).status == "cancelled"
