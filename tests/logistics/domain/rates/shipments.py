"""Shipments for the rate-shopping tests: the shipped reference data, an FX table, and parcels."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ewtp.money import FxTable, Money
from ewtp.trade import Commodity, Parcel
from logistics.domain.rates import RateBook, RateRequest

D = Decimal
BOOK = RateBook.from_files()
FX = FxTable({"USD": D("1.04"), "GBP": D("0.83"), "CNY": D("7.60"), "MYR": D("4.65"), "THB": D("35.6"),
              "VND": D("26400"), "IDR": D("16900"), "KRW": D("1530"), "JPY": D("164"), "SGD": D("1.415"),
              "AUD": D("1.67"), "CAD": D("1.495")}, date(2025, 1, 2), "test rates")

TSHIRTS = Commodity(hs_code="6109.10", description="Cotton T-shirts", unit_value=Money(D("300"), "CNY"))


def box(kg: str, length: str = "20", width: str = "15", height: str = "10") -> Parcel:
    return Parcel(D(kg), D(length), D(width), D(height))


def request(*parcels: Parcel, origin: str = "CN", destination: str = "GB", goods: tuple = (TSHIRTS,)) -> RateRequest:
    return RateRequest(origin, destination, list(parcels), list(goods))
