"""Issue 12 regimes and agreements: CN cross-border e-commerce retail import for consumers, the Singapore
low-value test on goods only, Thailand's low-value measures by date, and why each preference was rejected."""

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from customs.domain.landed_cost import QuoteLine, QuoteRequest, quote_landed_cost
from customs.domain.origin import OriginDeclaration
from ewtp.money import Money

# goods whose origin is not in question: wholly obtained in the origin country
WHOLLY_OBTAINED = OriginDeclaration(ex_works_price=Decimal(1), currency="EUR", wholly_obtained=True)

ON = date(2026, 1, 15)


def money(amount: str, currency: str) -> Money:
    return Money(Decimal(amount), currency)


def a_line(code, value, currency, *, origin="JP", quantity=1, claim=False):
    return QuoteLine(hs_code=code, description="goods", quantity=quantity, unit_value=money(value, currency),
                     net_weight_kg=Decimal("0.5"), origin=origin, claim_preference=claim,
                     origin_declaration=WHOLLY_OBTAINED if claim else None)


def a_request(destination, lines, *, origin="JP", on=ON, shipping="0", consumer=False, ytd=None):
    currency = lines[0].unit_value.currency
    return QuoteRequest(origin=origin, destination=destination, on=on, incoterm="DDP", currency=currency,
                        shipping=money(shipping, currency), insurance=money("0", currency), lines=lines,
                        buyer_is_consumer=consumer, consumer_year_to_date=ytd)


# cotton T-shirts from Japan to China: MFN duty, VAT 13% in general trade
TSHIRT = "6109100000"


def test_cbec_within_limits_has_no_duty_and_vat_at_70_percent(book, fx):
    # given a consumer buying CNY 1,000 of T-shirts + CNY 100 freight, CNY 3,000 bought this year
    request = a_request("CN", [a_line(TSHIRT, "1000.00", "CNY")], shipping="100.00", consumer=True,
                        ytd=money("3000.00", "CNY"))
    # when quoted
    quote = quote_landed_cost(book, fx, request)
    # then no duty, VAT 13% x 70% = 9.1% on the dutiable price 1,100 = 100.10, withheld at import
    assert quote.duty == money("0.00", "CNY")
    assert [(t.rate, t.base, t.amount, t.collected) for t in quote.taxes] == [
        (Decimal("9.1"), money("1100.00", "CNY"), money("100.10", "CNY"), "border")]
    assert quote.lines[0].reason.startswith("CN_CBEC")
    assert any(s.startswith("CN_CBEC applies: the buyer is a consumer") and "2018 No. 49" in s
               for s in quote.explanation)


def test_business_buyer_pays_general_trade(book, fx):
    consumer = quote_landed_cost(book, fx, a_request("CN", [a_line(TSHIRT, "1000.00", "CNY")], consumer=True))
    business = quote_landed_cost(book, fx, a_request("CN", [a_line(TSHIRT, "1000.00", "CNY")]))
    assert business.lines[0].rule != "de_minimis"  # the CN tariff line decides (manual where not held)
    assert business.taxes[0].rate == Decimal("13")
    assert consumer.total_duties_and_taxes.amount < business.total_duties_and_taxes.amount
    assert any(s.startswith("General trade applies: the buyer is a business") for s in business.explanation)


@pytest.mark.parametrize(("value", "ytd", "why"), [
    ("5000.01", None, "per transaction"),
    ("1000.00", "25000.01", "annual limit of 26,000 CNY"),
])
def test_cbec_above_a_limit_is_general_trade(book, fx, value, ytd, why):
    request = a_request("CN", [a_line(TSHIRT, value, "CNY")], consumer=True,
                        ytd=money(ytd, "CNY") if ytd else None)
    quote = quote_landed_cost(book, fx, request)
    general = quote_landed_cost(book, fx, dataclasses.replace(request, buyer_is_consumer=False))
    assert quote.lines == general.lines and quote.lines[0].rule != "de_minimis"
    assert quote.taxes == general.taxes and quote.taxes[0].rate == Decimal("13")
    assert any(s.startswith("General trade applies: the consumer") and why in s for s in quote.explanation)


