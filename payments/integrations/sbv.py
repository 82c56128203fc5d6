"""Reference rates for currencies the ECB does not quote, published against the US dollar.

Today one publisher and one currency: the State Bank of Vietnam's daily **central rate** of the
dong (VND per 1 USD). The ECB quotes every other destination currency the platform sells to
(THB, MYR, IDR, KRW, CNY, AUD, CAD, ...), but not VND, so a VND price or duty needs a second
source. The FX table is quoted per EUR, so a VND rate is crossed through the ECB's own USD rate
of the same day: VND per EUR = (VND per USD, SBV) x (USD per EUR, ECB). Both figures and both
dates stay in the rate set's source text.

The shipped file `payments/data/sbv-central-rate-vnd-usd.csv` holds one row per SBV day:

    date,currency,units_per_usd,publisher,reported_by

Parsing is pure and strict like `payments.integrations.ecb`: a malformed row refuses the whole
file (`ApplicationError(code="invalid_fx_file")`), rates stay decimal strings, never floats.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import NoReturn

from ewtp.exceptions import ApplicationError

SHIPPED_FILE = Path(__file__).resolve().parent.parent / "data" / "sbv-central-rate-vnd-usd.csv"
SOURCE_NAME = "State Bank of Vietnam central rate"
COLUMNS = ("date", "currency", "units_per_usd", "publisher", "reported_by")

# A USD-quoted rate older than this is not crossed with a newer ECB day: the dong moves daily.
MAX_AGE = timedelta(days=7)

_RATE_PATTERN = re.compile(r"\d{1,12}(\.\d{1,12})?")
_CURRENCY_PATTERN = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True)
class UsdQuotedRate:
    """One publication day: how many units of `currency` one US dollar bought."""

    as_of: date
    currency: str
    units_per_usd: Decimal
    publisher: str
    reported_by: str


def parse_usd_rates_csv(data: bytes) -> list[UsdQuotedRate]:
    """Every row of the file, oldest first; one row per (currency, day)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        _refuse("the file is not UTF-8 text")
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        _refuse(f"expected the columns {', '.join(COLUMNS)}")
    rates: dict[tuple[str, date], UsdQuotedRate] = {}
    for line, row in enumerate(reader, start=2):
        rate = _parse_row(row, line)
        key = (rate.currency, rate.as_of)
        if key in rates:
            _refuse(f"line {line}: {rate.currency} on {rate.as_of.isoformat()} appears twice")
        rates[key] = rate
    if not rates:
        _refuse("the file holds no rate")
    return sorted(rates.values(), key=lambda rate: (rate.as_of, rate.currency))


def load_shipped_rates(path: Path = SHIPPED_FILE) -> list[UsdQuotedRate]:
    return parse_usd_rates_csv(path.read_bytes())


def cross_rates_per_eur(rates: Iterable[UsdQuotedRate], *, on: date,
                        usd_per_eur: Decimal) -> tuple[dict[str, Decimal], list[str]]:
    """Per-EUR rates for the ECB day `on`, crossed through that day's ECB USD rate.

    Each currency uses its latest USD-quoted rate on or before `on`, at most MAX_AGE old; a
    currency with none is left out (quotes in it then fail as unsupported, never guessed).
    Returns the rates and one source note per currency.
    """
    latest: dict[str, UsdQuotedRate] = {}
    for rate in rates:
        if on - MAX_AGE <= rate.as_of <= on:
            held = latest.get(rate.currency)
            if held is None or rate.as_of > held.as_of:
                latest[rate.currency] = rate
    per_eur, notes = {}, []
    for currency, rate in sorted(latest.items()):
        per_eur[currency] = rate.units_per_usd * usd_per_eur
        notes.append(f"{currency}: {SOURCE_NAME} of {rate.as_of.isoformat()} ({rate.units_per_usd} {currency}/USD)"
                     f" x ECB USD of {on.isoformat()} ({usd_per_eur})")
    return per_eur, notes


def _parse_row(row: dict, line: int) -> UsdQuotedRate:
    if None in row or any(value is None for value in row.values()):
        _refuse(f"line {line}: expected {len(COLUMNS)} fields")
    try:
        as_of = date.fromisoformat(row["date"].strip())
    except ValueError:
        _refuse(f"line {line}: {row['date']!r} is not a YYYY-MM-DD date")
    currency = row["currency"].strip()
    if not _CURRENCY_PATTERN.fullmatch(currency) or currency in ("EUR", "USD"):
        _refuse(f"line {line}: {currency!r} is not a currency this file can add")
    units = row["units_per_usd"].strip()
    if not _RATE_PATTERN.fullmatch(units) or Decimal(units) <= 0:
        _refuse(f"line {line}: {units!r} is not a positive decimal rate")
    publisher, reported_by = row["publisher"].strip(), row["reported_by"].strip()
    if not publisher or not reported_by:
        _refuse(f"line {line}: every rate names its publisher and where it was read")
    return UsdQuotedRate(as_of, currency, Decimal(units), publisher, reported_by)


def _refuse(reason: str) -> NoReturn:
    raise ApplicationError(f"Not a USD-quoted reference-rate file: {reason}.", code="invalid_fx_file")
