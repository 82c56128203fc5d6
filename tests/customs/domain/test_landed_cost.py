"""The landed-cost engine on the real tariff book: rules by date, errors (authorities' worked examples are in
tests/customs/golden/)."""

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

import pytest

from customs.domain.landed_cost import Explanation, QuoteLine, QuoteRequest, quote_landed_cost
from customs.domain.origin import OriginDeclaration
from ewtp.exceptions import ApplicationError
from ewtp.money import Money

# goods whose origin is not in question: wholly obtained in the origin country
WHOLLY_OBTAINED = OriginDeclaration(ex_works_price=Decimal(1), currency="EUR", wholly_obtained=True)

ON = date(2026, 1, 15)


def money(amount: str, currency: str) -> Money:
    return Money(Decimal(amount), currency)


def a_line(code="6109100010", value="5.00", currency="GBP", quantity=1, origin="CN", claim=False, kg="0.5",
           **supplementary):
    return QuoteLine(hs_code=code, description="goods", quantity=quantity, unit_value=money(value, currency),
                     net_weight_kg=Decimal(kg), origin=origin, claim_preference=claim,
                     origin_declaration=WHOLLY_OBTAINED if claim else None,
                     supplementary={k: Decimal(v) for k, v in supplementary.items()})


def a_request(destination, lines, *, origin="CN", on=ON, currency=None, shipping="0", insurance="0",
              incoterm="DDP", cost_currency=None):
    cost_currency = cost_currency or lines[0].unit_value.currency
    return QuoteRequest(origin=origin, destination=destination, on=on, incoterm=incoterm,
                        currency=currency or cost_currency, shipping=money(shipping, cost_currency),
                        insurance=money(insurance, cost_currency), lines=lines)


def test_gb_over_135_pays_duty_and_import_vat_at_the_border(book, fx):
    # 100 T-shirts at £5 + £12 shipping: customs value 512.00, duty 12% = 61.44, VAT 20% x 573.44 = 114.69
    quote = quote_landed_cost(book, fx, a_request("GB", [a_line(quantity=100)], shipping="12.00"))
    assert (quote.customs_value, quote.duty) == (money("512.00", "GBP"), money("61.44", "GBP"))
    assert [(t.amount, t.collected) for t in quote.taxes] == [(money("114.69", "GBP"), "border")]
    assert quote.landed_cost == money("688.13", "GBP")


@pytest.mark.parametrize(("on", "goods", "duty_applied", "tax_applied", "collected", "vat"), [
    # IOSS from 1 July 2021: no duty, German VAT 19% at sale on goods + shipping (100 + 10)
    (date(2026, 1, 15), "100.00", True, False, "at_sale", "20.90"),
    # before IOSS: duty relief up to EUR 150, import VAT above the EUR 22 small-consignment relief
    (date(2021, 6, 30), "100.00", True, False, "border", "20.90"),
    (date(2021, 6, 30), "20.00", True, True, None, None),
    # the 2020 temporary German rate of 16%
    (date(2020, 10, 1), "100.00", True, False, "border", "17.60"),
])
def test_eu_low_value_rules_by_date(book, fx, on, goods, duty_applied, tax_applied, collected, vat):
    quote = quote_landed_cost(book, fx, a_request("DE", [a_line(value=goods, currency="EUR")], on=on,
                                                  shipping="10.00"))
    assert (quote.de_minimis.duty_applied, quote.de_minimis.tax_applied) == (duty_applied, tax_applied)
    assert [(t.collected, str(t.amount.amount)) for t in quote.taxes] == ([(collected, vat)] if vat else [])


def test_eu_over_150_pays_duty_and_member_state_vat(book, fx):
    # France, EUR 200 of T-shirts + 20 shipping: CIF 220, duty 12% = 26.40, VAT 20% x 246.40 = 49.28
    quote = quote_landed_cost(book, fx, a_request("FR", [a_line(value="200.00", currency="EUR")], shipping="20.00"))
    assert (quote.duty, quote.taxes[0].amount) == (money("26.40", "EUR"), money("49.28", "EUR"))
    assert "EU Common External Tariff 2020" in quote.lines[0].source


