"""DAP: the carrier collects the duties at the buyer's door and says so on its delivered event (the simulated
carrier by tracking, a real one by its webhook push); the platform books them and settles the difference
with the authority's assessment, as for DDP."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client

from duties.models import DutyAssessment
from duties.tasks import duties_collected_at_door
from ewtp.money import Money
from logistics.models import Shipment
from logistics.services import shipment_track
from logistics.signals import shipment_duties_collected
from marketplace.models import Order
from marketplace.services.checkout import order_pay, order_place
from payments.selectors import account_balances, ledger_check
from tests import factories
from tests.customs.conftest import drive
from tests.duties.conftest import book
from tests.logistics.conftest import signed

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports():
    """What logistics reports as collected at the door (its public signal), in order."""
    heard = []

    def listen(sender, shipment, amount, carrier, **kwargs):
        heard.append((shipment.order_reference, str(amount.amount), amount.currency, carrier))

    shipment_duties_collected.connect(listen)
    yield heard
    shipment_duties_collected.disconnect(listen)


def dap_released(assessed: str) -> tuple[Order, Shipment]:
    seller, buyer = factories.seller(), factories.buyer()
    order = order_place(buyer=buyer, listing_id=factories.listing(seller).pk, quantity=10, incoterm="DAP")
    order_pay(buyer=buyer, order_id=order.pk, card_number="4242424242424242")
    order = Order.objects.get(pk=order.pk)
    case = book(seller, order, assessed={"amount": assessed, "currency": "EUR"})
    assert drive(case.pk) == "cleared"
    return order, Shipment.objects.get(order_reference=order.reference)


def test_the_simulated_carrier_collects_what_customs_assessed_and_the_platform_books_it(reference_data, settings,
                                                                                       reports):
    # given a DAP order released by customs, which assessed 20.00 EUR, and a carrier that moves at once
    order, shipment = dap_released("20.00")
    settings.CARRIER_SIM_SECONDS_PER_STEP = 0.001
    time.sleep(0.05)

    # when the platform tracks the parcel to the door
    shipment_track(shipment_id=shipment.pk)

    # then the delivered event reports 20.00 collected, and the platform books it owed to customs
    shipment.refresh_from_db()
    assert shipment.status == "delivered"
    assert "duties and taxes of 20.00 EUR collected" in shipment.events.get(code="delivered").description
    assert len(reports) == 1 and reports[0][:3] == (order.reference, "20.00", "EUR")
    assert duties_collected_at_door.run(*reports[0]) == "exact"
    assessment = DutyAssessment.objects.get(reference=order.reference)
    assert (assessment.incoterm, assessment.collected_amount, assessment.assessed_amount) == (
        "DAP", Decimal("20.00"), Decimal("20.00"))
    carrier = reports[0][3]
    assert {row["account"]: row["balance"] for row in account_balances(prefix="carrier_receivable:")} == {
        f"carrier_receivable:{carrier}": Decimal("20.00")}
    assert ledger_check().ok


def test_a_carrier_pushing_more_collected_than_assessed_gets_the_buyer_refunded(reference_data, reports):
    # given a DAP order released at 20.00 EUR assessed
    order, shipment = dap_released("20.00")
    from logistics.selectors import rate_book

    carrier = rate_book().service(shipment.service_code).carrier
    at = shipment.booked_at
    body = {"tracking_number": shipment.tracking_number, "events": [
        {"code": "picked_up", "occurred_at": (at + timedelta(hours=1)).isoformat()},
        {"code": "delivered", "occurred_at": (at + timedelta(days=3)).isoformat(),
         "duties_collected": {"amount": "22.00", "currency": "EUR"}}]}

    # when the carrier pushes its delivered event, 22.00 collected at the door
    response = Client().post(f"/api/v1/logistics/webhooks/{carrier}/", **signed(body))
    assert response.status_code == 200, response.content
    assert reports == [(order.reference, "22.00", "EUR", carrier)]
    assert duties_collected_at_door.run(*reports[0]) == "refunded"

    # then the buyer gets the 2.00 back and customs is owed the 20.00 it assessed
    assert Order.objects.get(pk=order.pk).checkout.payment.refunded_amount == Decimal("2.00")
    assert sum(row["balance"] for row in account_balances(prefix="duties_payable:DE")) == Decimal("-20.00")
    # a repeated push stores nothing and reports nothing again
    assert Client().post(f"/api/v1/logistics/webhooks/{carrier}/", **signed(body)).status_code == 200
    assert len(reports) == 1
    assert ledger_check().ok


@pytest.mark.parametrize("collected", [{"amount": "-1.00", "currency": "EUR"}, {"amount": "lots", "currency": "EUR"},
                                       "22 EUR"])
def test_a_push_with_a_nonsense_collected_amount_is_refused_at_the_field(reference_data, collected, reports):
    order, shipment = dap_released("20.00")
    from logistics.selectors import rate_book

    carrier = rate_book().service(shipment.service_code).carrier
    body = {"tracking_number": shipment.tracking_number, "events": [
        {"code": "delivered", "occurred_at": (shipment.booked_at + timedelta(days=3)).isoformat(),
         "duties_collected": collected}]}
    response = Client().post(f"/api/v1/logistics/webhooks/{carrier}/", **signed(body))
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "events[0].duties_collected"
    assert reports == [] and not shipment.events.filter(code="delivered").exists()


def test_a_report_of_less_than_nothing_is_refused():
    from duties.services import duties_collected_on_delivery
    from ewtp.exceptions import ApplicationError

    with pytest.raises(ApplicationError) as raised:
        duties_collected_on_delivery(reference="ORD-000001", amount=Money(Decimal("-1"), "EUR"), carrier="dhl")
    assert raised.value.field == "amount"
