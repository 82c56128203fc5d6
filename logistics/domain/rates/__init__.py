"""Rate shopping: every way to ship a set of parcels from one country to another, priced.

Pure: no ORM and no I/O (except `RateBook.from_files`, which reads the reference data once).
Build a `RateBook` once per process and keep it; `shop()` is then plain arithmetic on
in-memory tables (a 3-parcel shipment across every option takes well under a millisecond;
`bench/rates.py` measures it). A request speaks the trade vocabulary (`ewtp.trade`): its
parcels are `Parcel`s and its goods `Commodity`s.

The pipeline, one module a step:

1. `request`     validate: countries, parcels (weight, sides, count) and goods (HS code, value),
                 into a `PreparedRequest` that keeps what services share (chargeable weights
                 per divisor, the goods' value per currency);
2. `book`        choose lanes: the book's plan for the origin, every service with its lane
                 (service × origin) from the rate cards (`cards`), prepared once per origin;
3. `feasibility` keep or exclude: the first reason a service cannot carry the shipment
                 (origin, destination, refused goods, declared value, weight and size limits);
4. `pricing`     price: chargeable weight → zone band or the eHub route's three legs → fuel
                 surcharge → special-service surcharges from the goods rules → legs rounded in
                 the card currency → converted to the buyer's currency when asked;
5. here          sort: by price or by speed, and answer a `ShopResult` (`result`).

Duties and taxes are not shipping: the landed cost (customs) takes the chosen option's price.

The model, per service:
- a parcel's chargeable weight is max(actual, volumetric) rounded *up* to the service's
  weight step, volumetric = length × width × height / the service's divisor (cm³/kg);
- a direct service (postal, express) prices each parcel from the rate card of the seller's
  country: destination country → zone → weight breaks ("up to and including"), then a price per
  additional 0.5 kg beyond the last break; a fuel surcharge % is added to the transport charge;
- an eHub route (consolidated air or sea via a hub) is the sum of three legs, each priced per
  parcel + per chargeable kg: first mile (seller's country → hub), linehaul (hub → destination
  country, with the air fuel surcharge), last mile (in the destination country);
- multi-parcel shipments are priced parcel by parcel and summed;
- goods rules by HS prefix refuse an option (e.g. loose lithium batteries by post) or add a
  special service (e.g. devices with installed lithium batteries) with its surcharge.

Money: each card has one currency; legs are rounded to it at the edge, and an option's price
is the sum of its rounded legs, so the legs a buyer sees always add up. Cards from one origin
share a currency in the shipped data, so `shop()` needs no FX. Pass `fx` (an `ewtp.money.FxTable`)
whenever amounts may be in different currencies (goods valued in another currency than a card,
options in several currencies); pass `fx` *and* `currency` to get every price converted to the
buyer's currency (legs converted and rounded one by one, the price their sum; `card_price`
keeps the carrier's figure). Without `fx`, mixing currencies raises `ValueError` — a
programming error, not bad input.

Bad input raises `ewtp.exceptions.ApplicationError` with a code and the field at fault (see
`request`). A well-formed request that no service can carry is not an error: `shop()` returns
no options and one `Exclusion` per service saying why.
"""

from __future__ import annotations

from decimal import Decimal

from ewtp.exceptions import ApplicationError
from ewtp.money import FxTable
from logistics.domain.rates.book import DATA_FILES, DEFAULT_DATA_DIR, RateBook
from logistics.domain.rates.cards import EHub, ServiceInfo
from logistics.domain.rates.feasibility import exclusion
from logistics.domain.rates.pricing import price
from logistics.domain.rates.request import (
    MAX_PARCEL_WEIGHT_KG,
    MAX_SIDE_CM,
    PreparedRequest,
    RateRequest,
    check_parcels,
)
from logistics.domain.rates.result import REASON_CODES, Exclusion, Leg, RateOption, ShopResult


def shop(book: RateBook, request: RateRequest, sort: str = "price", *, fx: FxTable | None = None,
         currency: str | None = None) -> ShopResult:
    """Every service that can carry `request`, priced and sorted, and why each other one cannot.

    sort="price": cheapest first (ties: faster first); sort="speed": fewest maximum days first
    (ties: cheaper first). Pass `fx` and `currency` to get prices in the buyer's currency.
    """
    if sort not in ("price", "speed"):
        raise ApplicationError(f"Sort by 'price' or 'speed', not {sort!r}.", code="invalid_sort", field="sort")
    if currency is not None and fx is None:
        raise ValueError("converting to a currency needs an FxTable: pass fx= as well")
    if currency is not None and not fx.supports(currency):  # type: ignore[union-attr]
        raise ApplicationError(f"No exchange rate for {currency}.", code="unsupported_currency", field="currency")
    prepared = PreparedRequest(book.countries, request, fx)
    options: list[RateOption] = []
    excluded: list[Exclusion] = []
    for service, lane in book.plan(prepared.origin):
        left_out = exclusion(prepared, service, lane)
        if left_out is not None:
            excluded.append(left_out)
        else:
            options.append(price(book, prepared, lane, currency))  # type: ignore[arg-type]
    return ShopResult(options=_sorted(options, sort, prepared), excluded=excluded)


def quote(book: RateBook, request: RateRequest, service_code: str, *, fx: FxTable | None = None,
          currency: str | None = None) -> RateOption:
    """The price of one service (a seller re-rating the buyer's choice, a booking re-checking it).

    Raises ApplicationError(code="unknown_service") for a code that is not in the book and
    ApplicationError(code=<the exclusion's reason_code>, field="service_code") when the
    service cannot carry this shipment.
    """
    service = book.service(service_code)
    prepared = PreparedRequest(book.countries, request, fx)
    if currency is not None and fx is None:
        raise ValueError("converting to a currency needs an FxTable: pass fx= as well")
    lane = book.lane(service.code, prepared.origin)
    left_out = exclusion(prepared, service, lane)
    if left_out is not None:
        raise ApplicationError(left_out.reason, code=left_out.reason_code, field="service_code")
    return price(book, prepared, lane, currency)  # type: ignore[arg-type]


def _sorted(options: list[RateOption], sort: str, request: PreparedRequest) -> list[RateOption]:
    if len({option.price.currency for option in options}) <= 1:
        def amount(option: RateOption) -> Decimal:
            return option.price.amount
    else:
        # Ranking only: the prices shown stay in their own currencies.
        def amount(option: RateOption) -> Decimal:
            return request.convert(option.price, "EUR").amount
    if sort == "price":
        return sorted(options, key=lambda o: (amount(o), o.transit_days_max, o.transit_days_min, o.code))
    return sorted(options, key=lambda o: (o.transit_days_max, o.transit_days_min, amount(o), o.code))


__all__ = [
    "DATA_FILES", "DEFAULT_DATA_DIR", "MAX_PARCEL_WEIGHT_KG", "MAX_SIDE_CM", "REASON_CODES", "EHub", "Exclusion",
    "Leg", "RateBook", "RateOption", "RateRequest", "ServiceInfo", "ShopResult", "check_parcels",
    "quote", "shop",
]
