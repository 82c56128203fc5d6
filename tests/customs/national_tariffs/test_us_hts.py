"""The US tariff (customs/national_tariffs/us_hts.py): USITC's HTSUS CSV exports (2025 Revision 13 from 22 Apr
2025, 2026 Revision 4 from 25 Feb 2026), their rate texts, the Special-column preferences, the chapter 99 duties by
product, and US quotes through the landed-cost engine (figures read from customs/data/tariffs/, sources in
customs/data/SOURCES.md)."""

from datetime import date
from decimal import Decimal

import pytest

from customs.domain.duty_expression import (
    DutyExpressionError,
    ManualAssessment,
    evaluate,
    parse_duty_expression,
)
from customs.domain.landed_cost import InvalidDate, QuoteLine, QuoteRequest, quote_landed_cost
from customs.domain.origin import OriginDeclaration
from customs.national_tariffs import MODULES, us_hts
from customs.reference import DATA_DIR
from ewtp.money import Money

TARIFFS = DATA_DIR / "tariffs"
TODAY = date(2026, 12, 2)  # after the s.122 surcharge (ended 23 Jul 2026)
REV_13, REV_4 = date(2025, 4, 22), date(2026, 2, 25)


@pytest.fixture(scope="module")
def measures():
    reports = {}
    return us_hts.read_measures(TARIFFS, reports), reports


# A claimed preference is granted only where its rule of origin is met (customs.domain.origin): these tests
# are about the rates, so the goods are declared wholly obtained, which meets every agreement's rule.
RULE_MET = OriginDeclaration(ex_works_price=Decimal(1), currency="USD", wholly_obtained=True)


def by_kind(measures, kind):
    return [m for m in measures if m.kind == kind]


# ---------------------------------------------------------------- the files and the reader

def test_the_module_is_listed_and_reads_both_editions(measures):
    _, reports = measures
    assert us_hts in MODULES and us_hts.DESTINATION == "US"
    assert all((TARIFFS / name).exists() for name in us_hts.FILES)
    assert sorted(reports) == [REV_13, REV_4]


def test_reader_counts_for_2026_revision_4(measures):
    # given the published CSV, when read
    report = measures[1][REV_4]

    # then every national line outside chapter 99 is an MFN line, and each text computes or says why not
    assert report.rows == 35_733
    assert report.national_lines == 23_568
    assert report.mfn_measures == 23_277
    assert report.computable == 22_329  # from value, weight and item count alone
    assert sum(report.manual_shapes.values()) == 478  # rates in words or on parts of the value
    # the rest need a quantity the seller declares (litres 237 lines, pairs 50, ...)
    assert report.mfn_measures - report.computable - sum(report.manual_shapes.values()) == 470
    assert report.needs_quantity["l"] == 237 and report.needs_quantity["pair"] == 50
    # the lines with no rate on them or above are all chapter 98 special provisions
    assert len(report.no_rate) == 291 and all(code.startswith("98") for code in report.no_rate)


def test_every_rate_text_of_both_files_is_read():
    for name in us_hts.FILES[:2]:
        texts = {general for _, general, _, _, _ in us_hts.read_lines(TARIFFS / name) if general}
        for text in texts:
            parse_duty_expression(text)  # raises on a text the grammar does not know
        assert len(texts) > 700


def test_blank_rates_inherit_from_the_8_digit_line(measures):
    # given 6109.10.00 prints 16.5% and its statistical lines print nothing
    mfn = {m.code: m for m in by_kind(measures[0], "mfn")}

    # then the 10-digit lines carry the 8-digit rate and say where it comes from
    assert mfn["6109100012"].expression_text == "16.5%"
    assert mfn["6109100012"].source.endswith("line 6109.10.00")
    assert mfn["8517130000"].expression_text == "Free"  # smartphones
    assert mfn["0409000005"].expression_text == "1.9¢/kg"  # natural honey, a specific rate
    assert mfn["0402999000"].expression_text == "46.3¢/kg + 14.9%"  # a compound rate


