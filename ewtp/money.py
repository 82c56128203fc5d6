"""Money and currency conversion: Decimal amounts with an ISO 4217 currency, never floats.

Amounts keep full precision while a calculation runs; `Money.rounded()` rounds to the
currency's minor unit (ROUND_HALF_UP) at the edges: a line total, a tax, a payment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# ISO 4217 minor units for the currencies the platform quotes in; everything else has 2.
MINOR_UNITS: dict[str, int] = {"JPY": 0, "KRW": 0, "VND": 0, "IDR": 2, "CLP": 0, "ISK": 0, "HUF": 2}


class CurrencyMismatch(ValueError):
    pass


def minor_units(currency: str) -> int:
    return MINOR_UNITS.get(currency, 2)


_QUANTA: dict[str, Decimal] = {}


def quantum(currency: str) -> Decimal:
    """The currency's smallest unit (0.01, or 1 for JPY), made once per currency: hot paths round often."""
    found = _QUANTA.get(currency)
    if found is None:
        found = _QUANTA[currency] = Decimal(1).scaleb(-minor_units(currency))
    return found


def to_decimal(value: object) -> Decimal:
    """Parse a decimal from a string/int/Decimal; floats are refused (they are not exact)."""
    if isinstance(value, float):
        raise TypeError("floats are not accepted for money; pass a string or Decimal")
    try:
        result = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not a decimal number: {value!r}") from exc
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            object.__setattr__(self, "amount", to_decimal(self.amount))
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise ValueError(f"not an ISO 4217 currency code: {self.currency!r}")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    @classmethod
    def checked_already(cls, amount: Decimal, currency: str) -> Money:
        """A Money from a Decimal and a currency code the caller has already validated, without
        validating them again: for hot loops (the landed-cost engine), where that was a fifth of
        a single-line quote's time."""
        money = object.__new__(cls)
        _set_amount(money, amount)
        _set_currency(money, currency)
        return money

    def _check(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, float):
            raise TypeError("multiply money by a Decimal or int, not a float")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._check(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._check(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._check(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._check(other)
        return self.amount >= other.amount

    def rounded(self) -> Money:
        return Money(self.amount.quantize(quantum(self.currency), rounding=ROUND_HALF_UP), self.currency)

    def is_zero(self) -> bool:
        return self.amount == 0

    def as_json(self) -> dict[str, str]:
        """The API's money shape: the amount as a string rounded to the minor unit."""
        return {"amount": str(self.amount.quantize(quantum(self.currency), ROUND_HALF_UP)), "currency": self.currency}

    def __str__(self) -> str:
        return f"{self.rounded().amount:,} {self.currency}"


def has_too_many_decimals(amount: Decimal, currency: str) -> bool:
    return amount != amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class FxRate:
    """How many units of `quote` one unit of `base` buys, on a date, from a source."""

    base: str
    quote: str
    rate: Decimal
    as_of: date
    source: str


class FxTable:
    """Reference rates quoted against EUR (the ECB's convention); conversions go through EUR.

    Pure and in memory: the payments app loads it from the ECB files and caches it.
    """

    def __init__(self, rates_per_eur: dict[str, Decimal], as_of: date, source: str) -> None:
        self.rates_per_eur = {"EUR": Decimal(1), **rates_per_eur}
        self.as_of = as_of
        self.source = source

    def supports(self, currency: str) -> bool:
        return currency in self.rates_per_eur

    def rate(self, base: str, quote: str) -> FxRate:
        if base == quote:
            return FxRate(base, quote, Decimal(1), self.as_of, self.source)
        try:
            per_eur_base = self.rates_per_eur[base]
            per_eur_quote = self.rates_per_eur[quote]
        except KeyError as exc:
            raise CurrencyMismatch(f"no reference rate for {exc.args[0]}") from exc
        return FxRate(base, quote, per_eur_quote / per_eur_base, self.as_of, self.source)

    def convert(self, money: Money, to_currency: str) -> Money:
        """Converted at full precision; round at the edge with `.rounded()`."""
        return Money(money.amount * self.rate(money.currency, to_currency).rate, to_currency)


# The slot setters of the frozen Money, for Money.checked_already only.
_set_amount = Money.amount.__set__
_set_currency = Money.currency.__set__