@pytest.mark.parametrize(("on", "goods", "duty", "gst", "collected"), [
    # GST on low value imported goods from 1 July 2018: 10% at sale on 900 + 50 shipping
    (date(2026, 1, 15), "900.00", "0.00", "95.00", "at_sale"),
    # above A$1,000: 5% duty on the FOB customs value, GST on customs value + duty + transport (VoTI)
    (date(2026, 1, 15), "1200.00", "60.00", "131.00", None),
])
def test_australia_low_value_goods_and_the_value_of_the_taxable_importation(book, fx, on, goods, duty, gst, collected):
    quote = quote_landed_cost(book, fx, a_request("AU", [a_line(value=goods, currency="AUD")], on=on,
                                                  shipping="50.00"))
    assert quote.duty == money(duty, "AUD")
    assert quote.taxes[0].amount == money(gst, "AUD")
    assert quote.taxes[0].collected == (collected or "border")


def test_australia_before_the_lvg_rules_charged_nothing_at_or_below_1000(book, fx):
    quote = quote_landed_cost(book, fx, a_request("AU", [a_line(value="900.00", currency="AUD")],
                                                  on=date(2018, 6, 30)))
    assert quote.de_minimis == quote.de_minimis.__class__(duty_applied=True, tax_applied=True)
    assert quote.taxes == () and quote.total_duties_and_taxes == money("0.00", "AUD")


@pytest.mark.parametrize(("on", "origin", "duty_free"), [
    (date(2025, 4, 25), "CN", True),  # Section 321: USD 800 de minimis (the HTSUS held starts 22 Apr 2025)
    (date(2025, 5, 2), "CN", False),  # ended for China and Hong Kong from 2 May 2025
    (date(2025, 5, 2), "KR", True),
    (date(2025, 8, 28), "KR", True),
    (date(2025, 8, 29), "KR", False),  # suspended for every country from 29 August 2025
])
def test_us_de_minimis_suspension_by_date_and_origin(book, fx, on, origin, duty_free):
    request = a_request("US", [a_line("61091000", "100.00", "USD", origin=origin)], origin=origin, on=on)
    quote = quote_landed_cost(book, fx, request)
    assert quote.de_minimis.duty_applied is duty_free
    assert (quote.duty.amount == 0) is duty_free


def test_us_china_origin_pays_mfn_plus_additional_duties_and_the_mpf(book, fx):
    # 16.5% MFN + 7.5% Section 301 List 4A + 10% IEEPA fentanyl + 10% IEEPA reciprocal on USD 100
    quote = quote_landed_cost(book, fx, a_request("US", [a_line("6109100040", "100.00", "USD")]))
    assert quote.duty == money("44.00", "USD")
    assert quote.lines[0].rule == "mfn" and "Section 301 List 4A" in quote.lines[0].reason
    # FY2026 informal MPF (CBP Dec. 25-10, 90 FR 34665)
    assert [(f.code, f.amount, f.illustrative) for f in quote.fees] == [("US_MPF_INFORMAL", money("2.69", "USD"), False)]
    assert quote.taxes == ()


def test_preference_applied_when_party_rate_and_claim(book, fx):
    # Japanese green tea, JPY 100,000 from Viet Nam: CPTPP 0.00% beats RCEP 5.30% and MFN 17%
    request = a_request("JP", [a_line("0902100000", "100000", "JPY", origin="VN", claim=True)], origin="VN")
    quote = quote_landed_cost(book, fx, request)
    assert quote.lines[0].rule == "preference:CPTPP"
    assert quote.duty == money("0", "JPY")
    assert "proof of origin" in quote.lines[0].reason
    # consumption tax at the 8% reduced rate for food, on customs value + duty: national 6,240 -> 6,200 and
    # local 1,748 -> 1,700 yen, each cut to the 100 yen below
    assert [(t.rate, t.amount) for t in quote.taxes] == [(Decimal("8"), money("7900", "JPY"))]


@pytest.mark.parametrize(("origin", "claim", "reason"), [
    ("VN", False, "not claimed"),
    ("CN", True, "no preferential rate is held"),  # China and Japan are RCEP parties; no concession on this line
    ("BR", True, "not a party to a trade agreement"),  # the US now has the US-JP TA (green tea free under it)
])
def test_preference_refused_says_which_condition_failed(book, fx, origin, claim, reason):
    request = a_request("JP", [a_line("0902100000", "100000", "JPY", origin=origin, claim=claim)], origin=origin)
    quote = quote_landed_cost(book, fx, request)
    assert quote.lines[0].rule == "mfn"
    assert quote.duty == money("17000", "JPY")
    assert reason in quote.lines[0].reason


