"""The duty-expression parser over the whole UK/EU tariff file, and evaluation table by table."""

import csv
from datetime import date
from decimal import Decimal

import pytest

from customs.domain.duty_expression import (
    DutyExpressionError,
    ManualAssessment,
    evaluate,
    parse_duty_expression,
)
from customs.reference import DATA_DIR
from ewtp.money import FxTable, Money

TARIFF = DATA_DIR / "tariffs" / "uk-global-tariff-2021.csv"
FX = FxTable({"GBP": Decimal("0.8")}, date(2026, 1, 14), "test rates")  # 1 EUR = 0.80 GBP


def distinct_expressions() -> set[str]:
    with open(TARIFF, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {row[column] for row in rows for column in ("cet_duty_rate", "ukgt_duty_rate")}


def test_every_duty_expression_in_the_tariff_file_is_read():
    # given every distinct text of both duty columns
    texts = distinct_expressions()

    # when each is parsed
    unread = []
    for text in texts:
        try:
            parse_duty_expression(text)
        except DutyExpressionError as error:
            unread.append((text, str(error)))

    # then none is left over
    assert len(texts) == 801
    assert unread == []


def test_every_expression_either_computes_or_says_why_not():
    # given every expression and generous quantities for every unit
    quantities = {key: Decimal("3") for key in (
        "kg", "kg_gross", "kg_drained", "kg_dry_matter", "kg_standard_quality", "kg_lactic_matter",
        "kg_dry_lactic_matter", "kg_total_alcohol", "sucrose_pct", "hl", "alcohol_pct_vol", "item", "m", "m2")}

    for text in distinct_expressions():
        # when evaluated
        result = evaluate(parse_duty_expression(text), customs_value=Money(Decimal("100"), "GBP"),
                          quantities=quantities, fx=FX)

        # then it is an amount >= 0, or a manual assessment with a reason
        if isinstance(result, ManualAssessment):
            assert result.reason
        else:
            assert result.currency == "GBP" and result.amount >= 0, text


EVALUATIONS = [
    # (expression, customs value GBP, quantities, expected GBP or "manual: <fragment>")
    # HMRC trade-tariff-duty-calculator spec/services/expression_evaluators/ad_valorem_spec.rb:
    # customs value 10 + 10 + 10 at 8.00% -> "8.00% * £30.00" = £2.40
    ("8.00%", "30.00", {}, "2.40"),
    ("12.0%", "512.00", {}, "61.44"),
    ("0.0%", "999.00", {}, "0"),
    ("0.20 GBP/ item", "50", {"item": "10"}, "2.00"),
    ("127.00 GBP/ 1000 items", "50", {"item": "2000"}, "254.00"),
    ("13.10 EUR / hl", "50", {"hl": "2"}, "20.96"),  # 26.20 EUR at 0.80
    ("26.00 GBP/hl", "50", {"l": "75"}, "19.50"),  # litres stand in for hectolitres
    ("27.10 EUR / 100 kg", "50", {"kg": "200"}, "43.36"),
    ("1,024.00 EUR / tonne", "50", {"kg": "500"}, "409.60"),
    ("0.50 GBP/%vol/hl + 2.60 GBP/hl", "50", {"hl": "2", "alcohol_pct_vol": "40"}, "45.20"),
    # compound with a ceiling: 6.2% of 100 + 27.10 EUR x 1 = 6.20 + 21.68 = 27.88, capped at 17.90% = 17.90
    ("6.20% + 27.10 EUR / 100 kg MAX 17.90%", "100", {"kg": "100"}, "17.90"),
    ("6.20% + 27.10 EUR / 100 kg MAX 17.90%", "1000", {"kg": "10"}, "64.168"),
    # the floor: 5% of 2 = 0.10 < 0.17 EUR x 10 items = 1.36 GBP
    ("5.00% MIN 0.17 EUR / item", "2", {"item": "10"}, "1.36"),
    # MIN and MAX with their own specific components
    ("0.50 EUR / item MIN 2.70% MAX 4.60%", "100", {"item": "20"}, "4.60"),
    ("11.20% MIN 22.00 EUR / 100 kg MAX 56.00 EUR / 100 kg", "1000", {"kg": "100"}, "44.80"),
    ("7.90% + 54.00 EUR / 100 kg MAX 17.80% + 6.90 EUR / 100 kg", "100", {"kg": "100"}, "23.32"),
    ("24 + 4.2 EUR/100 kg", "100", {"kg": "100"}, "27.36"),  # the file omits the % of "24"
    ("0.40 EUR / 100 kg /net/ % sacchar.", "10", {"kg": "100", "sucrose_pct": "50"}, "16.00"),
    ("Entry Price", "100", {}, "manual: entry price"),
    ("8.00% (01 NOV - 14 MAY), 14.00% (15 MAY - 31 OCT)", "100", {}, "manual: seasonal"),
    ("9.00% +  EA MAX 18.70%  + ADSZ", "100", {}, "manual: Meursing"),
    ("13.10 EUR / hl", "100", {}, "manual: needs hl"),
    ("3.00% MIN 1.20 EUR / 100 kg / gross", "100", {"kg": "5"}, "manual: needs kg_gross"),
    ("42.00 GBP/100kg mas", "100", {"kg": "5"}, "manual: needs kg_dry_matter"),
]


@pytest.mark.parametrize(("text", "value", "quantities", "expected"), EVALUATIONS)
def test_evaluate(text, value, quantities, expected):
    # given a parsed expression
    expression = parse_duty_expression(text)

    # when evaluated on a GBP customs value
    result = evaluate(expression, customs_value=Money(Decimal(value), "GBP"),
                      quantities={k: Decimal(v) for k, v in quantities.items()}, fx=FX)

    # then the duty, or the reason it needs a person
    if expected.startswith("manual: "):
        assert isinstance(result, ManualAssessment)
        assert expected.removeprefix("manual: ") in result.reason
    else:
        assert result == Money(Decimal(expected), "GBP")


@pytest.mark.parametrize(("text", "on", "season_rate"), [
    ("8.00% (01 NOV - 14 MAY), 14.00% (15 MAY - 31 OCT)", date(2026, 1, 15), "8.00%"),
    ("8.00% (01 NOV - 14 MAY), 14.00% (15 MAY - 31 OCT)", date(2026, 7, 1), "14.00%"),
    ("4.00% (01 JAN-31 MAR, 01-31 DEC), 5.10% (01 JUN-30 NOV)", date(2026, 12, 24), "4.00%"),
    ("11.20% (01 JAN-31 APR, 01 AUG-31 DEC), 12.80% MIN 2.4€/100kg/net (01 MAY-31 JUL)", date(2026, 4, 30), "11.20%"),
    ("9.60% MIN 1.1\xa0€/100\xa0kg/net (01 JAN-14 APR, 1 DEC-31 DEC), 13.60% MIN 1.6€/100kg/net",
     date(2026, 6, 1), "13.60% MIN 1.6 EUR/100kg/net"),
])
def test_seasonal_rates_are_read_with_their_periods(text, on, season_rate):
    # when a seasonal expression is parsed
    expression = parse_duty_expression(text)

    # then the season in force on a date is known, though the duty is left to manual assessment
    assert expression.season_on(on).expression.text == season_rate
    assert expression.needs_manual_assessment


@pytest.mark.parametrize("text", ["", "twelve percent", "5% + ", "12 GBP/parsec", "5% MAX"])
def test_nonsense_is_refused(text):
    with pytest.raises(DutyExpressionError):
        parse_duty_expression(text)
