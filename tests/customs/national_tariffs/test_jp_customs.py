"""Japan's customs tariff (customs/national_tariffs/jp_customs.py): the files it reads, the applied-MFN rule, the
translation of Japanese rate texts, and quotes worked from Japan Customs' schedule (editions of 1 Apr 2025 and
after; figures read from customs/data/tariffs/jp-customs-tariff-*.csv, made from the scrape named in SOURCES.md)."""

from datetime import date
from decimal import Decimal

import pytest

from customs.domain.landed_cost import InvalidDate, QuoteLine, QuoteRequest, quote_landed_cost
from customs.domain.origin import OriginDeclaration
from customs.national_tariffs import MODULES, jp_customs
from customs.reference import DATA_DIR
from ewtp.money import Money

TARIFFS = DATA_DIR / "tariffs"
ON = date(2026, 1, 15)  # the 1 Jan 2026 edition
ON_2025 = date(2025, 6, 2)  # the 1 Apr 2025 edition


# A claimed preference is granted only where its rule of origin is met (customs.domain.origin): these tests
# are about the rates, so the goods are declared wholly obtained, which meets every agreement's rule.
RULE_MET = OriginDeclaration(ex_works_price=Decimal(1), currency="JPY", wholly_obtained=True)


def quote(book, fx, code, origin, *, value="100000", claim=False, on=ON, kg="1", **supplementary):
    line = QuoteLine(hs_code=code, description="goods", quantity=1, unit_value=Money(Decimal(value), "JPY"),
                     net_weight_kg=Decimal(kg), origin=origin, claim_preference=claim,
                     origin_declaration=RULE_MET if claim else None,
                     supplementary={k: Decimal(v) for k, v in supplementary.items()})
    request = QuoteRequest(origin=origin, destination="JP", on=on, incoterm="DDP", currency="JPY",
                           shipping=Money(Decimal(0), "JPY"), insurance=Money(Decimal(0), "JPY"), lines=[line])
    return quote_landed_cost(book, fx, request)


# ---------------------------------------------------------------- the files and the reader

def test_the_module_is_listed_and_reads_every_edition():
    assert jp_customs in MODULES
    assert jp_customs.DESTINATION == "JP"
    for name in jp_customs.FILES:
        assert (TARIFFS / name).exists()
    editions = jp_customs.read_editions(TARIFFS)
    assert [d.isoformat() for d in editions] == ["2025-04-01", "2026-01-01", "2026-04-01", "2026-07-09"]


def test_reader_counts_for_the_1_april_2025_edition():
    rows = jp_customs.read_csv(TARIFFS / "jp-customs-tariff-2025-04-01.csv")
    _, counts = jp_customs.build_measures({date(2025, 4, 1): rows})
    count = counts[date(2025, 4, 1)]
    # every 9-digit line of chapters 1-97; 97% of them with an MFN rate the engine computes
    assert count.lines == 9655
    assert count.mfn_computable == 9346
    assert count.mfn_manual == 309
    assert count.preference_cells["rcep_cn"] == 7990
    assert count.measures["RCEP"] > count.measures["CPTPP"] > count.measures["AJCEP"] > 0


def test_measures_hold_from_the_edition_date_and_end_where_the_next_edition_starts():
    measures = jp_customs.read_measures(TARIFFS)
    tea = [m for m in measures if m.kind == "mfn" and m.code == "090210000"]
    assert [(m.expression_text, m.valid_from, m.valid_to) for m in tea] == [("17.00%", date(2025, 4, 1), None)]
    assert "WTO rate" in tea[0].source and "2025-04-01" in tea[0].source
    assert min(m.valid_from for m in measures) == date(2025, 4, 1)
    assert all(m.destination == "JP" for m in measures)
    assert not any(m.expression_text.startswith(jp_customs.MANUAL) for m in measures)


# ---------------------------------------------------------------- the applied-rate rule and translations

@pytest.mark.parametrize("rates, expected", [
    # green tea 0902.10: general 20%, WTO 17%, no temporary rate -> the lower WTO rate
    ({"基本": "20%", "暫定": "", "WTO協定": "17%"}, ("17.00%", "wto")),
    # a temporary rate replaces the general rate; the WTO rate applies only where lower
    ({"基本": "10%", "暫定": "8.5%", "WTO協定": "(8.5%)"}, ("8.50%", "temporary")),
    ({"基本": "20%", "暫定": "5%", "WTO協定": "12%"}, ("5.00%", "temporary")),
    # a WTO rate in parentheses is bound but does not apply
    ({"基本": "無税", "暫定": "", "WTO協定": "(無税)〜(10.8%)"}, ("0.00%", "general")),
    ({"基本": "40%", "暫定": "", "WTO協定": "*(341円/kg)"}, ("40.00%", "general")),
    # the WTO rate is lower in every part of the same formula
    ({"基本": "35%+1,204円/kg", "WTO協定": "29.8%+1,023円/kg"}, ("29.80% + 1023.00 JPY / kg", "wto")),
])
def test_applied_mfn_rule(rates, expected):
    assert jp_customs.applied_mfn(rates) == expected


def test_applied_mfn_is_manual_where_the_lower_rate_cannot_be_told():
    text, basis = jp_customs.applied_mfn({"基本": "15円/kg", "WTO協定": "3%"})
    assert text.startswith(jp_customs.MANUAL) and "cannot tell which is lower" in text


