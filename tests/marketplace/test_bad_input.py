"""Bad input gets a clear error at the field at fault and changes nothing."""

from decimal import Decimal

import pytest

from accounts.models import User
from ewtp.exceptions import Conflict
from marketplace.models import Listing, Order
from marketplace.services.checkout import order_pay, order_place
from marketplace.services.listings import listing_update
from tests import factories
from tests.factories import api_client as api

pytestmark = pytest.mark.django_db



def test_signing_up_twice_with_one_email_is_refused():
    # given
    api().post("/api/v1/auth/signup/", {"email": "lin@example.com", "password": "long-enough-pass"}, format="json")
    # when
    response = api().post("/api/v1/auth/signup/", {"email": "LIN@example.com", "password": "long-enough-pass"},
                          format="json")
    # then
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "duplicate_email"
    assert response.json()["error"]["field"] == "email"
    assert User.objects.filter(email__iexact="lin@example.com").count() == 1


@pytest.mark.parametrize("hs_code, code", [
    ("0902", "invalid"),  # too short
    ("09021000001", "invalid"),  # too long
    ("09A210", "invalid"),  # not digits
    ("999999", "unknown_hs_code"),  # six digits, but not in the nomenclature
])
def test_a_listing_with_a_bad_hs_code_is_refused(hs_code, code):
    seller = factories.seller()
    response = api(seller).post("/api/v1/listings/", {
        "title_en": "Tea", "hs_code": hs_code, "origin_country": "CN", "price_amount": "10.00", "stock": 5,
        "weight_kg": "0.5"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "hs_code"
    assert response.json()["error"]["code"] == code
    assert not Listing.objects.exists()


@pytest.mark.parametrize("price", ["-1.00", "0", "abc", "1.234"])
def test_a_listing_with_a_bad_price_is_refused(price):
    seller = factories.seller()
    response = api(seller).post("/api/v1/listings/", {
        "title_en": "Tea", "hs_code": "090210", "origin_country": "CN", "price_amount": price, "stock": 5,
        "weight_kg": "0.5"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "price_amount"
    assert not Listing.objects.exists()


def test_an_unverified_company_cannot_publish():
    seller = factories.seller(verified=False)
    with pytest.raises(Conflict) as error:
        factories.listing(seller)
    assert error.value.code == "company_not_verified"


@pytest.mark.parametrize("quantity, code", [(0, "min_value"), (51, "insufficient_stock"), (-3, "min_value")])
def test_ordering_zero_or_more_than_the_stock_is_refused(quantity, code):
    listing = factories.listing(factories.seller(), stock=50)
    buyer = factories.buyer()
    response = api(buyer).post("/api/v1/orders/", {"listing": listing.pk, "quantity": quantity}, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == {"code": code, "message": response.json()["error"]["message"],
                                        "field": "quantity"}
    listing.refresh_from_db()
    assert listing.stock == 50
    assert not Order.objects.exists()


def test_ordering_twice_with_one_idempotency_key_makes_one_order_and_reserves_once():
    listing = factories.listing(factories.seller(), stock=50)
    buyer = factories.buyer()
    first = api(buyer).post("/api/v1/orders/", {"listing": listing.pk, "quantity": 2, "idempotency_key": "k1"},
                            format="json")
    second = api(buyer).post("/api/v1/orders/", {"listing": listing.pk, "quantity": 2, "idempotency_key": "k1"},
                             format="json")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    listing.refresh_from_db()
    assert listing.stock == 48


def test_a_seller_cannot_buy_its_own_goods():
    seller = factories.seller()
    seller.address_line, seller.city = "1 Road", "Hangzhou"
    seller.save()
    listing = factories.listing(seller)
    response = api(seller).post("/api/v1/orders/", {"listing": listing.pk, "quantity": 1}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "own_listing"


def test_another_buyer_cannot_see_or_pay_an_order():
    listing = factories.listing(factories.seller())
    order = order_place(buyer=factories.buyer(), listing_id=listing.pk, quantity=1)
    stranger = factories.buyer()
    assert api(stranger).get(f"/api/v1/orders/{order.pk}/").status_code == 404
    checkout = f"CHK-{order.pk:06d}"
    assert api(stranger).get(f"/api/v1/checkouts/{checkout}/").status_code == 404
    response = api(stranger).post(f"/api/v1/checkouts/{checkout}/pay/", {
        "card_number": "4242424242424242", "expected_total": order.total.as_json()}, format="json")
    assert response.status_code == 404
    order.refresh_from_db()
    assert order.status == "pending_payment"


def test_a_declined_card_leaves_the_order_unpaid_and_the_ledger_empty():
    from payments.models import LedgerTransaction

    listing = factories.listing(factories.seller())
    buyer = factories.buyer()
    order = order_place(buyer=buyer, listing_id=listing.pk, quantity=1)
    response = api(buyer).post(f"/api/v1/checkouts/CHK-{order.pk:06d}/pay/", {
        "card_number": "4000 0000 0000 0002", "expected_total": order.total.as_json()}, format="json")
    assert response.status_code == 402
    assert response.json()["error"]["code"] == "card_declined"
    order.refresh_from_db()
    assert order.status == "pending_payment"
    assert not LedgerTransaction.objects.exists()


def test_the_buyer_pays_the_locked_quote_whatever_the_listing_price_does_later():
    listing = factories.listing(factories.seller(), price_amount=Decimal("100.00"))
    buyer = factories.buyer()
    order = order_place(buyer=buyer, listing_id=listing.pk, quantity=1)
    locked_total = order.total
    listing_update(user=listing.company.members.first().user, listing_id=listing.pk,
                   data={"price_amount": Decimal("500.00")})
    payment = order_pay(buyer=buyer, order_id=order.pk, card_number="4242424242424242")
    assert payment.status == "succeeded"
    assert payment.total == locked_total


def test_the_order_history_names_states_in_words_not_codes():
    from django.test import Client

    listing = factories.listing(factories.seller())
    buyer = factories.buyer()
    order = order_place(buyer=buyer, listing_id=listing.pk, quantity=1)
    client = Client()
    client.force_login(buyer)
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert "Awaiting payment: Quote locked." in page
    assert "pending_payment:" not in page
