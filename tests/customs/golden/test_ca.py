"""Canada: the Canada Border Services Agency's worked example of customs duty and GST.

CBSA, step-by-step guide to importing commercial goods (as quoted verbatim on smallformfactor.net, forum post
46018; the original CBSA page was not found with the search tool): 'Take the value in the currency indicated on
the invoice. Convert the value into Canadian dollars using the exchange rate from the date of direct shipment
... The following is an example of a calculation of customs duty and GST on imported goods with a value for
currency conversion of US$100. The example exchange rate is US$1 = CAN$1.15. The goods are subject to 4% customs
duty and 5% GST: US$100 x 1.15 = CAN$115 (value for duty); $115.00 x 4% = $4.60 (customs duty); $115.00 + $4.60
= $119.60 (value for tax); $119.60 x 5% (GST) = $5.98 (GST). Total of customs duty and GST payable (in Canadian
dollars) is $4.60 + $5.98 = $10.58.'

The example names no goods and the book holds no 4% Canadian line (its hand-sourced lines are 18%, 8%, 6.5% and
free), so the figures that depend on the rate are run on 3924.10 tableware and kitchenware of plastics (6.5%)
as well; the value for duty, the value-for-tax structure and the GST rate are the example's."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.customs.golden.conftest import fx_of, line, money, quote

ON = date(2026, 1, 15)
FX = fx_of({"USD": "1", "CAD": "1.15"})  # US$1 = CAN$1.15


def test_cbsa_value_for_duty_value_for_tax_and_gst(book):
    # given US$100 of goods from China (not CUSMA), above the CAD 20 courier remission
    goods = [line("392410", "100.00", "USD", description="plastic kitchenware")]

    # when quoted in Canadian dollars
    quote_ = quote(book, FX, "CA", goods, on=ON, currency="CAD")

    # then the value for duty is the example's CAN$115.00
    assert quote_.customs_value == money("115.00", "CAD")
    # value for tax = value for duty + customs duty; GST 5% on it (here 6.5% duty: 7.475 -> 7.48, GST 6.12)
    [gst] = quote_.taxes
    assert (gst.name, gst.rate, gst.collected) == ("GST", Decimal("5"), "border")
    assert gst.base == quote_.customs_value + quote_.duty == money("122.48", "CAD")
    assert (quote_.duty, gst.amount, quote_.total_duties_and_taxes) == (
        money("7.48", "CAD"), money("6.12", "CAD"), money("13.60", "CAD"))


def test_cbsa_transport_to_canada_is_not_in_the_value_for_duty(book):
    """The example's value for duty is the invoice value alone: Canada values goods at the place of direct
    shipment (Customs Act s.48), so freight paid to bring them to Canada adds nothing to the duty; GST is charged
    on the value for duty plus duty, so freight adds nothing to it either (the engine's Canadian regime)."""
    goods = [line("392410", "100.00", "USD")]
    without = quote(book, FX, "CA", goods, on=ON, currency="CAD")
    with_freight = quote(book, FX, "CA", goods, on=ON, currency="CAD", shipping="20.00")
    assert with_freight.customs_value == without.customs_value == money("115.00", "CAD")
    assert with_freight.total_duties_and_taxes == without.total_duties_and_taxes
