"""The answer: the options a shipment can go by, priced leg by leg, and the services left out with why."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ewtp.money import Money

# Why an option was left out.
TOO_HEAVY = "too_heavy"
TOO_LARGE = "too_large"
DESTINATION_NOT_SERVED = "destination_not_served"
ORIGIN_NOT_SERVED = "origin_not_served"
GOODS_NOT_ACCEPTED = "goods_not_accepted"
VALUE_TOO_HIGH = "value_too_high"
REASON_CODES = (TOO_HEAVY, TOO_LARGE, DESTINATION_NOT_SERVED, ORIGIN_NOT_SERVED, GOODS_NOT_ACCEPTED, VALUE_TOO_HIGH)


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
    live: bool = False  # the price is the carrier's own, from its rating API (KarrioCarrier), not a card's

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
            "live": self.live,
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
