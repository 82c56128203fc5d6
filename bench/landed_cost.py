"""Landed-cost engine speed, in process, with the tariff book loaded from the data files.

    .venv/bin/python bench/landed_cost.py [--repeat 15] [--number 2000]

Prints the median time per call of a single-line and a 20-line quote beside a bare baseline
measured in the same run (a dict lookup and one Decimal multiply per line, the least any duty
calculation must do), and their ratio. Targets: single line < 50 µs, 20 lines < 1 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import timeit
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from customs.domain.landed_cost import QuoteLine, QuoteRequest, quote_landed_cost  # noqa: E402
from customs.reference import load_book_from_files  # noqa: E402
from ewtp.money import FxTable, Money  # noqa: E402

FX = FxTable({"GBP": Decimal("0.8412"), "USD": Decimal("1.0823"), "CNY": Decimal("7.8213"),
              "JPY": Decimal("161.20"), "AUD": Decimal("1.6512")}, date(2026, 1, 14), "bench rates")

# A spread of real lines: ad valorem, compound, specific, 10-digit and 8-digit codes.
CODES = ["6109100010", "61102091", "42022100", "95030070", "39241000", "85171200", "64039996", "62034231",
         "73239300", "94036010", "20089948", "22042109", "04061030", "18069011", "84713000", "69120085",
         "96032100", "71171900", "87120030", "09021000"]


def line(code: str, value: str = "25.00") -> QuoteLine:
    return QuoteLine(hs_code=code, description="bench item", quantity=4, unit_value=Money(Decimal(value), "GBP"),
                     net_weight_kg=Decimal("1.2"), origin="CN", supplementary={"l": Decimal("3"), "alcohol_pct_vol": Decimal("12")})


def request(lines: list[QuoteLine]) -> QuoteRequest:
    return QuoteRequest(origin="CN", destination="GB", on=date(2026, 1, 15), incoterm="DDP", currency="GBP",
                        shipping=Money(Decimal("12.00"), "GBP"), insurance=Money(Decimal("1.50"), "GBP"), lines=lines)


def median_per_call(func, number: int, repeat: int) -> float:
    return statistics.median(timeit.repeat(func, number=number, repeat=repeat)) / number * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--number", type=int, default=2000)
    args = parser.parse_args()

    started = time.perf_counter()
    book = load_book_from_files()
    print(f"book loaded: {book.measure_count:,} measures in {time.perf_counter() - started:.2f} s")

    single = request([line("6109100010")])
    twenty = request([line(code) for code in CODES])
    for quote in (quote_landed_cost(book, FX, single), quote_landed_cost(book, FX, twenty)):  # warm caches
        assert quote.landed_cost.amount > 0

    rates = {code: Decimal("0.12") for code in CODES}
    values = [Decimal("100.00")] * len(CODES)

    def baseline(count: int):
        def run() -> Decimal:
            total = Decimal(0)
            for code, value in zip(CODES[:count], values[:count], strict=True):
                total += value * rates[code]
            return total
        return run

    rows = []
    for label, req, count, target in (("single-line quote", single, 1, 50.0), ("20-line quote", twenty, 20, 1000.0)):
        number = max(args.number // count, 50)
        engine = median_per_call(lambda req=req: quote_landed_cost(book, FX, req), number, args.repeat)
        bare = median_per_call(baseline(count), number * 10, args.repeat)
        explained = median_per_call(lambda req=req: quote_landed_cost(book, FX, req).explanation, number, args.repeat)
        rows.append((label, engine, explained, bare, target))
    print(f"{'':20} {'engine µs':>10} {'+explain µs':>12} {'baseline µs':>12} {'ratio':>8} {'target µs':>10}")
    for label, engine, explained, bare, target in rows:
        verdict = "ok" if engine < target else "OVER"
        print(f"{label:20} {engine:10.1f} {explained:12.1f} {bare:12.2f} {engine / bare:8.0f}x {target:10.0f} {verdict}")


if __name__ == "__main__":
    main()
