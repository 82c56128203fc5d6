"""The dispute pages: the order page links to them, the buyer opens and follows, the seller answers, staff
decide from the queue; errors at the field; evidence only to the parties and dispute staff; in Chinese too."""

import pytest

from disputes.models import Dispute
from payments.models import LedgerTransaction, PaymentAllocation
from tests import factories
from tests.disputes.conftest import photo
from tests.factories import page_client


def _opened(trade, order):
    response = page_client(trade.buyer).post(f"/disputes/orders/{order.pk}/open/", {
        "reason": "damaged", "description": "Two tins crushed.", "evidence": [photo()]})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Dispute.objects.get(order=order)


def test_the_order_page_links_the_buyer_to_open_a_dispute_then_to_follow_it(trade):
    order = trade.delivered()
    page = page_client(trade.buyer).get(f"/orders/{order.pk}/").content.decode()
    assert f'href="/disputes/orders/{order.pk}/open/"' in page
    assert "/open/" not in page_client(trade.seller).get(f"/orders/{order.pk}/").content.decode()
    dispute = _opened(trade, order)
    for user in (trade.buyer, trade.seller):
        assert f'href="/disputes/{dispute.pk}/"' in page_client(user).get(f"/orders/{order.pk}/").content.decode()
    history = page_client(trade.buyer).get(f"/orders/{order.pk}/").content.decode()
    assert "Dispute opened by the buyer" in history


def test_bad_input_shows_at_the_field_and_writes_nothing(trade):
    order = trade.paid()
    client = page_client(trade.buyer)
    response = client.post(f"/disputes/orders/{order.pk}/open/", {"reason": "damaged", "description": ""})
    assert response.status_code == 400
    assert 'id="id_description_error"' in response.content.decode()
    response = client.post(f"/disputes/orders/{order.pk}/open/", {
        "reason": "damaged", "description": "Bad file", "evidence": [photo("x.png", b"GIF89a....")]})
    assert response.status_code == 400 and "is not a photo" in response.content.decode()
    assert not Dispute.objects.exists()
    assert page_client(factories.buyer()).get(f"/disputes/orders/{order.pk}/open/").status_code == 404


def test_evidence_goes_to_the_parties_and_dispute_staff_only(trade):
    dispute = _opened(trade, trade.paid())
    evidence = dispute.evidence.get()
    url = f"/disputes/evidence/{evidence.pk}/"
    for user in (trade.buyer, trade.seller, trade.staff):
        response = page_client(user).get(url)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "image/png" and "attachment" in response["Content-Disposition"]
    for stranger in (factories.buyer(), factories.seller(legal_name="Other Tea"), factories.finance()):
        assert page_client(stranger).get(url).status_code == 404
        assert page_client(stranger).get(f"/disputes/{dispute.pk}/").status_code == 404


def test_the_seller_answers_and_staff_decide_a_part_refund_from_the_queue(trade):
    order = trade.delivered()
    dispute = _opened(trade, order)
    # the seller answers from the dispute page
    seller = page_client(trade.seller)
    assert 'data-testid="answer-form"' in seller.get(f"/disputes/{dispute.pk}/").content.decode()
    assert seller.post(f"/disputes/{dispute.pk}/answer/", {"answer": ""}).status_code == 400
    assert seller.post(f"/disputes/{dispute.pk}/answer/", {"answer": "Packed well."}).status_code == 302
    assert page_client(factories.seller(legal_name="Other Tea")).post(
        f"/disputes/{dispute.pk}/answer/", {"answer": "x"}).status_code == 404
    # staff see it in the queue and refuse an amount above what is refundable, at the field
    staff = page_client(trade.staff)
    assert order.reference in staff.get("/disputes/staff/").content.decode()
    share = PaymentAllocation.objects.get(reference=order.reference)
    too_much = staff.post(f"/disputes/staff/{dispute.pk}/decide/", {
        "outcome": "refund_partial", "amount": str(share.amount + 1), "note": "Half."})
    assert too_much.status_code == 400 and 'id="id_amount_error"' in too_much.content.decode()
    negative = staff.post(f"/disputes/staff/{dispute.pk}/decide/", {
        "outcome": "refund_partial", "amount": "-5", "note": "Half."})
    assert negative.status_code == 400 and 'id="id_amount_error"' in negative.content.decode()
    assert not LedgerTransaction.objects.filter(kind__startswith="refund").exists()
    # and decide half
    done = staff.post(f"/disputes/staff/{dispute.pk}/decide/", {
        "outcome": "refund_partial", "amount": str(share.amount / 2), "note": "Two tins of six."})
    assert done.status_code == 302 and done["Location"] == "/disputes/staff/"
    assert Dispute.objects.get(pk=dispute.pk).status == "resolved"
    page = page_client(trade.buyer).get(f"/disputes/{dispute.pk}/").content.decode()
    assert 'data-testid="decision"' in page and "Two tins of six." in page


def test_the_queue_runs_a_constant_number_of_queries(trade, django_assert_max_num_queries):
    for _ in range(3):
        _opened(trade, trade.paid())
    client = page_client(trade.staff)
    client.get("/disputes/staff/")  # the session and permissions warm
    with django_assert_max_num_queries(14):
        assert client.get("/disputes/staff/").status_code == 200


@pytest.mark.parametrize("path", ["/disputes/", "/disputes/staff/"])
def test_the_pages_speak_chinese(trade, path):
    dispute = _opened(trade, trade.paid())
    user = trade.staff if "staff" in path else trade.buyer
    client = page_client(user)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(path).content.decode()
    assert "纠纷" in page
    assert "纠纷" in client.get(f"/disputes/{dispute.pk}/").content.decode()


def test_the_superuser_reads_a_dispute_in_the_admin_and_cannot_edit_it(trade):
    dispute = _opened(trade, trade.paid())
    admin = page_client(factories.staff())
    page = admin.get(f"/admin/disputes/dispute/{dispute.pk}/change/")
    assert page.status_code == 200 and "broken-tin.png" in page.content.decode()
    assert admin.get("/admin/disputes/dispute/add/").status_code == 403
    assert page_client(trade.staff).get("/admin/disputes/dispute/").status_code == 302  # not is_staff
