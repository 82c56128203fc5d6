"""Duty settlement against the database: the authority's assessment of a released DDP shipment beside what
the buyer paid: an over-collection refunded, an under-collection paid by the platform or the seller, each in
the ledger and the order's history, once however often the decision is replayed; the duties then paid to
the authority (simulated, and over HTTP to the fake authority) and duties_payable back to nothing."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from customs.integrations.authority import AuthorityRefused, simulated_journal_path
from customs.integrations.authority_http import answer_from
from duties.domain.rules import BadPeriod, return_period, settle_difference
from duties.models import AuthoritySettlement, DutyAssessment
from duties.services import duties_collected_on_delivery, duty_assessment_record, settlement_run
from duties.tasks import duty_reconcile
from ewtp.exceptions import ApplicationError
from ewtp.money import Money
from marketplace.models import Order
from marketplace.services.orders import order_follow_shipment, order_release_escrow
from payments.models import LedgerEntry, LedgerTransaction, Payment, Payout
from payments.selectors import account_balances, ledger_check
from payments.services import duties_refund_overcollected
from tests import factories
from tests.duties.conftest import book, released
from tests.finance.conftest import paid_order

pytestmark = pytest.mark.django_db

EUR = "EUR"


def eur(amount: str) -> dict:
    return {"amount": amount, "currency": EUR}


def balance(account: str, currency: str = EUR) -> Decimal:
    return next((row["balance"] for row in account_balances(prefix=account)
                 if row["account"] == account and row["currency"] == currency), Decimal(0))


def history(order: Order) -> str:
    return "\n".join(order.events.values_list("note", flat=True))


# --- the rules --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("collected", "assessed", "policy", "resolution", "refund", "shortfall"), [
    ("22.26", "22.26", "platform", "exact", None, None),
    ("22.26", "20.00", "platform", "refunded", "2.26", None),
    ("22.26", "20.00", "seller", "refunded", "2.26", None),
    ("22.26", "25.00", "platform", "absorbed", None, "2.74"),
    ("22.26", "25.00", "seller", "charged_seller", None, "2.74"),
    ("0.00", "3.10", "platform", "absorbed", None, "3.10"),
])
def test_a_difference_is_refunded_or_paid_by_whom_the_policy_says(collected, assessed, policy, resolution, refund,
                                                                   shortfall):
    settling = settle_difference(collected=Money(Decimal(collected), EUR), assessed=Money(Decimal(assessed), EUR),
                                 policy=policy)
    assert settling.resolution == resolution
    assert settling.refund == (Money(Decimal(refund), EUR) if refund else None)
    assert settling.shortfall == (Money(Decimal(shortfall), EUR) if shortfall else None)


def test_an_unknown_policy_is_refused():
    with pytest.raises(ValueError, match="platform, seller"):
        settle_difference(collected=Money(Decimal(1), EUR), assessed=Money(Decimal(2), EUR), policy="buyer")


@pytest.mark.parametrize(("scheme", "period", "start", "end"), [
    ("IOSS", "2026-12", "2026-12-01", "2027-01-01"), ("IOSS", "2026-02", "2026-02-01", "2026-03-01"),
    ("UK", "2026-Q4", "2026-10-01", "2027-01-01"), ("UK", "2026-q1", "2026-01-01", "2026-04-01"),
])
def test_return_periods(scheme, period, start, end):
    assert [d.isoformat() for d in return_period(scheme, period)] == [start, end]


@pytest.mark.parametrize(("scheme", "period"), [("IOSS", "2026-Q4"), ("IOSS", "2026-13"), ("UK", "2026-12"),
                                                ("UK", ""), ("VOEC", "2026-12")])
def test_a_bad_period_is_refused_with_what_to_give(scheme, period):
    with pytest.raises(BadPeriod):
        return_period(scheme, period)


# --- settling with the buyer ------------------------------------------------------------------------------

def test_duties_over_collected_are_refunded_to_the_buyer_and_written_in_the_order_history(reference_data):
    # given a DDP order of ten tins to Berlin, 22.26 EUR of duties and VAT paid, which the authority assesses
    # at 20.00
    seller, buyer = factories.seller(), factories.buyer()
    order = released(seller, buyer, assessed=eur("20.00"))
    assert order.duties_amount == Decimal("22.26")

    # when the release is settled
    assessment = duty_assessment_record(reference=order.reference)

    # then the buyer gets 2.26 back, out of what was owed to customs, and the order's history says why
    assert (assessment.resolution, assessment.collected, assessment.assessed) == (
        "refunded", Money(Decimal("22.26"), EUR), Money(Decimal("20.00"), EUR))
    payment = Payment.objects.get(allocations__reference=order.reference)
    assert payment.refunded_amount == Decimal("2.26")
    refund = LedgerTransaction.objects.get(kind="duty_refund", reference=order.reference)
    assert {(e.account, e.amount) for e in refund.entries.all()} == {("duties_payable:DE", Decimal("2.26")),
                                                                     ("provider_cash", Decimal("-2.26"))}
    assert balance("duties_payable:DE") == Decimal("-20.00")
    order.refresh_from_db()
    assert "2.26 EUR over-collected is refunded to the buyer" in history(order)
    assert order.status == "shipped"  # a partial refund of duties does not close the order
    assert ledger_check().ok


def test_a_replayed_decision_settles_once(reference_data):
    # given an over-collected order settled once
    order = released(factories.seller(), factories.buyer(), assessed=eur("20.00"))
    assert duty_reconcile.run(order.reference) == "refunded"

    # when the decision is replayed (a redelivered task, a second beat)
    assert duty_reconcile.run(order.reference) == "refunded"
    duty_assessment_record(reference=order.reference)

    # then one refund, one assessment, one history line
    assert LedgerTransaction.objects.filter(reference=order.reference, kind__startswith="duty").count() == 1
    assert DutyAssessment.objects.filter(reference=order.reference).count() == 1
    assert Payment.objects.get(allocations__reference=order.reference).refunded_amount == Decimal("2.26")
    assert history(Order.objects.get(pk=order.pk)).count("is refunded to the buyer") == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_settling_the_same_decision_at_once_settle_it_once(reference_data):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    # given an over-collected order
    order = released(factories.seller(), factories.buyer(), assessed=eur("20.00"))
    barrier, results = threading.Barrier(2), []

    def settle():
        try:
            barrier.wait()
            results.append(duty_assessment_record(reference=order.reference).resolution)
        finally:
            connection.close()

    # when two threads settle it at the same moment
    threads = [threading.Thread(target=settle) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then both see it settled, and the buyer was refunded once
    assert results == ["refunded", "refunded"]
    assert LedgerTransaction.objects.filter(kind="duty_refund", reference=order.reference).count() == 1
    assert Payment.objects.get(allocations__reference=order.reference).refunded_amount == Decimal("2.26")


def test_under_collected_duties_are_absorbed_by_the_platform_by_default(reference_data, settings):
    # given the default policy and an order whose duties the authority assesses at 25.00 (22.26 paid)
    assert settings.DUTY_SHORTFALL_POLICY == "platform"
    order = released(factories.seller(), factories.buyer(), assessed=eur("25.00"))

    assessment = duty_assessment_record(reference=order.reference)

    # then the platform pays the 2.74: an expense, and customs is owed the 25.00 assessed
    assert assessment.resolution == "absorbed"
    assert balance("duty_shortfall_absorbed") == Decimal("2.74")
    assert balance("duties_payable:DE") == Decimal("-25.00")
    assert Payment.objects.get(allocations__reference=order.reference).refunded_amount == 0
    assert "2.74 EUR under-collected is paid by the platform" in history(Order.objects.get(pk=order.pk))
    assert ledger_check().ok


def test_under_collected_duties_are_charged_to_the_seller_when_the_policy_says_so(reference_data, settings):
    # given the seller pays shortfalls, and an under-collected order
    settings.DUTY_SHORTFALL_POLICY = "seller"
    seller = factories.seller()
    order = released(seller, factories.buyer(), assessed=eur("25.00"))

    assert duty_assessment_record(reference=order.reference).resolution == "charged_seller"

    # then the seller's escrow pays it: once delivered, the seller is paid 2.74 EUR less (before the fee)
    order_follow_shipment(reference=order.reference, shipment_status="delivered")
    order_release_escrow(order_id=order.pk)
    released_txn = LedgerTransaction.objects.get(kind="escrow_released", reference=order.reference)
    held = released_txn.entries.get(account="escrow").amount
    assert held == order.total_amount - Decimal("22.26") - Decimal("2.74")
    assert Payout.objects.filter(reference=order.reference).exists()
    assert balance("duties_payable:DE") == Decimal("-25.00")
    assert "paid by the seller" in history(Order.objects.get(pk=order.pk))
    assert ledger_check().ok


def test_nothing_is_settled_before_customs_releases_the_goods(reference_data):
    seller = factories.seller()
    order = paid_order(seller, factories.buyer(), quantity=10)
    book(seller, order)
    assert duty_assessment_record(reference=order.reference) is None
    assert duty_assessment_record(reference="ORD-NOT-OURS") is None
    assert not DutyAssessment.objects.exists()


def test_an_authority_that_accepts_what_was_declared_leaves_nothing_to_settle_with_the_buyer(reference_data):
    order = released(factories.seller(), factories.buyer())
    assessment = duty_assessment_record(reference=order.reference)
    assert (assessment.resolution, assessment.assessed_amount) == ("exact", Decimal("22.26"))
    assert not LedgerTransaction.objects.filter(kind__in=["duty_refund", "duty_shortfall"]).exists()


def test_bad_refunds_of_duties_are_refused_at_the_field(reference_data):
    order = released(factories.seller(), factories.buyer())
    for amount, code in ((Money(Decimal("1.00"), "USD"), "currency_mismatch"), (Money(Decimal("0"), EUR),
                                                                                   "invalid_amount"),
                         (Money(Decimal("10000"), EUR), "invalid_amount")):
        with pytest.raises(ApplicationError) as raised:
            duties_refund_overcollected(reference=order.reference, amount=amount, reason="test")
        assert (raised.value.code, raised.value.field) == (code, "amount")
    assert not LedgerTransaction.objects.filter(kind="duty_refund").exists()


@pytest.mark.parametrize("assessed", [{"amount": "-1", "currency": "EUR"}, {"amount": "lots", "currency": "EUR"},
                                      {"amount": "3"}, "3.00 EUR"])
def test_an_authority_answering_a_nonsense_assessment_is_refused_not_guessed(assessed):
    from django.utils import timezone

    with pytest.raises(AuthorityRefused, match="assess"):
        answer_from(200, {"status": "accepted", "assessed": assessed}, now=timezone.now())


# --- DAP: collected at the door ---------------------------------------------------------------------------

def test_dap_duties_collected_at_the_door_are_reconciled_with_the_assessment(reference_data):
    # given a DAP order released by customs, which assessed 20.00 EUR
    from marketplace.services.checkout import order_pay, order_place
    from tests.customs.conftest import drive

    seller, buyer = factories.seller(), factories.buyer()
    listing = factories.listing(seller)
    order = order_place(buyer=buyer, listing_id=listing.pk, quantity=10, incoterm="DAP")
    order_pay(buyer=buyer, order_id=order.pk, card_number="4242424242424242")
    order = Order.objects.get(pk=order.pk)
    assert order.duties_amount == 0
    case = book(seller, order, assessed=eur("20.00"))
    assert drive(case.pk) == "cleared"
    assert duty_assessment_record(reference=order.reference) is None  # not collected yet

    # when the carrier reports 22.00 collected at the door
    assessment = duties_collected_on_delivery(reference=order.reference, amount=Money(Decimal("22.00"), EUR),
                                              carrier="dhl_express")

    # then the buyer is refunded the 2.00 over-collected, and customs is owed the 20.00
    assert (assessment.incoterm, assessment.resolution) == ("DAP", "refunded")
    assert balance("carrier_receivable:dhl_express") == Decimal("22.00")
    assert balance("duties_payable:DE") == Decimal("-20.00")
    assert "collected 22.00 EUR of duties and taxes at the door" in history(Order.objects.get(pk=order.pk))
    # a repeated report changes nothing
    duties_collected_on_delivery(reference=order.reference, amount=Money(Decimal("22.00"), EUR), carrier="dhl_express")
    assert balance("carrier_receivable:dhl_express") == Decimal("22.00")
    assert ledger_check().ok


# --- paying the authority ---------------------------------------------------------------------------------

def test_the_duties_owed_are_paid_to_the_simulated_authority_once(reference_data):
    # given two settled orders to Germany (one over-collected, one exact)
    seller = factories.seller()
    first = released(seller, factories.buyer(), assessed=eur("20.00"))
    second = released(seller, factories.buyer())
    for order in (first, second):
        duty_assessment_record(reference=order.reference)
    assert balance("duties_payable:DE") == Decimal("-42.26")

    # when beat runs the settlement, twice
    paid = settlement_run()
    assert settlement_run() == []

    # then one payment of 42.26 EUR to the German authority, journalled by it once, and nothing owed
    settlement = AuthoritySettlement.objects.get()
    assert paid == [settlement.reference]
    assert (settlement.destination, settlement.total, settlement.status) == ("DE", Money(Decimal("42.26"), EUR),
                                                                            "paid")
    assert settlement.payment_reference.startswith("SIMPAY")
    assert balance("duties_payable:DE") == 0
    journal = simulated_journal_path().with_name("customs-authority-sim-settlements.jsonl")
    entries = [e for e in journal.read_text().splitlines() if settlement.reference in e]
    assert len(entries) == 1
    assert set(DutyAssessment.objects.values_list("settlement", flat=True)) == {settlement.pk}
    assert ledger_check().ok


def test_a_payment_to_the_http_authority_lost_on_its_way_is_paid_again_and_filed_once(reference_data,
                                                                                     http_authority):
    # given a released order and an authority whose first settlement answer is a 503
    order = released(factories.seller(), factories.buyer())
    duty_assessment_record(reference=order.reference)
    http_authority.next_settlements = [503]

    # when beat runs twice
    assert settlement_run() == []
    settlement = AuthoritySettlement.objects.get()
    assert (settlement.status, settlement.attempts) == ("pending", 1)
    assert "503" in settlement.last_error
    assert balance("duties_payable:DE") == Decimal("-22.26")
    settlement_run()

    # then it is paid under the same reference, once, and the ledger took it off duties_payable
    settlement.refresh_from_db()
    assert settlement.status == "paid"
    assert list(http_authority.settlements) == [settlement.reference]
    paid = http_authority.settlements[settlement.reference]
    assert (paid["destination"], paid["currency"], paid["amount"]) == ("DE", EUR, "22.26")
    assert paid["lines"] == [{"reference": order.reference, "mrn": order_mrn(order), "amount": "22.26"}]
    assert balance("duties_payable:DE") == 0
    assert LedgerEntry.objects.filter(transaction__kind="duty_settlement", account="provider_cash").get().amount \
        == Decimal("-22.26")
    assert ledger_check().ok


def order_mrn(order: Order) -> str:
    from customs.models import ClearanceCase

    return ClearanceCase.objects.get(shipment_reference=order.reference).mrn


def test_refunding_the_rest_after_a_duty_refund_returns_exactly_the_duties_left(reference_data):
    # given an order whose over-collected 2.26 EUR was refunded
    from payments.services import payment_refund

    order = released(factories.seller(), factories.buyer(), assessed=eur("20.00"))
    duty_assessment_record(reference=order.reference)

    # when the rest of the order is refunded (customs or staff)
    payment_refund(reference=order.reference, reason="Lost in transit")

    # then escrow holds nothing for it, customs is owed nothing for it, and the buyer has it all back
    assert balance("duties_payable:DE") == 0
    assert sum(e.amount for e in LedgerEntry.objects.filter(account="escrow", reference=order.reference)) == 0
    assert Payment.objects.get(allocations__reference=order.reference).refunded_amount == order.total_amount
    assert ledger_check().ok
