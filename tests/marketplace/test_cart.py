"""Buyer profile and the multi-seller cart: what a buyer sees and what checkout makes."""

from decimal import Decimal

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from marketplace.models import Cart, Listing, Order
from marketplace.services.cart import cart_add
from payments.models import Payment
from tests import factories
from tests.factories import api_client as api

pytestmark = pytest.mark.django_db



@pytest.fixture
def two_sellers():
    tea = factories.listing(factories.seller(), title_en="Longjing green tea", stock=10, moq=2)
    batik = factories.batik_listing(stock=5)
    return tea, batik


@pytest.mark.parametrize("country, currency", [("DE", "EUR"), ("GB", "GBP"), ("JP", "JPY")])
def test_sign_up_guesses_the_currency_from_the_country(country, currency):
    response = APIClient().post("/api/v1/auth/signup/", {"email": f"b@{country.lower()}.example", "password": "long-enough-pass",
                                                        "country": country}, format="json")
    assert response.status_code == 201
    assert User.objects.get(email=f"b@{country.lower()}.example").preferred_currency == currency


def test_the_buyer_may_change_the_currency_and_an_address_sets_the_ship_to(client):
    # given a buyer in Germany who prefers dollars
    buyer = factories.buyer(country="DE", currency="EUR")
    client.force_login(buyer)
    page = client.post("/accounts/profile/", {"full_name": "Anna", "country": "DE", "preferred_currency": "USD",
                                              "language": "en", "address_line": "Torstraße 45", "city": "Berlin", "postcode": "10119"})
    assert page.status_code == 302
    buyer.refresh_from_db()
    assert buyer.preferred_currency == "USD"
    # when she adds an office in London and ships there
    client.post("/accounts/profile/addresses/", {"action": "add", "address-name": "Anna", "address-line": "1 Strand",
                                                 "address-city": "London", "address-postcode": "WC2N 5HR",
                                                 "address-country": "gb", "address-make_default": "on"})
    # then orders go to London and prices show in pounds
    buyer.refresh_from_db()
    assert (buyer.country, buyer.city, buyer.preferred_currency) == ("GB", "London", "GBP")
    assert "1 Strand" in client.get("/accounts/profile/").content.decode()


def test_a_bad_address_is_refused_at_the_field(client):
    client.force_login(factories.buyer())
    page = client.post("/accounts/profile/addresses/", {"action": "add", "address-name": "A", "address-line": "x",
                                                        "address-city": "y", "address-country": "Germany"})
    assert page.status_code == 400
    assert "address-country_error" in page.content.decode()


def test_quantities_are_checked_against_the_minimum_order_and_stock(two_sellers):
    tea, _batik = two_sellers
    client = api(factories.buyer())
    below = client.post("/api/v1/cart/lines/", {"listing": tea.pk, "quantity": 1}, format="json")
    assert below.status_code == 400 and below.json()["error"]["code"] == "below_moq"
    above = client.post("/api/v1/cart/lines/", {"listing": tea.pk, "quantity": 11}, format="json")
    assert above.status_code == 400 and above.json()["error"]["code"] == "insufficient_stock"
    assert client.post("/api/v1/cart/lines/", {"listing": tea.pk, "quantity": 6}, format="json").status_code == 201
    # adding more of the same counts the line as a whole
    again = client.post("/api/v1/cart/lines/", {"listing": tea.pk, "quantity": 6}, format="json")
    assert again.json()["error"]["code"] == "insufficient_stock"
    assert client.get("/api/v1/cart/").json()["groups"][0]["lines"][0]["quantity"] == 6


