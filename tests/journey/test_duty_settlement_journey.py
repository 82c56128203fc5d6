"""Duty settlement end to end (issue 14), with a real Celery worker and beat and the fake customs authority
over real HTTP: a DDP order to Berlin whose duties the authority assesses above what the buyer paid; the
shortfall is charged to the seller (the platform's policy for this run), the duties are paid to the
authority by beat's settlement, the order completes, and `manage.py ledger_check` passes."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from duties.models import AuthoritySettlement, DutyAssessment
from marketplace.models import Order
from payments.models import LedgerTransaction
from payments.selectors import account_balances
from tests import factories
from tests.conftest import wait_for
from tests.factories import api_client as client_for
from tests.journey.test_trade_journey import buy_now

pytestmark = [pytest.mark.journey, pytest.mark.xdist_group("worker")]


@pytest.fixture
def seller_pays_shortfalls(monkeypatch, settings):
    """DUTY_SHORTFALL_POLICY=seller here and in the worker started after this fixture."""
    monkeypatch.setenv("DUTY_SHORTFALL_POLICY", "seller")
    settings.DUTY_SHORTFALL_POLICY = "seller"


def duties_payable_de() -> Decimal:
    return sum((row["balance"] for row in account_balances(prefix="duties_payable:DE")), Decimal(0))


def test_an_under_collected_ddp_order_is_settled_with_the_seller_and_the_authority_is_paid(
        reference_data, http_authority, seller_pays_shortfalls, celery_worker_process):
    # given an authority that assesses 25.00 EUR of duty and import VAT, and a paid DDP order of ten tins
    # to Berlin for which the buyer paid 22.26 EUR
    http_authority.assess("25.00", "EUR")
    seller, buyer = factories.seller(), factories.buyer(country="DE")
    order = buy_now(buyer, factories.listing(seller).pk, 10)
    assert Order.objects.get(pk=order["id"]).duties_amount == Decimal("22.26")

    # when the seller books the shipment and the worker takes it through customs to the door
    assert client_for(seller).post(f"/api/v1/orders/{order['id']}/book-shipment/").status_code == 202

    # then the 2.74 EUR shortfall is taken from the seller's escrow, and written in the order's history
    assessment = wait_for(lambda: DutyAssessment.objects.filter(reference=order["reference"]).first(),
                          what="the authority's assessment to be settled")
    assert (assessment.resolution, assessment.collected_amount, assessment.assessed_amount) == (
        "charged_seller", Decimal("22.26"), Decimal("25.00"))
    shortfall = LedgerTransaction.objects.get(kind="duty_shortfall", reference=order["reference"])
    assert {(e.account, e.amount) for e in shortfall.entries.all()} == {
        ("escrow", Decimal("2.74")), ("duties_payable:DE", Decimal("-2.74"))}
    # and beat pays the authority the 25.00 owed, once, under the settlement's reference
    settlement = wait_for(lambda: AuthoritySettlement.objects.filter(status="paid").first(),
                          timeout=90, what="the duties to be paid to the authority")
    assert (settlement.destination, settlement.currency, settlement.amount) == ("DE", "EUR", Decimal("25.00"))
    paid = http_authority.settlements[settlement.reference]
    assert paid["payment_reference"] == settlement.payment_reference
    assert paid["lines"][0]["reference"] == order["reference"] and paid["lines"][0]["amount"] == "25.00"
    assert duties_payable_de() == 0
    # the order completes: the seller is paid what escrow held less the shortfall and the fee
    wait_for(lambda: Order.objects.get(pk=order["id"]).status == "completed", timeout=90,
             what="the order to complete")
    released = LedgerTransaction.objects.get(kind="escrow_released", reference=order["reference"])
    completed = Order.objects.get(pk=order["id"])
    assert released.entries.get(account="escrow").amount == completed.total_amount - Decimal("25.00")
    notes = "\n".join(completed.events.values_list("note", flat=True))
    assert "The 2.74 EUR under-collected is paid by the seller" in notes
    # the replayed beat pays nothing twice
    assert AuthoritySettlement.objects.count() == 1 and len(http_authority.settlements) == 1
    out = StringIO()
    call_command("ledger_check", stdout=out)
    assert "Ledger balanced" in out.getvalue()