def test_cbec_at_exactly_the_limits_still_applies(book, fx):
    quote = quote_landed_cost(book, fx, a_request("CN", [a_line(TSHIRT, "5000.00", "CNY")], consumer=True,
                                                  ytd=money("21000.00", "CNY")))
    assert quote.duty == money("0.00", "CNY") and quote.taxes[0].amount == money("455.00", "CNY")


def test_cbec_2016_limits_before_2019(book, fx):
    request = a_request("CN", [a_line(TSHIRT, "3000.00", "CNY")], consumer=True, on=date(2018, 6, 1))
    quote = quote_landed_cost(book, fx, request)
    assert any("2,000 CNY per transaction" in s for s in quote.explanation)


def test_sg_low_value_test_is_on_goods_without_transport(book, fx):
    # given S$390 of goods + S$35 transport: CIF 425 is above S$400 but the goods are not
    request = a_request("SG", [a_line(TSHIRT, "390.00", "SGD")], shipping="35.00")
    quote = quote_landed_cost(book, fx, request)
    # then the OVR low-value regime applies: GST at sale on goods + delivery, no border GST
    assert quote.lines[0].reason.startswith("SG_LVG")
    assert [(t.amount, t.collected) for t in quote.taxes] == [(money("38.25", "SGD"), "at_sale")]
    over = quote_landed_cost(book, fx, a_request("SG", [a_line(TSHIRT, "400.01", "SGD")]))
    assert all(t.collected == "border" for t in over.taxes)


@pytest.mark.parametrize(("on", "duty_free", "vat"), [
    (date(2024, 7, 4), True, False),  # before Customs Notification 116/2567: no duty, no VAT
    (date(2024, 7, 5), True, True),  # VAT on low-value imports, duty still waived
    (date(2025, 12, 31), True, True),  # extended to 31 December 2025 (Notification 232/2567)
    (date(2026, 1, 1), False, True),  # Notification 219/2568: duty and VAT from the first baht
])
def test_th_low_value_measures_by_date(book, fx, on, duty_free, vat):
    quote = quote_landed_cost(book, fx, a_request("TH", [a_line(TSHIRT, "1000.00", "THB")], on=on))
    assert quote.de_minimis.duty_applied is duty_free
    assert bool(quote.taxes) is vat


def test_preference_reason_names_each_agreement_rejected(book, fx):
    # Japanese green tea from Viet Nam: CPTPP 0% chosen; RCEP and others rejected with their reason
    request = a_request("JP", [a_line("0902100000", "100000", "JPY", origin="VN", claim=True)], origin="VN")
    quote = quote_landed_cost(book, fx, request)
    line = quote.lines[0]
    assert line.rule.startswith("preference:")
    assert "rejected: " in line.reason
    rejected = line.reason.split("rejected: ", 1)[1]
    assert "not lower than" in rejected
    chosen = line.rule.split(":", 1)[1]
    assert f"{chosen} " not in rejected.split(" not lower than ")[0]


def test_no_preference_claimed_keeps_the_plain_mfn_reason(book, fx):
    quote = quote_landed_cost(book, fx, a_request("GB", [a_line("01012990", "100.00", "GBP", origin="US")],
                                                  origin="US", shipping="200.00"))
    assert "rejected" not in quote.lines[0].reason


def test_thai_green_tea_into_japan_names_the_agreements_rejected(book, fx):
    # given green tea from Thailand, claimed: JTEPA 0.00%, RCEP 5.30%, AJCEP 5.30% (MFN 17%)
    request = a_request("JP", [a_line("0902100000", "100000", "JPY", origin="TH", claim=True)], origin="TH")
    # when quoted
    line = quote_landed_cost(book, fx, request).lines[0]
    # then JTEPA is chosen and the others are named with why
    assert (line.rule, line.duty) == ("preference:JTEPA", money("0", "JPY"))
    assert "rejected: RCEP 5.30% not lower than JTEPA 0.00%; AJCEP 5.30% not lower than JTEPA 0.00%" in line.reason
