"""Tracking: the event codes a shipment passes through, and tracking-number formats.

Pure: no ORM, no I/O. The codes are listed in the order a parcel meets them. Carriers emit
all of them except the two customs codes, which come from the customs app's clearance
pipeline (the carrier only says the parcel arrived in the destination country).

Labels are English and marked with `gettext_noop` so `makemessages` picks them up; translate
them where they are shown (`gettext(label(code))`), not here: this module needs no settings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ewtp.money import Money


def gettext_noop(message: str) -> str:
    """Marks a string for `makemessages` (a default keyword); Django's own needs settings loaded."""
    return message


class TrackingCode(StrEnum):
    LABEL_CREATED = "label_created"  # booked; the label exists, the carrier has not seen the parcel
    PICKED_UP = "picked_up"  # the carrier (or the eHub's first mile) holds the parcel
    ARRIVED_AT_HUB = "arrived_at_hub"  # eHub routes only: scanned in at the consolidation hub
    DEPARTED_HUB = "departed_hub"  # eHub routes only: left the hub on the linehaul
    ARRIVED_IN_DESTINATION = "arrived_in_destination"  # landed in the destination country, awaiting customs
    HELD_BY_CUSTOMS = "held_by_customs"  # from the clearance pipeline, not the carrier
    RELEASED_BY_CUSTOMS = "released_by_customs"  # from the clearance pipeline, not the carrier
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"  # terminal
    EXCEPTION = "exception"  # a problem the carrier reports (damage, failed attempt); not terminal by itself


CODES: tuple[str, ...] = tuple(code.value for code in TrackingCode)

LABELS: dict[str, str] = {
    TrackingCode.LABEL_CREATED: gettext_noop("Label created"),
    TrackingCode.PICKED_UP: gettext_noop("Picked up"),
    TrackingCode.ARRIVED_AT_HUB: gettext_noop("Arrived at hub"),
    TrackingCode.DEPARTED_HUB: gettext_noop("Departed hub"),
    TrackingCode.ARRIVED_IN_DESTINATION: gettext_noop("Arrived in destination country"),
    TrackingCode.HELD_BY_CUSTOMS: gettext_noop("Held by customs"),
    TrackingCode.RELEASED_BY_CUSTOMS: gettext_noop("Released by customs"),
    TrackingCode.OUT_FOR_DELIVERY: gettext_noop("Out for delivery"),
    TrackingCode.DELIVERED: gettext_noop("Delivered"),
    TrackingCode.EXCEPTION: gettext_noop("Exception"),
}

# Only delivery ends the journey: after an exception the carrier may still scan the parcel
# again (a second delivery attempt), so whether an exception closes the shipment is the
# shipment state machine's call, not the event's.
TERMINAL: frozenset[str] = frozenset({TrackingCode.DELIVERED})
CUSTOMS_CODES: frozenset[str] = frozenset({TrackingCode.HELD_BY_CUSTOMS, TrackingCode.RELEASED_BY_CUSTOMS})
HUB_CODES: frozenset[str] = frozenset({TrackingCode.ARRIVED_AT_HUB, TrackingCode.DEPARTED_HUB})

_RANK = {code: position for position, code in enumerate(CODES)}


def is_known(code: str) -> bool:
    return code in _RANK


def is_terminal(code: str) -> bool:
    return code in TERMINAL


def label(code: str) -> str:
    """The English label; raises KeyError for a code that is not ours (a carrier sending junk)."""
    return LABELS[code]


def rank(code: str) -> int:
    """Position in the journey (label_created = 0); ties between events at one instant break by it."""
    return _RANK[code]


@dataclass(frozen=True, slots=True)
class TrackingEvent:
    code: str
    occurred_at: datetime  # timezone-aware
    location: str
    description: str
    # On a delivered event of a DAP shipment: the duties and taxes the carrier collected at the door.
    duties_collected: Money | None = None

    @property
    def label(self) -> str:
        return LABELS[self.code]


def sort_events(events: Iterable[TrackingEvent]) -> list[TrackingEvent]:
    """Timeline order: by when it happened (out-of-order pushes land in place), then journey order."""
    return sorted(events, key=lambda event: (event.occurred_at, _RANK.get(event.code, len(_RANK))))


# --- tracking-number formats ------------------------------------------------------------------

_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_S10 = re.compile(r"^([A-Z]{2})(\d{8})(\d)([A-Z]{2})$")
_AWB10 = re.compile(r"^\d{10}$")


