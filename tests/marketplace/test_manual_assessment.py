"""A duty the landed-cost engine cannot compute (manual assessment) is never shown as 0.00 nor charged
as DDP: cards and product pages say it is assessed at import, and a DDP checkout asks the buyer to
accept DAP for that order or is refused. Thailand has no tariff loaded, so every line to TH above its
duty de minimis (CIF THB 1,500) is manual: the tea's minimum order of 5 is worth about THB 4,600."""

from decimal import Decimal

import pytest
from django.core.cache import cache

from ewtp.fx import fx_table
from marketplace import selectors
from marketplace.models import Order
from tests import factories
from tests.factories import api_client as api

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_caches():
    cache.clear()
    selectors.recent_quotes_clear()
    yield
    fx_table.cache_clear()


def _thai_buyer():
    made = factories.buyer(country="TH", currency="THB")
    made.address_line, made.city, made.postcode = "88 Sukhumvit Rd", "Bangkok", "10110"
    made.save()
    return made


@pytest.fixture
def tea_to_thailand():
    tea = factories.listing(factories.seller(), title_en="Longjing green tea", stock=10, moq=5)
    return tea, _thai_buyer()


def test_a_card_to_thailand_says_the_duty_is_assessed_at_import(tea_to_thailand):
    tea, buyer = tea_to_thailand
    client = factories.page_client(buyer)
    page = client.get("/?q=green").content.decode()
    assert "Longjing green tea" in page and "Landed cost of 5 to TH" in page
    assert "Duty assessed at import" in page and "plus duty assessed at import" in page
    assert "Duty and import taxes" not in page  # no duty row reading 0.00
    chinese = client.get("/?q=green", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "进口时核定关税" in chinese


def test_a_card_with_a_known_duty_is_unchanged(client):
    factories.listing(factories.seller(), title_en="Longjing green tea")
    client.force_login(factories.buyer(country="DE", currency="EUR"))
    page = client.get("/?q=green").content.decode()
    assert "Duty and import taxes" in page and "assessed at import" not in page


def test_the_product_page_says_why_and_that_the_landed_cost_leaves_the_duty_out(tea_to_thailand):
    tea, buyer = tea_to_thailand
    client = factories.page_client(buyer)
    page = client.get(f"/listings/{tea.pk}/").content.decode()
    quote, _ = selectors.listing_quote(tea, selectors.buyer_context_for(buyer))
    assert quote.duty_assessed_at_import and quote.manual_reason
    duty_row = next(row for row in quote.breakdown if row["label"] == "Duty")
    assert duty_row["text"] == "Duty assessed at import" and duty_row["note"] == quote.manual_reason
    assert "Duty assessed at import" in page and "plus duty assessed at import" in page
    assert 'data-testid="manual-assessment"' in page and 'name="accept_dap"' in page
    chinese = client.get(f"/listings/{tea.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "进口时核定关税" in chinese


def test_the_catalog_api_flags_the_duty_assessed_at_import(tea_to_thailand):
    tea, buyer = tea_to_thailand
    result = api(buyer).get("/api/v1/catalog/").json()["results"][0]
    assert result["id"] == tea.pk and result["landed_cost"]["currency"] == "THB"  # the fields kept
    assert result["duty_assessed_at_import"] is True and result["duty_assessment_reason"]
    german = api().get("/api/v1/catalog/?country=DE").json()["results"][0]
    assert german["duty_assessed_at_import"] is False and german["duty_assessment_reason"] is None


def _cart_with(buyer, listing, quantity=5):
    factories.cart_with(buyer, {listing: quantity})


def test_a_ddp_cart_checkout_with_a_manual_line_is_refused_naming_it(tea_to_thailand):
    tea, buyer = tea_to_thailand
    _cart_with(buyer, tea)
    response = api(buyer).post("/api/v1/cart/checkout/", {"incoterm": "DDP"}, format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "manual_assessment" and error["field"] == "accept_dap"
    assert "Longjing green tea" in error["message"]
    assert [line["hs_code"] for line in error["lines"]] == [tea.hs_code] and error["lines"][0]["reason"]
    assert not Order.objects.exists()
    tea.refresh_from_db()
    assert tea.stock == 10  # nothing taken


def test_accepting_dap_places_the_order_as_dap_without_duties_in_the_total(tea_to_thailand):
    tea, buyer = tea_to_thailand
    _cart_with(buyer, tea)
    response = api(buyer).post("/api/v1/cart/checkout/", {"incoterm": "DDP", "accept_dap": True}, format="json")
    assert response.status_code == 201
    order = Order.objects.get()
    assert order.incoterm == "DAP" and order.duties_amount == 0
    assert order.total_amount == order.goods_amount + order.shipping_amount
    assert Decimal(response.json()["total"]["amount"]) == order.total_amount
    assert order.quote["incoterm"] == "DAP" and order.quote["dap_accepted"]["lines"][0]["hs_code"] == tea.hs_code
    assert order.quote["duties_payable_now"]["amount"] in ("0", "0.00")
    page = factories.page_client(buyer).get(f"/checkout/{response.json()['reference']}/").content.decode()
    assert "You accepted DAP for this order" in page


def test_buy_now_ddp_is_refused_and_accepted_as_dap_with_the_checkbox(tea_to_thailand):
    tea, buyer = tea_to_thailand
    client = factories.page_client(buyer)
    refused = client.post(f"/listings/{tea.pk}/", {"quantity": 5, "incoterm": "DDP", "idempotency_key": "a"})
    assert refused.status_code == 200 and "assessed by customs at import" in refused.content.decode()
    assert not Order.objects.exists()
    placed = client.post(f"/listings/{tea.pk}/", {"quantity": 5, "incoterm": "DDP", "accept_dap": "on",
                                                  "idempotency_key": "b"})
    assert placed.status_code == 302
    order = Order.objects.get()
    assert order.incoterm == "DAP" and order.duties_amount == 0


def test_the_cart_page_asks_to_accept_dap(tea_to_thailand):
    tea, buyer = tea_to_thailand
    _cart_with(buyer, tea)
    client = factories.page_client(buyer)
    page = client.get("/cart/").content.decode()
    assert 'name="accept_dap"' in page and "plus duty assessed at import" in page
    refused = client.post("/cart/", {"incoterm": "DDP", "idempotency_key": "c"})
    assert refused.status_code == 200 and not Order.objects.exists()
    placed = client.post("/cart/", {"incoterm": "DDP", "accept_dap": "on", "idempotency_key": "d"})
    assert placed.status_code == 302 and Order.objects.get().incoterm == "DAP"


def test_the_buy_now_api_refuses_ddp_without_accept_dap(tea_to_thailand):
    tea, buyer = tea_to_thailand
    refused = api(buyer).post("/api/v1/orders/", {"listing": tea.pk, "quantity": 5}, format="json")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "manual_assessment"
    placed = api(buyer).post("/api/v1/orders/", {"listing": tea.pk, "quantity": 5, "accept_dap": True},
                             format="json")
    assert placed.status_code == 201 and placed.json()["incoterm"] == "DAP"


def test_a_cart_page_without_manual_duty_has_no_checkbox():
    tea = factories.listing(factories.seller(), title_en="Longjing green tea")
    buyer = factories.buyer()
    _cart_with(buyer, tea)
    assert 'name="accept_dap"' not in factories.page_client(buyer).get("/cart/").content.decode()
