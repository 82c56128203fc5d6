"""Real carriers through karrio (the kept multi-carrier library): UPS, FedEx and DHL Express (MyDHL API).

`KarrioCarrier` satisfies `CarrierAdapter`. It routes each of our services to a karrio gateway by
the `"karrio": {"carrier", "service"}` block of the service in carriers.json; a carrier is connected
when settings.CARRIER_CONNECTIONS holds all its credentials (env vars, see ewtp/settings/base.py and
the README). Services of carriers that are not connected (the national posts, the eHubs) go to
settings.CARRIER_FALLBACK: "simulated" (the default) or "" (refused with a CarrierError).

- rate: the RateBook prices every option (as at checkout); a connected carrier's live rate from
  its API then replaces the card price of its option, and a lane the carrier refuses becomes an
  Exclusion with its reason. A carrier that does not answer leaves the card price standing.
- book: karrio's shipment request (parties, parcels, customs: commodities, incoterm, invoice
  number = our reference) → the carrier's label and commercial invoice, kept in `CarrierBooking`
  under our reference: a replayed booking returns that record and buys no second label.
- track: karrio's normalised statuses mapped onto logistics.domain.tracking.CODES.
- errors: an HTTP 5xx or 429, a timeout or a refused connection → TransientCarrierError (the
  booking task retries); any other refusal (4xx, the carrier's error messages) → CarrierError with
  the carrier's message as the reason.

karrio's HTTP goes through urllib inside karrio; to see each answer's HTTP status (karrio hands back
only the body) and to put a timeout on every call (karrio sets none), `_urlopen` wraps the `urlopen`
that karrio's helpers module calls, and only that one.
"""

from __future__ import annotations

import contextvars
import json
import urllib.error
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

from ewtp.money import Money
from logistics.domain.rates import DEFAULT_DATA_DIR, RateOption, RateRequest, ShopResult
from logistics.domain.rates.result import Exclusion
from logistics.domain.tracking import TrackingCode, TrackingEvent
from logistics.integrations.base import BookingRequest, BookingResult, CarrierError, TransientCarrierError

# Which credentials each karrio connection needs (all of them, or the carrier is not connected).
CREDENTIALS = {"ups": ("client_id", "client_secret", "account_number"),
               "fedex": ("api_key", "secret_key", "account_number"),
               "mydhl": ("username", "password", "account_number")}

# karrio's normalised tracking status (TrackerStatus) → our code. Unknown ones become "exception".
STATUS_CODES = {
    "pending": TrackingCode.LABEL_CREATED,
    "picked_up": TrackingCode.PICKED_UP,
    "in_transit": TrackingCode.PICKED_UP,  # a scan on the way: the carrier holds the parcel
    "out_for_delivery": TrackingCode.OUT_FOR_DELIVERY,
    "delivered": TrackingCode.DELIVERED,
}
# The carriers' own event codes that karrio's normalisation blurs (UPS's out-for-delivery scan has type
# "I" and comes back "in_transit"; DHL's pickup "PU" comes back "pending"): read first.
CARRIER_EVENT_CODES = {
    "ups": {"OR": TrackingCode.PICKED_UP, "PU": TrackingCode.PICKED_UP, "OT": TrackingCode.OUT_FOR_DELIVERY,
            "OF": TrackingCode.OUT_FOR_DELIVERY, "OD": TrackingCode.OUT_FOR_DELIVERY},
    "fedex": {"PU": TrackingCode.PICKED_UP, "OD": TrackingCode.OUT_FOR_DELIVERY, "DL": TrackingCode.DELIVERED},
    "mydhl": {"PU": TrackingCode.PICKED_UP, "WC": TrackingCode.OUT_FOR_DELIVERY, "OK": TrackingCode.DELIVERED},
}
TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504, 522, 524})


# -- the HTTP seam: statuses seen and a timeout on every call --------------------------------------

_seen: contextvars.ContextVar[list | None] = contextvars.ContextVar("karrio_http_statuses", default=None)


