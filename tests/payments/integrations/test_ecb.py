"""The ECB reference-rate files: the shipped snapshots, conversions through EUR, bad files."""

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ewtp.exceptions import ApplicationError
from ewtp.money import Money
from payments.integrations.ecb import (
    MAX_FILE_BYTES,
    SHIPPED_DATA_DIR,
    EcbSnapshot,
    load_shipped_snapshots,
    parse_ecb_daily_xml,
    parse_ecb_hist_xml,
    snapshot_on,
)

LATEST_FILE = SHIPPED_DATA_DIR / "eurofxref-daily-2025-10-21.xml"
EARLIER_FILE = SHIPPED_DATA_DIR / "eurofxref-daily-2025-10-09.xml"

ENVELOPE_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" '
    'xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">\n'
    "<gesmes:subject>Reference rates</gesmes:subject>\n"
    "<gesmes:Sender><gesmes:name>European Central Bank</gesmes:name></gesmes:Sender>\n"
)
ENVELOPE_CLOSE = "</gesmes:Envelope>\n"


def ecb_file(days_xml: str, prologue: str = "") -> bytes:
    """An ECB-shaped document around the given day cubes (optionally with a DTD before it)."""
    head = ENVELOPE_OPEN if not prologue else ENVELOPE_OPEN.replace("?>\n", "?>\n" + prologue + "\n", 1)
    return (head + "<Cube>\n" + days_xml + "</Cube>\n" + ENVELOPE_CLOSE).encode()


def day(time: str, rates: str = "<Cube currency='USD' rate='1.1607'/>") -> str:
    return f"<Cube time='{time}'>{rates}</Cube>\n"


def day_block(path: Path) -> str:
    """The <Cube time=...>...</Cube> block of a shipped daily file, as text."""
    return re.search(r"<Cube time='.*?</Cube>", path.read_text(), re.DOTALL).group(0) + "\n"


@pytest.fixture(scope="module")
def latest() -> EcbSnapshot:
    return parse_ecb_daily_xml(LATEST_FILE.read_bytes())


# --- the shipped snapshot -----------------------------------------------------------------


def test_shipped_file_holds_the_thirty_currencies_the_ecb_published_that_day(latest):
    # given the shipped file for 21 October 2025 (see payments/data/SOURCES.md)
    # then
    assert latest.as_of == date(2025, 10, 21)
    assert len(latest.rates_per_eur) == 30
    assert all(isinstance(rate, Decimal) for rate in latest.rates_per_eur.values())


@pytest.mark.parametrize(
    ("currency", "printed_rate"),
    [("USD", "1.1607"), ("GBP", "0.86780"), ("JPY", "176.45"), ("CNY", "8.2626"), ("MYR", "4.9086"),
     ("IDR", "19272.67"), ("KRW", "1660.38"), ("BGN", "1.9558")],
)
def test_shipped_rates_are_the_decimal_strings_the_ecb_printed(latest, currency, printed_rate):
    # then the trailing zero of 0.86780 survives: the rate was never a float
    assert str(latest.rates_per_eur[currency]) == printed_rate


@pytest.mark.parametrize(
    "currency",
    ["USD", "GBP", "JPY", "CNY", "MYR", "SGD", "AUD", "CAD", "THB", "KRW", "IDR", "PLN", "CHF", "SEK",
     "CZK", "DKK", "HUF", "NOK", "HKD", "INR", "NZD"],
)
def test_every_platform_currency_has_a_rate(latest, currency):
    assert latest.to_fx_table().supports(currency)


def test_shipped_snapshots_load_newest_first_and_match_their_file_names():
    # when
    snapshots = load_shipped_snapshots()
    # then
    assert [snapshot.as_of for snapshot in snapshots] == [date(2025, 10, 21), date(2025, 10, 9)]
    assert snapshots[1].rates_per_eur["USD"] == Decimal("1.1611")


