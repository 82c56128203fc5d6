"""Catalog cards, product pages, the cart and checkout quote a buyer as checkout treats them: a signed-in
buyer without a company is a consumer, and into China a consumer's order within CNY 5,000 (and CNY 26,000
this year) goes through cross-border e-commerce retail import (CBEC: duty 0%, import VAT at 70%); a company
buyer, and an anonymous visitor (the landed-cost API's default), is quoted general trade (duty, full VAT).

Sencha (0902.20, made in Japan) from a British exporter: MFN 15% and VAT 9% (agricultural products) in general trade; under CBEC duty
0% and VAT 9% x 70% = 6.3% (MOF/GACC/SAT Announcement 2018 No. 49, see tests/customs/golden/test_cn.py)."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.template.defaultfilters import floatformat
from django.test.utils import CaptureQueriesContext

from ewtp.fx import fx_table
from marketplace import pricing, selectors
from marketplace.services.checkout import checkout_pay, order_place
from tests import factories
from tests.factories import api_client as api

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_caches(settings):
    settings.FX_REFRESH_SECONDS = 3600  # no FX reload in the middle of a query count
    cache.clear()
    selectors.recent_quotes_clear()
    yield
    fx_table.cache_clear()


def _in_shanghai(user):
    user.address_line, user.city, user.postcode = "1 Nanjing Road", "Shanghai", "200001"
    user.save()
    return user


@pytest.fixture
def exporter():
    # a carrier ships GB -> CN; prices in CNY, so that the CBEC limits are reached in round figures
    return factories.seller(country="GB", currency="CNY", legal_name="Camellia Tea Exports Ltd")


@pytest.fixture
def sencha(exporter):
    return factories.listing(exporter, title_en="Uji sencha green tea", title_zh="宇治煎茶", hs_code="090220",
                             origin_country="JP", price_amount=Decimal("150.00"), stock=100)


@pytest.fixture
def consumer():
    return _in_shanghai(factories.buyer(country="CN", currency="CNY"))


@pytest.fixture
def business():
    return _in_shanghai(factories.seller(country="CN", currency="CNY", legal_name="Shanghai Tea Imports Ltd."))


def _card(user, listing, country=None):
    params = {"q": "sencha", **({"country": country} if country else {})}
    results = api(user).get("/api/v1/catalog/", params).json()["results"]
    [row] = [row for row in results if row["id"] == listing.pk]
    return Decimal(row["landed_cost"]["amount"])


def _order(buyer, listing, quantity=1):
    return order_place(buyer=buyer, listing_id=listing.pk, quantity=quantity, incoterm="DDP")


def _tax_rates(order):
    return [tax["rate"] for tax in order.quote["customs"]["taxes"]]


def test_a_consumer_in_china_sees_cbec_figures_on_card_page_and_cart_and_pays_the_same(sencha, consumer):
    # when the consumer browses, opens the product and adds it to the cart
    client = factories.page_client(consumer)
    landed = _card(consumer, sencha)
    catalog = client.get("/?q=sencha").content.decode()
    product = client.get(f"/listings/{sencha.pk}/").content.decode()
    client.post(f"/cart/add/{sencha.pk}/", {"quantity": 1})
    cart = client.get("/cart/").content.decode()
    # then each shows the CBEC landed cost, and says it is quoted for a consumer
    shown = floatformat(landed, "2g")
    assert shown in catalog and shown in product and shown in cart
    assert "Quoted for you as a consumer" in catalog and "Quoted for you as a consumer" in product
    assert "CN_CBEC applies: the buyer is a consumer" in product
    assert "按个人消费者为您报价" in client.get("/?q=sencha", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # and checkout charges exactly that: no duty, VAT at 70% of 9%
    order = _order(consumer, sencha)
    assert order.total_amount == landed
    assert order.quote["buyer"] == "consumer" and order.quote["customs"]["duty"]["amount"] == "0.00"
    assert _tax_rates(order) == ["6.3"]


def test_a_business_buyer_in_china_sees_general_trade_and_pays_the_same(sencha, business, consumer):
    # when a company's buyer browses and opens the product
    client = factories.page_client(business)
    landed = _card(business, sencha)
    product = client.get(f"/listings/{sencha.pk}/").content.decode()
    # then duty and full VAT are in it: more than the consumer is quoted
    assert landed > _card(consumer, sencha)
    assert floatformat(landed, "2g") in product
    assert "Quoted for a business buyer (general trade)" in product
    assert "General trade applies: the buyer is a business" in product
    order = _order(business, sencha)
    assert order.total_amount == landed
    assert Decimal(order.quote["customs"]["duty"]["amount"]) > 0 and _tax_rates(order) == ["9"]


def test_an_anonymous_visitor_to_china_is_quoted_as_a_business(sencha, business):
    assert _card(None, sencha, country="CN") == _card(business, sencha)


def test_a_consumer_past_the_annual_limit_is_quoted_general_trade_where_the_order_would_exceed_it(
        exporter, sencha, consumer):
    # given five paid CBEC orders this year of about CNY 4,500 each (goods 4,400 + shipping)
    chest = factories.listing(exporter, title_en="Sencha gift chest", hs_code="090220", origin_country="JP",
                               price_amount=Decimal("4400.00"), stock=20)
    for _ in range(5):
        order = _order(consumer, chest)
        checkout = selectors.checkout_get(buyer=consumer, reference=order.checkout.reference)
        checkout_pay(buyer=consumer, reference=checkout.reference, expected_total=checkout.total,
                     card_number="4242424242424242")
        assert order.quote["customs"]["duty"]["amount"] == "0.00"  # each through CBEC
    # and one unpaid order, which is no purchase yet
    _order(consumer, chest)
    spent = pricing.consumer_year_to_date(consumer, destination="CN")
    assert spent.currency == "CNY" and Decimal("22000") < spent.amount <= Decimal("26000")
    assert spent.amount + Decimal("4400") > Decimal("26000")
    # when the consumer looks at another chest, and at the sencha
    # then the chest would pass CNY 26,000 this year: general trade, as checkout charges it
    cache.clear()
    selectors.recent_quotes_clear()
    chest_landed = _card(consumer, chest)
    order = _order(consumer, chest)
    assert order.total_amount == chest_landed and _tax_rates(order) == ["9"]
    assert any("exceed the CN_CBEC annual limit" in line for line in order.quote["customs"]["explanation"])
    # and the sencha still fits: CBEC
    assert _card(consumer, sencha) == _order(consumer, sencha).total_amount
    assert _tax_rates(_order(consumer, sencha)) == ["6.3"]


def _catalog_queries(client) -> int:
    cache.clear()
    selectors.recent_quotes_clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/?q=sencha").status_code == 200
    return len(captured)


def test_the_consumer_catalog_runs_a_constant_number_of_queries(exporter, consumer):
    # given a consumer in China (their orders this year count toward the CBEC limit), and a few listings
    for n in range(3):
        factories.listing(exporter, title_en=f"Sencha lot {n}", hs_code="090220", origin_country="JP")
    client = factories.page_client(consumer)
    client.get("/?q=sencha")  # reference data loaded once
    few = _catalog_queries(client)
    # when the page holds four times as many
    for n in range(9):
        factories.listing(exporter, title_en=f"Sencha batch {n}", hs_code="090220", origin_country="JP")
    # then the same queries: the buyer's company and this year's orders are read once, not per card
    assert _catalog_queries(client) == few
