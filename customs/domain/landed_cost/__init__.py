"""The landed-cost engine: what a cross-border order costs delivered, and why, rule by rule.

Pure: takes a loaded `TariffBook`, an `FxTable` and a `QuoteRequest`; no ORM, no I/O.

The pipeline, one module a step:

1. `validate`  the destination, date and origin, incoterm, currency, costs and lines, each fault raised
               with its code and field (`errors`); a sound request comes out with its prepared context and
               a plan per line (`plan`: worked out once per book, destination, date and origin, and per
               code, origin and claim, and kept; this is what makes a quote fast);
2. `value`     goods, shipping and insurance in the destination currency; the customs value on its basis
               (CIF apportions transport over the lines by value; FOB counts the goods only);
3. `relief`    on the whole consignment: low-value regimes (EU IOSS, UK £135, AU and SG low-value goods,
               China's cross-border e-commerce retail import for consumers) and the de minimis tests,
               separately for duty and tax;
4. `duty`      per line: the measure in force on the date; a preference only when the origin is a party,
               the line has a preferential rate and the preference is claimed; plus additional duties by
               origin;
5. `tax`       VAT/GST on its base, by rate — then the de minimis on the amount payable (China's), which
               needs duty and tax known (`relief.waive_small_payable`);
6. `fees`      the destination's fees, when goods are entered at the border;
7. `explain`   totals, rounded in the destination currency at each figure, then in the requested currency
               (`quote`: the answer's types).

Where a destination's law cuts figures down instead (Japan: bases to the 1,000 yen below, duty and each tax
to the 100 yen below, national and local consumption tax apart), `duty` and `tax` do so (`rounding`).

Every figure gets a sentence in the quote's `explanation` (`explanation`: recorded while quoting, rendered
on first read) with its base, rate, measure, source and date.
"""

from __future__ import annotations

from customs.domain.landed_cost.duty import duty
from customs.domain.landed_cost.errors import (
    CurrencyMismatchError,
    DomesticShipment,
    InvalidAmount,
    InvalidDate,
    LandedCostError,
    UnknownHsCode,
    UnsupportedDestination,
)
from customs.domain.landed_cost.explain import explain
from customs.domain.landed_cost.explanation import Explanation
from customs.domain.landed_cost.fees import fees
from customs.domain.landed_cost.quote import DeMinimis, FeeLine, Quote, QuotedLine, TaxLine
from customs.domain.landed_cost.relief import relief, waive_small_payable
from customs.domain.landed_cost.request import INCOTERMS, QuoteLine, QuoteRequest
from customs.domain.landed_cost.tax import tax
from customs.domain.landed_cost.validate import validate
from customs.domain.landed_cost.value import value
from customs.domain.tariff_book import TariffBook
from ewtp.money import FxTable


def quote_landed_cost(book: TariffBook, fx: FxTable, request: QuoteRequest) -> Quote:
    ctx, plans = validate(book, fx, request)
    explanation = Explanation(ctx.dest)
    valuation = value(ctx, request, explanation)
    relieved = relief(ctx, request, valuation, explanation)
    duties = duty(book, fx, ctx, request.lines, plans, valuation, relieved, explanation)
    taxes = tax(ctx, plans, valuation, duties, relieved, explanation)
    taxes = waive_small_payable(relieved, duties, taxes, ctx.dest, explanation)
    fee_lines = fees(ctx, fx, valuation, relieved, explanation)
    return explain(ctx, fx, request, plans, valuation, relieved, duties, taxes, fee_lines, explanation)


__all__ = [
    "INCOTERMS", "CurrencyMismatchError", "DeMinimis", "DomesticShipment", "Explanation", "FeeLine", "InvalidAmount",
    "InvalidDate", "LandedCostError", "Quote", "QuoteLine", "QuoteRequest", "QuotedLine", "TaxLine", "UnknownHsCode",
    "UnsupportedDestination", "quote_landed_cost",
]