def test_a_misnamed_shipped_file_is_refused(tmp_path):
    # given the 21 October rates saved under another day's name
    (tmp_path / "eurofxref-daily-2025-10-22.xml").write_bytes(LATEST_FILE.read_bytes())
    # when / then
    with pytest.raises(ApplicationError) as caught:
        load_shipped_snapshots(tmp_path)
    assert caught.value.code == "invalid_fx_file"


# --- conversions through EUR --------------------------------------------------------------


def test_table_carries_the_ecb_date_and_source(latest):
    # when
    rate = latest.to_fx_table().rate("CNY", "GBP")
    # then
    assert rate.as_of == date(2025, 10, 21)
    assert rate.source == "ECB euro foreign exchange reference rates, 2025-10-21"


def test_cross_rate_goes_through_eur(latest):
    # when a Chinese seller's price is shown to a British buyer
    table = latest.to_fx_table()
    # then GBP per CNY = (GBP per EUR) / (CNY per EUR)
    assert table.rate("CNY", "GBP").rate == Decimal("0.86780") / Decimal("8.2626")
    assert table.convert(Money(Decimal("100.00"), "CNY"), "GBP").rounded() == Money(Decimal("10.50"), "GBP")


@pytest.mark.parametrize(
    ("amount", "source", "target", "expected"),
    [
        ("10.00", "EUR", "JPY", "1765"),  # 1764.50: half rounds up, and yen has no decimals
        ("1.00", "USD", "JPY", "152"),  # 152.02
        ("10.00", "EUR", "KRW", "16604"),  # 16603.8: won has no decimals either
        ("1000", "JPY", "EUR", "5.67"),  # 5.6673
        ("1000", "JPY", "CNY", "46.83"),  # 46.8269
        ("199.99", "USD", "MYR", "845.76"),  # 845.7577
        ("250.00", "MYR", "SGD", "76.71"),  # 76.7072
        ("12.34", "GBP", "GBP", "12.34"),
    ],
)
def test_conversions_round_to_the_target_currency_minor_unit(latest, amount, source, target, expected):
    # when
    converted = latest.to_fx_table().convert(Money(Decimal(amount), source), target).rounded()
    # then
    assert converted == Money(Decimal(expected), target)
    assert converted.as_json() == {"amount": expected, "currency": target}


CURRENCIES = sorted(parse_ecb_daily_xml(LATEST_FILE.read_bytes()).rates_per_eur) + ["EUR"]
AMOUNTS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10000000"), places=2)


@given(amount=AMOUNTS, source=st.sampled_from(CURRENCIES), target=st.sampled_from(CURRENCIES))
def test_the_price_is_the_same_whichever_way_it_is_converted(latest, amount, source, target):
    # given a price, converted directly and via an explicit stop in euros
    table = latest.to_fx_table()
    direct = table.convert(Money(amount, source), target)
    via_eur = table.convert(table.convert(Money(amount, source), "EUR"), target)
    # then they agree far below a minor unit, and a round trip gives the price back
    assert abs(direct.amount - via_eur.amount) <= direct.amount * Decimal("1e-20")
    back = table.convert(direct, source)
    assert abs(back.amount - amount) <= amount * Decimal("1e-20")


@given(smaller=AMOUNTS, extra=AMOUNTS, target=st.sampled_from(CURRENCIES))
def test_a_dearer_price_never_converts_to_a_cheaper_one(latest, smaller, extra, target):
    table = latest.to_fx_table()
    low = table.convert(Money(smaller, "CNY"), target).rounded()
    high = table.convert(Money(smaller + extra, "CNY"), target).rounded()
    assert Decimal(0) <= low.amount <= high.amount


# --- history files and dated conversions --------------------------------------------------


@pytest.fixture(scope="module")
def history() -> list[EcbSnapshot]:
    # the two shipped days in the eurofxref-hist.xml layout, newest first as the ECB writes it
    return parse_ecb_hist_xml(ecb_file(day_block(LATEST_FILE) + day_block(EARLIER_FILE)))


def test_history_file_yields_one_snapshot_per_day(history):
    assert [snapshot.as_of for snapshot in history] == [date(2025, 10, 21), date(2025, 10, 9)]
    assert all(len(snapshot.rates_per_eur) == 30 for snapshot in history)