def test_a_line_quoted_again_gets_its_own_figures_claim_and_explanation(book, fx):
    # The engine prepares each line once per destination, date and origin: the next quote of the same code
    # must still read its own value, its own claim and its own sentences.
    def quote(value, claim):
        line = a_line("0902100000", value, "JPY", origin="VN", claim=claim)
        return quote_landed_cost(book, fx, a_request("JP", [line], origin="VN"))

    first, dearer, claimed, again = (quote("100000", False), quote("200000", False), quote("100000", True),
                                     quote("100000", False))
    assert (first.duty, dearer.duty, claimed.duty, again.duty) == (
        money("17000", "JPY"), money("34000", "JPY"), money("0", "JPY"), money("17000", "JPY"))
    assert [q.lines[0].rule for q in (first, claimed, again)] == ["mfn", "preference:CPTPP", "mfn"]
    assert any("200,000 JPY" in sentence for sentence in dearer.explanation)
    assert not any("200,000 JPY" in sentence for sentence in again.explanation)
    assert again.explanation == first.explanation


def test_explanation_sentences_render_amounts_in_the_quote_currency_once_read():
    # given a sentence recorded with amounts, read, then more sentences recorded
    explanation = Explanation("JPY")
    explanation.add("Duty {duty:m} at {rate:pct} on {base:m} ({source}).", duty=Decimal("1234.5"), rate=Decimal("17.0"),
                    base=Decimal("7262"), source="JP tariff")
    first = list(explanation.lines())
    explanation.add_text("A sentence prepared earlier {as is}.")
    explanation.add_to("{Kind} de minimis: {value:m}.", {"Kind": "Duty"}, value=Decimal("10000"))

    # then each amount reads in yen, and reading again renders nothing twice
    assert first == ["Duty 1,235 JPY at 17% on 7,262 JPY (JP tariff)."]
    assert explanation.lines() == [*first, "A sentence prepared earlier {as is}.", "Duty de minimis: 10,000 JPY."]
    assert explanation.lines() == explanation.lines()


def test_preference_over_a_manual_mfn_line(book, fx):
    # GB tomatoes: the UKGT rate is seasonal (manual), but the UK-Japan CEPA rate is 0.00%
    line = a_line("0702000007", "500.00", origin="JP", claim=True, kg="100")
    quote = quote_landed_cost(book, fx, a_request("GB", [line], origin="JP"))
    assert quote.lines[0].rule == "preference:UK-JP-CEPA"
    unclaimed = quote_landed_cost(book, fx, a_request("GB", [a_line("0702000007", "500.00", origin="JP", kg="100")],
                                                      origin="JP"))
    assert unclaimed.lines[0].rule == "manual_assessment"
    assert "seasonal" in unclaimed.lines[0].reason and "8.00%" in unclaimed.lines[0].reason


def test_entry_price_lines_go_to_manual_assessment(book, fx):
    quote = quote_landed_cost(book, fx, a_request("NL", [a_line("07020000", "500.00", "EUR", origin="MA", kg="400")],
                                                  origin="MA"))
    assert quote.lines[0].rule == "manual_assessment"
    assert "entry price" in quote.lines[0].reason
    assert quote.needs_manual_assessment
    assert any("manual assessment" in s for s in quote.explanation)


def test_missing_supplementary_unit_is_named(book, fx):
    # wine: 26.00 GBP/hl needs the volume
    request = a_request("GB", [a_line("22042109", "300.00", origin="AU", kg="9")], origin="AU")
    quote = quote_landed_cost(book, fx, request)
    assert quote.lines[0].rule == "manual_assessment" and "needs hl" in quote.lines[0].reason
    with_volume = a_request("GB", [a_line("22042109", "300.00", origin="AU", kg="9", l="9")], origin="AU")
    assert quote_landed_cost(book, fx, with_volume).duty == money("2.34", "GBP")  # 0.09 hl x 26.00


def test_japan_de_minimis_covers_duty_and_tax_on_the_cif_value(book, fx):
    at = a_request("JP", [a_line("0902100000", "9000", "JPY")], shipping="1000")
    over = a_request("JP", [a_line("0902100000", "9001", "JPY")], shipping="1000")
    assert quote_landed_cost(book, fx, at).total_duties_and_taxes == money("0", "JPY")
    assert quote_landed_cost(book, fx, over).total_duties_and_taxes.amount > 0


