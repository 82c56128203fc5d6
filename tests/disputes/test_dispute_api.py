"""The disputes API: object-level permissions (another buyer or seller finds nothing: 404), the one error
shape at the field, and staff decisions that move money once."""

import pytest

from disputes.models import Dispute
from payments.models import LedgerTransaction, PaymentAllocation
from tests import factories
from tests.disputes.conftest import PNG
from tests.factories import api_client


def _open(trade, order, **extra):
    return api_client(trade.buyer).post("/api/v1/disputes/", {
        "order": order.pk, "reason": "damaged", "description": "Crushed tins.", **extra}, format="json")


def _open_with(trade, order, data: dict):
    return api_client(trade.buyer).post("/api/v1/disputes/", {
        "order": order.pk, "reason": "damaged", "description": "Crushed tins.", **data}, format="json")


def _error(response) -> tuple:
    error = response.json()["error"]
    return response.status_code, error["code"], error["field"]


def test_the_buyer_opens_with_photos_the_seller_answers_staff_decide(trade):
    # given a delivered order
    order = trade.delivered()
    # when the buyer opens a dispute with a photo (multipart)
    from django.core.files.uploadedfile import SimpleUploadedFile

    opened = api_client(trade.buyer).post("/api/v1/disputes/", {
        "order": order.pk, "reason": "damaged", "description": "Two tins crushed.",
        "evidence": [SimpleUploadedFile("tin.png", PNG)]}, format="multipart")
    assert opened.status_code == 201, opened.json()
    dispute = opened.json()
    assert dispute["status"] == "open" and dispute["evidence"][0]["kind"] == "png"
    # then the seller answers, the buyer and the seller see it, and staff find it in their queue
    answered = api_client(trade.seller).post(f"/api/v1/disputes/{dispute['id']}/answer/",
                                             {"answer": "Packed well."}, format="json")
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    assert [d["id"] for d in api_client(trade.buyer).get("/api/v1/disputes/").json()["results"]] == [dispute["id"]]
    assert [d["id"] for d in api_client(trade.seller).get("/api/v1/disputes/").json()["results"]] == [dispute["id"]]
    queue = api_client(trade.staff).get("/api/v1/disputes/queue/").json()["results"]
    assert queue[0]["id"] == dispute["id"] and queue[0]["decidable"] is True
    # when staff refund part of it
    share = PaymentAllocation.objects.select_related("payment").get(reference=order.reference)
    decided = api_client(trade.staff).post(f"/api/v1/disputes/{dispute['id']}/decide/", {
        "outcome": "refund_partial", "note": "Two of six tins.",
        "amount": {"amount": "10.00", "currency": share.payment.currency}}, format="json")
    assert decided.status_code == 200, decided.json()
    body = decided.json()
    assert body["status"] == "resolved" and body["refunded"] == {"amount": "10.00", "currency": share.payment.currency}
    assert [h["action"] for h in body["history"]] == ["opened", "answered", "refund_partial"]
    # and a replay is refused with the error shape, moving no more money
    replay = api_client(trade.staff).post(f"/api/v1/disputes/{dispute['id']}/decide/", {
        "outcome": "refund_partial", "note": "Two of six tins.",
        "amount": {"amount": "10.00", "currency": share.payment.currency}}, format="json")
    assert _error(replay) == (409, "already_decided", "outcome")
    assert LedgerTransaction.objects.filter(kind__startswith="refund", reference=order.reference).count() == 1


def test_strangers_find_no_dispute(trade):
    order = trade.paid()
    dispute = _open(trade, order).json()
    for stranger in (factories.buyer(), factories.seller(legal_name="Other Tea"), factories.finance()):
        response = api_client(stranger).get(f"/api/v1/disputes/{dispute['id']}/")
        assert _error(response) == (404, "not_found", None)
    assert _error(api_client(factories.buyer()).post(f"/api/v1/disputes/{dispute['id']}/answer/", {
        "answer": "me"}, format="json"))[0] == 404
    assert _error(api_client(factories.buyer()).post(f"/api/v1/disputes/{dispute['id']}/withdraw/"))[0] == 404
    assert api_client(trade.staff).get(f"/api/v1/disputes/{dispute['id']}/").status_code == 200
    assert api_client().get(f"/api/v1/disputes/{dispute['id']}/").status_code in (401, 403)


@pytest.mark.parametrize(("data", "expected"), [
    ({"order": None}, (400, "invalid", "order")),
    ({"order": "abc"}, (400, "invalid", "order")),
    ({"order": -1}, (400, "invalid", "order")),
    ({"order": 2**70}, (400, "invalid", "order")),
    ({"order": 99999999}, (404, "not_found", "order")),
    ({"reason": "bored"}, (400, "invalid_reason", "reason")),
    ({"description": ""}, (400, "required", "description")),
    ({"description": ["a", "list"]}, (400, "required", "description")),
    ({"description": "x" * 5000}, (400, "too_long", "description")),
])
def test_bad_input_to_open_gets_the_error_at_its_field(trade, data, expected):
    order = trade.paid()
    response = _open_with(trade, order, data)
    assert _error(response) == expected
    assert not Dispute.objects.exists()


def test_another_buyers_order_is_404(trade):
    order = trade.paid()
    response = api_client(factories.buyer()).post("/api/v1/disputes/", {
        "order": order.pk, "reason": "damaged", "description": "Not mine"}, format="json")
    assert _error(response) == (404, "not_found", "order")


@pytest.mark.parametrize(("amount", "expected"), [
    ({"amount": "-1.00", "currency": "EUR"}, (400, "negative", "amount")),
    ({"amount": 1.5, "currency": "EUR"}, (400, "amount", "amount")),
    ({"amount": "1.234", "currency": "EUR"}, (400, "decimals", "amount")),
    ({"amount": "99999.00", "currency": "EUR"}, (400, "invalid_amount", "amount")),
    ({"amount": "1e13", "currency": "EUR"}, (400, "too_large", "amount")),
    (None, (400, "required", "amount")),
])
def test_bad_amounts_are_refused_at_the_amount_and_move_nothing(trade, amount, expected):
    order = trade.delivered()
    dispute = _open(trade, order).json()
    api_client(trade.seller).post(f"/api/v1/disputes/{dispute['id']}/answer/", {"answer": "ok"}, format="json")
    response = api_client(trade.staff).post(f"/api/v1/disputes/{dispute['id']}/decide/", {
        "outcome": "refund_partial", "note": "Part.", "amount": amount}, format="json")
    assert _error(response) == expected
    assert Dispute.objects.get(pk=dispute["id"]).status == "answered"
    assert not LedgerTransaction.objects.filter(kind__startswith="refund").exists()


def test_only_dispute_staff_decide(trade):
    order = trade.delivered()
    dispute = _open(trade, order).json()
    for outsider in (trade.buyer, trade.seller, factories.finance(), factories.officer()):
        response = api_client(outsider).post(f"/api/v1/disputes/{dispute['id']}/decide/", {
            "outcome": "refund_full", "note": "Mine."}, format="json")
        assert response.status_code == 403, outsider
    assert Dispute.objects.get(pk=dispute["id"]).status == "open"


def test_the_list_runs_a_constant_number_of_queries(trade, django_assert_max_num_queries):
    for _ in range(3):
        _open(trade, trade.paid())
    with django_assert_max_num_queries(8):
        assert len(api_client(trade.buyer).get("/api/v1/disputes/").json()["results"]) == 3
    with django_assert_max_num_queries(8):
        assert len(api_client(trade.staff).get("/api/v1/disputes/queue/").json()["results"]) == 3