def test_a_rate_unchanged_across_editions_is_one_measure_from_the_older_edition(measures):
    shirts = [m for m in by_kind(measures[0], "mfn") if m.code == "6109100012"]
    assert [(m.valid_from, m.valid_to) for m in shirts] == [(REV_13, None)]
    assert "2025 Revision 13 (from 2025-04-22) and 2026 Revision 4 (from 2026-02-25)" in shirts[0].source


def test_preferences_from_the_special_column(measures):
    prefs = {(m.code, m.agreement, m.origin): m for m in by_kind(measures[0], "preference")}
    # 6109.10.00: Free (AU,BH,CL,CO,IL,JO,KR,MA,OM,P,PA,PE,S,SG)
    for party, agreement in (("KR", "KORUS"), ("AU", "AUSFTA"), ("SG", "US-SG-FTA"), ("MX", "USMCA"),
                             ("CA", "USMCA")):
        assert prefs[("61091000", agreement, party)].expression_text == "Free"
    assert ("61091000", "US-JP-TA", "JP") not in prefs  # JP is not printed for T-shirts
    assert prefs[("0602300000", "US-JP-TA", "JP")].expression_text == "Free"
    # "See 9822.04.01-9822.04.03 (AU)": the rate is in chapter 98, not held as a preference
    assert ("02011050", "AUSFTA", "AU") not in prefs


def test_a_staged_korus_rate_ends_with_its_year():
    # 0201.10.50 beef: KORUS 1.7% in 2025 Revision 13, Free in 2026 Revision 4
    beef = sorted((m.valid_from, m.valid_to, m.expression_text) for m in us_hts.read_measures(TARIFFS)
                  if m.kind == "preference" and m.code == "02011050" and m.origin == "KR")
    assert beef == [(REV_13, date(2025, 12, 31), "1.7%"), (REV_4, None, "Free")]


# ---------------------------------------------------------------- chapter 99 by product

def test_chapter99_products_as_listed_in_the_us_notes():
    products = us_hts.read_chapter99_products(TARIFFS / us_hts.CHAPTER99_PRODUCTS)
    counts = {heading: len(rows) for heading, rows in products.items()}
    assert counts["9903.88.01"] == 856 and counts["9903.88.02"] == 283 and counts["9903.88.03"] == 5906
    assert counts["9903.88.15"] == 2963 and counts["9903.91.01"] == 348 and counts["9903.03.03"] == 1098
    assert ("61091000", ()) in products["9903.88.15"]  # cotton T-shirts: List 4A
    assert ("85171300", ()) in products["9903.03.03"]  # smartphones: no s.122 surcharge


def test_chapter99_text_is_read_into_products():
    # given a note as USITC prints it: a table of subheadings, and products with statistical exceptions
    text = ("(s) Heading 9903.88.15 applies to: (i) all products of China that are classified in the following "
            "8-digit subheadings: 0101.21.00  0101.29.00\n 6109.10.00 (ii) the following products of China: 1. Other "
            "printed books, provided for in subheading 4901.99.00, except for such printed matter provided for in "
            "statistical reporting number 4901.99.0040; (t) For the purposes of heading 9903.88.16, ...")
    subdivisions = tuple(s for s in us_hts.SUBDIVISIONS if s[0] == "9903.88.15")

    # when read
    rows = [(r["heading"], r["code"], r["except"]) for r in us_hts.chapter99_products(text, subdivisions)]

    # then the listed subheadings, and the product with the statistical line it excepts
    assert rows == [("9903.88.15", "01012100", ""), ("9903.88.15", "01012900", ""), ("9903.88.15", "61091000", ""),
                    ("9903.88.15", "49019900", "4901990040")]


