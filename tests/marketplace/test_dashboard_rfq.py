"""Seller dashboard and requests for quotation (B2B)."""

from decimal import Decimal

import pytest

from accounts.selectors import company_of
from marketplace.models import Listing, Order
from marketplace.services.checkout import order_place
from marketplace.services.listings import listing_update
from marketplace.services.orders import order_mark_paid
from marketplace.services.rfq import rfq_create, rfq_quote
from tests import factories
from tests.factories import api_client as api

pytestmark = pytest.mark.django_db



@pytest.fixture
def tea():
    listing = factories.listing(factories.seller(), title_en="Longjing green tea sample sachet", stock=5000,
                                moq=10, weight_kg=Decimal("0.010"))
    listing_update(user=listing.company.members.first().user, listing_id=listing.pk, data={},
                   tiers=[(100, Decimal("150.00")), (500, Decimal("140.00"))])
    return listing


def test_a_quotation_for_a_large_quantity_becomes_a_cart_line_at_that_price(tea):
    buyer, seller = factories.buyer(), tea.company.members.first().user
    # a quantity within the tiers is for the cart, not a quotation
    small = api(buyer).post("/api/v1/rfqs/", {"listing": tea.pk, "quantity": 400}, format="json")
    assert small.status_code == 400 and small.json()["error"]["code"] == "below_tiers"
    # the buyer asks for 600 units
    rfq = api(buyer).post("/api/v1/rfqs/", {"listing": tea.pk, "quantity": 600, "message": "Monthly?"},
                          format="json").json()
    assert api(seller).get("/api/v1/rfqs/").json()["received"][0]["status"] == "open"
    # the seller answers 120 CNY a unit for 14 days; a price with too many decimals is refused first
    rival = api(factories.seller(country="MY", currency="MYR", legal_name="Rival Sdn. Bhd."))
    assert rival.post(f"/api/v1/rfqs/{rfq['id']}/quote/", {"unit_price": "1.00", "valid_days": 5},
                      format="json").status_code == 404
    quoted = api(seller).post(f"/api/v1/rfqs/{rfq['id']}/quote/", {"unit_price": "120.00", "valid_days": 14},
                              format="json")
    assert quoted.status_code == 201 and quoted.json()["quotation"]["unit_price"]["amount"] == "120.00"
    # the buyer accepts: the cart holds 600 at 120.00, and checkout orders them at that price
    accepted = api(buyer).post(f"/api/v1/rfqs/{rfq['id']}/accept/")
    assert accepted.status_code == 201
    line = api(buyer).get("/api/v1/cart/").json()["groups"][0]["lines"][0]
    assert line["quantity"] == 600 and line["unit_price"] == {"amount": "120.00", "currency": "CNY"}
    orders = api(buyer).post("/api/v1/cart/checkout/", {}, format="json")
    assert orders.status_code == 201, orders.json()
    order = Order.objects.get(pk=orders.json()["orders"][0]["id"])
    assert order.lines.get().unit_price_amount == Decimal("120.00")
    assert Listing.objects.get(pk=tea.pk).stock == 4400


def test_an_expired_quotation_cannot_be_accepted(tea):
    from django.utils import timezone

    buyer, seller = factories.buyer(), tea.company.members.first().user
    rfq = rfq_create(buyer=buyer, listing_id=tea.pk, quantity=1000)
    quotation = rfq_quote(user=seller, rfq_id=rfq.pk, unit_price=Decimal("125.00"), valid_days=1)
    quotation.valid_until = timezone.now() - timezone.timedelta(minutes=1)
    quotation.save()
    response = api(buyer).post(f"/api/v1/rfqs/{rfq.pk}/accept/")
    assert response.status_code == 409 and response.json()["error"]["code"] == "quotation_expired"


def test_rfq_pages_work_for_buyer_and_seller(tea, client):
    buyer, seller = factories.buyer(), tea.company.members.first().user
    client.force_login(buyer)
    assert 'data-testid="rfq"' in client.get(tea.get_absolute_url()).content.decode()
    assert client.post(f"/listings/{tea.pk}/rfq/", {"quantity": "900"}).url == "/quotations/"
    rfq = buyer.rfqs.get()
    client.force_login(seller)
    assert f"/sell/rfqs/{rfq.pk}/" in client.get("/sell/").content.decode()
    bad = client.post(f"/sell/rfqs/{rfq.pk}/", {"unit_price": "-3", "valid_days": "14"})
    assert bad.status_code == 200 and 'id="id_unit_price_error"' in bad.content.decode()
    client.post(f"/sell/rfqs/{rfq.pk}/", {"unit_price": "130.00", "valid_days": "14"})
    client.force_login(buyer)
    assert "130.00" in client.get("/quotations/").content.decode()
    assert client.post("/quotations/", {"rfq": str(rfq.pk)}).url == "/cart/"


def test_the_dashboard_shows_stock_warnings_orders_to_fulfil_and_sales_by_country(client):
    seller = factories.seller()
    low = factories.listing(seller, title_en="Almost gone tea", stock=3, moq=1)
    factories.listing(seller, title_en="Plenty tea", stock=500)
    de, gb = factories.buyer(country="DE", currency="EUR"), factories.buyer(country="GB", currency="GBP")
    for buyer in (de, gb, de):
        order = order_place(buyer=buyer, listing_id=low.pk, quantity=1)
        order_mark_paid(reference=order.reference)
    client.force_login(seller)
    page = client.get("/sell/").content.decode()
    assert 'data-testid="stock-warnings"' in page and "Almost gone tea" in page.split('data-testid="stock-warnings"')[1]
    assert page.count("ORD-") >= 3 and 'data-testid="to-fulfil"' in page
    chart = page.split('data-testid="sales-chart"')[1].split("</svg>")[0]
    # two bars, Germany first (two orders), each labelled in the seller's currency
    assert chart.index(">DE<") < chart.index(">GB<") and "CNY" in chart
    from marketplace.selectors import sales_by_destination

    sales = {row["country"]: row for row in sales_by_destination(company_of(seller))}
    assert sales["DE"]["orders"] == 2 and sales["GB"]["orders"] == 1 and sales["DE"]["total"].currency == "CNY"
