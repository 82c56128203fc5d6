"""The question: which parcels and goods go from where to where; checked once into a
`PreparedRequest` that every service is then judged and priced against.

Bad input (a parcel of 0 kg, a 40 m side, no parcels, an unknown country code, a malformed
HS code) raises `ewtp.exceptions.ApplicationError` with a code and the field at fault.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

from ewtp.exceptions import ApplicationError
from ewtp.money import FxTable, Money, to_decimal
from ewtp.trade import Commodity, Parcel

# Beyond these a request is nonsense, not a parcel that is merely too big for a service.
MAX_SIDE_CM = Decimal(300)
MAX_PARCEL_WEIGHT_KG = Decimal(1000)
MAX_PARCELS = 99

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class RateRequest:
    origin: str  # ISO 3166-1 alpha-2 of the seller's (pickup) country
    destination: str  # ISO 3166-1 alpha-2 of the buyer's country
    parcels: Sequence[Parcel]
    # HS code of 4 to 10 digits, dots and spaces ignored ("8517.13" == "851713"); the line's
    # value (unit value x quantity) is its customs value; origin and weight are not needed
    goods: Sequence[Commodity] = ()


@dataclass(frozen=True, slots=True)
class CheckedParcel:
    """A parcel known to make sense, with the measures the services' limits are written in."""

    weight_kg: Decimal
    volume_cm3: Decimal
    longest_cm: Decimal
    length_plus_girth_cm: Decimal
    sum_of_sides_cm: Decimal
    sides: tuple[Decimal, Decimal, Decimal]  # longest first


class PreparedRequest:
    """A request checked once per `shop()` / `quote()` call, with what the services share worked
    out at most once: chargeable weights per (divisor, step) and the goods' value per currency."""

    def __init__(self, countries: frozenset[str], request: RateRequest, fx: FxTable | None) -> None:
        self.origin = _country(countries, request.origin, "origin")
        self.destination = _country(countries, request.destination, "destination")
        self.parcels = _check_parcels(request.parcels)
        self.hs_codes, self.values = _check_goods(request.goods)
        self.descriptions = [line.description for line in request.goods]
        self.fx = fx
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

    def weights(self, divisor: Decimal, step: Decimal) -> list[tuple[Decimal, Decimal]]:
        """(volumetric, chargeable) kg per parcel: chargeable = max(actual, volume / divisor)
        rounded up to the step."""
        key = (divisor, step)
        if key not in self._weights:
            result = []
            for parcel in self.parcels:
                volumetric = parcel.volume_cm3 / divisor
                chargeable = (max(parcel.weight_kg, volumetric) / step).to_integral_value(rounding=ROUND_CEILING) * step
                result.append((volumetric, chargeable.quantize(step)))  # "1.0" kg, not "1" or "1E+0"
            self._weights[key] = result
        return self._weights[key]


def check_parcels(parcels: Sequence[Parcel]) -> None:
    """Refuse nonsense parcels (0 or negative weight, a side missing or absurd, none at all) with
    an ApplicationError naming the field, e.g. "parcels[1].weight_kg"."""
    _check_parcels(parcels)


def _country(countries: frozenset[str], value: Any, field_name: str) -> str:
    code = value.strip().upper() if isinstance(value, str) else ""
    if code not in countries:
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


def _check_parcels(parcels: Sequence[Parcel]) -> tuple[CheckedParcel, ...]:
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
        checked.append(CheckedParcel(
            weight_kg=weight, volume_cm3=sides[0] * sides[1] * sides[2], longest_cm=longest,
            length_plus_girth_cm=longest + 2 * (middle + shortest), sum_of_sides_cm=longest + middle + shortest,
            sides=(longest, middle, shortest)))
    return tuple(checked)


def _check_goods(goods: Sequence[Commodity]) -> tuple[tuple[str, ...], list[Money]]:
    hs_codes, values = [], []
    for index, line in enumerate(goods):
        hs = (line.hs_code or "").replace(".", "").replace(" ", "")
        if not (hs.isdigit() and 4 <= len(hs) <= 10):
            raise ApplicationError(f"{line.hs_code!r} is not an HS code (4 to 10 digits).", code="invalid_goods",
                                   field=f"goods[{index}].hs_code")
        value = line.value if isinstance(line.unit_value, Money) else None
        if value is None or value.amount < 0:
            raise ApplicationError("The goods' value must be an amount of 0 or more.", code="invalid_goods",
                                   field=f"goods[{index}].value")
        hs_codes.append(hs)
        values.append(value)
    return tuple(hs_codes), values
