"""The ECB's euro foreign exchange reference rates, read from its published XML files.

Two shapes share one grammar:

    eurofxref-daily.xml   Envelope / Cube / Cube[@time] (one day)  / Cube[@currency, @rate]
    eurofxref-hist.xml    the same, with one Cube[@time] per working day, newest first

Parsing is pure (bytes in, snapshots out) and strict: a file that is not exactly that shape
is refused with `ApplicationError(code="invalid_fx_file")`, never half-read, because a wrong
rate silently mis-prices every cart. Rates stay the decimal strings the ECB printed
(`Decimal("0.86780")`), never floats. The XML goes through defusedxml with DTDs forbidden:
the ECB's files have none, so any DTD (entity bombs, external entities) is an attack.

The only I/O here is `load_shipped_snapshots()`, which reads the files under `payments/data/`, and
`fetch(url)`, which downloads a file for `payments.services.fx_refresh`.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import NoReturn
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ewtp.exceptions import ApplicationError, TransientError
from ewtp.money import FxTable

SOURCE_NAME = "ECB euro foreign exchange reference rates"
SHIPPED_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SHIPPED_FILE_GLOB = "eurofxref-daily-*.xml"

# The full history since 1999 is about 7 MB; anything far larger is not an ECB file.
MAX_FILE_BYTES = 32 * 1024 * 1024

# Plain decimals only, as the ECB prints them: no sign, exponent, NaN/Infinity or comma.
_RATE_PATTERN = re.compile(r"\d{1,12}(\.\d{1,12})?")
_CURRENCY_PATTERN = re.compile(r"[A-Z]{3}")
_DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")


class FxSourceUnavailable(TransientError):
    """The rate file's server did not answer, or answered 5xx or 429: the fetch is tried again later."""