@pytest.mark.parametrize(
    ("on", "expected_as_of", "expected_usd"),
    [
        (date(2025, 10, 9), date(2025, 10, 9), "116.11"),
        (date(2025, 10, 11), date(2025, 10, 9), "116.11"),  # a Saturday: Thursday's rates still rule
        (date(2025, 10, 21), date(2025, 10, 21), "116.07"),
        (date(2026, 1, 5), date(2025, 10, 21), "116.07"),
    ],
)
def test_a_dated_conversion_uses_the_rates_in_force_that_day(history, on, expected_as_of, expected_usd):
    # when
    snapshot = snapshot_on(history, on)
    converted = snapshot.to_fx_table().convert(Money(Decimal("100.00"), "EUR"), "USD").rounded()
    # then
    assert snapshot.as_of == expected_as_of
    assert converted == Money(Decimal(expected_usd), "USD")


def test_no_rates_before_the_first_published_day(history):
    assert snapshot_on(history, date(2025, 10, 8)) is None


def test_the_daily_parser_refuses_a_history_file():
    with pytest.raises(ApplicationError) as caught:
        parse_ecb_daily_xml(ecb_file(day_block(LATEST_FILE) + day_block(EARLIER_FILE)))
    assert caught.value.code == "invalid_fx_file"


@given(
    rates=st.dictionaries(
        keys=st.from_regex(r"[A-Z]{3}", fullmatch=True).filter(lambda code: code != "EUR"),
        values=st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("99999"), places=4),
        min_size=1,
        max_size=40,
    )
)
def test_any_well_formed_day_reads_back_exactly(rates):
    # given a day written the way the ECB writes it
    cubes = "".join(f"<Cube currency='{code}' rate='{rate}'/>" for code, rate in rates.items())
    # when
    snapshot = parse_ecb_daily_xml(ecb_file(day("2025-10-21", cubes)))
    # then every rate, down to its trailing zeros, is what was written
    assert {code: str(rate) for code, rate in snapshot.rates_per_eur.items()} == {
        code: str(rate) for code, rate in rates.items()
    }


# --- bad files ------------------------------------------------------------------------------

