"""The carrier adapter interface: what the shipment services need from any carrier.

Four verbs: `rate`, `book`, `cancel`, `track`. The built-in adapter is the offline
`SimulatedCarrier` (see simulated.py), which the project runs on by default.

How a real carrier plugs in (the Karrio way: a pure mapper plus a thin client)
--------------------------------------------------------------------------------
Write `logistics/integrations/<carrier>/` with three parts:

1. `mapper.py` — pure functions, no I/O, unit-tested with recorded payloads:
   `booking_to_payload(BookingRequest) -> dict` (our parcels, goods, parties → their JSON/XML),
   `parse_booking(response: dict) -> BookingResult`, `parse_events(response) -> list[TrackingEvent]`
   (their status codes → ours in `logistics.domain.tracking.CODES`; a status we do not know
   maps to "exception" with their text in the description), and `parse_error(response) ->
   CarrierError` deciding which failures are transient (timeouts, 5xx, rate limits) and which
   are permanent (bad address, refused goods: the seller has to act).
2. `client.py` — a thin HTTP client: authentication, timeouts, one method per endpoint, returns
   the decoded body or raises `TransientCarrierError` on network failures. No business logic.
3. `adapter.py` — a class satisfying `CarrierAdapter` that glues the two together; `rate` may
   call the carrier's rating API or price from our `RateBook` with the carrier's cards.

Choose it with the setting `CARRIER_ADAPTER` (its dotted class path; "simulated", the
offline simulator, is the default): `logistics.services.carrier_adapter()` builds it. Tests drive the mapper with recorded
payloads and the client against a fake HTTP server on localhost — never the carrier itself.

The real carriers we run: karrio (karrio_carrier.py)
----------------------------------------------------
`CARRIER_ADAPTER=logistics.integrations.karrio_carrier.KarrioCarrier` uses the karrio SDK's connectors
(karrio's mappers and proxies are the mapper and client above) for UPS, FedEx and DHL Express (MyDHL API).
Each service names its karrio carrier and service in carriers.json (`"karrio": {"carrier", "service"}`);
a carrier is connected when all its settings are set (ewtp/settings/base.py `CARRIER_CONNECTIONS`):

- UPS: `UPS_CLIENT_ID`, `UPS_CLIENT_SECRET`, `UPS_ACCOUNT_NUMBER` (OAuth client credentials, shipper number);
- FedEx: `FEDEX_API_KEY`, `FEDEX_SECRET_KEY`, `FEDEX_ACCOUNT_NUMBER` (tracking uses the same keys);
- DHL Express: `DHL_EXPRESS_USERNAME`, `DHL_EXPRESS_PASSWORD`, `DHL_EXPRESS_ACCOUNT_NUMBER` (MyDHL API, Basic auth);
- `<UPS|FEDEX|DHL_EXPRESS>_BASE_URL` points a connector elsewhere (a proxy; the fake in tests),
  `CARRIER_SANDBOX=true` uses the carriers' test environments, `CARRIER_HTTP_TIMEOUT_SECONDS` (20) bounds
  each call, and `CARRIER_FALLBACK` ("simulated", or "" to refuse) books the services no connected carrier runs.

Its booking is idempotent by our reference: the carrier's answer (tracking number, label, commercial invoice)
is kept in `logistics.models.CarrierBooking` under `BookingRequest.reference`, and a replay returns it.

Errors: exceptions, not result objects
--------------------------------------
`book` and `cancel` raise `CarrierError` (the carrier said no, and retrying will not change its
mind; show `reason` to the seller) or `TransientCarrierError`, also an `ewtp.exceptions.TransientError`
(try again later). Exceptions, because the booking runs in a Celery task that retries
`TransientError` with backoff (`ewtp.tasks.service_task`) with no code of ours, while a permanent
`CarrierError` is caught once and stored on the shipment as the failure reason.
Rating never raises for an option the carrier will not take: that is an `Exclusion` in the
`ShopResult` (errors as data, because the buyer still gets the other options).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from ewtp.exceptions import TransientError
from ewtp.trade import Commodity, Parcel, Party
from logistics.domain.rates import RateRequest, ShopResult
from logistics.domain.tracking import TrackingEvent


@dataclass(frozen=True, slots=True)
class BookingRequest:
    reference: str  # our shipment reference: the idempotency key the carrier sees
    service_code: str  # RateOption.code chosen at checkout (or by the seller re-rating)
    origin: str
    destination: str
    parcels: Sequence[Parcel]
    goods: Sequence[Commodity] = ()
    shipper: Party | None = None  # a carrier with one street field takes Party.street()
    recipient: Party | None = None
    incoterm: str = "DAP"  # DDP: the seller pays duties and taxes (the buyer paid them at checkout); DAP: the buyer

    def rate_request(self) -> RateRequest:
        return RateRequest(self.origin, self.destination, list(self.parcels), list(self.goods))


@dataclass(frozen=True, slots=True)
class BookingResult:
    tracking_number: str  # printed as the label's barcode
    carrier_reference: str  # the carrier's own id for the booking (cancel and support use it)
    service_code: str
    carrier: str = ""
    parcel_tracking_numbers: list[str] = field(default_factory=list)  # empty when one number covers all


class CarrierError(Exception):
    """The carrier refused or failed. `reason` is for the seller."""

    def __init__(self, reason: str, *, code: str = "carrier_error") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


class TransientCarrierError(CarrierError, TransientError):
    """Timeouts, 5xx, rate limits: the same request may succeed later. The booking task retries these."""

    def __init__(self, reason: str, *, code: str = "carrier_unavailable") -> None:
        super().__init__(reason, code=code)


@runtime_checkable
class CarrierAdapter(Protocol):
    def rate(self, request: RateRequest) -> ShopResult:
        """Every option this carrier offers for the request, and why the others are left out."""
        ...

    def book(self, request: BookingRequest) -> BookingResult:
        """Book the shipment. The same `request.reference` must not create a second booking at a
        carrier that supports idempotency keys; our services also guard it in the database."""
        ...

    def cancel(self, tracking_number: str) -> None:
        """Cancel a booking the carrier has not picked up yet; raises CarrierError otherwise."""
        ...

    def track(self, tracking_number: str, *, booked_at: datetime, now: datetime,
              customs_released_at: datetime | None = None) -> list[TrackingEvent]:
        """The carrier's events up to `now`, oldest first. `customs_released_at` is when our
        clearance pipeline released the goods; real carriers ignore it (they know), the
        simulator holds delivery until then. For a DAP shipment the caller also passes
        `duties_due=` (Money: what customs assessed) and the carrier's delivered event reports in
        `duties_collected` what it collected at the door (a real carrier reports its own figure)."""
        ...
