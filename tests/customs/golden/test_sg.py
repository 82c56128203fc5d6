"""Singapore: IRAS's examples of GST on imported goods, before and after GST on low-value goods (1 Jan 2023).

- Before 2023 (GST 7%), IRAS 'Consumers: importing goods into Singapore'
  (iras.gov.sg/IRASHome/GST/Consumers/Consumers-Importing-Goods-into-Singapore/, as reproduced on 101bao.com):
  'The amount of GST payable is computed based on the CIF value (cost, insurance and freight) of the goods plus
  all duties payable ... GST need not be paid for goods (except for dutiable products) with CIF value of not
  more than $400. Where the CIF value is more than $400, the entire sum will be subject to GST.' Its table:
  total value $200 -> 'No. The CIF value is not more than $400.'; $450 -> 'Yes ... GST payable = $450 X 7%
  = $31.50'.
- From 2023, IRAS 'GST on imported low-value goods' (iras.gov.sg/taxes/goods-services-tax-(gst)/consumers/
  gst-on-imported-low-value-goods): goods imported by air or post with a sales value of S$400 or below bought
  from a GST-registered supplier: GST payable to the supplier at the point of purchase, not at importation; more
  than S$400: GST payable at importation. IRAS TaxBytes '5 questions you may have when shopping online' (2023):
  'Overseas Retailer A is registered for GST as an OVR vendor from 1 Jan 2023. I purchase a monitor valued at
  S$140 from' it: GST (8% in 2023) at the point of purchase.

The platform is the GST-registered marketplace, so IRAS's cases of unregistered suppliers are not quoted; the
mode of transport (sea and land imports always pay GST at importation) is not modelled. Goods other than liquor,
tobacco, motor vehicles and petroleum carry no customs duty (Singapore Customs, 'Dutiable goods')."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.customs.golden.conftest import fx_of, line, money, quote

FX = fx_of({"SGD": "1"})
BEFORE_LVG = date(2022, 6, 1)


def test_iras_450_dollars_cif_pays_7_percent_gst_at_import(book):
    quote_ = quote(book, FX, "SG", [line("610910", "450.00", "SGD", origin="US")], on=BEFORE_LVG)
    assert quote_.duty == money("0.00", "SGD")
    assert [(t.rate, t.base, t.amount, t.collected) for t in quote_.taxes] == [
        (Decimal("7"), money("450.00", "SGD"), money("31.50", "SGD"), "border")]


def test_iras_200_dollars_cif_pays_no_gst(book):
    quote_ = quote(book, FX, "SG", [line("610910", "200.00", "SGD", origin="US")], on=BEFORE_LVG)
    assert quote_.de_minimis.tax_applied and quote_.taxes == ()
    assert quote_.total_duties_and_taxes == money("0.00", "SGD")


def test_iras_the_400_dollar_relief_is_on_the_cif_value_transport_included(book):
    # $380 of goods + $30 postage: CIF $410 is more than $400, so the entire sum is taxed (7% x 410 = 28.70)
    quote_ = quote(book, FX, "SG", [line("610910", "380.00", "SGD", origin="US")], on=BEFORE_LVG, shipping="30.00")
    assert [(t.base, t.amount) for t in quote_.taxes] == [(money("410.00", "SGD"), money("28.70", "SGD"))]


def test_iras_monitor_of_140_dollars_from_a_registered_overseas_vendor_gst_at_purchase(book):
    # 1 Jan 2023 onwards, GST 8% in 2023: charged by the vendor at the sale, nothing at importation
    quote_ = quote(book, FX, "SG", [line("852852", "140.00", "SGD", origin="CN", description="monitor")],
                   on=date(2023, 3, 1))
    assert quote_.lines[0].rule == "de_minimis"  # SG_LVG: no import GST, no duty
    assert [(t.rate, t.amount, t.collected) for t in quote_.taxes] == [
        (Decimal("8"), money("11.20", "SGD"), "at_sale")]


def test_iras_sales_value_over_400_dollars_pays_gst_at_importation(book):
    # $450 of goods in 2026 (GST 9%): not low-value goods, so import GST on the CIF value at the border
    quote_ = quote(book, FX, "SG", [line("610910", "450.00", "SGD", origin="CN")], on=date(2026, 1, 15))
    assert [(t.rate, t.amount, t.collected) for t in quote_.taxes] == [
        (Decimal("9"), money("40.50", "SGD"), "border")]


def test_iras_sneakers_390_dollars_plus_35_transport_the_lvg_test_is_on_the_sales_value(book):
    """IRAS's refreshed examples (as summarised by ehluar.com, 'IRAS refreshes guidance on GST on imported goods'):
    sneakers $390 with $35 transport and insurance, CIF $425. From a supplier not registered for GST the CIF over
    $400 makes GST payable at importation; from a GST-registered supplier (the platform) the sales value of $390 is
    $400 or below, so the goods are low-value goods: GST at the point of purchase and none at importation. Which
    of the sale's charges the point-of-sale GST covers is the data's (SG_LVG tax_base), not asserted here."""
    quote_ = quote(book, FX, "SG", [line("640411", "390.00", "SGD", origin="CN", description="sneakers")],
                   on=date(2026, 1, 15), shipping="35.00")
    assert quote_.customs_value == money("425.00", "SGD")
    assert quote_.lines[0].rule == "de_minimis"
    [gst] = quote_.taxes
    assert (gst.rate, gst.collected) == (Decimal("9"), "at_sale")
