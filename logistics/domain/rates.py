"""Rate shopping: every way to ship a set of parcels from one country to another, priced.

Pure: no ORM and no I/O (except `RateBook.from_files`, which reads the reference data once).
Build a `RateBook` once per process and keep it; `shop()` is then plain arithmetic on
in-memory tables (a 3-parcel shipment across every option takes well under a millisecond;
`bench/rates.py` measures it).

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

Bad input (a parcel of 0 kg, a 40 m side, no parcels, an unknown country code, a malformed
HS code) raises `ewtp.exceptions.ApplicationError` with a code and the field at fault.
A well-formed request that no service can carry is not an error: `shop()` returns no options
and one `Exclusion` per service saying why.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import Any, Literal

from ewtp.exceptions import ApplicationError
from ewtp.money import FxTable, Money, to_decimal

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DATA_FILES = ("carriers", "rate_cards", "ehubs", "countries")

MODES = ("postal", "express", "ehub_air", "ehub_sea")

# Why an option was left out.
TOO_HEAVY = "too_heavy"
TOO_LARGE = "too_large"
DESTINATION_NOT_SERVED = "destination_not_served"
ORIGIN_NOT_SERVED = "origin_not_served"
GOODS_NOT_ACCEPTED = "goods_not_accepted"
VALUE_TOO_HIGH = "value_too_high"
REASON_CODES = (TOO_HEAVY, TOO_LARGE, DESTINATION_NOT_SERVED, ORIGIN_NOT_SERVED, GOODS_NOT_ACCEPTED, VALUE_TOO_HIGH)

# Beyond these a request is nonsense, not a parcel that is merely too big for a service.
MAX_SIDE_CM = Decimal(300)
MAX_PARCEL_WEIGHT_KG = Decimal(1000)
MAX_PARCELS = 99

HALF_KG = Decimal("0.5")
HUNDRED = Decimal(100)
ZERO = Decimal(0)


# --- the request ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Parcel:
    weight_kg: Decimal
    length_cm: Decimal | None
    width_cm: Decimal | None
    height_cm: Decimal | None


@dataclass(frozen=True, slots=True)
class Goods:
    hs_code: str  # 4 to 10 digits; dots and spaces are ignored ("8517.13" == "851713")
    description: str
    value: Money  # customs value of this line (all units)


@dataclass(frozen=True, slots=True)
class RateRequest:
    origin: str  # ISO 3166-1 alpha-2 of the seller's (pickup) country
    destination: str  # ISO 3166-1 alpha-2 of the buyer's country
    parcels: Sequence[Parcel]
    goods: Sequence[Goods] = ()


# --- the answer ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Leg:
    name: str  # "door to door" for a direct service; "first mile", "linehaul", "last mile" for a route
    price: Money
    days_min: int
    days_max: int
    provider: str = ""  # who runs the leg, e.g. the last-mile post


@dataclass(frozen=True, slots=True)
class RateOption:
    code: str  # the service code to book with
    carrier: str  # carrier code
    carrier_name: str
    service_name: str
    mode: str  # postal | express | ehub_air | ehub_sea
    ehub: str | None  # hub code (HGH, KUL, LGG) for eHub routes
    legs: list[Leg]
    price: Money  # sum of the legs; in `currency` when shop() converted, else the card currency
    transit_days_min: int
    transit_days_max: int
    chargeable_weight_kg: Decimal  # sum over the parcels
    breakdown: list[str]  # human-readable lines explaining the price
    card_price: Money  # the carrier's price in its card currency (== price when not converted)
    special_services: list[str] = field(default_factory=list)  # e.g. ["battery_line"]
    illustrative: bool = False  # the card's figures are illustrative, not a published tariff

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code, "carrier": self.carrier, "carrier_name": self.carrier_name,
            "service_name": self.service_name, "mode": self.mode, "ehub": self.ehub,
            "legs": [{"name": leg.name, "provider": leg.provider, "price": leg.price.as_json(),
                      "days_min": leg.days_min, "days_max": leg.days_max} for leg in self.legs],
            "price": self.price.as_json(), "card_price": self.card_price.as_json(),
            "transit_days_min": self.transit_days_min, "transit_days_max": self.transit_days_max,
            "chargeable_weight_kg": str(self.chargeable_weight_kg), "breakdown": list(self.breakdown),
            "special_services": list(self.special_services), "illustrative": self.illustrative,
        }


@dataclass(frozen=True, slots=True)
class Exclusion:
    code: str
    service_name: str
    reason_code: str  # one of REASON_CODES
    reason: str  # a sentence for the seller

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "service_name": self.service_name,
                "reason_code": self.reason_code, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class ShopResult:
    options: list[RateOption]
    excluded: list[Exclusion]

    def option(self, code: str) -> RateOption | None:
        return next((option for option in self.options if option.code == code), None)

    def exclusion(self, code: str) -> Exclusion | None:
        return next((excluded for excluded in self.excluded if excluded.code == code), None)


# --- the book ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Limits:
    max_weight_kg: Decimal
    max_longest_side_cm: Decimal | None
    max_length_plus_girth_cm: Decimal | None  # longest side + 2 × (the other two)
    max_sum_of_sides_cm: Decimal | None  # small packets: length + width + height


@dataclass(frozen=True, slots=True)
class GoodsRule:
    hs_prefixes: tuple[str, ...]
    action: Literal["refuse", "special_service"]
    reason: str
    service: str | None  # special-service code
    per_shipment: Mapping[str, Decimal]  # currency → surcharge
    per_parcel: Mapping[str, Decimal]

    def matches(self, hs_code: str) -> bool:
        return hs_code.startswith(self.hs_prefixes)


@dataclass(frozen=True, slots=True)
class EHub:
    code: str
    name: str
    city: str
    country: str
    zone: str


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """What the rest of the app needs to know about a service without pricing it."""

    code: str
    carrier: str
    carrier_name: str
    name: str
    mode: str
    ehub: str | None
    via: tuple[str, ...]  # gateway hubs a route passes through (e.g. Liège)
    origins: frozenset[str]
    destinations: frozenset[str]  # countries served from at least one origin
    transit_days: tuple[int, int]
    limits: Limits
    volumetric_divisor: Decimal
    weight_step_kg: Decimal
    tracking_format: str  # "s10" | "awb10"
    tracking_service_indicator: str | None  # S10 only, e.g. "LX"
    tracking_country: str | None  # S10 only: the issuing operator's country
    illustrative: bool


@dataclass(frozen=True, slots=True)
class _Band:
    """One zone of a card: breaks ascending by weight, the price per extra 0.5 kg, the days."""

    weights: tuple[Decimal, ...]
    prices: tuple[Decimal, ...]
    per_additional_half_kg: Decimal
    days: tuple[int, int]

    def price(self, kg: Decimal) -> Decimal:
        index = bisect_left(self.weights, kg)
        if index < len(self.weights):
            return self.prices[index]
        extra_halves = ((kg - self.weights[-1]) / HALF_KG).to_integral_value(rounding=ROUND_CEILING)
        return self.prices[-1] + extra_halves * self.per_additional_half_kg


@dataclass(frozen=True, slots=True)
class _Rate:
    """A leg priced per parcel plus per chargeable kg."""

    per_parcel: Decimal
    per_kg: Decimal
    days: tuple[int, int]
    provider: str = ""

    def price(self, kg: Decimal) -> Decimal:
        return self.per_parcel + self.per_kg * kg


@dataclass(frozen=True, slots=True)
class _Lane:
    """One service from one origin: the unit `shop()` works on."""

    service: ServiceInfo
    rules: tuple[GoodsRule, ...]
    currency: str
    max_declared_value: Decimal | None
    fuel_percent: Decimal
    fuel_as_of: str
    destinations: frozenset[str]
    # direct services
    zones: Mapping[str, str] | None = None
    bands: Mapping[str, _Band] | None = None
    # eHub routes
    first_mile: _Rate | None = None
    linehaul_zones: Mapping[str, str] | None = None
    linehaul: Mapping[str, _Rate] | None = None
    last_mile: Mapping[str, _Rate] | None = None


class RateBook:
    """The reference data parsed and indexed once; read-only afterwards, safe to share."""

    def __init__(self, *, version: str, as_of: str, services: dict[str, ServiceInfo],
                 lanes: dict[tuple[str, str], _Lane], ehubs: dict[str, EHub], countries: frozenset[str],
                 sources: list[dict[str, Any]]) -> None:
        self.version = version
        self.as_of = as_of
        self._services = services
        self._lanes = lanes
        self._ehubs = ehubs
        self.countries = countries
        self.sources = sources

    @property
    def services(self) -> list[ServiceInfo]:
        return list(self._services.values())

    def service(self, code: str) -> ServiceInfo:
        try:
            return self._services[code]
        except KeyError:
            raise ApplicationError(f"No shipping service is called {code!r}.", code="unknown_service",
                                   field="service_code") from None

    def has_service(self, code: str) -> bool:
        return code in self._services

    @property
    def ehubs(self) -> list[EHub]:
        return list(self._ehubs.values())

    def ehub(self, code: str) -> EHub:
        return self._ehubs[code]

    def lane(self, service_code: str, origin: str) -> _Lane | None:
        return self._lanes.get((service_code, origin))

    @classmethod
    def from_files(cls, data_dir: Path | str = DEFAULT_DATA_DIR) -> RateBook:
        """Read carriers.json, rate_cards.json, ehubs.json and countries.json from `data_dir`."""
        data_dir = Path(data_dir)
        return cls.from_dict({name: json.loads((data_dir / f"{name}.json").read_text(encoding="utf-8"))
                              for name in DATA_FILES})

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RateBook:
        """`data` maps each file name without .json (see DATA_FILES) to its parsed content."""
        return _build_book(data)


# --- parsing -------------------------------------------------------------------------------------


def _dec(value: Any) -> Decimal:
    return to_decimal(value)


def _opt_dec(value: Any) -> Decimal | None:
    return None if value is None else to_decimal(value)


def _days(pair: Sequence[int]) -> tuple[int, int]:
    low, high = int(pair[0]), int(pair[1])
    if not 0 <= low <= high:
        raise ValueError(f"transit days must be 0 <= min <= max, not {pair!r}")
    return low, high


def _limits(raw: Mapping[str, Any]) -> Limits:
    return Limits(max_weight_kg=_dec(raw["max_weight_kg"]),
                  max_longest_side_cm=_opt_dec(raw.get("max_longest_side_cm")),
                  max_length_plus_girth_cm=_opt_dec(raw.get("max_length_plus_girth_cm")),
                  max_sum_of_sides_cm=_opt_dec(raw.get("max_sum_of_sides_cm")))


def _rules(raw_rules: Sequence[Mapping[str, Any]]) -> tuple[GoodsRule, ...]:
    rules = []
    for raw in raw_rules:
        if raw["action"] not in ("refuse", "special_service"):
            raise ValueError(f"unknown goods rule action {raw['action']!r}")
        surcharge = raw.get("surcharge") or {}
        rules.append(GoodsRule(
            hs_prefixes=tuple(raw["hs_prefixes"]), action=raw["action"], reason=raw["reason"],
            service=raw.get("service"),
            per_shipment={cur: _dec(v) for cur, v in (surcharge.get("per_shipment") or {}).items()},
            per_parcel={cur: _dec(v) for cur, v in (surcharge.get("per_parcel") or {}).items()}))
    return tuple(rules)


def _band(raw: Mapping[str, Any]) -> _Band:
    pairs = [(_dec(weight), _dec(price)) for weight, price in raw["breaks"]]
    if not pairs or any(b[0] <= a[0] for a, b in zip(pairs, pairs[1:], strict=False)):
        raise ValueError("weight breaks must be a non-empty list ascending by weight")
    if any(b[1] < a[1] for a, b in zip(pairs, pairs[1:], strict=False)):
        raise ValueError("a heavier weight break cannot cost less")
    return _Band(weights=tuple(w for w, _ in pairs), prices=tuple(p for _, p in pairs),
                 per_additional_half_kg=_dec(raw["per_additional_half_kg"]), days=_days(raw["transit_days"]))


def _rate(raw: Mapping[str, Any]) -> _Rate:
    return _Rate(per_parcel=_dec(raw["per_parcel"]), per_kg=_dec(raw["per_kg"]),
                 days=_days(raw["transit_days"]), provider=raw.get("carrier", ""))


def _build_book(data: Mapping[str, Any]) -> RateBook:
    carriers_file, cards_file, ehubs_file = data["carriers"], data["rate_cards"], data["ehubs"]
    carriers = {c["code"]: c for c in carriers_file["carriers"]}
    rule_sets = {name: _rules(rules) for name, rules in carriers_file["goods_rules"].items()}
    countries = frozenset(data["countries"]["countries"])
    ehubs = {h["code"]: EHub(h["code"], h["name"], h["city"], h["country"], h.get("zone", ""))
             for h in ehubs_file["ehubs"]}

    def check_countries(codes: Any, where: str) -> None:
        unknown = set(codes) - countries
        if unknown:
            raise ValueError(f"{where}: unknown country codes {sorted(unknown)}")

    services: dict[str, ServiceInfo] = {}
    lanes: dict[tuple[str, str], _Lane] = {}
    sources: list[dict[str, Any]] = []

    def service_info(raw: Mapping[str, Any], origins: frozenset[str], destinations: frozenset[str],
                     days: tuple[int, int], illustrative: bool) -> ServiceInfo:
        carrier = carriers[raw["carrier"]]
        if raw["mode"] not in MODES:
            raise ValueError(f"{raw['code']}: unknown mode {raw['mode']!r}")
        tracking = raw.get("tracking") or {}
        return ServiceInfo(
            code=raw["code"], carrier=carrier["code"], carrier_name=carrier["name"], name=raw["name"],
            mode=raw["mode"], ehub=raw.get("hub"), via=tuple(raw.get("via") or ()), origins=origins,
            destinations=destinations, transit_days=days, limits=_limits(raw["limits"]),
            volumetric_divisor=_dec(raw["volumetric_divisor_cm3_per_kg"]),
            weight_step_kg=_dec(raw["weight_step_kg"]), tracking_format=carrier["tracking_format"],
            tracking_service_indicator=tracking.get("service_indicator"),
            tracking_country=carrier.get("country"), illustrative=illustrative)

    # Direct services: one lane per (service, origin) from the cards.
    cards_by_service: dict[str, list[Mapping[str, Any]]] = {}
    for card in cards_file["cards"]:
        cards_by_service.setdefault(card["service"], []).append(card)
    for raw in carriers_file["services"]:
        cards = cards_by_service.pop(raw["code"], [])
        if not cards:
            raise ValueError(f"service {raw['code']} has no rate card")
        origins = frozenset(o for card in cards for o in card["origins"])
        destinations = frozenset(c for card in cards for c in card["zones"])
        check_countries(origins | destinations, raw["code"])
        info = service_info(raw, origins, destinations, _days(raw["transit_days"]),
                            any(card.get("illustrative", True) for card in cards))
        services[info.code] = info
        rules = rule_sets[raw["goods_rules"]]
        for card in cards:
            missing = set(card["zones"].values()) - set(card["rates"])
            if missing:
                raise ValueError(f"{raw['code']}: zones without rates {sorted(missing)}")
            bands = {zone: _band(rate) for zone, rate in card["rates"].items()}
            lane = _Lane(service=info, rules=rules, currency=card["currency"],
                         max_declared_value=_opt_dec(card.get("max_declared_value")),
                         fuel_percent=_dec(card["fuel_surcharge"]["percent"]),
                         fuel_as_of=card["fuel_surcharge"]["as_of"],
                         destinations=frozenset(card["zones"]), zones=dict(card["zones"]), bands=bands)
            for origin in card["origins"]:
                if (info.code, origin) in lanes:
                    raise ValueError(f"{info.code}: two cards for origin {origin}")
                lanes[(info.code, origin)] = lane
            sources.append({"service": info.code, "origins": card["origins"], "source": card.get("source"),
                            "illustrative": card.get("illustrative", True)})
    if cards_by_service:
        raise ValueError(f"rate cards for unknown services {sorted(cards_by_service)}")

    # eHub routes: one lane per (route, origin); the destinations are where linehaul and last mile meet.
    for raw in ehubs_file["routes"]:
        if raw["hub"] not in ehubs:
            raise ValueError(f"{raw['code']}: unknown hub {raw['hub']}")
        linehaul_zones = dict(raw["linehaul"]["zones"])
        linehaul = {zone: _rate(rate) for zone, rate in raw["linehaul"]["rates"].items()}
        last_mile = {country: _rate(rate) for country, rate in raw["last_mile"].items()}
        destinations = frozenset(linehaul_zones) & frozenset(last_mile)
        first_miles = {origin: _rate(rate) for origin, rate in raw["first_mile"].items()}
        origins = frozenset(first_miles)
        check_countries(origins | destinations, raw["code"])
        days_low = (min(r.days[0] for r in first_miles.values()) + min(r.days[0] for r in linehaul.values())
                    + min(last_mile[c].days[0] for c in destinations))
        days_high = (max(r.days[1] for r in first_miles.values()) + max(r.days[1] for r in linehaul.values())
                     + max(last_mile[c].days[1] for c in destinations))
        info = service_info(raw, origins, destinations, (days_low, days_high), raw.get("illustrative", True))
        if info.code in services:
            raise ValueError(f"route {info.code} repeats a service code")
        services[info.code] = info
        for origin, first_mile in first_miles.items():
            lanes[(info.code, origin)] = _Lane(
                service=info, rules=rule_sets[raw["goods_rules"]], currency=raw["currency"],
                max_declared_value=_opt_dec(raw.get("max_declared_value")),
                fuel_percent=_dec(raw["fuel_surcharge"]["percent"]), fuel_as_of=raw["fuel_surcharge"]["as_of"],
                destinations=destinations, first_mile=first_mile, linehaul_zones=linehaul_zones,
                linehaul=linehaul, last_mile=last_mile)
        sources.append({"service": info.code, "origins": sorted(origins), "source": raw.get("source"),
                        "illustrative": raw.get("illustrative", True)})

    return RateBook(version=str(carriers_file.get("version", "")), as_of=str(carriers_file.get("as_of", "")),
                    services=services, lanes=lanes, ehubs=ehubs, countries=countries, sources=sources)


# --- validation ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _CheckedParcel:
    weight_kg: Decimal
    volume_cm3: Decimal
    longest_cm: Decimal
    length_plus_girth_cm: Decimal
    sum_of_sides_cm: Decimal
    sides: tuple[Decimal, Decimal, Decimal]


def _country(book: RateBook, value: Any, field_name: str) -> str:
    code = value.strip().upper() if isinstance(value, str) else ""
    if code not in book.countries:
        raise ApplicationError(f"{value!r} is not an ISO 3166 country code.", code="invalid_country",
                               field=field_name)
    return code


def _parcel_number(value: Any, field_name: str, what: str) -> Decimal:
    if value is None:
        raise ApplicationError(f"The parcel's {what} is missing.", code="invalid_parcel", field=field_name)
    try:
        number = to_decimal(value)
    except (TypeError, ValueError):
        raise ApplicationError(f"The parcel's {what} is not a number: {value!r}.", code="invalid_parcel",
                               field=field_name) from None
    if number <= 0:
        raise ApplicationError(f"The parcel's {what} must be more than 0.", code="invalid_parcel",
                               field=field_name)
    return number


def _check_parcels(parcels: Sequence[Parcel]) -> tuple[_CheckedParcel, ...]:
    if not parcels:
        raise ApplicationError("A shipment needs at least one parcel.", code="no_parcels", field="parcels")
    if len(parcels) > MAX_PARCELS:
        raise ApplicationError(f"A shipment takes at most {MAX_PARCELS} parcels.", code="too_many_parcels",
                               field="parcels")
    checked = []
    for index, parcel in enumerate(parcels):
        prefix = f"parcels[{index}]"
        weight = _parcel_number(parcel.weight_kg, f"{prefix}.weight_kg", "weight")
        if weight > MAX_PARCEL_WEIGHT_KG:
            raise ApplicationError(f"{weight} kg is not a parcel weight (at most {MAX_PARCEL_WEIGHT_KG} kg).",
                                   code="invalid_parcel", field=f"{prefix}.weight_kg")
        sides = []
        for name in ("length_cm", "width_cm", "height_cm"):
            side = _parcel_number(getattr(parcel, name), f"{prefix}.{name}", name.removesuffix("_cm"))
            if side > MAX_SIDE_CM:
                raise ApplicationError(f"A side of {side} cm is not a parcel (at most {MAX_SIDE_CM} cm).",
                                       code="invalid_parcel", field=f"{prefix}.{name}")
            sides.append(side)
        longest, middle, shortest = sorted(sides, reverse=True)
        checked.append(_CheckedParcel(
            weight_kg=weight, volume_cm3=sides[0] * sides[1] * sides[2], longest_cm=longest,
            length_plus_girth_cm=longest + 2 * (middle + shortest), sum_of_sides_cm=longest + middle + shortest,
            sides=(longest, middle, shortest)))
    return tuple(checked)


def check_parcels(parcels: Sequence[Parcel]) -> None:
    """Refuse nonsense parcels (0 or negative weight, a side missing or absurd, none at all) with
    an ApplicationError naming the field, e.g. "parcels[1].weight_kg"."""
    _check_parcels(parcels)


def _check_goods(goods: Sequence[Goods]) -> tuple[tuple[str, ...], list[Money]]:
    hs_codes, values = [], []
    for index, line in enumerate(goods):
        hs = (line.hs_code or "").replace(".", "").replace(" ", "")
        if not (hs.isdigit() and 4 <= len(hs) <= 10):
            raise ApplicationError(f"{line.hs_code!r} is not an HS code (4 to 10 digits).", code="invalid_goods",
                                   field=f"goods[{index}].hs_code")
        if not isinstance(line.value, Money) or line.value.amount < 0:
            raise ApplicationError("The goods' value must be an amount of 0 or more.", code="invalid_goods",
                                   field=f"goods[{index}].value")
        hs_codes.append(hs)
        values.append(line.value)
    return tuple(hs_codes), values


# --- pricing -------------------------------------------------------------------------------------


def _kg(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _ceil_to_step(kg: Decimal, step: Decimal) -> Decimal:
    return (kg / step).to_integral_value(rounding=ROUND_CEILING) * step


class _Shopper:
    """One `shop()` call: caches what lanes share (chargeable weights per divisor, value per currency)."""

    def __init__(self, book: RateBook, request: RateRequest, fx: FxTable | None, currency: str | None) -> None:
        self.book = book
        self.origin = _country(book, request.origin, "origin")
        self.destination = _country(book, request.destination, "destination")
        self.parcels = _check_parcels(request.parcels)
        self.hs_codes, self.values = _check_goods(request.goods)
        self.descriptions = [line.description for line in request.goods]
        self.fx = fx
        self.currency = currency
        self._weights: dict[tuple[Decimal, Decimal], list[tuple[Decimal, Decimal]]] = {}
        self._value_in: dict[str, Decimal] = {}

    def convert(self, money: Money, currency: str) -> Money:
        if money.currency == currency:
            return money
        if self.fx is None:
            raise ValueError(f"amounts in {money.currency} and {currency}: pass fx= to shop() to compare them")
        return self.fx.convert(money, currency)

    def goods_value(self, currency: str) -> Decimal:
        if currency not in self._value_in:
            self._value_in[currency] = sum((self.convert(v, currency).amount for v in self.values), ZERO)
        return self._value_in[currency]

    def weights(self, service: ServiceInfo) -> list[tuple[Decimal, Decimal]]:
        """(volumetric, chargeable) kg per parcel for the service's divisor and step."""
        key = (service.volumetric_divisor, service.weight_step_kg)
        if key not in self._weights:
            result = []
            for parcel in self.parcels:
                volumetric = parcel.volume_cm3 / service.volumetric_divisor
                chargeable = _ceil_to_step(max(parcel.weight_kg, volumetric), service.weight_step_kg)
                chargeable = chargeable.quantize(service.weight_step_kg)  # "1.0" kg, not "1" or "1E+0"
                result.append((volumetric, chargeable))
            self._weights[key] = result
        return self._weights[key]

    # -- feasibility --

    def exclusion(self, service: ServiceInfo, lane: _Lane | None) -> Exclusion | None:
        def out(reason_code: str, reason: str) -> Exclusion:
            return Exclusion(service.code, service.name, reason_code, reason)

        if lane is None:
            return out(ORIGIN_NOT_SERVED, f"{service.name} does not collect from {self.origin}; it collects from "
                                          f"{', '.join(sorted(service.origins))}.")
        if self.destination == self.origin:
            return out(DESTINATION_NOT_SERVED, f"{service.name} is cross-border only; "
                                               f"{self.origin} to {self.destination} is a domestic shipment.")
        if self.destination not in lane.destinations:
            return out(DESTINATION_NOT_SERVED,
                       f"{service.name} does not deliver to {self.destination} from {self.origin}.")
        for index, hs in enumerate(self.hs_codes):
            for rule in lane.rules:
                if rule.action == "refuse" and rule.matches(hs):
                    return out(GOODS_NOT_ACCEPTED, f"{self.descriptions[index] or 'Goods'} (HS {hs}): {rule.reason}")
        if lane.max_declared_value is not None and self.values:
            value = self.goods_value(lane.currency)
            if value > lane.max_declared_value:
                limit = Money(lane.max_declared_value, lane.currency)
                return out(VALUE_TOO_HIGH, f"The goods are declared at {Money(value, lane.currency)}; "
                                           f"{service.name} carries at most {limit} a shipment.")
        limits = service.limits
        for number, parcel in enumerate(self.parcels, start=1):
            if parcel.weight_kg > limits.max_weight_kg:
                return out(TOO_HEAVY, f"Parcel {number} weighs {_kg(parcel.weight_kg)} kg; {service.name} takes "
                                      f"at most {_kg(limits.max_weight_kg)} kg a parcel.")
            if limits.max_longest_side_cm is not None and parcel.longest_cm > limits.max_longest_side_cm:
                return out(TOO_LARGE, f"Parcel {number} is {_kg(parcel.longest_cm)} cm long; {service.name} takes "
                                      f"at most {_kg(limits.max_longest_side_cm)} cm on the longest side.")
            if (limits.max_length_plus_girth_cm is not None
                    and parcel.length_plus_girth_cm > limits.max_length_plus_girth_cm):
                return out(TOO_LARGE, f"Parcel {number} measures {_kg(parcel.length_plus_girth_cm)} cm in length "
                                      f"plus girth; {service.name} takes at most "
                                      f"{_kg(limits.max_length_plus_girth_cm)} cm.")
            if limits.max_sum_of_sides_cm is not None and parcel.sum_of_sides_cm > limits.max_sum_of_sides_cm:
                return out(TOO_LARGE, f"Parcel {number}'s sides add up to {_kg(parcel.sum_of_sides_cm)} cm; "
                                      f"{service.name} takes at most {_kg(limits.max_sum_of_sides_cm)} cm.")
        return None

    # -- pricing --

    def special_services(self, lane: _Lane) -> tuple[list[str], Decimal, Decimal, list[str]]:
        """(codes, per-shipment surcharge, per-parcel surcharge, breakdown lines) from the goods rules."""
        codes: list[str] = []
        per_shipment = per_parcel = ZERO
        lines: list[str] = []
        for rule in lane.rules:
            if rule.action != "special_service" or rule.service in codes:
                continue
            if any(rule.matches(hs) for hs in self.hs_codes):
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

    def weight_line(self, number: int, parcel: _CheckedParcel, volumetric: Decimal, chargeable: Decimal,
                    service: ServiceInfo) -> str:
        length, width, height = parcel.sides
        return (f"Parcel {number}: actual {_kg(parcel.weight_kg)} kg, volumetric "
                f"{_kg(volumetric.quantize(Decimal('0.001')))} kg ({_kg(length)}×{_kg(width)}×{_kg(height)} cm "
                f"/ {_kg(service.volumetric_divisor)}), chargeable {_kg(chargeable)} kg")

    def price(self, lane: _Lane) -> RateOption:
        service = lane.service
        weights = self.weights(service)
        specials, per_shipment, per_parcel, special_lines = self.special_services(lane)
        cur = lane.currency
        breakdown: list[str] = []
        fuel_factor = lane.fuel_percent / HUNDRED
        count = len(self.parcels)
        legs: list[Leg]
        if lane.bands is not None:
            zone = lane.zones[self.destination]  # type: ignore[index]
            band = lane.bands[zone]
            transport = ZERO
            for number, (parcel, (volumetric, chargeable)) in enumerate(zip(self.parcels, weights, strict=True), 1):
                charge = band.price(chargeable)
                transport += charge
                breakdown.append(f"{self.weight_line(number, parcel, volumetric, chargeable, service)}, "
                                 f"zone {zone}: {charge} {cur}")
            fuel = transport * fuel_factor
            if lane.fuel_percent:
                breakdown.append(f"Fuel surcharge {lane.fuel_percent}% (as of {lane.fuel_as_of}) on {transport} {cur}")
            extras = per_shipment + per_parcel * count
            legs = [Leg("door to door", Money(transport + fuel + extras, cur).rounded(), band.days[0], band.days[1],
                        service.carrier_name)]
        else:
            first_mile = lane.first_mile
            line_rate = lane.linehaul[lane.linehaul_zones[self.destination]]  # type: ignore[index]
            last_mile = lane.last_mile[self.destination]  # type: ignore[index]
            first = line = last = ZERO
            for number, (parcel, (volumetric, chargeable)) in enumerate(zip(self.parcels, weights, strict=True), 1):
                first += first_mile.price(chargeable)  # type: ignore[union-attr]
                line += line_rate.price(chargeable)
                last += last_mile.price(chargeable)
                breakdown.append(self.weight_line(number, parcel, volumetric, chargeable, service))
            hub = self.book.ehub(service.ehub) if service.ehub else None
            hub_name = hub.name if hub else "the hub"
            breakdown.append(f"First mile {self.origin} → {hub_name}: {first_mile.per_parcel} {cur} a parcel + "  # type: ignore[union-attr]
                             f"{first_mile.per_kg} {cur}/kg")  # type: ignore[union-attr]
            breakdown.append(f"Linehaul {hub_name} → {self.destination}: {line_rate.per_parcel} {cur} a parcel + "
                             f"{line_rate.per_kg} {cur}/kg consolidated")
            if lane.fuel_percent:
                breakdown.append(f"Fuel surcharge {lane.fuel_percent}% (as of {lane.fuel_as_of}) on the linehaul")
            breakdown.append(f"Last mile in {self.destination} ({last_mile.provider}): {last_mile.per_parcel} {cur} "
                             f"a parcel + {last_mile.per_kg} {cur}/kg")
            line_total = line + line * fuel_factor + per_shipment + per_parcel * count
            via = " via " + ", ".join(self.book.ehub(code).name for code in service.via) if service.via else ""
            legs = [
                Leg("first mile", Money(first, cur).rounded(), *first_mile.days, provider=hub_name),  # type: ignore[union-attr]
                Leg("linehaul", Money(line_total, cur).rounded(), *line_rate.days,
                    provider=f"{service.carrier_name}{via}"),
                Leg("last mile", Money(last, cur).rounded(), *last_mile.days, provider=last_mile.provider),
            ]
        breakdown.extend(special_lines)
        card_price = sum((leg.price for leg in legs), Money.zero(cur))
        if self.currency and self.currency != cur:
            legs = [Leg(leg.name, self.convert(leg.price, self.currency).rounded(), leg.days_min, leg.days_max,
                        leg.provider) for leg in legs]
            rate = self.fx.rate(cur, self.currency)  # type: ignore[union-attr]
            breakdown.append(f"Converted from {cur} at {rate.rate:.6f} ({rate.source}, {rate.as_of}), "
                             f"leg by leg")
        price = sum((leg.price for leg in legs), Money.zero(legs[0].price.currency))
        return RateOption(
            code=service.code, carrier=service.carrier, carrier_name=service.carrier_name,
            service_name=service.name, mode=service.mode, ehub=service.ehub, legs=legs, price=price,
            transit_days_min=sum(leg.days_min for leg in legs), transit_days_max=sum(leg.days_max for leg in legs),
            chargeable_weight_kg=sum((chargeable for _, chargeable in weights), ZERO), breakdown=breakdown,
            card_price=card_price, special_services=specials, illustrative=service.illustrative)