def _install_http_seam() -> None:
    import karrio.core.utils.helpers as helpers

    if getattr(helpers.urlopen, "ewtp_seam", False):
        return
    original = helpers.urlopen

    def _urlopen(request, timeout=None, **kwargs):
        statuses = _seen.get()
        try:
            response = original(request, timeout=timeout or settings.CARRIER_HTTP_TIMEOUT_SECONDS, **kwargs)
        except urllib.error.HTTPError as error:
            if statuses is not None:
                statuses.append(error.code)
            raise
        except OSError:  # a timeout or a refused connection (karrio turns it into a message; we need to know)
            if statuses is not None:
                statuses.append("network")
            raise
        if statuses is not None:
            statuses.append(getattr(response, "status", 200))
        return response

    _urlopen.ewtp_seam = True  # type: ignore[attr-defined]
    helpers.urlopen = _urlopen


# -- pure mapping: our request ⇄ karrio's unified models ---------------------------------------------

def _address(party, country: str) -> dict[str, Any]:
    if party is None:
        return {"country_code": country, "address_line1": "", "city": "", "person_name": ""}
    return {"company_name": (party.company or party.name)[:35], "person_name": party.name[:35], "address_line1": party.street()[:35],
            "city": party.city, "postal_code": party.postcode, "country_code": party.country or country,
            "phone_number": party.phone or "0000000000", "email": party.email or None,
            "federal_tax_id": party.tax_id or None}


def _parcels(parcels) -> list[dict[str, Any]]:
    return [{"weight": float(p.weight_kg), "weight_unit": "KG", "length": float(p.length_cm),
             "width": float(p.width_cm), "height": float(p.height_cm), "dimension_unit": "CM",
             "packaging_type": "your_packaging"} for p in parcels]


def _commodities(goods, origin: str) -> list[dict[str, Any]]:
    return [{"title": g.description[:35], "description": g.description[:35], "hs_code": g.hs_code.replace(".", ""),
             "quantity": g.quantity, "value_amount": float(g.unit_value.amount),
             "value_currency": g.unit_value.currency, "origin_country": g.origin_country or origin,
             "weight": float(g.net_weight_kg / g.quantity) if g.net_weight_kg else 0.1, "weight_unit": "KG"}
            for g in goods]


def shipment_payload(request: BookingRequest, karrio_service: str) -> dict[str, Any]:
    """Our booking as karrio's ShipmentRequest: the reference is our idempotency key and the invoice number."""
    customs = None
    if request.goods:
        incoterm = request.incoterm if request.incoterm in ("DDP", "DAP") else "DAP"
        customs = {"commodities": _commodities(request.goods, request.origin), "incoterm": incoterm,
                   "invoice": request.reference, "content_type": "merchandise", "commercial_invoice": True,
                   "duty": {"paid_by": "sender" if incoterm == "DDP" else "recipient",
                            "currency": request.goods[0].unit_value.currency}}
    return {"service": karrio_service, "shipper": _address(request.shipper, request.origin),
            "recipient": _address(request.recipient, request.destination), "parcels": _parcels(request.parcels),
            "customs": customs, "reference": request.reference, "label_type": "PDF",
            "payment": {"paid_by": "sender"}}


def rate_payload(request: RateRequest, karrio_service: str) -> dict[str, Any]:
    # A checkout rate knows the countries only; the carriers' rating APIs want an address line too.
    return {"shipper": {"country_code": request.origin, "address_line1": "n/a", "city": ""},
            "recipient": {"country_code": request.destination, "address_line1": "n/a", "city": ""},
            "parcels": _parcels(request.parcels), "services": [karrio_service]}


def _when(event) -> datetime:
    if event.timestamp:
        return datetime.fromisoformat(event.timestamp.replace("Z", "+00:00")).astimezone(UTC)
    clock = (event.time or "00:00").replace(" AM", "").replace(" PM", "")
    moment = datetime.fromisoformat(f"{event.date}T{clock[:5]}")
    return moment.replace(tzinfo=UTC)


