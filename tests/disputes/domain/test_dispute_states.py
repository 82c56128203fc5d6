"""The dispute's state machine and decision rules, as a table."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from disputes.domain.states import DISPUTE, OUTCOME_STATUS, check_decidable, check_partial_refund
from ewtp.exceptions import ApplicationError, Conflict

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
LATER, EARLIER = NOW + timedelta(hours=1), NOW - timedelta(hours=1)


@pytest.mark.parametrize(("current", "target", "allowed"), [
    ("open", "answered", True), ("open", "resolved", True), ("open", "returning", True), ("open", "rejected", True),
    ("open", "withdrawn", True), ("answered", "resolved", True), ("answered", "answered", False),
    ("answered", "open", False), ("returning", "resolved", True), ("returning", "rejected", False),
    ("returning", "withdrawn", False), ("resolved", "open", False), ("rejected", "resolved", False),
    ("withdrawn", "open", False),
])
def test_the_table_allows_only_its_moves(current, target, allowed):
    assert DISPUTE.can(current, target) is allowed


@pytest.mark.parametrize(("outcome", "status"), list(OUTCOME_STATUS.items()))
def test_an_answered_dispute_is_decided_to_its_outcome_status(outcome, status):
    assert check_decidable(status="answered", outcome=outcome, answered=True, seller_deadline=LATER, now=NOW) == status


def test_staff_wait_for_the_seller_until_the_deadline_then_decide_without_them():
    with pytest.raises(Conflict) as refused:
        check_decidable(status="open", outcome="reject", answered=False, seller_deadline=LATER, now=NOW)
    assert (refused.value.code, refused.value.field) == ("seller_may_answer", "outcome")
    assert check_decidable(status="open", outcome="reject", answered=False, seller_deadline=EARLIER,
                           now=NOW) == "rejected"


@pytest.mark.parametrize("status", ["resolved", "rejected", "withdrawn", "returning"])
def test_a_decided_dispute_is_not_decided_again(status):
    with pytest.raises(Conflict) as refused:
        check_decidable(status=status, outcome="refund_full", answered=True, seller_deadline=EARLIER, now=NOW)
    assert refused.value.code == "already_decided"


def test_an_unknown_decision_is_refused_at_its_field():
    with pytest.raises(ApplicationError) as refused:
        check_decidable(status="answered", outcome="pay_double", answered=True, seller_deadline=EARLIER, now=NOW)
    assert (refused.value.code, refused.value.field) == ("invalid_outcome", "outcome")


@pytest.mark.parametrize(("amount", "currency", "code"), [
    (None, "EUR", "required"), (Decimal("0"), "EUR", "invalid_amount"), (Decimal("-5"), "EUR", "invalid_amount"),
    (Decimal("100.01"), "EUR", "invalid_amount"), (Decimal("1e12"), "EUR", "invalid_amount"),
    (Decimal("10"), "GBP", "currency_mismatch"),
])
def test_a_part_refund_is_above_nothing_within_the_refundable_in_the_paid_currency(amount, currency, code):
    with pytest.raises(ApplicationError) as refused:
        check_partial_refund(amount, refundable=Decimal("100.00"), currency="EUR", amount_currency=currency)
    assert (refused.value.code, refused.value.field) == (code, "amount")


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100.00"), places=2))
def test_any_amount_up_to_the_refundable_is_accepted_as_given(amount):
    assert check_partial_refund(amount, refundable=Decimal("100.00"), currency="EUR", amount_currency="EUR") == amount
