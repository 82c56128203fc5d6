"""Tracking event codes and tracking-number formats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logistics.domain.tracking import (
    CODES,
    CUSTOMS_CODES,
    LABELS,
    TrackingEvent,
    is_terminal,
    is_valid_awb10,
    is_valid_s10,
    label,
    make_awb10,
    make_s10,
    parse_s10,
    s10_check_digit,
    sort_events,
)


def test_codes_follow_the_journey_in_order():
    assert CODES == ("label_created", "picked_up", "arrived_at_hub", "departed_hub", "arrived_in_destination",
                     "held_by_customs", "released_by_customs", "out_for_delivery", "delivered", "exception")
    assert CUSTOMS_CODES == {"held_by_customs", "released_by_customs"}


@pytest.mark.parametrize(
    ("code", "terminal", "text"),
    [
        ("label_created", False, "Label created"),
        ("arrived_in_destination", False, "Arrived in destination country"),
        ("held_by_customs", False, "Held by customs"),
        ("out_for_delivery", False, "Out for delivery"),
        ("delivered", True, "Delivered"),
        ("exception", False, "Exception"),
    ],
)
def test_each_code_has_a_label_and_only_delivery_is_terminal(code, terminal, text):
    assert is_terminal(code) is terminal
    assert label(code) == text


def test_every_code_has_a_label_and_a_junk_code_has_none():
    assert set(LABELS) == set(CODES)
    with pytest.raises(KeyError):
        label("teleported")


def test_out_of_order_events_land_in_time_order():
    # given a carrier that pushed "delivered" before "out for delivery", and two events at one instant
    t = datetime(2025, 3, 1, 9, tzinfo=UTC)
    pushed = [
        TrackingEvent("delivered", t + timedelta(hours=3), "London", "Delivered"),
        TrackingEvent("out_for_delivery", t + timedelta(hours=1), "London", "Out for delivery"),
        TrackingEvent("released_by_customs", t, "GB", "Released"),
        TrackingEvent("arrived_in_destination", t, "GB", "Arrived"),
    ]

    # then the timeline reads in the order things happened
    assert [e.code for e in sort_events(pushed)] == [
        "arrived_in_destination", "released_by_customs", "out_for_delivery", "delivered"]


@pytest.mark.parametrize(
    ("serial", "check"),
    [
        ("47312482", 9),  # the UPU worked example: S = 200, 11 - 2 = 9
        ("12345678", 5),  # S = 204, 11 - 6 = 5
        ("00000000", 5),  # S = 0: 11 becomes 5
        ("00060000", 0),  # S = 12: 11 - 1 = 10 becomes 0
    ],
)
def test_s10_check_digit(serial, check):
    assert s10_check_digit(serial) == check


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("LX123456785CN", True),
        ("RR473124829GB", True),
        ("LX123456784CN", False),  # wrong check digit
        ("lx123456785cn", False),  # lower case is not S10
        ("LX12345678CN", False),  # 7-digit serial
        ("1234567891", False),
    ],
)
def test_s10_validation(number, valid):
    assert is_valid_s10(number) is valid


@given(indicator=st.sampled_from(["LX", "CP", "HA", "RR", "EE"]), serial=st.integers(0, 99_999_999),
       country=st.sampled_from(["CN", "MY", "GB", "BE"]))
def test_made_s10_numbers_validate_and_parse_back(indicator, serial, country):
    number = make_s10(indicator, serial, country)

    assert len(number) == 13
    assert is_valid_s10(number)
    assert parse_s10(number) == (indicator, f"{serial:08d}", country)


@pytest.mark.parametrize(("number", "valid"), [("1234567891", True), ("1234567890", False), ("123456789", False)])
def test_express_waybill_check_digit_is_mod_7(number, valid):
    assert is_valid_awb10(number) is valid


@given(serial=st.integers(0, 999_999_999))
def test_made_waybills_validate(serial):
    assert is_valid_awb10(make_awb10(serial))


@pytest.mark.parametrize(("number", "valid"), [
    ("1Z999AA10123456784", True),  # UPS's published sample number
    ("1Z12345E6605272234", True),
    ("1Z999AA10123456785", False),  # one digit off
    ("1Z999AA1012345678", False),  # too short
])
def test_ups_1z_check_digit(number, valid):
    from logistics.domain.tracking import is_valid_ups1z

    assert is_valid_ups1z(number) is valid


@pytest.mark.parametrize(("number", "valid"), [
    ("986578788855", True), ("477179081230", True), ("799531274483", True),  # FedEx's sandbox numbers
    ("986578788856", False), ("98657878885", False),
])
def test_fedex_12_digit_check_digit(number, valid):
    from logistics.domain.tracking import is_valid_fedex12

    assert is_valid_fedex12(number) is valid


@given(serial=st.integers(0, 9_999_999))
def test_made_ups_and_fedex_numbers_validate(serial):
    from logistics.domain.tracking import is_valid_fedex12, is_valid_ups1z, make_fedex12, make_ups1z

    assert is_valid_ups1z(make_ups1z("EWTP01", "65", serial))
    assert is_valid_fedex12(make_fedex12(serial * 7919))
