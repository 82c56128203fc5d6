"""A seller's payouts and balance, and refunds, over the API: each user sees only their own."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.selectors import company_of
from ewtp.money import Money
from payments import services as payments
from tests import factories
from tests.factories import api_client

pytestmark = pytest.mark.django_db


def test_a_seller_sees_its_payouts_and_where_its_money_stands():
    # given two paid orders of one seller to Berlin, one released to the seller, one still in escrow
    seller, buyer, released = factories.paid_order(quantity=1, country="DE", currency="EUR")
    held = factories.order_paid_by(buyer, seller, quantity=2)
    payout = payments.escrow_release(reference=released.reference, company_id=company_of(seller).pk,
                                     seller_currency="CNY")
    client = api_client(seller)
    # then the payout is listed in yuan, net of the fee
    listed = client.get("/api/v1/payments/payouts/").json()
    assert [p["reference"] for p in listed["results"]] == [released.reference]
    assert listed["results"][0]["amount"] == {"amount": str(payout.amount), "currency": "CNY"}
    # and the balance holds the other order's euros in escrow and the payout as paid out
    balance = client.get("/api/v1/payments/balance/").json()
    assert balance["in_escrow"] == [{"amount": str(held.total_amount), "currency": "EUR"}]
    assert balance["paid_out"] == [{"amount": str(payout.amount), "currency": "CNY"}]


def test_refunds_are_seen_by_the_buyer_and_the_seller_of_the_order_only():
    seller, buyer, order = factories.paid_order(quantity=2, country="DE", currency="EUR")
    payments.payment_refund(reference=order.reference, amount=Money(Decimal("5.00"), "EUR"), reason="dented tin")
    expected = [{"order": order.reference, "amount": {"amount": "5.00", "currency": "EUR"}}]
    for user in (buyer, seller):
        rows = api_client(user).get("/api/v1/payments/refunds/").json()["results"]
        assert [{"order": r["order"], "amount": r["amount"]} for r in rows] == expected
    for stranger in (factories.buyer(), factories.seller(legal_name="Other Co")):
        assert api_client(stranger).get("/api/v1/payments/refunds/").json()["results"] == []


def test_a_buyer_has_no_payouts_and_a_visitor_signs_in():
    buyer = api_client(factories.buyer())
    for url in ("/api/v1/payments/payouts/", "/api/v1/payments/balance/"):
        refused = buyer.get(url)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_a_seller"
        assert api_client().get(url).status_code == 401
    assert api_client().get("/api/v1/payments/refunds/").status_code == 401