def test_an_anonymous_cart_is_merged_at_log_in(two_sellers):
    tea, batik = two_sellers
    buyer = factories.buyer()
    cart_add(cart=Cart.objects.create(user=buyer), listing_id=tea.pk, quantity=2)
    browser = Client()
    # given an anonymous visitor who puts things in a cart
    assert browser.post(f"/cart/add/{tea.pk}/", {"quantity": "3"}).status_code == 302
    assert browser.post(f"/cart/add/{batik.pk}/", {"quantity": "1"}).status_code == 302
    assert "Batik scarf" in browser.get("/cart/").content.decode()
    # when they log in
    response = browser.post("/accounts/login/", {"username": buyer.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    # then their account's cart holds both, the tea's quantities added up
    lines = {line.listing_id: line.quantity for line in buyer.cart.lines.all()}
    assert lines == {tea.pk: 5, batik.pk: 1}
    assert Cart.objects.filter(user__isnull=True).count() == 0


def test_checkout_makes_one_order_per_seller_takes_the_stock_and_is_idempotent(two_sellers):
    tea, batik = two_sellers
    buyer = factories.buyer()
    client = api(buyer)
    client.post("/api/v1/cart/lines/", {"listing": tea.pk, "quantity": 4}, format="json")
    client.post("/api/v1/cart/lines/", {"listing": batik.pk, "quantity": 2}, format="json")
    # when
    first = client.post("/api/v1/cart/checkout/", {"idempotency_key": "k1"}, format="json")
    again = client.post("/api/v1/cart/checkout/", {"idempotency_key": "k1"}, format="json")
    # then one checkout: two orders, one per seller, each in euros, and one payment for both;
    # a retry returns the same checkout
    assert first.status_code == 201, first.json()
    assert first.json()["reference"] == again.json()["reference"]
    assert [o["id"] for o in first.json()["orders"]] == [o["id"] for o in again.json()["orders"]]
    orders = Order.objects.filter(buyer=buyer)
    assert orders.count() == 2 and {o.currency for o in orders} == {"EUR"}
    assert Payment.objects.filter(buyer=buyer).count() == 1
    total = sum(Decimal(o["total"]["amount"]) for o in first.json()["orders"])
    assert first.json()["total"] == {"amount": str(total), "currency": "EUR"}
    assert {o["checkout"] for o in first.json()["orders"]} == {first.json()["reference"]}
    assert {o.company_id for o in orders} == {tea.company_id, batik.company_id}
    assert Listing.objects.get(pk=tea.pk).stock == 6 and Listing.objects.get(pk=batik.pk).stock == 3
    assert client.get("/api/v1/cart/").json()["groups"] == []


def test_checkout_is_all_or_nothing(two_sellers):
    tea, batik = two_sellers
    buyer = factories.buyer()
    factories.cart_with(buyer, {tea: 4, batik: 5})
    client = api(buyer)
    Listing.objects.filter(pk=batik.pk).update(stock=2)  # sold elsewhere meanwhile
    response = client.post("/api/v1/cart/checkout/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "insufficient_stock"
    assert not Order.objects.filter(buyer=buyer).exists()
    assert Listing.objects.get(pk=tea.pk).stock == 10
    assert buyer.cart.lines.count() == 2


def test_tier_prices_apply_in_the_cart(two_sellers):
    tea, _ = two_sellers
    tea.tiers.create(min_quantity=5, price_amount=Decimal("150.00"))
    client = api(factories.buyer())
    client.post("/api/v1/cart/lines/", {"listing": tea.pk, "quantity": 5}, format="json")
    line = client.get("/api/v1/cart/").json()["groups"][0]["lines"][0]
    assert line["unit_price"] == {"amount": "150.00", "currency": "CNY"}


def test_the_cart_page_shows_each_sellers_landed_cost_and_checks_out(two_sellers, client):
    tea, batik = two_sellers
    buyer = factories.buyer()
    client.force_login(buyer)
    client.post(f"/cart/add/{tea.pk}/", {"quantity": "2"})
    client.post(f"/cart/add/{batik.pk}/", {"quantity": "1"})
    page = client.get("/cart/").content.decode()
    assert page.count('data-testid="cart-seller"') == 2 and "Landed cost" in page
    assert "Place 2 orders, one per seller" in page
    done = client.post("/cart/", {"incoterm": "DDP", "idempotency_key": "page-1"})
    payment = Payment.objects.get(buyer=buyer)
    assert done.status_code == 302 and done.url == f"/checkout/{payment.reference}/"
    assert Order.objects.filter(buyer=buyer).count() == 2


def test_one_sellers_cart_and_checkout_read_as_one_order_in_english_and_chinese(two_sellers, client):
    tea, _ = two_sellers
    client.force_login(factories.buyer())
    client.post(f"/cart/add/{tea.pk}/", {"quantity": "2"})
    assert "Place the order" in client.get("/cart/").content.decode()
    assert "提交订单" in client.get("/cart/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    done = client.post("/cart/", {"incoterm": "DDP", "idempotency_key": "one-seller"})
    assert "One order, one payment" in client.get(done.url).content.decode()
    chinese = client.get(done.url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "一个订单，一次付款" in chinese and "每位卖家" not in chinese