def tracking_events(details, carrier: str = "") -> list[TrackingEvent]:
    """karrio's TrackingDetails → our events, oldest first; an unknown status is an exception with their text."""
    events = []
    own = CARRIER_EVENT_CODES.get(carrier, {})
    for event in details.events or []:
        code = own.get(event.code or "") or STATUS_CODES.get(event.status or "")
        text = event.description or event.code or ""
        if code is None:
            code = TrackingCode.EXCEPTION
            text = f"{text} ({event.status or event.code or 'unknown status'})"
        events.append(TrackingEvent(code=str(code), occurred_at=_when(event), location=event.location or "",
                                    description=text[:300]))
    return sorted(events, key=lambda e: e.occurred_at)


def _reason(messages) -> str:
    return "; ".join(str(m.message) for m in messages if m.message) or "The carrier refused the request."


# -- the adapter -----------------------------------------------------------------------------------

@cache
def karrio_services(data_dir: str = str(DEFAULT_DATA_DIR)) -> dict[str, dict[str, str]]:
    """Our service code → {"carrier": karrio connection, "service": karrio service} from carriers.json."""
    raw = json.loads((Path(data_dir) / "carriers.json").read_text())
    return {s["code"]: s["karrio"] for s in raw["services"] if s.get("karrio")}


