"""The HTSUS 2026 Revision 4 reader, its rate texts, and US quotes through the landed-cost engine."""

from datetime import date
from decimal import Decimal

import pytest

from customs.domain.duty_expression import (
    DutyExpressionError,
    ManualAssessment,
    evaluate,
    parse_duty_expression,
)
from customs.domain.landed_cost import QuoteLine, QuoteRequest, quote_landed_cost
from customs.national_tariffs import us_hts
from customs.reference import DATA_DIR
from ewtp.exceptions import ApplicationError
from ewtp.money import Money

TARIFFS = DATA_DIR / "tariffs"
TODAY = date(2026, 12, 2)


@pytest.fixture(scope="module")
def report():
    found = us_hts.ReadReport()
    measures = us_hts.read_measures(TARIFFS, found)
    return found, measures


def test_reader_counts(report):
    # given the published CSV, when read
    found, measures = report

    # then every national line outside chapter 99 is an MFN line, and each text computes or says why not
    assert found.rows == 35_733
    assert found.national_lines == 23_568
    assert found.mfn_measures == 23_277
    assert found.computable == 22_329  # from value, weight and item count alone
    assert sum(found.manual_shapes.values()) == 478  # rates in words or on parts of the value
    # the rest need a quantity the seller declares (litres 237 lines, drained weight 55, pairs 50, ...)
    assert found.mfn_measures - found.computable - sum(found.manual_shapes.values()) == 470
    assert found.needs_quantity["l"] == 237 and found.needs_quantity["pair"] == 50
    # the lines with no rate on them or above are all chapter 98 special provisions
    assert len(found.no_rate) == 291 and all(code.startswith("98") for code in found.no_rate)
    assert not any(m.code.startswith("99") for m in measures)


def test_every_rate_text_of_the_file_is_read():
    texts = {general for _, general, _, _, _ in us_hts.read_lines(TARIFFS / us_hts.FILE) if general}
    for text in texts:
        parse_duty_expression(text)  # raises on a text the grammar does not know
    assert len(texts) > 700


def test_blank_rates_inherit_from_the_parent_line(report):
    # given 6109.10.00 prints 16.5% and its statistical lines print nothing
    _, measures = report
    by_code = {m.code: m for m in measures if m.kind == "mfn"}

    # then the 10-digit lines carry the 8-digit rate and say where it comes from
    assert by_code["6109100012"].expression_text == "16.5%"
    assert by_code["6109100012"].source.endswith("line 6109.10.00")
    assert by_code["0409000005"].expression_text == "1.9¢/kg"


def test_preferences_from_the_special_column(report):
    _, measures = report
    prefs = {(m.code, m.agreement, m.origin): m.expression_text for m in measures if m.kind == "preference"}
    assert prefs[("61091000", "KORUS", "KR")] == "Free"
    assert prefs[("61091000", "USMCA", "MX")] == "Free"
    assert prefs[("61091000", "US-SG-FTA", "SG")] == "Free"
    assert ("61091000", "US-JP-TA", "JP") not in prefs  # JP is not printed for T-shirts


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


def a_quote(book, fx, code, origin, *, on=TODAY, value="100.00", kg="0.5", claim=False):
    line = QuoteLine(hs_code=code, description="goods", quantity=1, unit_value=Money(Decimal(value), "USD"),
                     net_weight_kg=Decimal(kg), origin=origin, claim_preference=claim)
    request = QuoteRequest(origin=origin, destination="US", on=on, incoterm="DDP", currency="USD",
                           shipping=Money(Decimal("0"), "USD"), insurance=Money(Decimal("0"), "USD"), lines=[line])
    return quote_landed_cost(book, fx, request)


def test_golden_cotton_t_shirts_from_malaysia_pay_the_general_rate(book, fx):
    # HTSUS 6109.10.00 cotton T-shirts, General 16.5% (USITC HTS; CBP rulings on 6109.10.0012 state 16.5%)
    quote = a_quote(book, fx, "6109100012", "MY")
    assert quote.lines[0].rule == "mfn" and quote.lines[0].measure == "16.5%"
    assert quote.lines[0].duty == Money(Decimal("16.50"), "USD")


def test_golden_cotton_t_shirts_from_china_add_section_301_list_4a(book, fx):
    # 16.5% + 7.5% (9903.88.15, List 4A); no IEEPA after 23 Feb 2026, no s.122 after 23 Jul 2026
    quote = a_quote(book, fx, "6109100012", "CN")
    assert quote.lines[0].duty == Money(Decimal("24.00"), "USD")
    assert "Section 301 List 4A" in quote.lines[0].reason


def test_the_section_122_surcharge_applies_between_24_feb_and_23_jul_2026(book, fx):
    during = a_quote(book, fx, "6109100012", "MY", on=date(2026, 3, 2))
    assert during.lines[0].duty == Money(Decimal("26.50"), "USD")  # 16.5% + 10%
    after = a_quote(book, fx, "6109100012", "MY", on=date(2026, 7, 24))
    assert after.lines[0].duty == Money(Decimal("16.50"), "USD")


def test_golden_korus_free_t_shirts_claimed_from_korea(book, fx):
    quote = a_quote(book, fx, "6109100012", "KR", claim=True)
    assert quote.lines[0].rule == "preference:KORUS"
    assert quote.lines[0].duty == Money(Decimal("0"), "USD")


def test_golden_specific_rate_honey(book, fx):
    # CBP NY N011617 (20 Sep 2007): natural honey 0409.00.00 "1.9 cents per kilogram"; 20 kg -> USD 0.38
    quote = a_quote(book, fx, "0409000005", "MY", kg="20")
    assert quote.lines[0].measure == "1.9¢/kg"
    assert quote.lines[0].duty == Money(Decimal("0.38"), "USD")


def test_a_us_quote_before_revision_4_is_an_invalid_date(book, fx):
    with pytest.raises(ApplicationError) as error:
        a_quote(book, fx, "6109100012", "MY", on=date(2026, 2, 24))
    assert error.value.code == "invalid_date"