def _sort(options: list[RateOption], sort: str, shopper: _Shopper) -> list[RateOption]:
    currencies = {option.price.currency for option in options}
    if len(currencies) <= 1:
        def amount(option: RateOption) -> Decimal:
            return option.price.amount
    else:
        # Ranking only: the prices shown stay in their own currencies.
        def amount(option: RateOption) -> Decimal:
            return shopper.convert(option.price, "EUR").amount
    if sort == "price":
        return sorted(options, key=lambda o: (amount(o), o.transit_days_max, o.transit_days_min, o.code))
    return sorted(options, key=lambda o: (o.transit_days_max, o.transit_days_min, amount(o), o.code))


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
    shopper = _Shopper(book, request, fx, currency)
    options: list[RateOption] = []
    excluded: list[Exclusion] = []
    for service in book._services.values():
        lane = book._lanes.get((service.code, shopper.origin))
        exclusion = shopper.exclusion(service, lane)
        if exclusion is not None:
            excluded.append(exclusion)
        else:
            options.append(shopper.price(lane))  # type: ignore[arg-type]
    return ShopResult(options=_sort(options, sort, shopper), excluded=excluded)


def quote(book: RateBook, request: RateRequest, service_code: str, *, fx: FxTable | None = None,
          currency: str | None = None) -> RateOption:
    """The price of one service (a seller re-rating the buyer's choice, a booking re-checking it).

    Raises ApplicationError(code="unknown_service") for a code that is not in the book and
    ApplicationError(code=<the exclusion's reason_code>, field="service_code") when the
    service cannot carry this shipment.
    """
    service = book.service(service_code)
    shopper = _Shopper(book, request, fx, currency)
    if currency is not None and fx is None:
        raise ValueError("converting to a currency needs an FxTable: pass fx= as well")
    lane = book._lanes.get((service.code, shopper.origin))
    exclusion = shopper.exclusion(service, lane)
    if exclusion is not None:
        raise ApplicationError(exclusion.reason, code=exclusion.reason_code, field="service_code")
    return shopper.price(lane)  # type: ignore[arg-type]