def test_a_later_section_301_increase_replaces_the_list_duty_from_its_date(measures):
    masks = sorted((m.title, m.expression_text, m.valid_from, m.valid_to) for m in by_kind(measures[0], "additional")
                   if m.code == "6307909870")
    # disposable textile face masks: 25% in 2025 (9903.91.04), 50% from 2026 (9903.91.07); List 4A excepts them
    assert masks == [("Section 301 four-year review increase (9903.91.04)", "25.00%", date(2025, 1, 1),
                      date(2025, 12, 31)),
                     ("Section 301 four-year review increase (9903.91.07)", "50.00%", date(2026, 1, 1), None)]
    chips = [m for m in by_kind(measures[0], "additional") if m.code == "85414200"]
    assert [(m.expression_text, m.origin) for m in chips] == [("50.00%", "CN")]  # not also List 1's 25%


# ---------------------------------------------------------------- quotes

def a_quote(book, fx, code, origin, *, on=TODAY, value="100.00", kg="0.5", claim=False):
    line = QuoteLine(hs_code=code, description="goods", quantity=1, unit_value=Money(Decimal(value), "USD"),
                     net_weight_kg=Decimal(kg), origin=origin, claim_preference=claim,
                     origin_declaration=RULE_MET if claim else None)
    request = QuoteRequest(origin=origin, destination="US", on=on, incoterm="DDP", currency="USD",
                           shipping=Money(Decimal("0"), "USD"), insurance=Money(Decimal("0"), "USD"), lines=[line])
    return quote_landed_cost(book, fx, request)


def test_cotton_t_shirts_from_malaysia_pay_the_general_rate(book, fx):
    quote = a_quote(book, fx, "6109100012", "MY")
    assert quote.lines[0].rule == "mfn" and quote.lines[0].measure == "16.5%"
    assert quote.lines[0].duty == Money(Decimal("16.50"), "USD")


def test_cotton_t_shirts_from_china_add_section_301_list_4a(book, fx):
    # 16.5% + 7.5% (9903.88.15); no IEEPA after 23 Feb 2026, no s.122 after 23 Jul 2026
    quote = a_quote(book, fx, "6109100012", "CN")
    assert quote.lines[0].duty == Money(Decimal("24.00"), "USD")
    assert "Section 301 List 4A (9903.88.15)" in quote.lines[0].reason


def test_in_june_2025_chinese_t_shirts_also_paid_both_ieepa_duties(book, fx):
    # 16.5% + 7.5% List 4A + 20% fentanyl (EO 14228) + 10% reciprocal (from 14 May 2025)
    quote = a_quote(book, fx, "6109100012", "CN", on=date(2025, 6, 2))
    assert quote.lines[0].duty == Money(Decimal("54.00"), "USD")
    assert "2025 Revision 13" in quote.lines[0].source


@pytest.mark.parametrize(("on", "duty"), [
    (date(2026, 2, 23), "35.50"),  # IEEPA reciprocal 19% for Malaysia, its last day
    (date(2026, 2, 24), "26.50"),  # s.122 10% from 24 Feb 2026
    (date(2026, 7, 23), "26.50"),
    (date(2026, 7, 24), "16.50"),  # the 150 days ended; nothing replaces it in the sources held
])
def test_ieepa_then_the_section_122_surcharge_by_date(book, fx, on, duty):
    assert a_quote(book, fx, "6109100012", "MY", on=on).lines[0].duty == Money(Decimal(duty), "USD")


def test_a_product_of_the_s122_exemption_list_pays_no_surcharge(book, fx):
    # smartphones, General Free, listed in U.S. note 2(aa)(ii): nothing on 2 Mar 2026 from Malaysia
    quote = a_quote(book, fx, "8517130000", "MY", on=date(2026, 3, 2), value="500.00")
    assert quote.lines[0].duty == Money(Decimal("0.00"), "USD")


def test_chinese_semiconductors_pay_the_2024_increase(book, fx):
    # 8541.42.00 General Free + 50% (9903.91.02) on 2 Dec 2026
    quote = a_quote(book, fx, "8541420010", "CN")
    assert quote.lines[0].duty == Money(Decimal("50.00"), "USD")


