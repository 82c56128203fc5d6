"""Staff pages for money: payments, refunds, payouts and the ledger by account, with filters,
links between them, a staff refund, and a constant number of queries per page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.selectors import company_of
from marketplace.models import Cart
from marketplace.services.cart import cart_add
from marketplace.services.checkout import cart_checkout, checkout_pay
from payments import services
from payments.models import LedgerTransaction, Payment
from payments.selectors import account_balances, ledger_check
from tests import factories

pytestmark = pytest.mark.django_db

CARD, DECLINED = "4242424242424242", "4000000000000002"


def _checkout(buyer, *sellers, card=CARD) -> Payment:
    """A cart with one listing from each seller, checked out and paid with `card`: one payment."""
    cart = Cart.objects.create(user=buyer)
    for seller in sellers:
        cart_add(cart=cart, listing_id=factories.listing(seller).pk, quantity=1)
    checkout = cart_checkout(buyer=buyer)
    checkout_pay(buyer=buyer, reference=checkout.reference, card_number=card)
    return Payment.objects.get(reference=checkout.reference)


@pytest.fixture
def staff_client():
    return factories.page_client(factories.finance())


def test_only_platform_staff_see_the_money_pages():
    # given a paid checkout
    payment = _checkout(factories.buyer(), factories.seller())
    urls = ["/payments/staff/", f"/payments/staff/{payment.pk}/", "/payments/staff/refunds/",
            "/payments/staff/payouts/", "/payments/ledger/"]
    # then its buyer and a seller find no such pages, and a visitor is asked to log in
    for user in (payment.buyer, factories.seller(legal_name="Other")):
        client = factories.page_client(user)
        assert [client.get(url).status_code for url in urls] == [403] * len(urls)
    from django.test import Client

    visitor = Client()
    assert all(visitor.get(url)["Location"].startswith("/accounts/login/") for url in urls)
    # and a buyer cannot refund themselves
    response = factories.page_client(payment.buyer).post(
        f"/payments/staff/{payment.pk}/", {"order": payment.allocations.get().reference, "reason": "mine"})
    assert response.status_code == 403
    assert Payment.objects.get(pk=payment.pk).refunded_amount == 0


def test_the_payment_list_filters_by_status_buyer_seller_currency_reference_and_date(staff_client):
    # given a German buyer's paid two-seller checkout, a British buyer's declined one
    tea, batik = factories.seller(), factories.seller(country="MY", currency="MYR", legal_name="Batik Sdn Bhd")
    paid = _checkout(factories.buyer(), tea, batik)
    declined = _checkout(factories.buyer(country="GB", currency="GBP"), batik, card=DECLINED)
    orders = list(paid.allocations.values_list("reference", flat=True))

    def listed(**filters):
        page = staff_client.get("/payments/staff/", filters).context["page"]
        return {payment.reference for payment in page.object_list}

    # then
    assert listed() == {paid.reference, declined.reference}
    assert listed(status="succeeded") == {paid.reference}
    assert listed(status="failed") == {declined.reference}
    assert listed(buyer=paid.buyer.email) == {paid.reference}
    assert listed(currency="gbp") == {declined.reference}
    assert listed(provider="stripe") == set()
    assert listed(company=company_of(tea).pk) == {paid.reference}
    assert listed(q=orders[1]) == {paid.reference}  # an order's reference finds its checkout's payment
    today = timezone.localdate()
    assert listed(date_from=today, date_to=today) == {paid.reference, declined.reference}
    assert listed(date_to=today - timedelta(days=1)) == set()
    # the page shows both orders of the one payment and links to it
    content = staff_client.get("/payments/staff/").content.decode()
    assert all(order in content for order in orders) and f"/payments/staff/{paid.pk}/" in content


def test_a_bad_filter_is_shown_at_its_field_and_the_others_still_apply(staff_client):
    paid = _checkout(factories.buyer(), factories.seller())
    _checkout(factories.buyer(), factories.seller(legal_name="Other"), card=DECLINED)
    response = staff_client.get("/payments/staff/", {"currency": "EURO", "status": "succeeded",
                                                     "date_from": "2026-02-30"})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"currency", "date_from"}
    assert [p.reference for p in response.context["page"].object_list] == [paid.reference]
    assert 'id="id_currency_error"' in response.content.decode()


def test_the_payment_page_shows_its_orders_refunds_payouts_and_ledger_and_staff_refund_part(staff_client):
    # given a paid two-seller checkout; one order delivered and paid out to its seller
    tea, batik = factories.seller(), factories.seller(country="MY", currency="MYR", legal_name="Batik Sdn Bhd")
    payment = _checkout(factories.buyer(), tea, batik)
    tea_share, batik_share = payment.allocations.order_by("pk")
    payout = services.escrow_release(reference=tea_share.reference, company_id=company_of(tea).pk, seller_currency="CNY")

    # when staff refund part of the other order's share, with a reason
    response = staff_client.post(f"/payments/staff/{payment.pk}/", {
        "order": batik_share.reference, "amount": "5.00", "reason": "One scarf arrived torn"})

    # then the money goes back, the ledger shows it and still balances
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.refunded_amount == Decimal("5.00")
    refund = LedgerTransaction.objects.get(kind="refund#1")
    assert refund.reference == batik_share.reference and refund.memo == "One scarf arrived torn"
    assert ledger_check().ok
    # and the page shows both orders with their sellers, the refund, the payout and the transactions
    page = staff_client.get(f"/payments/staff/{payment.pk}/")
    content = page.content.decode()
    assert company_of(tea).legal_name in content and "Batik Sdn Bhd" in content
    assert "One scarf arrived torn" in content and payout.provider_id == "" and "CNY" in content
    assert f"{payout.fx_rate:.6f}" in content and payout.fx_as_of.isoformat() in content
    kinds = [txn.kind for txn in page.context["detail"].transactions]
    assert kinds == ["payment_captured", "escrow_released", "payout", "refund#1"]
    # the paid-out order can no longer be refunded; the other one still can, up to what remains
    assert [choice for choice, _ in page.context["form"].fields["order"].choices] == [batik_share.reference]


def test_a_full_refund_returns_what_remains_of_the_share(staff_client):
    payment = _checkout(factories.buyer(), factories.seller())
    share = payment.allocations.get()
    staff_client.post(f"/payments/staff/{payment.pk}/", {"order": share.reference, "amount": "1.00",
                                                         "reason": "late"})
    # when staff leave the amount empty
    staff_client.post(f"/payments/staff/{payment.pk}/", {"order": share.reference, "reason": "cancelled"})
    # then all of the share is refunded, in two refunds
    payment.refresh_from_db()
    assert payment.refunded_amount == payment.amount
    assert LedgerTransaction.objects.filter(reference=share.reference, kind__startswith="refund").count() == 2
    assert ledger_check().ok
    # and nothing is left to refund: the form is gone
    assert b'data-testid="refund-form"' not in staff_client.get(f"/payments/staff/{payment.pk}/").content
    # and the order follows: the part refund is in its history, the full one closes it (the seller cannot ship it)
    from marketplace.models import Order

    order = Order.objects.get(pk=int(share.reference.removeprefix("ORD-")))
    assert order.status == "refunded"
    notes = list(order.events.values_list("note", flat=True))
    assert any(note.startswith("Partly refunded") and note.endswith(": late") for note in notes)
    assert any(note.startswith("Refunded") and note.endswith(": cancelled") for note in notes)
    assert order.events.last().actor.has_perm("payments.refund_payment")  # the finance officer


@pytest.mark.parametrize("data, field", [
    ({"amount": "100000.00", "reason": "too much"}, "amount"),
    ({"amount": "-3", "reason": "negative"}, "amount"),
    ({"amount": "5.00", "reason": ""}, "reason"),
    ({"amount": "5.00", "reason": "someone else's order", "order": "ORD-999999"}, "order"),
])
def test_a_bad_refund_is_refused_at_its_field_and_moves_no_money(staff_client, data, field):
    # given a paid checkout
    payment = _checkout(factories.buyer(), factories.seller())
    transactions = LedgerTransaction.objects.count()
    cash = account_balances(prefix="provider_cash")
    # when staff ask for a refund with a bad figure
    response = staff_client.post(f"/payments/staff/{payment.pk}/",
                                 {"order": payment.allocations.get().reference, **data})
    # then the page says what is wrong at the field, and no money moved
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert f'id="id_{field}_error"' in response.content.decode()
    payment.refresh_from_db()
    assert payment.refunded_amount == 0
    assert LedgerTransaction.objects.count() == transactions
    assert account_balances(prefix="provider_cash") == cash


def test_more_than_remains_is_refused_with_what_can_be_refunded(staff_client):
    payment = _checkout(factories.buyer(), factories.seller())
    share = payment.allocations.get()
    response = staff_client.post(f"/payments/staff/{payment.pk}/", {
        "order": share.reference, "amount": str(share.amount + Decimal("0.01")), "reason": "goodwill"})
    assert response.context["form"].errors["amount"] == [f"You can refund at most {share.amount} {payment.currency}."]
    assert Payment.objects.get(pk=payment.pk).refunded_amount == 0


def test_the_refund_list_links_each_refund_to_its_payment_and_filters(staff_client):
    first = _checkout(factories.buyer(), factories.seller())
    second = _checkout(factories.buyer(country="GB", currency="GBP"), factories.seller(legal_name="Other"))
    for payment, reason in ((first, "damaged"), (second, "never arrived")):
        services.payment_refund(reference=payment.allocations.get().reference, reason=reason,
                                amount=None)

    def listed(**filters):
        return [(r.memo, r.amount, r.payment.reference)
                for r in staff_client.get("/payments/staff/refunds/", filters).context["page"].object_list]

    assert listed() == [("never arrived", second.amount, second.reference), ("damaged", first.amount, first.reference)]
    assert listed(currency="GBP") == [("never arrived", second.amount, second.reference)]
    assert listed(buyer=first.buyer.email) == [("damaged", first.amount, first.reference)]
    assert listed(q=first.reference) == [("damaged", first.amount, first.reference)]
    assert listed(provider="stripe") == []
    assert f"/payments/staff/{first.pk}/" in staff_client.get("/payments/staff/refunds/").content.decode()


def test_the_payout_list_shows_transfer_rate_and_date_and_filters_by_seller(staff_client):
    tea, batik = factories.seller(), factories.seller(country="MY", currency="MYR", legal_name="Batik Sdn Bhd")
    payment = _checkout(factories.buyer(), tea, batik)
    tea_share, batik_share = payment.allocations.order_by("pk")
    to_tea = services.escrow_release(reference=tea_share.reference, company_id=company_of(tea).pk, seller_currency="CNY")
    services.escrow_release(reference=batik_share.reference, company_id=company_of(batik).pk, seller_currency="MYR")

    response = staff_client.get("/payments/staff/payouts/", {"company": company_of(tea).pk})
    rows = response.context["page"].object_list
    assert [(p.reference, p.currency, p.payment.pk) for p in rows] == [(tea_share.reference, "CNY", payment.pk)]
    content = response.content.decode()
    assert f"{to_tea.fx_rate:.6f}" in content and "EUR→CNY" in content and to_tea.fx_as_of.isoformat() in content
    assert {p.currency for p in staff_client.get("/payments/staff/payouts/").context["page"].object_list} == {
        "CNY", "MYR"}
    assert [p.currency for p in staff_client.get("/payments/staff/payouts/", {"currency": "MYR"})
            .context["page"].object_list] == ["MYR"]
    assert staff_client.get("/payments/staff/payouts/", {"status": "transferred"}).context["page"].object_list == []


def test_the_ledger_shows_an_account_with_its_running_balance_per_currency(staff_client):
    # given two paid checkouts and a partial refund of the first
    first = _checkout(factories.buyer(), factories.seller())
    second = _checkout(factories.buyer(country="GB", currency="GBP"), factories.seller(legal_name="Other"))
    services.payment_refund(reference=first.allocations.get().reference, amount=None, reason="changed mind")

    # when staff open the provider's cash account
    response = staff_client.get("/payments/ledger/", {"account": "provider_cash"})

    # then each entry shows the account's balance in its currency right after it, newest first
    entries = response.context["page"].object_list
    assert [(e.amount, e.balance.amount, e.currency) for e in entries] == [
        (-first.amount, Decimal("0.00"), "EUR"),
        (second.amount, second.amount, "GBP"),
        (first.amount, first.amount, "EUR"),
    ]
    assert 'data-testid="running-balance"' in response.content.decode()
    # and filtered to refunds only, the balance still counts what the filter hides
    only_refunds = staff_client.get("/payments/ledger/", {"account": "provider_cash", "kind": "refund"})
    assert [(e.amount, e.balance.amount) for e in only_refunds.context["page"].object_list] == [
        (-first.amount, Decimal("0.00"))]
    # a prefix lists transactions instead; a reference finds a checkout's capture and its order's refund
    by_reference = staff_client.get("/payments/ledger/", {"q": first.allocations.get().reference})
    assert [t.kind for t in by_reference.context["page"].object_list] == ["refund#1", "payment_captured"]
    assert staff_client.get("/payments/ledger/", {"account": "seller_payable"}).context["account"] == ""
    assert not staff_client.get("/payments/ledger/", {"date_to": "2020-01-01"}).context["page"].object_list


def test_staff_navigation_links_the_money_pages(staff_client):
    content = staff_client.get("/payments/staff/").content.decode()
    for url in ("/payments/staff/refunds/", "/payments/staff/payouts/", "/payments/ledger/"):
        assert f'href="{url}"' in content


@pytest.mark.parametrize("url", ["/payments/staff/", "/payments/staff/refunds/", "/payments/staff/payouts/",
                                 "/payments/ledger/", "/payments/ledger/?account=escrow"])
def test_list_pages_run_the_same_queries_whatever_their_length(staff_client, url):
    # given one checkout of every kind of movement, then three more
    def movements():
        tea = factories.seller()
        payment = _checkout(factories.buyer(), tea, factories.seller(country="MY", currency="MYR"))
        first, second = payment.allocations.order_by("pk")
        services.escrow_release(reference=first.reference, company_id=company_of(tea).pk, seller_currency="CNY")
        services.payment_refund(reference=second.reference, amount=None, reason="damaged")

    movements()
    staff_client.get(url)  # warm the per-process caches (FX table, sessions)
    with CaptureQueriesContext(connection) as one:
        assert staff_client.get(url).status_code == 200
    for _ in range(3):
        movements()
    # then a longer page costs no more queries
    with CaptureQueriesContext(connection) as four:
        assert staff_client.get(url).status_code == 200
    assert len(four) == len(one), [q["sql"] for q in four.captured_queries]


def test_the_payment_page_runs_the_same_queries_for_one_order_or_three(staff_client, django_assert_max_num_queries):
    one = _checkout(factories.buyer(), factories.seller())
    three = _checkout(factories.buyer(), *(factories.seller(legal_name=f"Seller {n}") for n in range(3)))
    staff_client.get(f"/payments/staff/{one.pk}/")
    with CaptureQueriesContext(connection) as baseline:
        staff_client.get(f"/payments/staff/{one.pk}/")
    with django_assert_max_num_queries(len(baseline)):
        assert staff_client.get(f"/payments/staff/{three.pk}/").status_code == 200
