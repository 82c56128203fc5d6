"""The financing rules by themselves: limits from a seller's history, offers, amounts refused at their
field, repayments, and the ledger postings, with properties over generated figures."""

from collections import defaultdict
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ewtp.exceptions import ApplicationError
from ewtp.money import Money
from finance.domain.advances import (
    Collateral,
    History,
    Stage,
    advance_fee,
    allocate_repayment,
    check_advance_amount,
    credit_limit,
    disbursement_entries,
    offer_terms,
    repayment_entries,
)

CAP = Money(Decimal("400000"), "CNY")


def history(**changes) -> History:
    figures = {"delivered_volume": Money(Decimal("100000"), "CNY"), "delivered_orders": 40, "paid_orders": 50,
               "refunded_orders": 0, "customs_decided": 40, "customs_rejected": 0, "account_age_days": 400}
    return History(**{**figures, **changes})


def cny(amount) -> Money:
    return Money(Decimal(str(amount)), "CNY")


@pytest.mark.parametrize(("changes", "limit", "reasons"), [
    ({}, "30000.00", ()),  # 30% of what it delivered
    ({"account_age_days": 10}, "0", ("account_too_young",)),
    ({"delivered_orders": 0, "delivered_volume": cny(0)}, "0", ("no_history",)),
    ({"refunded_orders": 20}, "0", ("refund_rate_too_high",)),  # 40% refunded
    ({"customs_rejected": 8}, "0", ("rejection_rate_too_high",)),  # 20% rejected
    ({"refunded_orders": 5}, "24000.00", ("lowered_for_refunds_or_rejections",)),  # 10% refunded: 1 - 0.2
    ({"customs_rejected": 2}, "25500.00", ("lowered_for_refunds_or_rejections",)),  # 5%: 1 - 0.15
    ({"account_age_days": 73}, "18000.00", ("lowered_for_account_age",)),  # a fifth of a year: 0.5 + 0.1
    ({"delivered_volume": cny(10_000_000)}, "400000", ("capped",)),
])
def test_the_limit_follows_the_sellers_record(changes, limit, reasons):
    decided = credit_limit(history(**changes), cap=CAP)
    assert decided.amount == cny(limit)
    assert decided.reasons == reasons


def test_an_offer_advances_more_against_cleared_and_delivered_orders():
    offer = offer_terms(limit=cny(30000), outstanding=cny(1000), collateral=[
        Collateral("ORD-000001", Stage.IN_ESCROW, cny(1000)), Collateral("ORD-000002", Stage.CLEARED, cny(1000)),
        Collateral("ORD-000003", Stage.DELIVERED, cny("1000.05"))])
    assert [o.eligible for o in offer.orders] == [cny(500), cny(700), cny("800.04")]  # rounded down
    assert offer.eligible == cny("2000.04") and offer.available == cny(29000) and offer.maximum == cny("2000.04")
    assert offer.fee_for(cny(1000)) == cny(15)


def test_the_most_on_offer_is_what_is_left_of_the_limit_when_less_than_the_orders_allow():
    offer = offer_terms(limit=cny(1000), outstanding=cny(900),
                        collateral=[Collateral("ORD-000001", Stage.DELIVERED, cny(5000))])
    assert offer.maximum == cny(100)
    over = offer_terms(limit=cny(1000), outstanding=cny(1200),
                       collateral=[Collateral("ORD-000001", Stage.DELIVERED, cny(5000))])
    assert over.available == over.maximum == cny(0)


@pytest.mark.parametrize(("amount", "code"), [
    (cny("100.01"), "above_limit"), (cny(0), "invalid_amount"), (cny("-5"), "invalid_amount"),
    (cny("10.001"), "invalid_amount"), (Money(Decimal("50"), "EUR"), "currency_mismatch"),
])
def test_an_amount_the_offer_does_not_allow_is_refused_at_the_amount(amount, code):
    offer = offer_terms(limit=cny(1000), outstanding=cny(900),
                        collateral=[Collateral("ORD-000001", Stage.DELIVERED, cny(5000))])
    with pytest.raises(ApplicationError) as refused:
        check_advance_amount(amount, offer)
    assert (refused.value.code, refused.value.field) == (code, "amount")


def test_an_amount_above_what_the_orders_allow_is_refused():
    offer = offer_terms(limit=cny(100000), outstanding=cny(0),
                        collateral=[Collateral("ORD-000001", Stage.IN_ESCROW, cny(1000))])
    with pytest.raises(ApplicationError) as refused:
        check_advance_amount(cny("500.01"), offer)
    assert refused.value.code == "above_eligible"
    check_advance_amount(cny(500), offer)


