"""Real carriers through karrio, at their HTTP boundary: UPS, FedEx and DHL Express (MyDHL API) served
by a fake of their APIs on localhost (tests/logistics/fake_carriers.py). Rate → book (a replay makes
no second label) → track (their statuses become ours) → errors (a refusal is permanent and says why;
5xx, timeouts and a dead server are transient)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from ewtp.money import Money
from ewtp.trade import Commodity, Parcel, Party
from logistics.domain.rates import RateBook, RateRequest
from logistics.domain.tracking import CODES
from logistics.integrations.base import BookingRequest, CarrierAdapter, CarrierError, TransientCarrierError
from logistics.integrations.karrio_carrier import KarrioCarrier
from logistics.integrations.simulated import SimulatedCarrier
from logistics.models import CarrierBooking
from tests.logistics.domain.rates.shipments import FX
from tests.logistics.fake_carriers import FakeCarriers

pytestmark = pytest.mark.django_db

D = Decimal
BOOK = RateBook.from_files()
# (our service, karrio connection, the booking path at the carrier)
CARRIERS = [
    pytest.param("ups_worldwide_saver", "ups", "/api/shipments/", id="ups"),
    pytest.param("fedex_international_priority", "fedex", "/ship/v1/shipments", id="fedex"),
    pytest.param("dhl_express_worldwide", "mydhl", "/mydhl/shipments", id="dhl_express"),
]
SELLER = Party(name="Somchai Wongsakul", company="Chiang Mai Highland Coffee Co., Ltd.", city="Chiang Mai",
               country="TH", lines=("99 Nimmanhaemin Road",), postcode="50200", phone="+66812345678",
               email="ship@highland.example")
BUYER = Party(name="Anna Schmidt", city="Berlin", country="DE", lines=("Torstrasse 1",), postcode="10119",
              phone="+49301234567", email="anna@example.de")
COFFEE = Commodity(description="Roasted arabica coffee", hs_code="0901.21", unit_value=Money(D("12.50"), "USD"),
                   quantity=4, origin_country="TH", net_weight_kg=D("2.0"))
PARCELS = [Parcel(D("2.4"), D("30"), D("20"), D("15"))]


@pytest.fixture
def fake():
    server = FakeCarriers().start()
    yield server
    server.stop()


@pytest.fixture
def carrier(fake, settings) -> KarrioCarrier:
    settings.CARRIER_HTTP_TIMEOUT_SECONDS = 2
    fake.hang_seconds = 3
    return KarrioCarrier(connections=fake.connections(), rate_book=BOOK, fx=FX,
                         fallback=SimulatedCarrier(BOOK, seconds_per_step=1, fx=FX))


def booking(service: str, reference: str = "ORD-000042") -> BookingRequest:
    return BookingRequest(reference=reference, service_code=service, origin="TH", destination="DE",
                          parcels=PARCELS, goods=[COFFEE], shipper=SELLER, recipient=BUYER)


def test_it_is_a_carrier_adapter_and_the_settings_choose_it(fake, settings):
    from logistics.services import carrier_adapter

    settings.CARRIER_ADAPTER = "logistics.integrations.karrio_carrier.KarrioCarrier"
    settings.CARRIER_CONNECTIONS = {**fake.connections(), "fedex": {"api_key": "", "secret_key": ""}}
    built = carrier_adapter()
    assert isinstance(built, CarrierAdapter) and isinstance(built, KarrioCarrier)
    # a carrier is connected only with all its credentials
    assert built.connection_for("ups_worldwide_saver") == ("ups", "ups_worldwide_saver")
    assert built.connection_for("fedex_international_priority") is None
    assert built.connection_for("thailand_post_ems") is None  # no API: the fallback books it


@pytest.mark.parametrize(("service", "name", "_path"), CARRIERS)
def test_the_carriers_live_rate_replaces_the_card_price(carrier, fake, service, name, _path):
    # when a Thai seller's parcel to Berlin is rated
    result = carrier.rate(RateRequest("TH", "DE", PARCELS, [COFFEE]))
    # then the connected carrier's own price stands for its service, the posts keep their cards
    option = result.option(service)
    amount, currency = fake.prices[name]
    assert option.card_price == Money(D(amount), currency)
    assert option.price == FX.convert(Money(D(amount), currency), option.price.currency)
    assert option.breakdown[-1].startswith("Live rate from") and option.illustrative is False
    assert result.option("thailand_post_ems") is not None


def test_a_lane_the_carrier_refuses_is_left_out_with_its_reason(carrier, fake):
    fake.answer_next("/ups/api/rating/", 400, {"response": {"errors": [
        {"code": "111210", "message": "The requested service is unavailable between the selected locations."}]}})
    result = carrier.rate(RateRequest("TH", "DE", PARCELS, [COFFEE]))
    assert result.option("ups_worldwide_saver") is None
    assert "unavailable between the selected locations" in result.exclusion("ups_worldwide_saver").reason


def test_a_carrier_that_does_not_answer_leaves_the_card_price(carrier, fake):
    fake.answer_next("/fedex/rate/", 503, {"errors": [{"code": "SERVICE.UNAVAILABLE", "message": "Try later"}]})
    option = carrier.rate(RateRequest("TH", "DE", PARCELS, [COFFEE])).option("fedex_international_priority")
    assert option is not None and not option.breakdown[-1].startswith("Live rate")


@pytest.mark.parametrize(("service", "name", "_path"), CARRIERS)
def test_booking_buys_one_label_with_customs_papers_and_a_replay_buys_none(carrier, fake, service, name, _path):
    # when the seller books
    first = carrier.book(booking(service))
    # then the carrier made one shipment, with our reference, the goods' HS code and value declared
    assert fake.labels(name) == 1
    sent = json.dumps(fake.shipments[first.tracking_number].request)
    assert "ORD-000042" in sent and "090121" in sent and ("12.5" in sent or "50.0" in sent)
    # the buyer pays duties on delivery (DAP): UPS bills the receiver, FedEx and DHL carry the incoterm
    assert ('"ConsigneeBilledIndicator": "Y"' if name == "ups" else "DAP") in sent
    kept = CarrierBooking.objects.get(reference="ORD-000042")
    assert kept.carrier == name and kept.tracking_number == first.tracking_number
    assert base64.b64decode(kept.label)[:4] == b"%PDF"  # the carrier's own label, kept
    if name in ("ups", "fedex"):
        assert base64.b64decode(kept.invoice)[:4] == b"%PDF"  # and its commercial invoice
    assert carrier.label(first.tracking_number) == (kept.label, kept.label_format)
    # when the booking task runs again with the same reference
    again = carrier.book(booking(service))
    # then the first booking is returned and no second label is bought
    assert again == first and fake.labels(name) == 1


@pytest.mark.parametrize(("service", "name", "_path"), CARRIERS)
def test_the_carriers_statuses_become_ours(carrier, fake, service, name, _path):
    # given a booked parcel that the carrier has scanned on its way
    number = carrier.book(booking(service)).tracking_number
    scans = {
        "ups": [("OR", "Origin Scan"), ("DP", "Departed from Facility"), ("OT", "Out For Delivery Today"),
                ("KB", "Delivered")],
        "fedex": [("PU", "Picked up"), ("IT", "In transit"), ("OD", "On FedEx vehicle for delivery"),
                  ("DL", "Delivered")],
        "mydhl": [("PU", "Shipment picked up"), ("DF", "Departed Facility in BANGKOK - THAILAND"),
                  ("WC", "Shipment is out with courier for delivery"), ("OK", "Delivered")],
    }[name]
    start = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
    for index, (code, text) in enumerate(scans):
        at = (start + timedelta(hours=6 * index)).strftime("%Y-%m-%dT%H:%M:%S")
        fake.scan(number, code, text, at, "Bangkok" if index < 2 else "Berlin", "TH" if index < 2 else "DE")
    # when we ask
    events = carrier.track(number, booked_at=start, now=start + timedelta(days=2))
    # then each is one of our codes, oldest first, and delivery ends it
    assert all(event.code in CODES for event in events)
    assert [event.code for event in events][0] in ("picked_up", "label_created")
    assert [event.code for event in events][-2:] == ["out_for_delivery", "delivered"]
    assert events[-1].occurred_at == start + timedelta(hours=18)
    # and what the carrier has not done by `now` is not reported
    early = carrier.track(number, booked_at=start, now=start + timedelta(hours=1))
    assert len(early) == 1


def test_a_status_we_do_not_know_is_an_exception_with_the_carriers_words(carrier, fake):
    number = carrier.book(booking("dhl_express_worldwide")).tracking_number
    fake.scan(number, "OH", "Shipment on hold", "2026-12-06T09:00:00", "Leipzig", "DE")
    events = carrier.track(number, booked_at=datetime(2026, 12, 6, tzinfo=UTC), now=datetime(2026, 12, 7, tzinfo=UTC))
    assert [e.code for e in events] == ["exception"] and "Shipment on hold" in events[0].description


@pytest.mark.parametrize(("service", "name", "path"), CARRIERS)
def test_a_refusal_is_permanent_and_says_why(carrier, fake, service, name, path):
    body = {"ups": {"response": {"errors": [{"code": "120202", "message": "Missing or invalid ship to postal code"}]}},
            "fedex": {"errors": [{"code": "RECIPIENTS.POSTALCODE.INVALID",
                                  "message": "Missing or invalid ship to postal code"}]},
            "mydhl": {"instance": "/expressapi/shipments", "title": "Bad request", "status": "400",
                      "detail": "Missing or invalid ship to postal code"}}[name]
    fake.answer_next(path, 400, body)
    with pytest.raises(CarrierError) as refused:
        carrier.book(booking(service))
    assert not isinstance(refused.value, TransientCarrierError)
    assert "invalid ship to postal code" in refused.value.reason
    assert not CarrierBooking.objects.exists() and fake.labels(name) == 0


@pytest.mark.parametrize(("service", "name", "path"), CARRIERS)
@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_carrier_error_on_its_side_is_transient(carrier, fake, service, name, path, status):
    fake.answer_next(path, status, {"message": "Service Unavailable", "errors": [], "status": str(status)})
    with pytest.raises(TransientCarrierError):
        carrier.book(booking(service))
    assert not CarrierBooking.objects.exists()
    # and the retry books
    assert carrier.book(booking(service)).tracking_number and fake.labels(name) == 1


@pytest.mark.parametrize(("service", "name", "path"), CARRIERS)
def test_a_timeout_is_transient(carrier, fake, service, name, path):
    fake.answer_next(path, 200, None)  # hangs past CARRIER_HTTP_TIMEOUT_SECONDS
    with pytest.raises(TransientCarrierError):
        carrier.book(booking(service))


def test_a_carrier_that_is_down_is_transient(carrier, fake):
    fake.stop()
    with pytest.raises(TransientCarrierError):
        carrier.book(booking("ups_worldwide_saver"))


def test_cancelling_voids_the_label_at_the_carrier(carrier, fake):
    for service, name in (("ups_worldwide_saver", "ups"), ("fedex_international_priority", "fedex")):
        number = carrier.book(booking(service, reference=f"ORD-{name}")).tracking_number
        carrier.cancel(number)
        assert fake.shipments[number].cancelled
    number = carrier.book(booking("ups_worldwide_saver", reference="ORD-late")).tracking_number
    fake.answer_next("/void/cancel/", 400, {"response": {"errors": [
        {"code": "190102", "message": "The shipment has been picked up and cannot be voided"}]}})
    with pytest.raises(CarrierError, match="cannot be voided"):
        carrier.cancel(number)


def test_services_without_an_api_go_to_the_fallback_or_are_refused(fake, settings):
    simulated = SimulatedCarrier(BOOK, seconds_per_step=1, fx=FX)
    carrier = KarrioCarrier(connections=fake.connections(), rate_book=BOOK, fx=FX, fallback=simulated)
    result = carrier.book(booking("thailand_post_ems"))
    assert result.tracking_number.endswith("TH") and fake.labels("ups") == 0
    settings.CARRIER_FALLBACK = ""
    strict = KarrioCarrier(connections=fake.connections(), rate_book=BOOK, fx=FX)
    with pytest.raises(CarrierError, match="No carrier is connected"):
        strict.book(booking("thailand_post_ems", reference="ORD-2"))
