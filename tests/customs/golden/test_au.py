"""Australia: the Australian Border Force's (then Customs and Border Protection Service's) worked examples.

Customs value is the FOB transaction value converted at the rate of the day of export (Customs Act 1901
s.159-161); GST 10% on the value of the taxable importation (VoTI) = customs value + duty + international
transport and insurance (A New Tax System (Goods and Services Tax) Act 1999 s.13-20). Both examples are from
'How is duty and GST calculated?', customs.gov.au/site/page5549.asp (the page as quoted on 2010-2012 forums and
in customs/data/regimes/import-regimes.json). Neither names its goods' tariff line: cotton T-shirts carry the
same 5% general rate, so the arithmetic is run on that line. The import declaration processing charge the page
adds is not modelled."""

from __future__ import annotations

from datetime import date

from tests.customs.golden.conftest import fx_of, line, m, money, quote

ON = date(2026, 1, 15)


def test_abf_amplifier_bought_for_1274_us_dollars(book):
    """'Below is an example calculation for an electric sound amplifier with a duty rate of 5%. The purchase price
    was US$1,274 and the exchange rate on the day it was exported was 0.9100 (A$1 = US$0.91). The postage and
    insurance was US$118.30': customs value A$1,400.00, postage and insurance A$130.00, duty 5% = A$70.00,
    VoTI = A$1,400 + A$70 + A$130 = A$1,600.00, GST 10% = A$160.00, payable A$230.00."""
    # given the example's own exchange rate
    fx = fx_of({"AUD": "1", "USD": "0.91"})

    # when quoted in Australian dollars
    quote_ = quote(book, fx, "AU", [line("610910", "1274.00", "USD", origin="US", kg="4")], on=ON,
                   shipping="118.30", currency="AUD")

    # then
    assert quote_.customs_value == money("1400.00", "AUD")
    assert quote_.duty == money("70.00", "AUD")
    assert [(t.base, t.amount) for t in quote_.taxes] == [(money("1600.00", "AUD"), money("160.00", "AUD"))]
    assert quote_.total_duties_and_taxes == money("230.00", "AUD")


def test_abf_value_of_the_taxable_importation(api_quote):
    """The same page's table: customs value A$1,200.00, customs duty 5% = A$60.00 (payable), international
    transport and insurance A$150.00, VoTI (Cval + Duty + T&I) A$1,410.00, GST 10% of the VoTI = A$141.00
    (payable), total payable A$201.00. Quoted through the API."""
    body = {"origin": "CN", "destination": "AU", "date": "2026-01-15", "shipping": m("150.00", "AUD"),
            "lines": [{"hs_code": "610910", "quantity": 1, "unit_value": m("1200.00", "AUD"), "net_weight_kg": "3"}]}
    answer = api_quote(body)
    assert answer["customs_value"] == m("1200.00", "AUD")  # FOB: transport is not dutiable in Australia
    assert answer["duty"] == m("60.00", "AUD")
    assert (answer["taxes"][0]["name"], answer["taxes"][0]["base"], answer["taxes"][0]["amount"]) == (
        "GST", m("1410.00", "AUD"), m("141.00", "AUD"))
    assert answer["total_duties_and_taxes"] == m("201.00", "AUD")


def test_ato_low_value_imported_goods_gst_at_the_sale_on_price_and_delivery(book):
    """ATO, 'GST on low value imported goods - information for consumers' (ato.gov.au): goods with a customs value
    of A$1,000 or less bought from overseas carry GST at the point of sale, and 'shipping and/or insurance costs
    form part of the price of the delivered goods on which GST is calculated'; the customs value leaves delivery
    out. Worked by Amazon Seller Central (Australia), 'low value imported goods' (a marketplace's example of the
    ATO rule, not the ATO's): A$1,100.00 incl. GST and A$5.50 delivery incl. GST -> customs value $1,100/1.1 =
    $1,000, so LVIG; GST = ($1,100 + $5.50)/11 = $100.50. Here the same sale ex GST: A$1,000 + A$5 delivery."""
    # given goods of exactly A$1,000 with A$5 delivery
    quote_ = quote(book, fx_of({"AUD": "1"}), "AU", [line("610910", "1000.00", "AUD")], on=ON, shipping="5.00")

    # then no duty, nothing at the border, GST 10% x A$1,005 = A$100.50 charged by the seller
    assert quote_.lines[0].rule == "de_minimis" and quote_.duty == money("0.00", "AUD")
    assert [(t.base, t.amount, t.collected) for t in quote_.taxes] == [
        (money("1005.00", "AUD"), money("100.50", "AUD"), "at_sale")]
    assert quote_.landed_cost == money("1105.50", "AUD")
