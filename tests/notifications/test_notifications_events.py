"""Every event the apps report tells its people: the journey of an order through the real services (placed,
paid, booked, cleared, on its way, delivered, paid out), a held and a rejected clearance, a document request,
quotations asked, quoted, declined and accepted, and companies verified or rejected."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from accounts.selectors import company_of
from accounts.services import company_create, company_verify
from customs.models import ClearanceCase
from customs.services import case_reject, case_request_documents
from logistics.selectors import rate_book
from logistics.services import shipment_book, shipment_carrier_push
from marketplace.services.checkout import order_pay, order_place
from marketplace.services.orders import order_book_shipment, order_release_escrow
from marketplace.services.rfq import rfq_accept, rfq_create, rfq_decline, rfq_quote
from notifications.kinds import KINDS
from notifications.models import Notification
from tests import factories
from tests.customs.conftest import drive, open_case
from tests.notifications.conftest import kinds_of, told

pytestmark = pytest.mark.django_db
SILK = [{"description": "Silk batik panel", "hs_code": "500720", "quantity": 1, "unit_value": "9000.00",
         "origin": "CN", "net_weight_kg": "1.2"}]


@pytest.fixture
def people(reference_data, settings):
    settings.CUSTOMS_AUTHORITY_DELAY_SECONDS = 0
    return factories.seller(), factories.buyer(country="GB", currency="GBP")


def test_an_order_tells_buyer_and_seller_from_placed_to_paid_out(people, django_capture_on_commit_callbacks):
    seller, buyer = people
    listing = factories.listing(seller)
    # placed (told after commit) and paid
    with django_capture_on_commit_callbacks(execute=True):
        order = order_place(buyer=buyer, listing_id=listing.pk, quantity=6)
    order_pay(buyer=buyer, order_id=order.pk, card_number="4242424242424242")
    for user in (buyer, seller):
        assert {"order_placed", "order_paid"} <= kinds_of(user)
    (paid,) = told(buyer, "order_paid")
    assert paid.url == f"/orders/{order.pk}/" and paid.context["reference"] == order.reference
    # booked by the carrier (the worker's part run here), cleared by customs
    with django_capture_on_commit_callbacks(execute=False):
        shipment = order_book_shipment(user=seller, order_id=order.pk)
    shipment = shipment_book(shipment_id=shipment.pk)
    assert told(buyer, "shipment_booked")[0].context["tracking_number"] == shipment.tracking_number
    assert told(seller, "shipment_booked")
    assert drive(ClearanceCase.objects.get(shipment_reference=order.reference).pk) == "cleared"
    assert told(buyer, "clearance_cleared") and told(seller, "clearance_cleared")
    # on its way and delivered, as the carrier reports
    at = shipment.booked_at
    carrier = rate_book().service(shipment.service_code).carrier
    shipment_carrier_push(carrier=carrier, tracking_number=shipment.tracking_number, events=[
        {"code": "picked_up", "occurred_at": (at + timedelta(hours=1)).isoformat()}])
    shipment_carrier_push(carrier=carrier, tracking_number=shipment.tracking_number, events=[
        {"code": "delivered", "occurred_at": (at + timedelta(days=3)).isoformat()}])
    assert told(buyer, "shipment_in_transit") and not told(seller, "shipment_in_transit")
    assert told(buyer, "shipment_delivered") and told(seller, "shipment_delivered")
    # and the seller paid out (told after commit)
    with django_capture_on_commit_callbacks(execute=True):
        order_release_escrow(order_id=order.pk)
    (payout,) = told(seller, "payout_made")
    assert payout.context["reference"] == order.reference and payout.context["amount"].endswith("CNY")
    assert not told(buyer, "payout_made")
    # one record per event and person, even where two apps' steps repeat a status
    assert Notification.objects.filter(recipient=buyer, kind="shipment_in_transit").count() == 1


def test_customs_holds_asks_for_documents_and_rejects(people, django_capture_on_commit_callbacks):
    seller, buyer = people
    officer = factories.officer()
    company_id = company_of(seller).pk
    held = open_case(company_id=company_id, buyer_id=buyer.pk, lines=SILK)
    assert drive(held.pk) == "held"
    (hold,) = told(seller, "clearance_held")
    assert hold.context["reference"] == held.shipment_reference and hold.url == "/customs/my-cases/"
    assert not told(buyer, "clearance_held")
    with django_capture_on_commit_callbacks(execute=True):
        case_request_documents(case_id=held.pk, officer=officer, kinds=["commercial_invoice"],
                               message="Send the supplier's invoice.")
    assert told(seller, "documents_requested")[0].context["message"] == "Send the supplier's invoice."
    rejected = open_case(company_id=company_id, buyer_id=buyer.pk, lines=SILK)
    drive(rejected.pk)
    case_reject(case_id=rejected.pk, officer=officer, reason="Goods not as declared.")
    for user in (buyer, seller):
        (notification,) = told(user, "clearance_rejected")
        assert notification.context["reason"] == "Goods not as declared."


def test_quotations_tell_the_other_side(people, django_capture_on_commit_callbacks):
    seller, buyer = people
    listing = factories.listing(seller)
    with django_capture_on_commit_callbacks(execute=True):
        rfq = rfq_create(buyer=buyer, listing_id=listing.pk, quantity=200, message="Two hundred tins?")
        rfq_quote(user=seller, rfq_id=rfq.pk, unit_price=Decimal("150.00"), valid_days=7)
        rfq_accept(buyer=buyer, rfq_id=rfq.pk)
        other = rfq_create(buyer=buyer, listing_id=listing.pk, quantity=300)
        rfq_decline(user=seller, rfq_id=other.pk)
    assert {"rfq_requested", "rfq_accepted"} <= kinds_of(seller)
    assert {"rfq_quoted", "rfq_declined"} <= kinds_of(buyer)
    (quoted,) = told(buyer, "rfq_quoted")
    assert quoted.context["unit_price"] == "150.00 CNY" and quoted.context["title"]["zh-hans"] == "龙井绿茶"
    assert Notification.objects.get(recipient=seller, event_key=f"rfq_requested:{rfq.pk}").url == f"/sell/rfqs/{rfq.pk}/"
    assert Notification.objects.filter(recipient=seller, kind="rfq_requested").count() == 2


def test_companies_are_told_when_verified_or_rejected(people, django_capture_on_commit_callbacks):
    compliance = factories.compliance()
    owner, other = factories.user(country="TH", currency="THB"), factories.user(country="TH", currency="THB")
    good = company_create(owner=owner, legal_name="Chiang Mai Coffee", country="TH", city="Chiang Mai",
                          address="1 Nimman Road", currency="THB")
    bad = company_create(owner=other, legal_name="Nowhere Ltd", country="TH", city="Chiang Mai",
                         address="2 Nimman Road", currency="THB")
    with django_capture_on_commit_callbacks(execute=True):
        company_verify(company=good, staff=compliance, approve=True)
        company_verify(company=bad, staff=compliance, approve=False, reason="The licence is unreadable.")
    assert told(owner, "company_verified")[0].context["company"] == "Chiang Mai Coffee"
    assert told(other, "company_rejected")[0].context["reason"] == "The licence is unreadable."
    assert not told(owner, "company_rejected")


def test_every_kind_has_its_templates_in_both_languages():
    from notifications.rendering import render_text

    for key in KINDS:
        notification = Notification(kind=key, context={"reference": "ORD-1", "title": {"en": "Tea", "zh-hans": "茶"}})
        for language in ("en", "zh-hans"):
            subject, text = render_text(notification, language)
            assert subject and text, (key, language)
            if language == "zh-hans":
                assert any("\u4e00" <= ch <= "\u9fff" for ch in subject), (key, subject)
