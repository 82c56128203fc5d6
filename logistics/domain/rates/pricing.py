"""The price of one lane for a prepared request, leg by leg, with the lines that explain it.

Per parcel: chargeable weight → transport (a direct service's zone band, or an eHub route's
first mile + linehaul + last mile) → fuel surcharge on the transport (the linehaul for a route)
→ the goods rules' special-service surcharges; the parcels summed per leg, each leg rounded to
the card's currency, the price the sum of the rounded legs (so the legs a buyer sees add up);
then, when asked, every leg converted to the buyer's currency and rounded one by one.
"""

from __future__ import annotations

from decimal import Decimal

from ewtp.money import Money
from logistics.domain.rates.book import RateBook
from logistics.domain.rates.cards import Lane, ServiceInfo
from logistics.domain.rates.feasibility import kg_text
from logistics.domain.rates.request import CheckedParcel, PreparedRequest
from logistics.domain.rates.result import Leg, RateOption

HUNDRED = Decimal(100)
ZERO = Decimal(0)


def price(book: RateBook, request: PreparedRequest, lane: Lane, currency: str | None) -> RateOption:
    service = lane.service
    weights = request.weights(service.volumetric_divisor, service.weight_step_kg)
    specials, per_shipment, per_parcel, special_lines = _special_services(request, lane)
    surcharges = per_shipment + per_parcel * len(request.parcels)
    if lane.bands is not None:
        legs, breakdown = _direct_legs(request, lane, weights, surcharges)
    else:
        legs, breakdown = _route_legs(book, request, lane, weights, surcharges)
    breakdown.extend(special_lines)
    card_currency = lane.currency
    card_price = sum((leg.price for leg in legs), Money.zero(card_currency))
    if currency and currency != card_currency:
        legs = [Leg(leg.name, request.convert(leg.price, currency).rounded(), leg.days_min, leg.days_max,
                    leg.provider) for leg in legs]
        rate = request.fx.rate(card_currency, currency)  # type: ignore[union-attr]
        breakdown.append(f"Converted from {card_currency} at {rate.rate:.6f} ({rate.source}, {rate.as_of}), "
                         f"leg by leg")
    total = sum((leg.price for leg in legs), Money.zero(legs[0].price.currency))
    return RateOption(
        code=service.code, carrier=service.carrier, carrier_name=service.carrier_name,
        service_name=service.name, mode=service.mode, ehub=service.ehub, legs=legs, price=total,
        transit_days_min=sum(leg.days_min for leg in legs), transit_days_max=sum(leg.days_max for leg in legs),
        chargeable_weight_kg=sum((chargeable for _, chargeable in weights), ZERO), breakdown=breakdown,
        card_price=card_price, special_services=specials, illustrative=service.illustrative)


def _direct_legs(request: PreparedRequest, lane: Lane, weights: list[tuple[Decimal, Decimal]],
                 surcharges: Decimal) -> tuple[list[Leg], list[str]]:
    """One door-to-door leg: each parcel from the destination zone's band, plus fuel and surcharges."""
    service, cur = lane.service, lane.currency
    zone = lane.zones[request.destination]  # type: ignore[index]
    band = lane.bands[zone]  # type: ignore[index]
    breakdown: list[str] = []
    transport = ZERO
    for number, (parcel, (volumetric, chargeable)) in enumerate(zip(request.parcels, weights, strict=True), 1):
        charge = band.price(chargeable)
        transport += charge
        breakdown.append(f"{_weight_line(number, parcel, volumetric, chargeable, service)}, zone {zone}: {charge} {cur}")
    fuel = transport * (lane.fuel_percent / HUNDRED)
    if lane.fuel_percent:
        breakdown.append(f"Fuel surcharge {lane.fuel_percent}% (as of {lane.fuel_as_of}) on {transport} {cur}")
    leg = Leg("door to door", Money(transport + fuel + surcharges, cur).rounded(), band.days[0], band.days[1],
              service.carrier_name)
    return [leg], breakdown


