"""Rate-shopping benchmark: a 3-parcel shipment rated across every option, beside a bare baseline.

Run: .venv/bin/python bench/rates.py [--rounds 15] [--calls 200]

Prints the median time of one `shop()` call (CN → GB, 3 parcels, all services and eHub routes,
exclusions included), the same with conversion to the buyer's currency, and a baseline measured
in the same run: a bare loop doing one Decimal multiply-add per parcel × service pair (what
pricing would cost with no lookups, limits, goods rules or breakdown). The ratio says how much
the engine's bookkeeping costs on top of the arithmetic. Target: under 5 ms a call.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ewtp.money import FxTable, Money  # noqa: E402
from ewtp.trade import Commodity, Parcel  # noqa: E402
from logistics.domain.rates import RateBook, RateRequest, shop  # noqa: E402

D = Decimal
TARGET_US = 5000


def median_us(function, rounds: int, calls: int) -> float:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(calls):
            function()
        samples.append((time.perf_counter() - started) / calls * 1e6)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()

    started = time.perf_counter()
    book = RateBook.from_files()
    load_ms = (time.perf_counter() - started) * 1e3

    request = RateRequest(
        origin="CN", destination="GB",
        parcels=[Parcel(D("1.2"), D("30"), D("20"), D("15")), Parcel(D("0.4"), D("20"), D("15"), D("10")),
                 Parcel(D("1.8"), D("40"), D("30"), D("20"))],
        goods=[Commodity(hs_code="6109.10", description="Cotton T-shirts", unit_value=Money(D("300"), "CNY")),
               Commodity(hs_code="8517.13", description="Smartphone", unit_value=Money(D("1500"), "CNY"))])
    fx = FxTable({"USD": D("1.04"), "GBP": D("0.83"), "CNY": D("7.60"), "MYR": D("4.65")}, date(2025, 1, 2),
                 "bench rates")
    result = shop(book, request)
    pairs = len(request.parcels) * len(book.services)

    prices = [D(f"{17 + index}.35") for index in range(pairs)]
    weights = [D("1.5")] * pairs

    def baseline() -> Decimal:
        total = D(0)
        for price, weight in zip(prices, weights, strict=True):
            total += price * weight
        return total

    for warm_up in (lambda: shop(book, request), baseline):
        for _ in range(50):
            warm_up()

    shop_us = median_us(lambda: shop(book, request), args.rounds, args.calls)
    shop_fx_us = median_us(lambda: shop(book, request, fx=fx, currency="GBP"), args.rounds, args.calls)
    baseline_us = median_us(baseline, args.rounds, args.calls)

    print(f"rate book: {len(book.services)} services and routes, parsed in {load_ms:.1f} ms (once per process)")
    print(f"request:   CN -> GB, {len(request.parcels)} parcels, {len(request.goods)} goods lines: "
          f"{len(result.options)} options, {len(result.excluded)} excluded ({pairs} parcel x service pairs)")
    print(f"shop():                      median {shop_us:8.1f} us per call")
    print(f"shop() converted to GBP:     median {shop_fx_us:8.1f} us per call")
    print(f"baseline (Decimal mul-add):  median {baseline_us:8.1f} us per call")
    print(f"ratio shop / baseline:       {shop_us / baseline_us:8.1f}x")
    print(f"target < {TARGET_US} us:           {'met' if shop_us < TARGET_US else 'MISSED'} "
          f"({shop_us / TARGET_US:.1%} of the budget)")


if __name__ == "__main__":
    main()
