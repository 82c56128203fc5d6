"""The rate-card tables, parsed: what each service is, its limits and goods rules, and per lane
(service × origin) the zones and weight breaks of a direct service or the three legs of an eHub route."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Literal

MODES = ("postal", "express", "ehub_air", "ehub_sea")

HALF_KG = Decimal("0.5")


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
class Band:
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
class LegRate:
    """A leg priced per parcel plus per chargeable kg."""

    per_parcel: Decimal
    per_kg: Decimal
    days: tuple[int, int]
    provider: str = ""

    def price(self, kg: Decimal) -> Decimal:
        return self.per_parcel + self.per_kg * kg


@dataclass(frozen=True, slots=True)
class Lane:
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
    bands: Mapping[str, Band] | None = None
    # eHub routes
    first_mile: LegRate | None = None
    linehaul_zones: Mapping[str, str] | None = None
    linehaul: Mapping[str, LegRate] | None = None
    last_mile: Mapping[str, LegRate] | None = None