def test_an_offer_needs_orders_each_once():
    with pytest.raises(ApplicationError) as none:
        offer_terms(limit=cny(1), outstanding=cny(0), collateral=[])
    with pytest.raises(ApplicationError) as twice:
        offer_terms(limit=cny(1), outstanding=cny(0), collateral=[Collateral("ORD-1", Stage.IN_ESCROW, cny(1))] * 2)
    assert (none.value.field, twice.value.field) == ("orders", "orders")


def test_the_fingerprint_changes_with_anything_the_seller_was_shown():
    def offer(stage=Stage.IN_ESCROW, outstanding=0):
        return offer_terms(limit=cny(1000), outstanding=cny(outstanding),
                           collateral=[Collateral("ORD-000001", stage, cny(500))])
    assert offer().fingerprint() == offer().fingerprint()
    assert offer().fingerprint() != offer(stage=Stage.DELIVERED).fingerprint()
    assert offer().fingerprint() != offer(outstanding=10).fingerprint()


# --- properties --------------------------------------------------------------------------------

amounts = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False)
stages = st.sampled_from(list(Stage))
collaterals = st.lists(st.tuples(stages, amounts), min_size=1, max_size=8)


@given(limit=amounts, outstanding=amounts, orders=collaterals, asked=amounts)
def test_an_accepted_advance_never_exceeds_its_limit_nor_its_eligible_base(limit, outstanding, orders, asked):
    offer = offer_terms(limit=cny(limit), outstanding=cny(outstanding), collateral=[
        Collateral(f"ORD-{i:06d}", stage, cny(base)) for i, (stage, base) in enumerate(orders)])
    assert Decimal(0) <= offer.maximum.amount <= offer.available.amount
    assert offer.maximum <= offer.eligible <= sum((cny(base) for _, base in orders), cny(0))
    try:
        check_advance_amount(cny(asked), offer)
    except ApplicationError:
        return
    assert cny(asked) <= offer.maximum
    assert cny(asked) + cny(outstanding) <= cny(limit)
    assert cny(0) < cny(asked) - offer.fee_for(cny(asked)) <= cny(asked)


@given(history=st.builds(
    History, delivered_volume=amounts.map(cny), delivered_orders=st.integers(0, 1000),
    paid_orders=st.integers(0, 1000), refunded_orders=st.integers(0, 1000), customs_decided=st.integers(0, 1000),
    customs_rejected=st.integers(0, 1000), account_age_days=st.integers(0, 5000)))
def test_a_limit_is_never_negative_nor_above_the_cap_nor_above_a_share_of_the_volume(history):
    limit = credit_limit(history, cap=CAP).amount
    assert cny(0) <= limit <= CAP
    assert limit.amount <= history.delivered_volume.amount * Decimal("0.30")


@given(available=amounts, debts=st.lists(amounts, max_size=6))
def test_repayments_are_never_negative_nor_above_what_is_owed_nor_above_the_payout(available, debts):
    parts = allocate_repayment(available=cny(available), outstanding=[cny(d) for d in debts])
    assert len(parts) == len(debts)
    assert all(cny(0) <= part <= cny(owed) for part, owed in zip(parts, debts, strict=True))
    assert sum(parts, cny(0)) <= cny(available)
    # and it repays in order: a later debt gets something only once the earlier ones are paid
    for i, part in enumerate(parts):
        if part.amount > 0:
            assert all(parts[j] == cny(debts[j]) for j in range(i))


def _balances(entries) -> dict:
    totals = defaultdict(Decimal)
    for _account, money in entries:
        totals[money.currency] += money.rounded().amount
    return totals


@given(amount=amounts.filter(lambda a: a > 0), fee_rate=st.decimals(min_value=0, max_value="0.2", places=4),
       company=st.integers(1, 10**9), repaid=amounts)
def test_the_ledger_postings_balance(amount, fee_rate, company, repaid):
    fee = advance_fee(cny(amount), fee_rate)
    paid_out = disbursement_entries(company_id=company, amount=cny(amount), fee=fee, cash_account="provider_cash")
    repayment = repayment_entries(company_id=company, repaid=cny(repaid), payable_account=f"seller_payable:{company}")
    assert all(total == 0 for total in _balances(paid_out).values())
    assert all(total == 0 for total in _balances(repayment).values())
    assert dict(paid_out)[f"advances_receivable:{company}"] == cny(amount)  # owed: all of it
