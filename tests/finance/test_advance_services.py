"""Advances through the real services: an offer shown before acceptance, paid out and booked as the
seller's receivable, repaid first from the pledged orders' escrow releases; refunds and customs
rejections put it at risk; bad input is refused at its field and changes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.selectors import company_of
from ewtp.exceptions import ApplicationError
from ewtp.money import Money
from finance import selectors, services
from finance.models import Advance, AdvanceEvent, AdvanceOffer
from marketplace.services.orders import order_refund_rejected
from payments import services as payments
from payments.models import LedgerEntry, LedgerTransaction, Payout
from payments.selectors import account_balances, ledger_check
from tests import factories
from tests.finance.conftest import advanced, complete, deliver, paid_order, seasoned_seller

pytestmark = pytest.mark.django_db


def balance(account: str, currency: str = "CNY") -> Decimal:
    return next((row["balance"] for row in account_balances(prefix=account) if row["account"] == account
                 and row["currency"] == currency), Decimal(0))


def refused(call, **kwargs) -> ApplicationError:
    """The error `call` raises, having checked that it changed nothing."""
    before = (Advance.objects.count(), LedgerTransaction.objects.count(), AdvanceOffer.objects.filter(
        accepted_at__isnull=False).count())
    with pytest.raises(ApplicationError) as error:
        call(**kwargs)
    assert (Advance.objects.count(), LedgerTransaction.objects.count(), AdvanceOffer.objects.filter(
        accepted_at__isnull=False).count()) == before
    return error.value


def test_the_offer_shows_limit_rate_fee_and_expiry_before_anything_is_paid(seasoned):
    # given a seller with one delivered order of twenty tins, and a paid order of six in escrow
    seller, buyer = seasoned
    order = paid_order(seller, buyer)
    # when it asks for an offer against that order
    offer = services.advance_offer_create(user=seller, order_ids=[order.pk])
    # then the offer says its limit (30% of the 3,502.52 CNY delivered), the order's stage and rate, the
    # most it may take, the fee and when the offer expires; nothing is paid out or booked
    assert offer.limit == Money("1050.75", "CNY") and offer.outstanding == Money("0", "CNY")
    [terms] = offer.terms["orders"]
    assert (terms["reference"], terms["stage"], terms["rate"]) == (order.reference, "in_escrow", "0.50")
    assert offer.maximum == Money(terms["eligible"]["amount"], "CNY") < offer.available
    assert offer.fee_rate == Decimal("0.015")
    assert timezone.now() < offer.expires_at <= timezone.now() + timedelta(minutes=15)
    assert not LedgerTransaction.objects.filter(kind__startswith="advance").exists()


def test_an_accepted_advance_is_paid_out_less_its_fee_and_booked_as_owed(seasoned):
    seller, buyer = seasoned
    order = paid_order(seller, buyer)
    offer = services.advance_offer_create(user=seller, order_ids=[order.pk])
    # when the seller takes 500 CNY of it
    advance = services.advance_accept(user=seller, offer_id=offer.pk, amount=Money("500.00", "CNY"))
    # then it is paid 492.50 CNY (the fee of 1.5% kept) and owes 500 CNY, due in 60 days
    assert (advance.disbursed, advance.fee, advance.outstanding) == (
        Money("492.50", "CNY"), Money("7.50", "CNY"), Money("500.00", "CNY"))
    assert advance.status == "active" and advance.provider == "sandbox"
    assert advance.due_at.date() == (timezone.now() + timedelta(days=60)).date()
    company = company_of(seller).pk
    assert balance(f"advances_receivable:{company}") == Decimal("500.00")
    assert balance("finance_fees") == Decimal("-7.50")
    assert [e.kind for e in advance.events.all()] == ["paid_out"]
    assert ledger_check().ok


def test_the_escrow_release_repays_the_advance_first_and_pays_the_seller_the_rest(seasoned):
    seller, buyer = seasoned
    order, offer, advance = advanced(seller, buyer, "500.00")
    release = Money(offer.terms["orders"][0]["base"]["amount"], "CNY")  # what the release pays the seller
    # when the order is delivered and its escrow released
    complete(seller, order)
    # then 500 CNY of it repays the advance and the seller is paid the rest
    advance.refresh_from_db()
    assert advance.status == "repaid" and advance.outstanding == Money("0", "CNY")
    assert Payout.objects.get(reference=order.reference).total == release - Money("500.00", "CNY")
    assert balance(f"advances_receivable:{company_of(seller).pk}") == 0
    assert balance(f"seller_payable:{company_of(seller).pk}") == 0
    repaid = advance.events.get(kind="repaid")
    assert (repaid.order_reference, repaid.money) == (order.reference, Money("500.00", "CNY"))
    assert ledger_check().ok


def test_an_advance_on_two_orders_is_repaid_by_both_releases_in_turn():
    seller, buyer = seasoned_seller(delivered=2)
    first, second = paid_order(seller, buyer), paid_order(seller, buyer)
    offer = services.advance_offer_create(user=seller, order_ids=[first.pk, second.pk])
    advance = services.advance_accept(user=seller, offer_id=offer.pk, amount=offer.maximum)
    one_release = Money(offer.terms["orders"][0]["base"]["amount"], "CNY")
    assert offer.maximum > one_release * Decimal("0.5")  # more than one order's release repays... half of it
    complete(seller, first)
    advance.refresh_from_db()
    assert advance.repaid == min(one_release, offer.maximum, key=lambda m: m.amount)
    complete(seller, second)
    advance.refresh_from_db()
    assert advance.status == "repaid"
    assert [e.kind for e in advance.events.all()].count("repaid") in (1, 2)
    assert ledger_check().ok


def test_a_refund_of_a_pledged_order_puts_the_advance_at_risk_and_it_stays_owed(seasoned):
    seller, buyer = seasoned
    order, offer, advance = advanced(seller, buyer)
    # when finance staff refund most of the order
    payments.payment_refund_by_staff(staff=factories.finance(), reference=order.reference,
                                     amount=Money("100.00", order.currency), reason="Two tins arrived crushed.")
    # then the advance is at risk, says why, and still owes all of it
    advance.refresh_from_db()
    assert advance.at_risk and "crushed" in advance.at_risk_reason
    assert advance.outstanding == offer.maximum and advance.status == "active"
    reduced = advance.events.get(kind="source_reduced")
    assert reduced.money == Money("100.00", order.currency)
    assert [a.pk for a in selectors.advances_needing_attention()] == [advance.pk]
    assert ledger_check().ok


def test_a_customs_rejection_of_a_pledged_order_leaves_nothing_to_repay_from(seasoned):
    seller, buyer = seasoned
    order, offer, advance = advanced(seller, buyer)
    order_refund_rejected(reference=order.reference, reason="Goods not as declared.")
    advance.refresh_from_db()
    assert advance.at_risk and "Customs rejected" in advance.at_risk_reason
    assert advance.outstanding == offer.maximum
    assert selectors.exposure_by_seller()[0].at_risk == 1
    assert ledger_check().ok


def test_a_small_refund_that_leaves_enough_to_repay_from_is_noted_but_not_at_risk(seasoned):
    seller, buyer = seasoned
    order, offer, advance = advanced(seller, buyer, "100.00")
    payments.payment_refund(reference=order.reference, amount=Money("1.00", order.currency), reason="Late.")
    advance.refresh_from_db()
    assert not advance.at_risk and advance.events.filter(kind="source_reduced").count() == 1


def test_past_its_due_date_an_advance_still_owing_becomes_overdue_once(seasoned):
    seller, buyer = seasoned
    order, offer, advance = advanced(seller, buyer, "200.00")
    assert services.advances_mark_overdue() == 0  # not due yet
    later = advance.due_at + timedelta(seconds=1)
    assert services.advances_mark_overdue(now=later) == 1
    assert services.advances_mark_overdue(now=later) == 0  # once
    advance.refresh_from_db()
    assert advance.status == "overdue" and advance.events.filter(kind="overdue").count() == 1
    [exposure] = selectors.exposure_by_seller()
    assert (exposure.overdue, exposure.outstanding) == (1, Money("200.00", "CNY"))
    # and an overdue advance is still repaid by its order's release
    complete(seller, order)
    advance.refresh_from_db()
    assert advance.status == "repaid"
    assert ledger_check().ok


def test_a_release_repays_the_sellers_overdue_advances_after_the_one_it_is_pledged_to():
    seller, buyer = seasoned_seller(delivered=2)
    lost, later = paid_order(seller, buyer), paid_order(seller, buyer)
    old = services.advance_accept(user=seller, amount=Money("100.00", "CNY"), offer_id=services.advance_offer_create(
        user=seller, order_ids=[lost.pk]).pk)
    order_refund_rejected(reference=lost.reference, reason="Prohibited goods.")  # nothing left to repay the old one
    new = services.advance_accept(user=seller, amount=Money("100.00", "CNY"), offer_id=services.advance_offer_create(
        user=seller, order_ids=[later.pk]).pk)
    complete(seller, later)
    old.refresh_from_db()
    new.refresh_from_db()
    assert new.status == old.status == "repaid"
    assert old.events.get(kind="repaid").order_reference == later.reference
    assert ledger_check().ok


# --- refused, and nothing changed ----------------------------------------------------------------

def test_an_unverified_seller_is_refused():
    seller = factories.seller(verified=False)
    error = refused(services.advance_offer_create, user=seller, order_ids=[1])
    assert (error.status_code, error.code) == (403, "not_verified")


def test_a_seller_without_a_record_gets_no_offer():
    seller, buyer = seasoned_seller(delivered=0)
    order = paid_order(seller, buyer)
    error = refused(services.advance_offer_create, user=seller, order_ids=[order.pk])
    assert (error.code, error.field) == ("nothing_to_offer", "orders") and "no history" in error.message


def test_a_young_account_gets_no_offer():
    seller, buyer = seasoned_seller(age_days=5)
    error = refused(services.advance_offer_create, user=seller, order_ids=[paid_order(seller, buyer).pk])
    assert error.code == "nothing_to_offer" and "too young" in error.message


def test_another_companys_order_and_an_unpaid_or_released_one_are_refused_at_orders(seasoned):
    seller, buyer = seasoned
    other, other_buyer = seasoned_seller(legal_name="Other Tea Co.")
    theirs = paid_order(other, other_buyer)
    error = refused(services.advance_offer_create, user=seller, order_ids=[theirs.pk])
    assert (error.status_code, error.code, error.field) == (404, "not_eligible", "orders")
    from marketplace.services.checkout import order_place

    unpaid = order_place(buyer=buyer, listing_id=factories.listing(seller).pk, quantity=1)
    error = refused(services.advance_offer_create, user=seller, order_ids=[unpaid.pk])
    assert (error.code, error.field) == ("not_eligible", "orders") and "not paid" in error.message
    released = complete(seller, paid_order(seller, buyer))
    error = refused(services.advance_offer_create, user=seller, order_ids=[released.pk])
    assert "paid out already" in error.message
    error = refused(services.advance_offer_create, user=seller, order_ids=[])
    assert (error.code, error.field) == ("required", "orders")


def test_an_amount_above_the_offer_is_refused_at_amount(seasoned):
    seller, buyer = seasoned
    offer = services.advance_offer_create(user=seller, order_ids=[paid_order(seller, buyer).pk])
    error = refused(services.advance_accept, user=seller, offer_id=offer.pk,
                    amount=offer.maximum + Money("0.01", "CNY"))
    assert (error.code, error.field) == ("above_eligible", "amount")
    error = refused(services.advance_accept, user=seller, offer_id=offer.pk, amount=Money("10", "EUR"))
    assert (error.code, error.field) == ("currency_mismatch", "amount")


def test_an_advance_above_the_limit_is_refused_at_amount():
    seller, buyer = seasoned_seller(quantity=4)  # a small record: a limit of about 200 CNY
    offer = services.advance_offer_create(user=seller, order_ids=[paid_order(seller, buyer, quantity=20).pk])
    assert offer.maximum == offer.available < offer.eligible
    error = refused(services.advance_accept, user=seller, offer_id=offer.pk,
                    amount=offer.available + Money("0.01", "CNY"))
    assert (error.code, error.field) == ("above_limit", "amount")


def test_a_replayed_accept_is_refused_and_pays_nothing_twice(seasoned):
    seller, buyer = seasoned
    offer = services.advance_offer_create(user=seller, order_ids=[paid_order(seller, buyer).pk])
    advance = services.advance_accept(user=seller, offer_id=offer.pk, amount=Money("100.00", "CNY"))
    error = refused(services.advance_accept, user=seller, offer_id=offer.pk, amount=Money("100.00", "CNY"))
    assert (error.status_code, error.code, error.field) == (409, "already_accepted", "offer")
    assert advance.reference in error.message


def test_an_expired_offer_is_refused(seasoned):
    seller, buyer = seasoned
    offer = services.advance_offer_create(user=seller, order_ids=[paid_order(seller, buyer).pk])
    AdvanceOffer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    error = refused(services.advance_accept, user=seller, offer_id=offer.pk, amount=Money("100.00", "CNY"))
    assert (error.code, error.field) == ("offer_expired", "offer")


def test_an_offer_whose_terms_changed_is_refused(seasoned):
    seller, buyer = seasoned
    order = paid_order(seller, buyer)
    offer = services.advance_offer_create(user=seller, order_ids=[order.pk])
    deliver(seller, order)  # a higher rate now: the seller asks again and sees it
    error = refused(services.advance_accept, user=seller, offer_id=offer.pk, amount=Money("100.00", "CNY"))
    assert (error.code, error.field) == ("offer_changed", "offer")
    again = services.advance_offer_create(user=seller, order_ids=[order.pk])
    assert again.terms["orders"][0]["stage"] == "delivered" and again.max_amount > offer.max_amount


def test_an_order_pledged_by_one_offer_cannot_be_taken_by_another(seasoned):
    seller, buyer = seasoned
    order = paid_order(seller, buyer)
    first = services.advance_offer_create(user=seller, order_ids=[order.pk])
    second = services.advance_offer_create(user=seller, order_ids=[order.pk])
    services.advance_accept(user=seller, offer_id=first.pk, amount=Money("100.00", "CNY"))
    error = refused(services.advance_accept, user=seller, offer_id=second.pk, amount=Money("100.00", "CNY"))
    assert (error.code, error.field) == ("offer_changed", "offer") and "financed by another" in error.message
    error = refused(services.advance_offer_create, user=seller, order_ids=[order.pk])
    assert error.code == "not_eligible"


def test_someone_elses_offer_does_not_exist(seasoned):
    seller, buyer = seasoned
    offer = services.advance_offer_create(user=seller, order_ids=[paid_order(seller, buyer).pk])
    other, _ = seasoned_seller(legal_name="Other Tea Co.")
    error = refused(services.advance_accept, user=other, offer_id=offer.pk, amount=Money("100.00", "CNY"))
    assert (error.status_code, error.field) == (404, "offer")


def test_ledger_check_finds_a_receivable_no_advance_owes(seasoned):
    seller, _buyer = seasoned
    payments.ledger_post(kind="manual", reference="X-1", entries=[
        (f"advances_receivable:{company_of(seller).pk}", Money("5", "CNY")), ("provider_cash", Money("-5", "CNY"))])
    report = ledger_check()
    assert not report.ok and any("advances_receivable" in p for p in report.problems)
    assert LedgerEntry.objects.filter(account__startswith="advances_receivable").count() == 1
    assert AdvanceEvent.objects.count() == 0


def test_beat_marks_overdue_advances_through_its_task(seasoned, settings):
    from finance.tasks import advances_mark_overdue

    assert settings.CELERY_BEAT_SCHEDULE["finance-mark-overdue"]["task"] == advances_mark_overdue.name
    seller, buyer = seasoned
    _order, _offer, advance = advanced(seller, buyer, "50.00")
    Advance.objects.filter(pk=advance.pk).update(due_at=timezone.now() - timedelta(days=1))
    assert advances_mark_overdue.apply().get() == 1
    assert Advance.objects.get(pk=advance.pk).status == "overdue"
