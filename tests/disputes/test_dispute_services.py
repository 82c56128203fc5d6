"""Disputes through the real services: the buyer opens one inside the escrow window, the escrow is frozen
while it is open, the seller answers, staff decide through payments' refund service, and the ledger
balances afterwards. Bad input changes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from disputes import services
from disputes.models import Dispute, DisputeEvent, Evidence
from disputes.signals import dispute_answered, dispute_decided, dispute_opened
from ewtp.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from ewtp.models import ImmutableError, StaffAction
from ewtp.money import Money
from marketplace.models import Order
from marketplace.services.orders import order_release_escrow
from payments.models import LedgerTransaction, PaymentAllocation, Payout
from payments.selectors import ledger_check
from payments.services import escrow_release
from tests import factories
from tests.disputes.conftest import pdf, photo


def _open(trade, order, **overrides):
    values = {"reason": "damaged", "description": "Two of the six tins arrived crushed.", "files": [photo()]}
    return services.dispute_open(buyer=trade.buyer, order_id=order.pk, **{**values, **overrides})


def _answered(trade, order):
    dispute = _open(trade, order)
    return services.dispute_answer(user=trade.seller, dispute_id=dispute.pk, answer="Packed with care; see photo.",
                                   files=[pdf()])


def _share(order) -> PaymentAllocation:
    return PaymentAllocation.objects.select_related("payment").get(reference=order.reference)


def _nothing_written(order, before: int = 0) -> None:
    assert Dispute.objects.filter(order=order).count() == before
    assert not LedgerTransaction.objects.filter(kind__startswith="refund", reference=order.reference).exists()


# --- opening ---------------------------------------------------------------------------------------------------

def test_the_buyer_opens_a_dispute_with_evidence_and_the_escrow_freezes(trade, django_capture_on_commit_callbacks):
    # given a delivered order
    order = trade.delivered()
    heard = []
    dispute_opened.connect(lambda sender, dispute, actor, **kw: heard.append((dispute.pk, actor)), weak=False,
                           dispatch_uid="t-opened")
    # when the buyer opens a dispute with a photo
    with django_capture_on_commit_callbacks(execute=True):
        dispute = _open(trade, order)
    dispute_opened.disconnect(dispatch_uid="t-opened")
    # then it waits for the seller, with the photo stored privately, its history and the order's saying so
    assert dispute.status == "open" and dispute.seller_deadline > timezone.now() + timedelta(hours=71)
    evidence = Evidence.objects.get(dispute=dispute)
    assert (evidence.party, evidence.kind, evidence.original_name) == ("buyer", "png", "broken-tin.png")
    assert evidence.file.name.startswith("disputes/evidence/") and evidence.file.name.endswith(".png")
    assert [e.action for e in dispute.events.all()] == ["opened"]
    assert "Dispute opened" in order.events.last().note
    assert heard == [(dispute.pk, trade.buyer)]  # sent once the transaction committed
    # and the beat's release does not pay the seller; escrow_release itself refuses
    order_release_escrow(order_id=order.pk)
    assert not Payout.objects.filter(reference=order.reference).exists()
    assert Order.objects.get(pk=order.pk).status == "delivered"
    with pytest.raises(Conflict) as refused:
        escrow_release(reference=order.reference, company_id=order.company_id, seller_currency="CNY")
    assert refused.value.code == "escrow_frozen"


def test_a_dispute_can_be_opened_as_soon_as_the_order_is_paid(trade):
    order = trade.paid()
    dispute = _open(trade, order, reason="not_received", files=[])
    assert dispute.status == "open" and dispute.currency == _share(order).payment.currency


@pytest.mark.parametrize(("overrides", "field", "code"), [
    ({"reason": "changed_my_mind"}, "reason", "invalid_reason"),
    ({"reason": ""}, "reason", "invalid_reason"),
    ({"description": "   "}, "description", "required"),
    ({"description": "x" * 4001}, "description", "too_long"),
    ({"files": [SimpleUploadedFile("virus.exe", b"MZ\x90\x00" * 10)]}, "evidence", "invalid_file_type"),
    ({"files": [SimpleUploadedFile("fake.png", b"<html>not a png</html>")]}, "evidence", "invalid_file_type"),
    ({"files": [photo(f"p{i}.png") for i in range(6)]}, "evidence", "too_many_files"),
])
def test_bad_input_to_open_is_refused_at_its_field_and_writes_nothing(trade, overrides, field, code):
    order = trade.paid()
    with pytest.raises(ApplicationError) as refused:
        _open(trade, order, **overrides)
    assert (refused.value.field, refused.value.code) == (field, code)
    _nothing_written(order)
    assert not Evidence.objects.exists()


def test_a_huge_file_is_refused(trade, settings):
    settings.DISPUTE_EVIDENCE_MAX_BYTES = 1024
    order = trade.paid()
    with pytest.raises(ApplicationError) as refused:
        _open(trade, order, files=[photo(data=b"\x89PNG\r\n\x1a\n" + b"\x00" * 2048)])
    assert (refused.value.field, refused.value.code) == ("evidence", "file_too_large")
    _nothing_written(order)


def test_another_buyers_order_is_not_found(trade):
    order = trade.paid()
    with pytest.raises(NotFound):
        services.dispute_open(buyer=factories.buyer(), order_id=order.pk, reason="damaged", description="Mine!")
    with pytest.raises(NotFound):
        services.dispute_open(buyer=trade.seller, order_id=order.pk, reason="damaged", description="Mine!")
    _nothing_written(order)


def test_no_dispute_outside_the_escrow_window(trade):
    # given an order whose escrow was released to the seller, and one never paid
    from marketplace.services.checkout import order_place

    released = trade.delivered()
    order_release_escrow(order_id=released.pk)
    unpaid = order_place(buyer=trade.buyer, listing_id=factories.listing(trade.seller).pk, quantity=6)
    for order in (released, unpaid):
        with pytest.raises(Conflict) as refused:
            _open(trade, order)
        assert (refused.value.code, refused.value.field) == ("outside_escrow_window", "order")
        _nothing_written(order)


def test_one_open_dispute_per_order_and_a_decision_is_final(trade):
    order = trade.paid()
    first = _open(trade, order)
    with pytest.raises(Conflict) as refused:
        _open(trade, order)
    assert refused.value.code == "dispute_open"
    # a withdrawn dispute may be opened again; a decided one may not
    services.dispute_withdraw(buyer=trade.buyer, dispute_id=first.pk)
    second = _open(trade, order)
    services.dispute_answer(user=trade.seller, dispute_id=second.pk, answer="Shipped on time.")
    services.dispute_decide(staff=trade.staff, dispute_id=second.pk, outcome="reject", note="Tracking shows delivery.")
    with pytest.raises(Conflict) as refused:
        _open(trade, order)
    assert refused.value.code == "already_decided"
    assert Dispute.objects.filter(order=order).count() == 2


# --- answering -------------------------------------------------------------------------------------------------

def test_the_seller_answers_once_with_evidence(trade, django_capture_on_commit_callbacks):
    order = trade.paid()
    dispute = _open(trade, order)
    heard = []
    dispute_answered.connect(lambda sender, dispute, **kw: heard.append(dispute.status), weak=False,
                             dispatch_uid="t-answered")
    with django_capture_on_commit_callbacks(execute=True):
        answered = services.dispute_answer(user=trade.seller, dispute_id=dispute.pk, answer="Proof attached.",
                                           files=[pdf()])
    dispute_answered.disconnect(dispatch_uid="t-answered")
    assert answered.status == "answered" and answered.answered_at is not None and heard == ["answered"]
    assert answered.evidence.get(party="seller").kind == "pdf"
    with pytest.raises(Conflict) as refused:
        services.dispute_answer(user=trade.seller, dispute_id=dispute.pk, answer="Again")
    assert refused.value.code == "not_awaiting_answer"


def test_only_the_seller_answers_and_not_with_nothing(trade):
    dispute = _open(trade, trade.paid())
    for stranger in (factories.seller(legal_name="Another Tea Co."), trade.buyer, trade.staff):
        with pytest.raises(NotFound):
            services.dispute_answer(user=stranger, dispute_id=dispute.pk, answer="Not mine to answer")
    with pytest.raises(ApplicationError) as refused:
        services.dispute_answer(user=trade.seller, dispute_id=dispute.pk, answer="")
    assert refused.value.field == "answer"
    assert Dispute.objects.get(pk=dispute.pk).status == "open"


# --- deciding --------------------------------------------------------------------------------------------------

def test_staff_refund_half_then_escrow_releases_the_rest_and_the_ledger_balances(
        trade, django_capture_on_commit_callbacks):
    # given a delivered order with an answered dispute
    order = trade.delivered()
    dispute = _answered(trade, order)
    share = _share(order)
    half = Money(share.amount / 2, share.payment.currency).rounded()
    decided = []
    dispute_decided.connect(lambda sender, dispute, **kw: decided.append(dispute.outcome), weak=False,
                            dispatch_uid="t-decided")
    # when staff refund half
    with django_capture_on_commit_callbacks(execute=True):
        services.dispute_decide(staff=trade.staff, dispute_id=dispute.pk, outcome="refund_partial",
                                note="Two tins of six crushed; half refunded.", amount=half)
    dispute_decided.disconnect(dispatch_uid="t-decided")
    # then the buyer has half back through payments, the decision is recorded everywhere
    dispute.refresh_from_db()
    assert (dispute.status, dispute.outcome, dispute.refunded) == ("resolved", "refund_partial", half)
    assert _share(order).refunded_amount == half.amount
    assert LedgerTransaction.objects.filter(kind="refund#1", reference=order.reference).exists()
    assert [e.action for e in dispute.events.all()] == ["opened", "answered", "refund_partial"]
    assert dispute.events.last().money == half
    action = StaffAction.objects.get(action="dispute.decide")
    assert action.actor == trade.staff and Decimal(action.detail["amount"]) == half.amount
    notes = [e.note for e in Order.objects.get(pk=order.pk).events.all()]
    assert any(note.startswith(f"Partly refunded {half}") for note in notes)
    assert any("Dispute decided" in note for note in notes)
    assert decided == ["refund_partial"]
    # and the escrow resumes: the release pays the seller for the other half
    order_release_escrow(order_id=order.pk)
    payout = Payout.objects.get(reference=order.reference)
    released = LedgerTransaction.objects.get(kind="escrow_released", reference=order.reference)
    held = sum(e.amount for e in released.entries.filter(account="escrow"))
    assert held == share.amount - share.duties_amount - (half.amount - _share(order).refunded_duties_amount)
    assert payout.amount > 0 and Order.objects.get(pk=order.pk).status == "completed"
    report = ledger_check()
    assert report.ok, report.problems


def test_a_decision_on_a_delivered_order_enqueues_the_release_now(trade, django_capture_on_commit_callbacks,
                                                                  settings):
    # given a delivered order past the dispute window, with an answered dispute
    settings.ESCROW_DISPUTE_WINDOW_SECONDS = 0
    order = trade.delivered()
    dispute = _answered(trade, order)
    with django_capture_on_commit_callbacks() as callbacks:
        services.dispute_decide(staff=trade.staff, dispute_id=dispute.pk, outcome="reject", note="Not damaged.")
    assert any("order_release_escrow" in callback.__code__.co_names + callback.__code__.co_freevars
               for callback in callbacks)
    order_release_escrow(order_id=order.pk)  # what the task runs
    assert Payout.objects.filter(reference=order.reference).exists()
    assert not LedgerTransaction.objects.filter(kind__startswith="refund", reference=order.reference).exists()


def test_a_full_refund_refunds_the_order(trade):
    order = trade.delivered()
    dispute = _answered(trade, order)
    services.dispute_decide(staff=trade.staff, dispute_id=dispute.pk, outcome="refund_full", note="Never arrived.")
    share = _share(order)
    assert share.refunded_amount == share.amount
    assert Order.objects.get(pk=order.pk).status == "refunded"
    assert Dispute.objects.get(pk=dispute.pk).refunded_amount == share.amount
    assert ledger_check().ok


@pytest.mark.parametrize(("amount", "code"), [
    (None, "required"), ("0.00", "invalid_amount"), ("-10.00", "invalid_amount"), ("999999.00", "invalid_amount"),
])
def test_a_bad_part_refund_is_refused_at_the_amount_and_changes_nothing(trade, amount, code):
    order = trade.delivered()
    dispute = _answered(trade, order)
    currency = _share(order).payment.currency
    with pytest.raises(ApplicationError) as refused:
        services.dispute_decide(staff=trade.staff, dispute_id=dispute.pk, outcome="refund_partial", note="Half.",
                                amount=Money(amount, currency) if amount else None)
    assert (refused.value.field, refused.value.code) == ("amount", code)
    assert Dispute.objects.get(pk=dispute.pk).status == "answered"
    _nothing_written(order, before=1)
    assert not StaffAction.objects.filter(action="dispute.decide").exists()


def test_a_part_refund_in_another_currency_is_refused(trade):
    order = trade.delivered()
    dispute = _answered(trade, order)
    with pytest.raises(ApplicationError) as refused:
        services.dispute_decide(staff=trade.staff, dispute_id=dispute.pk, outcome="refund_partial", note="Half.",
                                amount=Money("1.00", "JPY"))
    assert (refused.value.field, refused.value.code) == ("amount", "currency_mismatch")


def test_a_replayed_decision_is_refused_and_moves_no_money(trade):
    order = trade.delivered()
    dispute = _answered(trade, order)
    half = Money("5.00", _share(order).payment.currency)
    services.dispute_decide(staff=trade.staff, dispute_id=dispute.pk, outcome="refund_partial", note="Half.",
                            amount=half)
    with pytest.raises(Conflict) as refused:
        services.dispute_decide(staff=trade.staff, dispute_id=dispute.pk, outcome="refund_partial", note="Half.",
                                amount=half)
    assert refused.value.code == "already_decided"
    assert _share(order).refunded_amount == half.amount
    assert LedgerTransaction.objects.filter(kind__startswith="refund", reference=order.reference).count() == 1


def test_only_dispute_staff_decide_and_not_before_the_seller_may_answer(trade):
    order = trade.paid()
    dispute = _open(trade, order)
    for outsider in (factories.finance(), factories.officer(), trade.buyer, trade.seller):
        with pytest.raises(PermissionDenied):
            services.dispute_decide(staff=outsider, dispute_id=dispute.pk, outcome="refund_full", note="Mine.")
    with pytest.raises(Conflict) as refused:
        services.dispute_decide(staff=trade.staff, dispute_id=dispute.pk, outcome="refund_full", note="Too soon.")
    assert refused.value.code == "seller_may_answer"
    with pytest.raises(ApplicationError) as refused:
        services.dispute_decide(staff=trade.staff, dispute_id=dispute.pk, outcome="refund_full", note="")
    assert refused.value.field == "note"
    # once the seller's deadline has passed, staff decide without the answer
    Dispute.objects.filter(pk=dispute.pk).update(seller_deadline=timezone.now() - timedelta(minutes=1))
    services.dispute_decide(staff=trade.staff, dispute_id=dispute.pk, outcome="refund_full", note="No answer.")
    assert Dispute.objects.get(pk=dispute.pk).status == "resolved"


def test_a_return_for_goods_never_shipped_is_refused(trade):
    order = trade.paid()
    dispute = _answered(trade, order)
    with pytest.raises(Conflict) as refused:
        services.dispute_decide(staff=trade.staff, dispute_id=dispute.pk, outcome="return", note="Send it back.")
    assert (refused.value.code, refused.value.field) == ("not_shipped", "outcome")
    assert Dispute.objects.get(pk=dispute.pk).status == "answered"


def test_a_return_gets_a_seller_bound_label_and_its_delivery_refunds_the_buyer(trade):
    # given an order booked with the carrier and delivered, disputed as not as described
    from logistics.selectors import return_shipment_for_order
    from logistics.services import shipment_book, shipment_document, shipment_track
    from marketplace.services.orders import order_book_shipment, order_follow_shipment

    order = trade.paid()
    outbound = order_book_shipment(user=trade.seller, order_id=order.pk)
    shipment_book(shipment_id=outbound.pk)
    order_follow_shipment(reference=order.reference, shipment_status="delivered")
    dispute = _answered(trade, order)
    # when staff decide on a return
    services.dispute_decide(staff=trade.staff, dispute_id=dispute.pk, outcome="return", note="Send the tins back.")
    # then a shipment from the buyer to the seller is made and booked on the worker; its label prints
    back = return_shipment_for_order(order.reference)
    assert back.is_return and back.status == "booking"
    assert (back.origin_country, back.destination_country) == ("DE", "CN")
    assert back.sender == outbound.recipient and back.recipient["name"] == outbound.sender["name"]
    shipment_book(shipment_id=back.pk)
    back.refresh_from_db()
    assert back.tracking_number and back.tracking_number != outbound.tracking_number
    name, data = shipment_document(shipment=back, kind="label")
    assert data.startswith(b"%PDF-") and back.tracking_number in name
    # and the escrow stays frozen while the goods travel
    assert Dispute.objects.get(pk=dispute.pk).status == "returning"
    order_release_escrow(order_id=order.pk)
    assert not Payout.objects.filter(reference=order.reference).exists()
    # when the carrier delivers it to the seller, the buyer is refunded all that is left
    from logistics.models import Shipment

    a_week_ago = timezone.now() - timedelta(days=7)  # the simulated carrier has moved it every step since
    Shipment.objects.filter(pk=back.pk).update(booked_at=a_week_ago, customs_released_at=a_week_ago)
    shipment_track(shipment_id=back.pk)
    back.refresh_from_db()
    assert back.status == "delivered"
    services.dispute_return_delivered(shipment_id=back.pk)
    services.dispute_return_delivered(shipment_id=back.pk)  # a redelivered task changes nothing
    dispute.refresh_from_db()
    share = _share(order)
    assert dispute.status == "resolved" and dispute.refunded_amount == share.amount == share.refunded_amount
    assert [e.action for e in dispute.events.all()][-2:] == ["return", "return_delivered"]
    assert Order.objects.get(pk=order.pk).status == "refunded"
    assert ledger_check().ok


def test_withdrawing_resumes_the_escrow(trade):
    order = trade.delivered()
    dispute = _open(trade, order)
    services.dispute_withdraw(buyer=trade.buyer, dispute_id=dispute.pk)
    with pytest.raises(NotFound):
        services.dispute_withdraw(buyer=factories.buyer(), dispute_id=dispute.pk)
    with pytest.raises(Conflict):
        services.dispute_withdraw(buyer=trade.buyer, dispute_id=dispute.pk)
    order_release_escrow(order_id=order.pk)
    assert Payout.objects.filter(reference=order.reference).exists()


def test_the_history_is_append_only(trade):
    dispute = _open(trade, trade.paid())
    event = DisputeEvent.objects.get(dispute=dispute)
    with pytest.raises(ImmutableError):
        event.save()
    with pytest.raises(ImmutableError):
        event.delete()
    with pytest.raises(ImmutableError):
        dispute.evidence.first().delete()