def test_totals_in_another_currency(book, fx):
    # GB quote shown in EUR: 1 GBP = 1.25 EUR with the test rates
    quote = quote_landed_cost(book, fx, a_request("GB", [a_line(quantity=100)], shipping="12.00", currency="EUR"))
    assert quote.currency == "EUR" and quote.destination_currency == "GBP"
    assert quote.landed_cost == money("860.16", "EUR")  # 688.13 GBP x 1.25
    assert quote.lines[0].duty == money("76.80", "EUR")


def test_dap_and_ddp_carry_the_same_figures(book, fx):
    ddp = quote_landed_cost(book, fx, a_request("GB", [a_line(quantity=100)], incoterm="DDP"))
    dap = quote_landed_cost(book, fx, a_request("GB", [a_line(quantity=100)], incoterm="DAP"))
    assert (ddp.landed_cost, ddp.total_duties_and_taxes) == (dap.landed_cost, dap.total_duties_and_taxes)
    assert any("estimate" in s for s in dap.explanation)


def test_restrictions_are_reported(book, fx):
    quote = quote_landed_cost(book, fx, a_request("SG", [a_line("170410", "10.00", "SGD", origin="MY")], origin="MY"))
    assert [r.kind for r in quote.restrictions] == ["prohibited"]
    assert any("Chewing gum" in s for s in quote.explanation)


def test_an_hs_2022_smartphone_is_quoted_through_the_correlation(book, fx):
    quote = quote_landed_cost(book, fx, a_request("DE", [a_line("851713", "400.00", "EUR")]))
    assert quote.lines[0].rule == "mfn" and quote.lines[0].measure == "0.0%"
    assert "correlation table" in quote.lines[0].reason


@pytest.mark.parametrize(("change", "code", "field"), [
    ({"destination": "ZZ"}, "unsupported_destination", "destination"),
    ({"destination": "EU"}, "unsupported_destination", "destination"),
    ({"lines": [a_line("999999")]}, "unknown_hs_code", "lines[0].hs_code"),
    ({"lines": [a_line("6109")]}, "unknown_hs_code", "lines[0].hs_code"),
    ({"lines": [a_line(value="-1.00")]}, "invalid_amount", "lines[0].unit_value"),
    ({"lines": [a_line(value="1.001")]}, "invalid_amount", "lines[0].unit_value"),
    ({"lines": [a_line(quantity=0)]}, "invalid_amount", "lines[0].quantity"),
    ({"shipping": money("-5.00", "GBP")}, "invalid_amount", "shipping"),
    ({"currency": "XXX"}, "currency_mismatch", "currency"),
    ({"lines": [a_line(currency="XXX")]}, "currency_mismatch", "lines[0].unit_value"),
    ({"on": date(2020, 6, 1)}, "invalid_date", "date"),
    ({"latest": ON - timedelta(days=1)}, "invalid_date", "date"),
    ({"origin": "GB"}, "domestic_shipment", "origin"),
    ({"origin": "FR", "destination": "DE", "currency": "EUR", "shipping": money("0", "EUR"),
      "insurance": money("0", "EUR"), "lines": [a_line(currency="EUR", origin="FR")]}, "domestic_shipment", "origin"),
    ({"lines": [a_line(origin="GB")]}, "domestic_shipment", "lines[0].origin"),
])
def test_bad_input_is_an_application_error_with_code_and_field(book, fx, change, code, field):
    base = {"origin": "CN", "destination": "GB", "on": ON, "incoterm": "DDP", "currency": "GBP",
            "shipping": money("0", "GBP"), "insurance": money("0", "GBP"), "lines": [a_line()]}
    with pytest.raises(ApplicationError) as raised:
        quote_landed_cost(book, fx, QuoteRequest(**{**base, **change}))
    assert (raised.value.code, raised.value.field) == (code, field)


def test_a_date_outside_the_tariff_held_names_the_range_covered(book, fx):
    with pytest.raises(ApplicationError) as before:
        quote_landed_cost(book, fx, a_request("GB", [a_line()], on=date(2020, 6, 1)))
    assert "2021-01-01 onwards" in before.value.message
    request = a_request("GB", [a_line()])
    with pytest.raises(ApplicationError) as after:
        quote_landed_cost(book, fx, dataclasses.replace(request, latest=ON - timedelta(days=1)))
    assert "quotes cover 2021-01-01 to 2026-01-14" in after.value.message
