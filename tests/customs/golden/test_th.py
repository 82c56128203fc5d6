"""Thailand: the Customs Department's sample duty assessment, and the dated low-value VAT and duty thresholds.

Thai Customs Department, 'Sample of Duty Assessment' (en.customs.go.th, traders and business), Sample 2:
'CIF value of imports = 100 Baht, Import duty = 60 %, Special duty = 20 % of import duty, Interior tax = 10 % of
excise tax, Excise tax = 3 %, VAT = 7 % ... Import duty = (CIF value * rate of import duty) = 60 Baht ... Base
VAT = (CIF value + Import duty + Special duty + Excise tax + Interior tax) * Rate of VAT'. VAT is charged on the
CIF value plus every duty and tax before it (Revenue Code s.79/2(2)). The book holds no Thai tariff lines and
excise and interior tax are not modelled, so the sample's duty is manual assessment here: the tests check the
CIF basis and the 7% VAT on it (a floor until the duty is assessed).

Dated thresholds (figures chosen here, rules as published): duty and VAT exempt at a CIF value of THB 1,500 or
less (Customs Notification 191/2561) until 4 July 2024; from 5 July 2024, 7% VAT on imports of THB 1 to 1,500
(MOF notification of 19 June 2024, Customs Notification 116/2567, extended by 232/2567), duty still exempt
to 31 December 2025; from 1 January 2026 the duty exemption is for goods of THB 1 or less only (Customs
Notification 219/2568, Royal Gazette 11 December 2025)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.customs.golden.conftest import fx_of, line, money, quote

FX = fx_of({"THB": "1"})


def test_thai_customs_sample_2_cif_value_and_vat_base(book):
    # given the sample's CIF value of THB 100 (here THB 80 of goods + THB 20 freight and insurance)
    quote_ = quote(book, FX, "TH", [line("610910", "80.00", "THB")], on=date(2026, 1, 15), shipping="15.00",
                   insurance="5.00")

    # then the customs value is the CIF value, the 60% duty is left to manual assessment, VAT 7% on CIF + duty
    assert quote_.customs_value == money("100.00", "THB")
    assert quote_.lines[0].rule == "manual_assessment"
    assert [(t.rate, t.base, t.amount) for t in quote_.taxes] == [
        (Decimal("7"), money("100.00", "THB"), money("7.00", "THB"))]


@pytest.mark.parametrize(("on", "duty_exempt", "vat"), [
    (date(2024, 7, 4), True, None),  # THB 1,500 exemption for duty and VAT
    (date(2024, 7, 5), True, "105.00"),  # VAT 7% from the first baht; duty still exempt
    (date(2025, 12, 31), True, "105.00"),
    (date(2026, 1, 1), False, "105.00"),  # duty exemption only to THB 1: duty due (manual assessment here)
])
def test_thai_low_value_thresholds_by_date(book, on, duty_exempt, vat):
    quote_ = quote(book, FX, "TH", [line("610910", "1500.00", "THB")], on=on)
    assert quote_.de_minimis.duty_applied is duty_exempt
    assert [str(t.amount.amount) for t in quote_.taxes] == ([vat] if vat else [])
