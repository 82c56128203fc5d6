"""VND reference rates: the State Bank of Vietnam's central rate, crossed through the ECB's USD rate."""

from datetime import date
from decimal import Decimal

import pytest

from ewtp.exceptions import ApplicationError
from ewtp.money import Money
from payments.integrations import sbv
from payments.integrations.ecb import load_shipped_snapshots

HEADER = "date,currency,units_per_usd,publisher,reported_by\n"


def test_the_shipped_file_holds_the_published_central_rates():
    rates = sbv.load_shipped_rates()
    # SBV central rate, as reported by the Ministry of Finance's newspaper on each day
    assert [(r.as_of, r.currency, r.units_per_usd) for r in rates] == [
        (date(2025, 10, 9), "VND", Decimal("25130")),
        (date(2025, 10, 21), "VND", Decimal("25099")),
    ]
    assert all("State Bank of Vietnam" in r.publisher and "thoibaotaichinhvietnam.vn" in r.reported_by for r in rates)


def test_every_shipped_ecb_day_gets_a_vnd_rate_of_the_same_day():
    rates = sbv.load_shipped_rates()
    for snapshot in load_shipped_snapshots():
        per_eur, notes = sbv.cross_rates_per_eur(rates, on=snapshot.as_of, usd_per_eur=snapshot.rates_per_eur["USD"])
        assert set(per_eur) == {"VND"}
        assert f"of {snapshot.as_of.isoformat()} (" in notes[0]


def test_vnd_per_eur_is_the_central_rate_times_the_ecb_usd_rate():
    rates = sbv.load_shipped_rates()
    per_eur, notes = sbv.cross_rates_per_eur(rates, on=date(2025, 10, 21), usd_per_eur=Decimal("1.1607"))
    assert per_eur == {"VND": Decimal("29132.4093")}  # 25,099 x 1.1607, exact
    assert notes == ["VND: State Bank of Vietnam central rate of 2025-10-21 (25099 VND/USD)"
                     " x ECB USD of 2025-10-21 (1.1607)"]


def test_a_weekend_uses_the_last_central_rate_but_a_stale_one_is_not_used():
    rates = sbv.load_shipped_rates()
    saturday, _ = sbv.cross_rates_per_eur(rates, on=date(2025, 10, 25), usd_per_eur=Decimal("1.16"))
    assert saturday == {"VND": Decimal("25099") * Decimal("1.16")}
    stale, notes = sbv.cross_rates_per_eur(rates, on=date(2025, 11, 3), usd_per_eur=Decimal("1.16"))
    assert stale == {} and notes == []
    before_any, _ = sbv.cross_rates_per_eur(rates, on=date(2025, 10, 1), usd_per_eur=Decimal("1.16"))
    assert before_any == {}


@pytest.mark.parametrize("body, reason", [
    ("2025-10-21,VND,25099,SBV\n", "fields"),
    ("2025-13-01,VND,25099,SBV,paper\n", "date"),
    ("2025-10-21,VND,-1,SBV,paper\n", "positive decimal"),
    ("2025-10-21,VND,2.5e4,SBV,paper\n", "positive decimal"),
    ("2025-10-21,EUR,0.86,SBV,paper\n", "currency"),
    ("2025-10-21,VND,25099,,paper\n", "publisher"),
    ("2025-10-21,VND,25099,SBV,paper\n2025-10-21,VND,25100,SBV,paper\n", "twice"),
    ("", "no rate"),
])
def test_a_malformed_file_is_refused_whole(body, reason):
    with pytest.raises(ApplicationError) as excinfo:
        sbv.parse_usd_rates_csv((HEADER + body).encode())
    assert excinfo.value.code == "invalid_fx_file" and reason in excinfo.value.message


def test_a_file_with_other_columns_is_refused():
    with pytest.raises(ApplicationError, match="columns"):
        sbv.parse_usd_rates_csv(b"date,rate\n2025-10-21,25099\n")


@pytest.mark.django_db
def test_the_loaded_fx_table_converts_vnd(reference_data):
    from ewtp.fx import fx_table

    fx_table.cache_clear()
    table = fx_table(date(2025, 10, 21))
    assert table.supports("VND") and table.rate("EUR", "VND").rate == Decimal("29132.4093")
    # USD -> VND comes back to the central rate itself
    assert table.rate("USD", "VND").rate == Decimal("25099")
    assert table.convert(Money(Decimal("100"), "USD"), "VND").rounded() == Money(Decimal("2509900"), "VND")
    assert "State Bank of Vietnam central rate of 2025-10-21" in table.source
    assert table.rate("EUR", "GBP").rate == Decimal("0.86780")  # the ECB's own figures are untouched
    assert fx_table(date(2025, 10, 9)).rate("EUR", "VND").rate == Decimal("29178.4430")
