"""Indonesia: consignment goods (barang kiriman) under the FOB USD 3 de minimis, and the import VAT base.

Directorate General of Customs and Excise (DJBC): consignment goods of an FOB value of USD 3 or less per
consignment are free of import duty, but import VAT (PPN) is still collected; above USD 3 up to USD 1,500
import duty applies (PMK 199/PMK.010/2019 from 30 January 2020, kept by PMK 96/2023; as explained by DJBC's
Subdirectorate of Imports, DDTCNews 15 October 2023: 'terdapat ambang batas pembebasan bea masuk atau de minimis
senilai US$3 ... Barang kiriman yang nilainya melebihi FOB US$3 hingga US$1.500 akan dipungut bea masuk sebesar
7,5%'). PPN on import is charged on the import value (nilai impor) = customs value (CIF, nilai pabean) + import
duty, at 11% from 1 April 2022 (Law 7/2021). No DJBC example in figures was found with the search tool: the
amounts are worked here from those rules at a chosen NDPBM (customs exchange rate) of Rp 16,000 per USD. The
flat 7.5% consignment rate and the income tax (PPh) are not modelled: above USD 3 the duty is manual assessment."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.customs.golden.conftest import fx_of, line, money, quote

ON = date(2026, 1, 15)
FX = fx_of({"USD": "1", "IDR": "16000"})


def test_djbc_consignment_of_fob_3_dollars_no_duty_but_ppn_on_the_cif_value(book):
    # given USD 3.00 of goods FOB + USD 1.00 freight: CIF USD 4.00 = Rp 64,000
    quote_ = quote(book, FX, "ID", [line("610910", "3.00", "USD")], on=ON, shipping="1.00", currency="IDR")

    # then no import duty (FOB at the de minimis), PPN 11% on the CIF value: Rp 7,040
    assert quote_.de_minimis.duty_applied and not quote_.de_minimis.tax_applied
    assert quote_.customs_value == money("64000.00", "IDR")
    assert [(t.rate, t.base, t.amount) for t in quote_.taxes] == [
        (Decimal("11"), money("64000.00", "IDR"), money("7040.00", "IDR"))]


def test_djbc_consignment_over_3_dollars_fob_pays_duty(book):
    quote_ = quote(book, FX, "ID", [line("610910", "3.01", "USD")], on=ON, shipping="1.00", currency="IDR")
    assert not quote_.de_minimis.duty_applied
    assert quote_.lines[0].rule == "manual_assessment"  # the 7.5% flat rate (or MFN for textiles) is not held
