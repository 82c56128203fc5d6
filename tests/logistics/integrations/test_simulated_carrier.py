"""The offline simulated carrier: booking, failures a test can steer, and tracking over time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from ewtp.exceptions import TransientError
from ewtp.money import Money
from ewtp.trade import Commodity, Parcel
from logistics.domain.rates import RateBook, RateRequest, shop
from logistics.domain.tracking import is_valid_awb10, is_valid_s10
from logistics.integrations.base import BookingRequest, CarrierAdapter, CarrierError, TransientCarrierError
from logistics.integrations.simulated import SimulatedCarrier

D = Decimal
BOOK = RateBook.from_files()
BOOKED_AT = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
STEP = timedelta(seconds=1)
TSHIRTS = Commodity(hs_code="6109.10", description="Cotton T-shirts", unit_value=Money(D("300"), "CNY"))
PARCELS = [Parcel(D("1.2"), D("30"), D("20"), D("15")), Parcel(D("0.8"), D("20"), D("15"), D("10"))]


@pytest.fixture
def carrier() -> SimulatedCarrier:
    return SimulatedCarrier(BOOK, seconds_per_step=1)


def booking(reference: str = "SO-1001", service: str = "ehub_hgh_air_eu", goods=(TSHIRTS,)) -> BookingRequest:
    return BookingRequest(reference, service, "CN", "GB", PARCELS, list(goods))


def test_it_is_a_carrier_adapter_and_rates_like_the_engine(carrier):
    rate_request = RateRequest("CN", "GB", PARCELS, [TSHIRTS])

    assert isinstance(carrier, CarrierAdapter)
    assert carrier.rate(rate_request) == shop(BOOK, rate_request)


@pytest.mark.parametrize(
    ("service", "prefix", "suffix"),
    [
        ("ehub_hgh_air_eu", "HA", "CN"),
        ("ehub_hgh_sea_eu", "HC", "CN"),
        ("cnpost_air_parcel", "CP", "CN"),
    ],
)
def test_booking_answers_an_s10_number_of_the_services_post(carrier, service, prefix, suffix):
    result = carrier.book(booking(service=service))

    assert is_valid_s10(result.tracking_number)
    assert result.tracking_number.startswith(prefix) and result.tracking_number.endswith(suffix)
    assert result.service_code == service
    assert result.carrier_reference.startswith("SIM-")


def test_express_booking_answers_a_waybill_number(carrier):
    result = carrier.book(booking(service="dhl_express_worldwide"))

    assert is_valid_awb10(result.tracking_number)
    assert carrier.service_for(result.tracking_number).code == "dhl_express_worldwide"


def test_the_same_reference_books_the_same_number_and_another_reference_another(carrier):
    first = carrier.book(booking("SO-1001"))
    again = carrier.book(booking("SO-1001"))
    other = carrier.book(booking("SO-1002"))

    assert first == again
    assert other.tracking_number != first.tracking_number


def test_a_transient_failure_asks_for_a_retry(carrier):
    with pytest.raises(TransientCarrierError) as error:
        carrier.book(booking("SO-1001-FAIL-TRANSIENT"))

    assert isinstance(error.value, TransientError)  # the booking task retries it


def test_a_permanent_failure_gives_the_seller_a_reason(carrier):
    with pytest.raises(CarrierError) as error:
        carrier.book(booking("SO-1001-FAIL-PERMANENT"))

    assert not isinstance(error.value, TransientError)
    assert "address" in error.value.reason


@pytest.mark.parametrize(
    ("service", "goods", "code"),
    [
        ("cnpost_epacket", (Commodity(hs_code="8507.60", description="Lithium cells", unit_value=Money(D("50"), "CNY")),), "goods_not_accepted"),
        ("ehub_kul_air", (TSHIRTS,), "origin_not_served"),
        ("teleport", (TSHIRTS,), "unknown_service"),
    ],
)
def test_the_carrier_refuses_what_the_service_cannot_carry(carrier, service, goods, code):
    with pytest.raises(CarrierError) as error:
        carrier.book(booking(service=service, goods=goods))

    assert error.value.code == code and not isinstance(error.value, TransientError)


def codes_at(carrier, number, seconds, released_after=None, **places):
    released = BOOKED_AT + timedelta(seconds=released_after) if released_after is not None else None
    events = carrier.track(number, booked_at=BOOKED_AT, now=BOOKED_AT + timedelta(seconds=seconds),
                           customs_released_at=released, **places)
    return [event.code for event in events]


@pytest.mark.parametrize(
    ("seconds", "released_after", "codes"),
    [
        (0, None, ["label_created"]),
        (2, None, ["label_created", "picked_up", "arrived_at_hub"]),
        (4, None, ["label_created", "picked_up", "arrived_at_hub", "departed_hub", "arrived_in_destination"]),
        # the carrier waits at the border until customs releases, however long that takes
        (3600, None, ["label_created", "picked_up", "arrived_at_hub", "departed_hub", "arrived_in_destination"]),
        (9, 8, ["label_created", "picked_up", "arrived_at_hub", "departed_hub", "arrived_in_destination",
                 "out_for_delivery"]),
        (10, 8, ["label_created", "picked_up", "arrived_at_hub", "departed_hub", "arrived_in_destination",
                 "out_for_delivery", "delivered"]),
        # released before arrival (pre-cleared): delivery starts one step after arrival
        (5, 1, ["label_created", "picked_up", "arrived_at_hub", "departed_hub", "arrived_in_destination",
                "out_for_delivery"]),
    ],
)
def test_ehub_tracking_moves_step_by_step_through_the_hub(carrier, seconds, released_after, codes):
    number = carrier.book(booking()).tracking_number

    assert codes_at(carrier, number, seconds, released_after) == codes


def test_direct_services_skip_the_hub(carrier):
    number = carrier.book(booking(service="dhl_express_worldwide")).tracking_number

    assert codes_at(carrier, number, 60, released_after=3) == [
        "label_created", "picked_up", "arrived_in_destination", "out_for_delivery", "delivered"]


def test_events_name_the_hub_and_the_destination_and_keep_time_order(carrier):
    number = carrier.book(booking()).tracking_number

    events = carrier.track(number, booked_at=BOOKED_AT, now=BOOKED_AT + timedelta(minutes=5),
                           customs_released_at=BOOKED_AT + timedelta(seconds=30), destination="GB")

    assert events[-1].code == "delivered"
    assert [e.occurred_at for e in events] == sorted(e.occurred_at for e in events)
    assert all(e.occurred_at <= BOOKED_AT + timedelta(minutes=5) for e in events)
    hub_event = next(e for e in events if e.code == "departed_hub")
    assert "Hangzhou" in hub_event.location and "Liège" in hub_event.description
    assert events[-1].location == "GB"


def test_a_slower_step_slows_the_whole_journey():
    slow = SimulatedCarrier(BOOK, seconds_per_step=60)
    number = slow.book(booking()).tracking_number

    assert codes_at(slow, number, 59) == ["label_created"]
    assert codes_at(slow, number, 120) == ["label_created", "picked_up", "arrived_at_hub"]


def test_tracking_refuses_naive_times_and_numbers_it_did_not_issue(carrier):
    number = carrier.book(booking()).tracking_number

    with pytest.raises(ValueError, match="timezone"):
        carrier.track(number, booked_at=datetime(2025, 3, 1, 8), now=datetime(2025, 3, 1, 9))
    with pytest.raises(CarrierError) as error:
        carrier.track("RR473124829GB", booked_at=BOOKED_AT, now=BOOKED_AT)
    assert error.value.code == "unknown_tracking_number"


def test_cancel_accepts_its_own_numbers_and_refuses_others(carrier):
    number = carrier.book(booking()).tracking_number

    assert carrier.cancel(number) is None
    with pytest.raises(CarrierError):
        carrier.cancel("LX123456784CN")  # bad check digit


@pytest.mark.parametrize(("service", "valid"), [
    ("ups_worldwide_saver", "is_valid_ups1z"), ("fedex_international_priority", "is_valid_fedex12"),
    ("dhl_express_worldwide", "is_valid_awb10"), ("thailand_post_ems", "is_valid_s10")])
def test_each_express_carrier_and_post_gets_numbers_in_its_own_format(service, valid):
    from logistics.domain import tracking
    from tests.logistics.domain.rates.shipments import FX

    carrier = SimulatedCarrier(BOOK, seconds_per_step=1, fx=FX)
    goods = [Commodity(hs_code="0901.21", description="Coffee", unit_value=Money(D("20"), "USD"))]
    result = carrier.book(BookingRequest("SO-7", service, "TH", "DE", PARCELS, goods))
    assert getattr(tracking, valid)(result.tracking_number)
    assert carrier.service_for(result.tracking_number).code == service
    events = carrier.track(result.tracking_number, booked_at=BOOKED_AT, now=BOOKED_AT + 2 * STEP)
    assert [e.code for e in events] == ["label_created", "picked_up", "arrived_in_destination"]
