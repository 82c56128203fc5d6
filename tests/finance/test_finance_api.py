"""The trade-finance API: the same error shape as the other apps, sellers see only their own, finance
staff read the exposure, and the list answers in a constant number of queries."""

import pytest

from accounts.selectors import company_of
from finance.models import Advance
from payments.selectors import ledger_check
from tests import factories
from tests.factories import api_client
from tests.finance.conftest import paid_order

pytestmark = pytest.mark.django_db


def test_a_seller_asks_for_an_offer_accepts_it_and_follows_its_advance(seasoned):
    seller, buyer = seasoned
    order = paid_order(seller, buyer)
    client = api_client(seller)
    limit = client.get("/api/v1/finance/limit/").json()
    assert limit["limit"] == {"amount": "1050.75", "currency": "CNY"} and limit["history"]["delivered_orders"] == 1

    offer = client.post("/api/v1/finance/offers/", {"orders": [order.pk]}, format="json")
    assert offer.status_code == 201
    body = offer.json()
    assert body["orders"][0]["stage"] == "in_escrow" and body["fee_rate"] == "0.0150"
    assert client.get(f"/api/v1/finance/offers/{body['id']}/").json()["maximum"] == body["maximum"]

    accepted = client.post(f"/api/v1/finance/offers/{body['id']}/accept/",
                           {"amount": {"amount": "300.00", "currency": "CNY"}}, format="json")
    assert accepted.status_code == 201
    advance = accepted.json()
    assert (advance["amount"], advance["fee"], advance["paid_out"]) == (
        {"amount": "300.00", "currency": "CNY"}, {"amount": "4.50", "currency": "CNY"},
        {"amount": "295.50", "currency": "CNY"})
    assert [h["kind"] for h in advance["history"]] == ["paid_out"]
    assert client.get("/api/v1/finance/advances/").json()["results"][0]["reference"] == advance["reference"]
    assert client.get(f"/api/v1/finance/advances/{advance['id']}/").json()["outstanding"]["amount"] == "300.00"
    assert ledger_check().ok


def test_bad_input_is_an_error_at_its_field_in_the_api_shape(seasoned):
    seller, buyer = seasoned
    client = api_client(seller)
    order = paid_order(seller, buyer)
    assert client.post("/api/v1/finance/offers/", {"orders": []}, format="json").json()["error"]["field"] == "orders"
    assert client.post("/api/v1/finance/offers/", {"orders": ["x"]}, format="json").status_code == 400
    offer = client.post("/api/v1/finance/offers/", {"orders": [order.pk]}, format="json").json()
    too_much = client.post(f"/api/v1/finance/offers/{offer['id']}/accept/",
                           {"amount": {"amount": "99999.00", "currency": "CNY"}}, format="json")
    assert too_much.status_code == 400
    assert too_much.json()["error"]["field"] == "amount" and too_much.json()["error"]["code"] == "above_limit"
    as_float = client.post(f"/api/v1/finance/offers/{offer['id']}/accept/",
                           {"amount": {"amount": 10.5, "currency": "CNY"}}, format="json")
    assert as_float.status_code == 400 and as_float.json()["error"]["field"] == "amount"
    client.post(f"/api/v1/finance/offers/{offer['id']}/accept/", {"amount": {"amount": "10.00", "currency": "CNY"}},
                format="json")
    replay = client.post(f"/api/v1/finance/offers/{offer['id']}/accept/",
                         {"amount": {"amount": "10.00", "currency": "CNY"}}, format="json")
    assert replay.status_code == 409 and replay.json()["error"] == {
        "code": "already_accepted", "field": "offer", "message": replay.json()["error"]["message"]}
    assert Advance.objects.count() == 1


def test_another_sellers_offer_and_advance_are_not_found_and_buyers_are_refused(seasoned):
    seller, buyer = seasoned
    offer = api_client(seller).post("/api/v1/finance/offers/", {"orders": [paid_order(seller, buyer).pk]},
                                    format="json").json()
    other = factories.seller(legal_name="Other Co")
    assert api_client(other).get(f"/api/v1/finance/offers/{offer['id']}/").status_code == 404
    assert api_client(other).post(f"/api/v1/finance/offers/{offer['id']}/accept/", {
        "amount": {"amount": "10.00", "currency": "CNY"}}, format="json").status_code == 404
    assert api_client(buyer).get("/api/v1/finance/advances/").status_code == 403
    assert api_client(factories.seller(verified=False)).post(
        "/api/v1/finance/offers/", {"orders": [1]}, format="json").json()["error"]["code"] == "not_verified"
    assert api_client().get("/api/v1/finance/limit/").status_code == 401


def test_finance_staff_read_the_exposure_and_sellers_do_not(seasoned):
    seller, buyer = seasoned
    client = api_client(seller)
    offer = client.post("/api/v1/finance/offers/", {"orders": [paid_order(seller, buyer).pk]}, format="json").json()
    client.post(f"/api/v1/finance/offers/{offer['id']}/accept/", {"amount": {"amount": "50.00", "currency": "CNY"}},
                format="json")
    assert client.get("/api/v1/finance/exposure/").status_code == 403
    exposure = api_client(factories.finance()).get("/api/v1/finance/exposure/").json()
    assert exposure["sellers"] == [{"company_id": company_of(seller).pk, "seller": company_of(seller).legal_name,
                                    "advances": 1, "outstanding": {"amount": "50.00", "currency": "CNY"},
                                    "overdue": 0, "at_risk": 0}]


def test_the_advance_list_costs_the_same_queries_whatever_its_length(seasoned, django_assert_max_num_queries):
    seller, buyer = seasoned
    client = api_client(seller)
    for _ in range(3):
        offer = client.post("/api/v1/finance/offers/", {"orders": [paid_order(seller, buyer).pk]},
                            format="json").json()
        client.post(f"/api/v1/finance/offers/{offer['id']}/accept/",
                    {"amount": {"amount": "20.00", "currency": "CNY"}}, format="json")
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/finance/advances/").json()["results"]) == 3
