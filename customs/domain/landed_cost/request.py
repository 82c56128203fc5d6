"""The question: a consignment from one country to another on a date, line by line, and how to answer it
(incoterm, currency, the buyer)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from customs.domain.origin import OriginDeclaration
from ewtp.money import Money

INCOTERMS = ("DDP", "DAP")


@dataclass(frozen=True, slots=True)
class QuoteLine:
    hs_code: str
    description: str
    quantity: int
    unit_value: Money
    net_weight_kg: Decimal
    origin: str
    claim_preference: bool = False
    supplementary: Mapping[str, Decimal] = field(default_factory=dict)  # e.g. {"l": Decimal("7.5")}
    # What the seller declared for the rule of origin; a claimed preference is granted only where it meets
    # the agreement's rule (customs.domain.origin), None: nothing declared, no preference
    origin_declaration: OriginDeclaration | None = None


@dataclass(frozen=True, slots=True)
class QuoteRequest:
    origin: str
    destination: str
    on: date
    incoterm: str  # "DDP" | "DAP"
    currency: str  # currency of the answer
    shipping: Money
    insurance: Money
    lines: Sequence[QuoteLine]
    latest: date | None = None  # the last date quoted (tariffs change by law: no quote far ahead); None = no limit
    # A consumer (no company) opens the consumer-only channels (CN cross-border e-commerce retail import);
    # False keeps general trade. `consumer_year_to_date`: what the buyer bought through that channel this year.
    buyer_is_consumer: bool = False
    consumer_year_to_date: Money | None = None