def test_korus_free_t_shirts_claimed_from_korea(book, fx):
    quote = a_quote(book, fx, "6109100012", "KR", claim=True)
    assert quote.lines[0].rule == "preference:KORUS"
    assert quote.lines[0].duty == Money(Decimal("0.00"), "USD")


def test_specific_rate_honey(book, fx):
    # CBP NY N011617 (20 Sep 2007): natural honey 0409.00.00 "1.9 cents per kilogram"; 20 kg -> USD 0.38
    quote = a_quote(book, fx, "0409000005", "MY", kg="20")
    assert quote.lines[0].measure == "1.9¢/kg"
    assert quote.lines[0].duty == Money(Decimal("0.38"), "USD")


def test_a_us_quote_before_the_first_edition_held_is_an_invalid_date(book, fx):
    with pytest.raises(InvalidDate) as error:
        a_quote(book, fx, "6109100012", "MY", on=date(2025, 4, 21))
    assert error.value.code == "invalid_date"
    assert "2025-04-22 onwards" in str(error.value)


def test_every_hs_2022_subheading_has_a_us_rate(book):
    coverage = book.coverage("US", TODAY)
    assert coverage.without_rate == ()
    assert coverage.first_date == REV_13


# ---------------------------------------------------------------- US rate texts

@pytest.mark.parametrize(("text", "value", "quantities", "expected"), [
    ("Free", "100", {}, "0"),
    ("6.5%", "100", {}, "6.50"),
    ("2.4¢/kg", "100", {"kg": "10"}, "0.24"),
    ("$1.25/kg + 3%", "100", {"kg": "2"}, "5.50"),
    ("37.5¢/kg + 2.2%", "100", {"kg": "2"}, "2.95"),
    ("5¢/doz.", "100", {"item": "24"}, "0.10"),
    ("$1.035/liter", "100", {"l": "2"}, "2.07"),
    ("10¢ each + 4%", "100", {"item": "3"}, "4.30"),
    ("89.6¢/1000", "100", {"item": "2000"}, "1.792"),
    # proof litres: 1 l at 40% vol = 0.8 proof litres
    ("$2.50/pf.liter", "100", {"l": "1", "alcohol_pct_vol": "40"}, "2.00"),
    ("$2.50/pf.liter", "100", {"l": "1"}, "manual: needs l_proof"),
    ("20¢/pr. + 12.5%", "100", {}, "manual: needs pair"),
    ("2.5% on the case + 5.3% on the battery", "100", {}, "manual: does not split the value"),
    ("The rate applicable to each garment in the ensemble if separately entered", "100", {}, "manual: another"),
])
def test_us_rate_texts(text, value, quantities, expected):
    result = evaluate(parse_duty_expression(text), customs_value=Money(Decimal(value), "USD"),
                      quantities={k: Decimal(v) for k, v in quantities.items()}, fx=None)
    if expected.startswith("manual: "):
        assert isinstance(result, ManualAssessment) and expected.removeprefix("manual: ") in result.reason
    else:
        assert result == Money(Decimal(expected), "USD")


def test_nonsense_is_still_refused():
    with pytest.raises(DutyExpressionError):
        parse_duty_expression("twelve cents")


def test_a_6_digit_code_takes_the_additional_duties_every_line_under_it_carries(book, fx):
    # every line of 6109.10 is on List 4A: the 6-digit code pays it too
    shirts = a_quote(book, fx, "610910", "CN")
    assert shirts.lines[0].duty == Money(Decimal("24.00"), "USD")
    # 8517.62: some statistical lines on List 3 (9903.88.04), the others on List 4A: the full code is needed
    routers = a_quote(book, fx, "851762", "CN")
    assert routers.lines[0].rule == "manual_assessment"
    assert "different additional duties" in routers.lines[0].reason