@pytest.mark.parametrize("printed, expression", [
    ("無税", "0.00%"),
    ("17%", "17.00%"),
    ("4,300円/足", "4300.00 JPY / pair"),
    ("84.91円/kl", "84.91 JPY / 1000 l"),
    ("29.8%又は23円/kgのうちいずれか高い税率", "29.80% MIN 23.00 JPY / kg"),
    ("2%又は1.6%＋0.55円/㎡のうちいずれか高い税率", "2.00% MIN 1.60% + 0.55 JPY / m2"),
    ("10.3%又は85.94円/lのうちいずれか低い税率\nただしその税率が46.06円/lを下回る場合は46.06円/l",
     "10.30% MIN 46.06 JPY / l MAX 85.94 JPY / l"),
    ("9.3%又は7.19円/kgのうちいずれか高い税率（ただしその税率が50%を上回る場合は50%とする）",
     "9.30% MIN 7.19 JPY / kg MAX 50.00%"),
])
def test_japanese_rate_texts_become_duty_expressions(printed, expression):
    assert jp_customs.translate(printed) == expression


@pytest.mark.parametrize("printed", [
    "関税割当数量以内のもの\u3000無税",  # in-quota rate: needs a quota allocation
    "（524円×1.004-課税価格）/kg又は58円/kgのうちいずれか低い税率",  # gate-price formula on the customs value
    "●無税又は非譲許", "◎無税", "◆2", "無税〜(2.7%)", "1.50円/枚",
])
def test_texts_that_cannot_be_translated_faithfully_give_no_rate(printed):
    assert jp_customs.translate(printed) is None


def test_a_line_printed_once_per_season_becomes_a_seasonal_manual_assessment(book, fx):
    # 0812.90.200: WTO 16% from 1 Jun to 30 Nov, 32% from 1 Dec to 31 May
    result = quote(book, fx, "081290200", "US")
    assert result.lines[0].rule == "manual_assessment"
    assert "16.00% (01 JUN-30 NOV)" in result.lines[0].reason and "32.00% (01 DEC-31 MAY)" in result.lines[0].reason


# ---------------------------------------------------------------- golden quotes

def test_green_tea_from_china_pays_the_wto_rate_rcep_has_no_china_concession(book, fx):
    # 0902.10.000 green tea in packings of 3 kg or less: general 20%, WTO 17%; the RCEP China column is empty
    result = quote(book, fx, "090210000", "CN", claim=True)
    line = result.lines[0]
    assert (line.rule, line.measure, line.duty) == ("mfn", "17.00%", Money(Decimal("17000"), "JPY"))
    assert "no preferential rate is held" in line.reason


def test_thai_green_tea_takes_the_lowest_of_jtepa_ajcep_and_rcep(book, fx):
    # JTEPA free, AJCEP 5.3%, RCEP (ASEAN/AU/NZ) 5.3%, MFN 17% -> JTEPA
    lookup = book.lookup("JP", "090210000", ON, "TH")
    offered = {(m.agreement, m.expression_text) for m in lookup.preferences}
    assert {("JTEPA", "0.00%"), ("AJCEP", "5.30%"), ("RCEP", "5.30%")} <= offered
    result = quote(book, fx, "090210000", "TH", claim=True)
    assert result.lines[0].rule == "preference:JTEPA"
    assert result.duty == Money(Decimal("0"), "JPY")


def test_rcep_rates_differ_by_origin_party(book, fx):
    # 0901.21 roasted coffee: MFN 12% (WTO); RCEP for China and for ASEAN/AU/NZ 8.3% (1 Apr 2025 edition), cut
    # to 7.5% on 1 Apr 2026; no Korea concession
    cn = quote(book, fx, "090121000", "CN", claim=True, on=ON_2025)
    kr = quote(book, fx, "090121000", "KR", claim=True, on=ON_2025)
    assert (cn.lines[0].rule, cn.lines[0].measure) == ("preference:RCEP", "8.30%")
    assert (kr.lines[0].rule, kr.lines[0].measure) == ("mfn", "12.00%")
    later = quote(book, fx, "090121000", "CN", claim=True, on=date(2026, 8, 3))
    assert later.lines[0].measure == "7.50%"


def test_a_free_line(book, fx):
    # 0901.11 coffee, not roasted, not decaffeinated: general rate free
    result = quote(book, fx, "090111000", "BR")
    assert (result.lines[0].rule, result.lines[0].measure, result.duty) == ("mfn", "0.00%", Money(Decimal(0), "JPY"))


def test_a_compound_rate_uses_the_net_weight(book, fx):
    # 1702.90.510 sugar syrups: WTO 29.8% or 23 JPY/kg, whichever is higher; 1,000 kg at JPY 50,000:
    # 29.8% is JPY 14,900, 23 JPY/kg is JPY 23,000 -> JPY 23,000
    result = quote(book, fx, "170290510", "US", value="50000", kg="1000")
    assert result.lines[0].measure == "29.80% MIN 23.00 JPY / kg"
    assert result.duty == Money(Decimal("23000"), "JPY")


def test_a_date_before_the_first_edition_is_refused(book, fx):
    with pytest.raises(InvalidDate, match="2025-04-01 onwards"):
        quote(book, fx, "090210000", "US", on=date(2025, 3, 31))


def test_no_measure_for_a_line_without_a_faithful_rate(book, fx):
    # 0203.11.031 pork carcasses under the gate-price system (difference between the standard import price and
    # the customs value): no MFN measure, the engine answers manual assessment
    assert book.lookup("JP", "020311031", ON).mfn is None
    assert "\n020311031,manual: temporary rate" in (TARIFFS / "jp-customs-tariff-2026-01-01.csv").read_text(encoding="utf-8")
    result = quote(book, fx, "020311031", "US")
    assert result.lines[0].rule == "manual_assessment"