def s10_check_digit(serial: str) -> int:
    """UPU S10 check digit of an 8-digit serial: weights 8,6,4,2,3,5,9,7; 11 - (sum mod 11); 10→0, 11→5."""
    if len(serial) != 8 or not serial.isdigit():
        raise ValueError(f"an S10 serial is 8 digits, not {serial!r}")
    check = 11 - sum(int(digit) * weight for digit, weight in zip(serial, _S10_WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(check, check)


def make_s10(service_indicator: str, serial: int, country: str) -> str:
    """E.g. make_s10("LX", 12345678, "CN") == "LX123456785CN"."""
    digits = f"{serial:08d}"
    if len(digits) != 8:
        raise ValueError(f"an S10 serial is at most 8 digits, not {serial}")
    return f"{service_indicator}{digits}{s10_check_digit(digits)}{country}"


def is_valid_s10(tracking_number: str) -> bool:
    match = _S10.match(tracking_number)
    return bool(match) and s10_check_digit(match.group(2)) == int(match.group(3))


def parse_s10(tracking_number: str) -> tuple[str, str, str] | None:
    """(service indicator, serial, issuing country) of a valid S10 number, else None."""
    if not is_valid_s10(tracking_number):
        return None
    match = _S10.match(tracking_number)
    assert match is not None
    return match.group(1), match.group(2), match.group(4)


def awb10_check_digit(first_nine: str) -> int:
    """Express air waybill (DHL Express style): 10 digits, the last is the first nine mod 7."""
    if len(first_nine) != 9 or not first_nine.isdigit():
        raise ValueError(f"a waybill body is 9 digits, not {first_nine!r}")
    return int(first_nine) % 7


def make_awb10(serial: int) -> str:
    body = f"{serial:09d}"
    if len(body) != 9:
        raise ValueError(f"a waybill body is at most 9 digits, not {serial}")
    return f"{body}{awb10_check_digit(body)}"


def is_valid_awb10(tracking_number: str) -> bool:
    return bool(_AWB10.match(tracking_number)) and awb10_check_digit(tracking_number[:9]) == int(tracking_number[9])


_UPS1Z = re.compile(r"^1Z[0-9A-Z]{15}\d$")
_FEDEX12 = re.compile(r"^\d{12}$")


def ups1z_check_digit(body: str) -> int:
    """UPS "1Z" numbers: the 15 characters after "1Z" (letters count as (ord - 63) mod 10); odd
    positions once, even positions twice; the check digit brings the sum to a multiple of 10."""
    if len(body) != 15 or not body.isalnum():
        raise ValueError(f"a 1Z body is 15 letters or digits, not {body!r}")
    values = [int(c) if c.isdigit() else (ord(c) - 63) % 10 for c in body.upper()]
    total = sum(values[0::2]) + 2 * sum(values[1::2])
    return (10 - total % 10) % 10


def make_ups1z(shipper: str, service: str, serial: int) -> str:
    """E.g. make_ups1z("EWTP01", "65", 1234567): "1Z" + shipper (6) + service (2) + serial (7) + check."""
    body = f"{shipper}{service}{serial:07d}"
    if len(shipper) != 6 or len(service) != 2 or len(body) != 15:
        raise ValueError(f"a 1Z number needs a 6-character shipper, a 2-digit service and a 7-digit serial: {body!r}")
    return f"1Z{body}{ups1z_check_digit(body)}"


def is_valid_ups1z(tracking_number: str) -> bool:
    return bool(_UPS1Z.match(tracking_number)) and ups1z_check_digit(tracking_number[2:17]) == int(tracking_number[17])


_FEDEX_WEIGHTS = (1, 3, 7)


def fedex12_check_digit(first_eleven: str) -> int:
    """FedEx Express 12-digit numbers: the first eleven digits weighted 1, 3, 7, ... from the right; sum mod 11 (10→0)."""
    if len(first_eleven) != 11 or not first_eleven.isdigit():
        raise ValueError(f"a FedEx body is 11 digits, not {first_eleven!r}")
    total = sum(int(d) * _FEDEX_WEIGHTS[i % 3] for i, d in enumerate(reversed(first_eleven)))
    return total % 11 % 10


def make_fedex12(serial: int) -> str:
    body = f"{serial:011d}"
    if len(body) != 11:
        raise ValueError(f"a FedEx body is at most 11 digits, not {serial}")
    return f"{body}{fedex12_check_digit(body)}"


def is_valid_fedex12(tracking_number: str) -> bool:
    return bool(_FEDEX12.match(tracking_number)) and fedex12_check_digit(tracking_number[:11]) == int(tracking_number[11])