def fetch(url: str, *, timeout: float = 30) -> bytes:
    """The file at an http(s) `url`, at most MAX_FILE_BYTES."""
    if not url.startswith(("https://", "http://")):
        raise ApplicationError(f"Rates are fetched over http(s), not from {url!r}.", code="invalid_fx_source")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (the operator's URL)
            data = response.read(MAX_FILE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        if exc.code >= 500 or exc.code == 429:
            raise FxSourceUnavailable(f"{url} answered {exc.code}") from exc
        raise ApplicationError(f"{url} answered {exc.code}.", code="invalid_fx_source") from exc
    except (urllib.error.URLError, OSError) as exc:  # refused, unresolved, timed out
        raise FxSourceUnavailable(f"{url} could not be read: {exc}") from exc
    if len(data) > MAX_FILE_BYTES:
        raise ApplicationError(f"{url} is larger than any ECB file.", code="invalid_fx_file")
    return data


@dataclass(frozen=True)
class EcbSnapshot:
    """One ECB publication day: how many units of each currency one euro bought."""

    as_of: date
    rates_per_eur: dict[str, Decimal]

    @property
    def source(self) -> str:
        return f"{SOURCE_NAME}, {self.as_of.isoformat()}"

    def to_fx_table(self) -> FxTable:
        return FxTable(dict(self.rates_per_eur), as_of=self.as_of, source=self.source)


def parse_ecb_xml(data: bytes) -> list[EcbSnapshot]:
    """Every day in an ECB daily or history file, newest first."""
    root = _parse_xml(data)
    if _local_name(root) != "Envelope":
        _refuse(f"the root element is <{_local_name(root)}>, not the ECB's <gesmes:Envelope>")
    outer_cubes = [child for child in root if _local_name(child) == "Cube"]
    if len(outer_cubes) != 1:
        _refuse(f"expected one <Cube> holding the days, found {len(outer_cubes)}")

    snapshots: dict[date, EcbSnapshot] = {}
    for day_cube in outer_cubes[0]:
        snapshot = _parse_day(day_cube)
        if snapshot.as_of in snapshots:
            _refuse(f"the day {snapshot.as_of.isoformat()} appears twice")
        snapshots[snapshot.as_of] = snapshot
    if not snapshots:
        _refuse("the file holds no <Cube time='...'> day")
    return sorted(snapshots.values(), key=lambda snapshot: snapshot.as_of, reverse=True)


def parse_ecb_daily_xml(data: bytes) -> EcbSnapshot:
    """The one day in an `eurofxref-daily.xml` file; a multi-day file is refused."""
    snapshots = parse_ecb_xml(data)
    if len(snapshots) != 1:
        _refuse(f"a daily file holds one day, this one holds {len(snapshots)}")
    return snapshots[0]


def parse_ecb_hist_xml(data: bytes) -> list[EcbSnapshot]:
    """All days of an `eurofxref-hist.xml` (or `-hist-90d.xml`) file, newest first."""
    return parse_ecb_xml(data)


def snapshot_on(snapshots: Iterable[EcbSnapshot], day: date) -> EcbSnapshot | None:
    """The rates in force on `day`: that day's, or the last published before it.

    The ECB publishes on TARGET working days only, so a Saturday uses Friday's rates.
    None when every snapshot is later than `day`.
    """
    earlier = [snapshot for snapshot in snapshots if snapshot.as_of <= day]
    return max(earlier, key=lambda snapshot: snapshot.as_of, default=None)


def load_shipped_snapshots(data_dir: Path = SHIPPED_DATA_DIR) -> list[EcbSnapshot]:
    """Every `eurofxref-daily-<date>.xml` shipped with the app, newest first.

    The date in the file name must match the day inside, so a misnamed file is caught.
    """
    snapshots = []
    for path in sorted(data_dir.glob(SHIPPED_FILE_GLOB)):
        snapshot = parse_ecb_daily_xml(path.read_bytes())
        named_day = path.stem.removeprefix("eurofxref-daily-")
        if named_day != snapshot.as_of.isoformat():
            _refuse(f"{path.name} holds the rates of {snapshot.as_of.isoformat()}")
        snapshots.append(snapshot)
    return sorted(snapshots, key=lambda snapshot: snapshot.as_of, reverse=True)


def _parse_xml(data: bytes) -> Element:
    if not isinstance(data, bytes | bytearray):
        raise TypeError("pass the file's bytes, not a decoded string")
    if len(data) > MAX_FILE_BYTES:
        _refuse(f"the file is {len(data):,} bytes; an ECB file is far smaller")
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        _refuse(f"the file declares a DTD or entities, which ECB files never do ({type(exc).__name__})")
    except ParseError as exc:
        _refuse(f"not well-formed XML: {exc}")


def _parse_day(day_cube: Element) -> EcbSnapshot:
    if _local_name(day_cube) != "Cube" or "time" not in day_cube.attrib:
        _refuse("each day must be a <Cube time='YYYY-MM-DD'>")
    as_of = _parse_date(day_cube.attrib["time"])
    rates: dict[str, Decimal] = {}
    for rate_cube in day_cube:
        currency, rate = _parse_rate(rate_cube, as_of)
        if currency in rates:
            _refuse(f"{currency} appears twice on {as_of.isoformat()}")
        rates[currency] = rate
    if not rates:
        _refuse(f"the day {as_of.isoformat()} has no rates")
    return EcbSnapshot(as_of=as_of, rates_per_eur=rates)


def _parse_date(text: str) -> date:
    try:
        if not _DATE_PATTERN.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        _refuse(f"the day {text!r} is not a date in the form YYYY-MM-DD")


def _parse_rate(rate_cube: Element, as_of: date) -> tuple[str, Decimal]:
    currency = rate_cube.attrib.get("currency", "")
    rate_text = rate_cube.attrib.get("rate", "")
    if _local_name(rate_cube) != "Cube" or not currency or not rate_text:
        _refuse(f"on {as_of.isoformat()}, each rate must be a <Cube currency='XXX' rate='1.2345'/>")
    if not _CURRENCY_PATTERN.fullmatch(currency):
        _refuse(f"on {as_of.isoformat()}, {currency!r} is not an ISO 4217 currency code")
    if currency == "EUR":
        _refuse(f"on {as_of.isoformat()}, the file quotes EUR against itself")
    if not _RATE_PATTERN.fullmatch(rate_text):
        _refuse(f"on {as_of.isoformat()}, the {currency} rate {rate_text!r} is not a plain decimal number")
    rate = Decimal(rate_text)
    if rate <= 0:
        _refuse(f"on {as_of.isoformat()}, the {currency} rate {rate_text!r} is not positive")
    return currency, rate


def _local_name(element: Element) -> str:
    # "{http://www.ecb.int/vocabulary/2002-08-01/eurofxref}Cube" -> "Cube"; mirrors that drop
    # the namespace are accepted, since the structure, not the namespace, carries the meaning.
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.rsplit("}", 1)[-1]


def _refuse(reason: str) -> NoReturn:
    raise ApplicationError(f"Not a valid ECB reference-rate file: {reason}.", code="invalid_fx_file", field="file")
