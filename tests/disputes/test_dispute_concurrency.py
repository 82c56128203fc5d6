"""Decisions and releases racing over real concurrent database connections (PostgreSQL row locks): of two
decisions at once one wins and money moves once; a dispute opened while beat releases the escrow either
freezes it or is refused, never both."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from disputes import services
from disputes.models import Dispute
from ewtp.exceptions import ApplicationError
from ewtp.money import Money
from marketplace.services.orders import order_release_escrow
from payments.models import LedgerTransaction, PaymentAllocation, Payout
from payments.selectors import ledger_check
from tests import factories
from tests.disputes.conftest import Trade

pytestmark = pytest.mark.xdist_group("worker")


@pytest.fixture
def trade_db(transactional_db, reference_data):
    if connection.vendor != "postgresql":
        pytest.skip("Row locks that make one connection wait for another: PostgreSQL only")
    return Trade()


def _answered(trade):
    order = trade.delivered()
    dispute = services.dispute_open(buyer=trade.buyer, order_id=order.pk, reason="damaged", description="Crushed.")
    services.dispute_answer(user=trade.seller, dispute_id=dispute.pk, answer="Packed well.")
    return order, dispute


def _decide(staff, dispute_id: int, outcome: str, amount=None) -> str:
    try:
        services.dispute_decide(staff=staff, dispute_id=dispute_id, outcome=outcome, note="Decided.", amount=amount)
        return "decided"
    except ApplicationError as exc:
        return exc.code
    finally:
        connection.close()  # each thread used its own connection


def test_two_staff_deciding_at_once_one_wins_and_money_moves_once(trade_db):
    order, dispute = _answered(trade_db)
    other = factories.dispute_staff()
    share = PaymentAllocation.objects.select_related("payment").get(reference=order.reference)
    half = Money(share.amount / 2, share.payment.currency).rounded()
    calls = [(trade_db.staff, dispute.pk, "refund_full", None), (other, dispute.pk, "refund_partial", half)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(lambda call: _decide(*call), calls))
    assert outcomes == ["already_decided", "decided"]
    assert LedgerTransaction.objects.filter(kind__startswith="refund", reference=order.reference).count() == 1
    decided = Dispute.objects.get(pk=dispute.pk)
    assert decided.events.filter(action__in=["refund_full", "refund_partial"]).count() == 1
    assert PaymentAllocation.objects.get(pk=share.pk).refunded_amount == decided.refunded_amount
    assert ledger_check().ok


def test_one_decision_sent_from_five_tabs_refunds_once(trade_db):
    order, dispute = _answered(trade_db)
    with ThreadPoolExecutor(max_workers=5) as pool:
        outcomes = sorted(pool.map(lambda _: _decide(trade_db.staff, dispute.pk, "refund_full"), range(5)))
    assert outcomes == ["already_decided"] * 4 + ["decided"]
    assert LedgerTransaction.objects.filter(kind__startswith="refund", reference=order.reference).count() == 1
    assert ledger_check().ok


def test_a_dispute_opened_as_beat_releases_either_freezes_the_escrow_or_is_refused(trade_db, settings):
    settings.ESCROW_DISPUTE_WINDOW_SECONDS = 0
    order = trade_db.delivered()

    def open_it() -> str:
        try:
            services.dispute_open(buyer=trade_db.buyer, order_id=order.pk, reason="not_as_described",
                                  description="Wrong tea.")
            return "opened"
        except ApplicationError as exc:
            return exc.code
        finally:
            connection.close()

    def release() -> str:
        try:
            order_release_escrow(order_id=order.pk)
            return "released" if Payout.objects.filter(reference=order.reference).exists() else "held"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        opened, released = pool.submit(open_it), pool.submit(release)
        outcome = (opened.result(), released.result())
    assert outcome in {("opened", "held"), ("outside_escrow_window", "released")}
    paid_out = Payout.objects.filter(reference=order.reference).exists()
    is_open = Dispute.objects.filter(order=order, status="open").exists()
    assert paid_out != is_open  # never a payout for an order with an open dispute
    assert ledger_check().ok