def _route_legs(book: RateBook, request: PreparedRequest, lane: Lane, weights: list[tuple[Decimal, Decimal]],
                surcharges: Decimal) -> tuple[list[Leg], list[str]]:
    """Three legs through the hub: first mile, linehaul (with the fuel surcharge and the goods
    rules' surcharges), last mile."""
    service, cur, destination = lane.service, lane.currency, request.destination
    first_mile = lane.first_mile
    line_rate = lane.linehaul[lane.linehaul_zones[destination]]  # type: ignore[index]
    last_mile = lane.last_mile[destination]  # type: ignore[index]
    breakdown: list[str] = []
    first = line = last = ZERO
    for number, (parcel, (volumetric, chargeable)) in enumerate(zip(request.parcels, weights, strict=True), 1):
        first += first_mile.price(chargeable)  # type: ignore[union-attr]
        line += line_rate.price(chargeable)
        last += last_mile.price(chargeable)
        breakdown.append(_weight_line(number, parcel, volumetric, chargeable, service))
    hub_name = book.ehub(service.ehub).name if service.ehub else "the hub"
    breakdown.append(f"First mile {request.origin} → {hub_name}: {first_mile.per_parcel} {cur} a parcel + "  # type: ignore[union-attr]
                     f"{first_mile.per_kg} {cur}/kg")  # type: ignore[union-attr]
    breakdown.append(f"Linehaul {hub_name} → {destination}: {line_rate.per_parcel} {cur} a parcel + "
                     f"{line_rate.per_kg} {cur}/kg consolidated")
    if lane.fuel_percent:
        breakdown.append(f"Fuel surcharge {lane.fuel_percent}% (as of {lane.fuel_as_of}) on the linehaul")
    breakdown.append(f"Last mile in {destination} ({last_mile.provider}): {last_mile.per_parcel} {cur} "
                     f"a parcel + {last_mile.per_kg} {cur}/kg")
    line_total = line + line * (lane.fuel_percent / HUNDRED) + surcharges
    via = " via " + ", ".join(book.ehub(code).name for code in service.via) if service.via else ""
    legs = [
        Leg("first mile", Money(first, cur).rounded(), *first_mile.days, provider=hub_name),  # type: ignore[union-attr]
        Leg("linehaul", Money(line_total, cur).rounded(), *line_rate.days, provider=f"{service.carrier_name}{via}"),
        Leg("last mile", Money(last, cur).rounded(), *last_mile.days, provider=last_mile.provider),
    ]
    return legs, breakdown


def _special_services(request: PreparedRequest, lane: Lane) -> tuple[list[str], Decimal, Decimal, list[str]]:
    """(codes, per-shipment surcharge, per-parcel surcharge, breakdown lines) from the goods rules."""
    codes: list[str] = []
    per_shipment = per_parcel = ZERO
    lines: list[str] = []
    for rule in lane.rules:
        if rule.action != "special_service" or rule.service in codes:
            continue
        if any(rule.matches(hs) for hs in request.hs_codes):
            codes.append(rule.service or "special")
            shipment_charge = rule.per_shipment.get(lane.currency, ZERO)
            parcel_charge = rule.per_parcel.get(lane.currency, ZERO)
            per_shipment += shipment_charge
            per_parcel += parcel_charge
            charge = ""
            if shipment_charge:
                charge = f" {shipment_charge} {lane.currency} a shipment."
            elif parcel_charge:
                charge = f" {parcel_charge} {lane.currency} a parcel."
            lines.append(f"Special service {rule.service}: {rule.reason}{charge}")
    return codes, per_shipment, per_parcel, lines


def _weight_line(number: int, parcel: CheckedParcel, volumetric: Decimal, chargeable: Decimal,
                 service: ServiceInfo) -> str:
    length, width, height = parcel.sides
    return (f"Parcel {number}: actual {kg_text(parcel.weight_kg)} kg, volumetric "
            f"{kg_text(volumetric.quantize(Decimal('0.001')))} kg ({kg_text(length)}×{kg_text(width)}×"
            f"{kg_text(height)} cm / {kg_text(service.volumetric_divisor)}), chargeable {kg_text(chargeable)} kg")
