"""Malaysia: sales tax on low value goods (LVG), and sales tax at import above RM500.

Royal Malaysian Customs Department, Guide on Sales Tax on Low Value Goods (3 November 2023, in force 1 January
2024; as quoted by Reanda International and Rödl & Partner, which cite the RMCD portal): 'Low Value Goods (LVG)
refers to all goods which are sold at a price not exceeding RM500 and are brought into Malaysia by land, sea or
air ... Sales tax on LVG shall be charged and levied at the rate of 10%. The sales tax is charged on the sale
value of LVG not including any tax, duty, fee or other charges such as transportation, insurance or other
costs', by the registered seller. Above RM500, sales tax 10% is charged at import on the value of the goods =
customs value + duty + excise (Sales Tax (Determination of Sale Value of Taxable Goods) Regulations 2018).
The RMCD guide's own figures were not found with the search tool: the amounts are worked here from its rule.
The book holds no Malaysian tariff lines, so import duty above RM500 is manual assessment."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.customs.golden.conftest import fx_of, line, money, quote

ON = date(2026, 1, 15)
FX = fx_of({"MYR": "1"})


def test_rmcd_lvg_sales_tax_on_the_sale_value_without_shipping(book):
    # given RM300 of goods sold online with RM20 shipping
    quote_ = quote(book, FX, "MY", [line("610910", "300.00", "MYR")], on=ON, shipping="20.00")

    # then no duty and no tax at the border; 10% x RM300 = RM30.00 charged by the registered seller
    assert quote_.lines[0].rule == "de_minimis" and quote_.duty == money("0.00", "MYR")
    assert [(t.rate, t.base, t.amount, t.collected) for t in quote_.taxes] == [
        (Decimal("10"), money("300.00", "MYR"), money("30.00", "MYR"), "at_sale")]
    assert quote_.landed_cost == money("350.00", "MYR")


def test_rmcd_lvg_limit_is_the_sale_price_of_rm500(book):
    at = quote(book, FX, "MY", [line("610910", "500.00", "MYR")], on=ON, shipping="20.00")
    over = quote(book, FX, "MY", [line("610910", "500.01", "MYR")], on=ON, shipping="20.00")
    assert at.taxes[0].collected == "at_sale"
    # over RM500: sales tax at import on the CIF value (+ duty, manual here), RM52.00
    assert [(t.base, t.amount, t.collected) for t in over.taxes] == [
        (money("520.01", "MYR"), money("52.00", "MYR"), "border")]
    assert over.lines[0].rule == "manual_assessment"


def test_before_lvg_the_rm500_cif_exemption_covered_sales_tax_at_import(book):
    """Until 31 December 2023, goods of RM500 or less CIF brought in by air courier were exempt from duty and
    sales tax (Customs Duties (Exemption) Order 2017 item 94; Sales Tax (Persons Exempted from Payment of Tax)
    Order 2018 Schedule A item 24)."""
    quote_ = quote(book, FX, "MY", [line("610910", "480.00", "MYR")], on=date(2023, 6, 1), shipping="20.00")
    assert (quote_.de_minimis.duty_applied, quote_.de_minimis.tax_applied) == (True, True)
    assert quote_.taxes == ()
