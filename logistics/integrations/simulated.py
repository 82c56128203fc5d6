"""The offline simulated carrier: the project's default adapter, for demos, development and tests.

It prices from the `RateBook` (the same engine checkout uses), books with deterministic
tracking numbers in each carrier's real format (UPU S10 with its check digit for postal and
eHub services, a 10-digit mod-7 air waybill for express), and plays the tracking timeline
forward from the booking time, one event every `seconds_per_step` (60 s moves a demo in
minutes; 1 s moves a test in seconds).

Stateless on purpose: the web process and the Celery worker can each build their own and get
the same answers. Everything it needs is in the arguments (the tracking number says which
service it is, the caller passes the booking time and, once the clearance pipeline released
the goods, `customs_released_at`). So it cannot know whether a parcel was picked up when asked
to `cancel`: the shipment service checks that against the stored events first.

Steering it from tests (markers in `BookingRequest.reference`):
- "FAIL-TRANSIENT" → `TransientCarrierError` (as a timeout would), every time;
- "FAIL-PERMANENT" → a `CarrierError` (not transient) with a reason for the seller.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from ewtp.exceptions import ApplicationError
from ewtp.money import FxTable, Money
from logistics.domain.rates import RateBook, RateRequest, ServiceInfo, ShopResult, quote, shop
from logistics.domain.tracking import (
    TrackingCode,
    TrackingEvent,
    is_valid_awb10,
    is_valid_fedex12,
    is_valid_ups1z,
    make_awb10,
    make_fedex12,
    make_s10,
    make_ups1z,
    parse_s10,
)
from logistics.integrations.base import BookingRequest, BookingResult, CarrierError, TransientCarrierError

# The express formats besides S10: one service each, told apart by the number's shape.
_EXPRESS_FORMATS = {"awb10": is_valid_awb10, "ups1z": is_valid_ups1z, "fedex12": is_valid_fedex12}

FAIL_TRANSIENT = "FAIL-TRANSIENT"
FAIL_PERMANENT = "FAIL-PERMANENT"


class SimulatedCarrier:
    """Every service in the rate book, simulated. Satisfies `CarrierAdapter`."""

    def __init__(self, book: RateBook, *, seconds_per_step: float = 60, fx: FxTable | None = None,
                 currency: str | None = None) -> None:
        if seconds_per_step <= 0:
            raise ValueError("seconds_per_step must be more than 0")
        self.rate_book = book
        self.step = timedelta(seconds=seconds_per_step)
        self.fx = fx  # needed when goods are valued in another currency than a card
        self.currency = currency
        self._s10: dict[tuple[str, str], ServiceInfo] = {}
        self._express: dict[str, ServiceInfo] = {}
        for service in book.services:
            if service.tracking_format == "s10":
                key = (service.tracking_service_indicator or "", service.tracking_country or "")
                if key in self._s10 or len(key[0]) != 2 or len(key[1]) != 2:
                    raise ValueError(f"{service.code}: S10 prefix {key} is missing or shared")
                self._s10[key] = service
            elif service.tracking_format in _EXPRESS_FORMATS:
                if service.tracking_format in self._express:
                    raise ValueError(f"the simulator tells express services apart by number: keep one "
                                     f"{service.tracking_format} service")
                self._express[service.tracking_format] = service
            else:
                raise ValueError(f"{service.code}: unknown tracking format {service.tracking_format!r}")

    # -- rate ------------------------------------------------------------------------------------

    def rate(self, request: RateRequest) -> ShopResult:
        return shop(self.rate_book, request, fx=self.fx, currency=self.currency)

    # -- book / cancel ---------------------------------------------------------------------------

    def tracking_number_for(self, service_code: str, reference: str) -> str:
        """Deterministic: booking the same reference twice gives the same number."""
        service = self.rate_book.service(service_code)
        digest = int(hashlib.sha256(f"{service.code}:{reference}".encode()).hexdigest(), 16)
        if service.tracking_format == "s10":
            return make_s10(service.tracking_service_indicator or "", digest % 10**8, service.tracking_country or "")
        if service.tracking_format == "ups1z":
            return make_ups1z("EWTP01", "65", digest % 10**7)
        if service.tracking_format == "fedex12":
            return make_fedex12(digest % 10**11)
        return make_awb10(digest % 10**9)

    def book(self, request: BookingRequest) -> BookingResult:
        if FAIL_TRANSIENT in request.reference:
            raise TransientCarrierError("The carrier's booking system did not answer in time (simulated).")
        if FAIL_PERMANENT in request.reference:
            raise CarrierError("The carrier rejected the recipient address: the postcode does not match the "
                               "city (simulated).", code="address_rejected")
        if not self.rate_book.has_service(request.service_code):
            raise CarrierError(f"The carrier does not offer a service called {request.service_code!r}.",
                               code="unknown_service")
        try:
            # The carrier re-checks what the buyer chose: limits, goods and lanes may have changed.
            quote(self.rate_book, request.rate_request(), request.service_code, fx=self.fx)
        except ApplicationError as refusal:
            raise CarrierError(refusal.message, code=refusal.code) from refusal
        service = self.rate_book.service(request.service_code)
        digest = hashlib.sha256(f"{service.code}:{request.reference}".encode()).hexdigest()
        return BookingResult(
            tracking_number=self.tracking_number_for(service.code, request.reference),
            carrier_reference=f"SIM-{digest[:12].upper()}", service_code=service.code, carrier=service.carrier)

    def service_for(self, tracking_number: str) -> ServiceInfo | None:
        """Which service issued this number, or None if it is not one of ours."""
        parsed = parse_s10(tracking_number)
        if parsed is not None:
            return self._s10.get((parsed[0], parsed[2]))
        return next((self._express[name] for name, valid in _EXPRESS_FORMATS.items()
                     if name in self._express and valid(tracking_number)), None)

    def _service_or_error(self, tracking_number: str) -> ServiceInfo:
        service = self.service_for(tracking_number)
        if service is None:
            raise CarrierError(f"{tracking_number!r} is not a tracking number this carrier issued.",
                               code="unknown_tracking_number")
        return service

    def cancel(self, tracking_number: str) -> None:
        self._service_or_error(tracking_number)

    # -- track -----------------------------------------------------------------------------------

    def track(self, tracking_number: str, *, booked_at: datetime, now: datetime,
              customs_released_at: datetime | None = None, origin: str | None = None,
              destination: str | None = None, duties_due: Money | None = None) -> list[TrackingEvent]:
        """The events that have happened by `now`, oldest first.

        One step after another from `booked_at`; the carrier stops at arrived_in_destination
        until `customs_released_at`, then goes out for delivery one step after the later of the
        arrival and the release, and delivers one step after that. `origin` and `destination`
        (country codes) only name the places in the events. `duties_due` (DAP): the delivered
        event says the carrier collected it at the door.
        """
        for name, moment in (("booked_at", booked_at), ("now", now), ("customs_released_at", customs_released_at)):
            if moment is not None and moment.tzinfo is None:
                raise ValueError(f"{name} must be timezone-aware")
        service = self._service_or_error(tracking_number)
        origin_place = origin or (next(iter(service.origins)) if len(service.origins) == 1 else "origin country")
        destination_place = destination or "destination country"
        hub = self.rate_book.ehub(service.ehub) if service.ehub else None

        steps: list[tuple[str, str, str]] = [
            (TrackingCode.LABEL_CREATED, origin_place, f"Shipment information received by {service.carrier_name}"),
            (TrackingCode.PICKED_UP, origin_place, f"Picked up by {service.carrier_name}"),
        ]
        if hub is not None:
            how = "sea" if service.mode == "ehub_sea" else "air"
            via = " via " + ", ".join(self.rate_book.ehub(code).name for code in service.via) if service.via else ""
            hub_place = f"{hub.name}, {hub.city}, {hub.country}"
            steps += [
                (TrackingCode.ARRIVED_AT_HUB, hub_place, f"Arrived at {hub.name} for consolidation"),
                (TrackingCode.DEPARTED_HUB, hub_place, f"Departed {hub.name} on the consolidated {how} linehaul{via}"),
            ]
        steps.append((TrackingCode.ARRIVED_IN_DESTINATION, destination_place,
                      f"Arrived in {destination_place}; handed to customs for clearance"))

        timeline = [(booked_at + index * self.step, code, place, text)
                    for index, (code, place, text) in enumerate(steps)]
        if customs_released_at is not None:
            arrived_at = timeline[-1][0]
            leaves_at = max(arrived_at, customs_released_at) + self.step
            timeline += [
                (leaves_at, TrackingCode.OUT_FOR_DELIVERY, destination_place, "Out for delivery"),
                (leaves_at + self.step, TrackingCode.DELIVERED, destination_place, "Delivered"),
            ]
        events = [TrackingEvent(code=str(code), occurred_at=at, location=place, description=text)
                  for at, code, place, text in timeline if at <= now]
        if duties_due is not None and events and events[-1].code == TrackingCode.DELIVERED:
            last = events[-1]
            events[-1] = TrackingEvent(code=last.code, occurred_at=last.occurred_at, location=last.location,
                                       description=f"Delivered; duties and taxes of {duties_due} collected",
                                       duties_collected=duties_due)
        return events
