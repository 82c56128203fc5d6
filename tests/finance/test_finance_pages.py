"""The seller's pages (its limit and orders, the offer, accepting it, the advance's history) and the
staff exposure page, in English and Simplified Chinese."""

import pytest

from accounts.selectors import company_of
from finance import services
from finance.models import Advance
from marketplace.services.orders import order_refund_rejected
from tests import factories
from tests.factories import page_client
from tests.finance.conftest import advanced, paid_order

pytestmark = pytest.mark.django_db


def test_the_seller_sees_the_offer_before_accepting_and_then_its_advance(seasoned):
    seller, buyer = seasoned
    order = paid_order(seller, buyer)
    client = page_client(seller)
    # given the trade-finance page listing its limit and the order it can finance
    page = client.get("/finance/").content.decode()
    assert "1,050.75" in page and order.reference in page
    # when it asks for an offer on that order
    response = client.post("/finance/", {"orders": [order.pk]})
    assert response.status_code == 302
    offer_page = client.get(response["Location"]).content.decode()
    # then the offer shows the rate, the most it can take, the fee and the expiry
    assert "50%" in offer_page and "1.50% of the advance" in offer_page and "Valid until" in offer_page
    # and accepting an amount above it is refused at the amount, changing nothing
    refused = client.post(response["Location"], {"amount": "99999.00"})
    assert refused.status_code == 200 and "Your available limit is" in refused.content.decode()
    assert not Advance.objects.exists()
    # while an amount within it is paid out, and the advance's page shows its history
    accepted = client.post(response["Location"], {"amount": "200.00"}, follow=True)
    advance = Advance.objects.get()
    assert accepted.redirect_chain[-1][0] == f"/finance/advances/{advance.pk}/"
    body = accepted.content.decode()
    assert "197.00" in body and "Paid out" in body and advance.reference in body
    # and the offer cannot be accepted again
    assert "You accepted this offer." in client.get(response["Location"]).content.decode()


def test_a_bad_choice_of_orders_is_shown_at_the_field(seasoned):
    seller, _buyer = seasoned
    response = page_client(seller).post("/finance/", {"orders": ["999999"]})
    assert response.status_code == 200 and 'data-testid="orders-error"' in response.content.decode()


def test_an_at_risk_advance_is_shown_to_its_seller_and_to_finance_staff(seasoned):
    seller, buyer = seasoned
    order, offer, advance = advanced(seller, buyer, "300.00")
    order_refund_rejected(reference=order.reference, reason="Goods not as declared.")
    seller_page = page_client(seller).get(f"/finance/advances/{advance.pk}/").content.decode()
    assert 'data-testid="at-risk-reason"' in seller_page and "Customs rejected" in seller_page
    staff = page_client(factories.finance())
    exposure = staff.get("/finance/staff/").content.decode()
    assert company_of(seller).legal_name in exposure and advance.reference in exposure and "At risk" in exposure
    assert staff.get(f"/finance/advances/{advance.pk}/").status_code == 200
    assert page_client(factories.seller(legal_name="Other Co")).get(f"/finance/advances/{advance.pk}/").status_code == 404
    assert page_client(seller).get("/finance/staff/").status_code == 403


def test_the_pages_speak_simplified_chinese(seasoned):
    seller, buyer = seasoned
    order = paid_order(seller, buyer)
    client = page_client(seller)
    client.cookies["django_language"] = "zh-hans"
    page = client.get("/finance/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "贸易融资" in page and "您的额度" in page
    offer = services.advance_offer_create(user=seller, order_ids=[order.pk])
    assert "预付款报价" in client.get(f"/finance/offers/{offer.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