BILLION_LAUGHS = (
    '<!DOCTYPE gesmes:Envelope [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">\n' for n in range(1, 10))
    + "]>"
)
EXTERNAL_ENTITY = '<!DOCTYPE gesmes:Envelope [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"USD,1.1607\nJPY,176.45\n", id="csv-not-xml"),
        pytest.param(b"<html><body>Service unavailable</body></html>", id="an-error-page"),
        pytest.param(ecb_file(day("2025-10-21"))[:-30], id="truncated"),
        pytest.param(b"<Cube><Cube time='2025-10-21'><Cube currency='USD' rate='1.1'/></Cube></Cube>",
                     id="no-envelope"),
        pytest.param(ecb_file(""), id="no-day"),
        pytest.param(ecb_file("<Cube><Cube currency='USD' rate='1.1607'/></Cube>"), id="no-cube-time"),
        pytest.param(ecb_file(day("")), id="empty-time"),
        pytest.param(ecb_file(day("21/10/2025")), id="time-not-iso"),
        pytest.param(ecb_file(day("2025-13-01")), id="time-impossible"),
        pytest.param(ecb_file(day("2025-10-21", "")), id="day-without-rates"),
        pytest.param(ecb_file(day("2025-10-21") + day("2025-10-21")), id="same-day-twice"),
        pytest.param(ecb_file(day("2025-10-21", "<Cube currency='USD' rate='abc'/>")), id="rate-not-numeric"),
        pytest.param(ecb_file(day("2025-10-21", "<Cube currency='USD' rate='-1.1607'/>")), id="rate-negative"),
        pytest.param(ecb_file(day("2025-10-21", "<Cube currency='USD' rate='0'/>")), id="rate-zero"),
        pytest.param(ecb_file(day("2025-10-21", "<Cube currency='USD' rate='0.0000'/>")), id="rate-zero-decimals"),
        pytest.param(ecb_file(day("2025-10-21", "<Cube currency='USD' rate='NaN'/>")), id="rate-nan"),
        pytest.param(ecb_file(day("2025-10-21", "<Cube currency='USD' rate='Infinity'/>")), id="rate-infinite"),
        pytest.param(ecb_file(day("2025-10-21", "<Cube currency='USD' rate='1e3'/>")), id="rate-exponent"),
        pytest.param(ecb_file(day("2025-10-21", "<Cube currency='USD' rate='1,1607'/>")), id="rate-decimal-comma"),
        pytest.param(ecb_file(day("2025-10-21", "<Cube currency='USD' rate=''/>")), id="rate-empty"),
        pytest.param(ecb_file(day("2025-10-21", "<Cube currency='USD'/>")), id="rate-missing"),
        pytest.param(ecb_file(day("2025-10-21", "<Cube currency='usd' rate='1.1607'/>")), id="currency-lowercase"),
        pytest.param(ecb_file(day("2025-10-21", "<Cube currency='US' rate='1.1607'/>")), id="currency-short"),
        pytest.param(ecb_file(day("2025-10-21", "<Cube rate='1.1607'/>")), id="currency-missing"),
        pytest.param(ecb_file(day("2025-10-21", "<Cube currency='EUR' rate='1'/>")), id="eur-against-itself"),
        pytest.param(
            ecb_file(day("2025-10-21", "<Cube currency='USD' rate='1.1607'/><Cube currency='USD' rate='1.2'/>")),
            id="currency-twice",
        ),
        pytest.param(ecb_file(day("2025-10-21", "<Rate currency='USD' rate='1.1607'/>")), id="unknown-element"),
        pytest.param(ecb_file(day("2025-10-21", "<Cube currency='USD' rate='&lol9;'/>"), BILLION_LAUGHS),
                     id="billion-laughs"),
        pytest.param(ecb_file(day("2025-10-21", "<Cube currency='USD' rate='&secret;'/>"), EXTERNAL_ENTITY),
                     id="external-entity"),
        pytest.param(ecb_file(day("2025-10-21"), "<!DOCTYPE gesmes:Envelope>"), id="any-dtd"),
    ],
)
def test_a_malformed_file_is_refused_with_a_clear_error(data):
    with pytest.raises(ApplicationError) as caught:
        parse_ecb_hist_xml(data)
    assert caught.value.code == "invalid_fx_file"
    assert caught.value.field == "file"
    assert caught.value.message.startswith("Not a valid ECB reference-rate file: ")


def test_an_oversized_file_is_refused_before_it_is_parsed():
    # given a file padded past the limit with whitespace (valid XML, but no ECB file is that big)
    padded = ecb_file(day("2025-10-21")) + b" " * MAX_FILE_BYTES
    # when / then
    with pytest.raises(ApplicationError) as caught:
        parse_ecb_daily_xml(padded)
    assert caught.value.code == "invalid_fx_file"


def test_the_refusal_reaches_the_api_as_a_400_with_the_error_shape():
    with pytest.raises(ApplicationError) as caught:
        parse_ecb_daily_xml(ecb_file(day("2025-10-21", "<Cube currency='USD' rate='abc'/>")))
    assert caught.value.status_code == 400
    body = caught.value.as_json()["error"]
    assert body["code"] == "invalid_fx_file"
    assert "'abc'" in body["message"] and "USD" in body["message"]


def test_a_namespace_free_mirror_of_the_feed_is_read():
    # given the same day without the xmlns declarations, as some mirrors serve it
    data = (
        b"<Envelope><Cube><Cube time='2025-10-21'>"
        b"<Cube currency='USD' rate='1.1607'/><Cube currency='JPY' rate='176.45'/>"
        b"</Cube></Cube></Envelope>"
    )
    # when
    snapshot = parse_ecb_daily_xml(data)
    # then
    assert snapshot.rates_per_eur == {"USD": Decimal("1.1607"), "JPY": Decimal("176.45")}