class KarrioCarrier:
    """Satisfies `CarrierAdapter`; built with no arguments, it reads its settings (CARRIER_CONNECTIONS)."""

    def __init__(self, *, connections: dict[str, dict[str, str]] | None = None, fallback=None,
                 rate_book=None, fx=None) -> None:
        from logistics.selectors import rate_book as default_book

        _install_http_seam()
        if rate_book is None:  # built from settings, as the web process and the worker do
            from ewtp.fx import fx_table

            rate_book, fx = default_book(), fx if fx is not None else fx_table()
        self.rate_book = rate_book
        self.fx = fx
        configured = settings.CARRIER_CONNECTIONS if connections is None else connections
        self.connections = {name: conn for name, conn in configured.items()
                            if name in CREDENTIALS and all(conn.get(key) for key in CREDENTIALS[name])}
        self.services = karrio_services()
        self._gateways: dict[str, Any] = {}
        self._fallback = fallback
        if fallback is None and settings.CARRIER_FALLBACK == "simulated":
            from logistics.integrations.simulated import SimulatedCarrier

            self._fallback = SimulatedCarrier(self.rate_book, seconds_per_step=settings.CARRIER_SIM_SECONDS_PER_STEP,
                                              fx=fx)

    # which gateway

    def connection_for(self, service_code: str) -> tuple[str, str] | None:
        """(karrio connection, karrio service) when the service's carrier is connected, else None."""
        route = self.services.get(service_code)
        if route and route["carrier"] in self.connections:
            return route["carrier"], route["service"]
        return None

    def gateway(self, name: str):
        if name not in self._gateways:
            import karrio.sdk as karrio

            conn = dict(self.connections[name])
            base_url = conn.pop("base_url", "") or ""
            if name == "fedex":  # FedEx's tracking API has keys of its own; the shipping keys unless given
                conn.setdefault("track_api_key", conn["api_key"])
                conn.setdefault("track_secret_key", conn["secret_key"])
            settings_class = _settings_with_base_url(name)
            values = {**conn, "test_mode": settings.CARRIER_SANDBOX, "carrier_id": name, "base_url": base_url or None}
            # one token cache per process: an OAuth token (UPS, FedEx) serves many bookings until it expires
            self._gateways[name] = karrio.gateway[name].create(settings_class(**values), cache=_token_cache())
        return self._gateways[name]

    def _call(self, action):
        """Run one karrio call, turning the HTTP outcome into our errors. Returns (result, messages)."""
        statuses: list = []
        token = _seen.set(statuses)
        try:
            result, messages = action()
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
            raise TransientCarrierError(f"The carrier did not answer: {error}.") from error
        finally:
            _seen.reset(token)
        errors = [m for m in (messages or []) if (m.level or "error") == "error"]
        if "network" in statuses:
            raise TransientCarrierError(f"The carrier did not answer in time: {_reason(errors)}")
        if any(isinstance(s, int) and s in TRANSIENT_STATUSES for s in statuses):
            codes = ", ".join(str(s) for s in statuses if isinstance(s, int) and s in TRANSIENT_STATUSES)
            raise TransientCarrierError(f"The carrier is unavailable (HTTP {codes}): {_reason(errors)}")
        return result, errors

    def _fallback_or_refuse(self, what: str):
        """The carrier for what no connected carrier runs (a service, or a booking it made), or a refusal."""
        if self._fallback is None:
            raise CarrierError(f"No carrier is connected for {what}.", code="not_connected")
        return self._fallback

    # rate

    def rate(self, request: RateRequest) -> ShopResult:
        from logistics.domain.rates import shop

        return self.with_live_rates(shop(self.rate_book, request, fx=self.fx), request)

    def with_live_rates(self, result: ShopResult, request: RateRequest) -> ShopResult:
        """`result` (priced from the cards) with each connected carrier's option at its live rate, in the
        option's currency; an option the carrier refuses moves to the exclusions with its reason, one whose
        carrier does not answer keeps its card price. Options stay sorted by price."""
        options, excluded = [], list(result.excluded)
        for option in result.options:
            if self.connection_for(option.code) is None:
                options.append(option)
                continue
            try:
                live = self.live_rate(request, option.code)
            except TransientCarrierError:
                options.append(option)  # the card price stands while the carrier does not answer
                continue
            except CarrierError as refusal:
                excluded.append(Exclusion(code=option.code, service_name=option.service_name,
                                          reason_code="destination_not_served", reason=refusal.reason))
                continue
            options.append(_with_live_price(option, live, self.fx))
        if result.options == sorted(result.options, key=_by_price):  # shopped by price: keep it so
            options.sort(key=_by_price)
        return ShopResult(options=options, excluded=excluded)

    def live_rate(self, request: RateRequest, service_code: str) -> Money:
        """The connected carrier's own price for our service (raises CarrierError when it will not carry it)."""
        import karrio.sdk as karrio

        name, karrio_service = self.connection_for(service_code) or (None, None)
        if name is None:
            raise CarrierError(f"No carrier is connected for the service {service_code!r}.", code="not_connected")
        rates, errors = self._call(lambda: karrio.Rating.fetch(
            rate_payload(request, karrio_service)).from_(self.gateway(name)).parse())
        chosen = [r for r in rates or [] if r.service == karrio_service] or list(rates or [])
        if not chosen:
            raise CarrierError(_reason(errors), code="carrier_refused")
        return Money(Decimal(str(chosen[0].total_charge)), chosen[0].currency)

    # book / cancel

    def book(self, request: BookingRequest) -> BookingResult:
        from logistics.models import CarrierBooking

        route = self.connection_for(request.service_code)
        if route is None:
            return self._fallback_or_refuse(f"the service {request.service_code!r}").book(request)
        kept = CarrierBooking.objects.filter(reference=request.reference).first()
        if kept is not None:  # a replay: the carrier already made this label
            return BookingResult(tracking_number=kept.tracking_number, carrier_reference=kept.carrier_reference,
                                 service_code=kept.service_code, carrier=kept.carrier,
                                 parcel_tracking_numbers=list(kept.parcel_tracking_numbers))
        import karrio.sdk as karrio

        name, karrio_service = route
        shipment, errors = self._call(lambda: karrio.Shipment.create(
            shipment_payload(request, karrio_service)).from_(self.gateway(name)).parse())
        if shipment is None or not shipment.tracking_number:
            raise CarrierError(_reason(errors), code="carrier_refused")
        numbers = list((shipment.meta or {}).get("tracking_numbers") or [])
        docs = shipment.docs
        CarrierBooking.objects.create(
            reference=request.reference, carrier=name, service_code=request.service_code,
            tracking_number=shipment.tracking_number, carrier_reference=shipment.shipment_identifier or "",
            parcel_tracking_numbers=numbers if len(numbers) > 1 else [], label=docs.label or "",
            label_format=shipment.label_type or "PDF", invoice=docs.invoice or "")
        return BookingResult(tracking_number=shipment.tracking_number,
                             carrier_reference=shipment.shipment_identifier or "", service_code=request.service_code,
                             carrier=name, parcel_tracking_numbers=numbers if len(numbers) > 1 else [])

    def _kept(self, tracking_number: str):
        from logistics.models import CarrierBooking

        return CarrierBooking.objects.filter(tracking_number=tracking_number).first()

    def cancel(self, tracking_number: str) -> None:
        kept = self._kept(tracking_number)
        if kept is None or kept.carrier not in self.connections:
            return self._fallback_or_refuse(f"the booking {tracking_number!r}").cancel(tracking_number)
        if kept.carrier == "mydhl":
            return None  # DHL Express has no cancel call: a shipment never handed over is not billed
        import karrio.sdk as karrio

        confirmation, errors = self._call(lambda: karrio.Shipment.cancel(
            {"shipment_identifier": kept.carrier_reference or tracking_number}).from_(self.gateway(kept.carrier)).parse())
        if errors or (confirmation is not None and not confirmation.success):
            raise CarrierError(_reason(errors), code="cancel_refused")
        return None

    # track

    def track(self, tracking_number: str, *, booked_at: datetime, now: datetime,
              customs_released_at: datetime | None = None, **extra) -> list[TrackingEvent]:
        kept = self._kept(tracking_number)
        if kept is None or kept.carrier not in self.connections:
            return self._fallback_or_refuse(f"the booking {tracking_number!r}").track(
                tracking_number, booked_at=booked_at, now=now, customs_released_at=customs_released_at, **extra)
        import karrio.sdk as karrio

        details, errors = self._call(lambda: karrio.Tracking.fetch(
            {"tracking_numbers": [tracking_number]}).from_(self.gateway(kept.carrier)).parse())
        if not details:
            if errors:
                raise CarrierError(_reason(errors), code="tracking_refused")
            return []
        return [e for e in tracking_events(details[0], kept.carrier) if e.occurred_at <= now]

    def label(self, tracking_number: str) -> tuple[str, str] | None:
        """The carrier's own label (base64, format) for a booking it made, else None."""
        kept = self._kept(tracking_number)
        return (kept.label, kept.label_format) if kept and kept.label else None


def _by_price(option: RateOption):
    return (option.price.amount, option.transit_days_max)


def _with_live_price(option: RateOption, live: Money, fx) -> RateOption:
    price = live if option.price.currency == live.currency or fx is None else fx.convert(live, option.price.currency)
    return replace(option, price=price, card_price=live,
                   breakdown=[*option.breakdown, f"Live rate from {option.carrier_name}: {live.amount} {live.currency}"],
                   illustrative=False, live=True)


@cache
def _token_cache():
    from karrio.core.utils import Cache

    return Cache()


@cache
def _settings_class_cache(name: str):
    import attr
    import karrio.sdk as karrio

    base = karrio.gateway.providers[name].Settings

    @attr.s(auto_attribs=True)
    class WithBaseUrl(base):  # type: ignore[valid-type, misc]
        base_url: str = None  # type: ignore[assignment]

        @property
        def server_url(self):  # noqa: D401 - karrio's name
            return self.base_url.rstrip("/") if self.base_url else super().server_url

    WithBaseUrl.__name__ = f"{base.__name__}WithBaseUrl"
    return WithBaseUrl


def _settings_with_base_url(name: str):
    return _settings_class_cache(name)
