"""Trade-finance reads shared by pages, the API and the services."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone

from accounts.models import Company
from customs.selectors import case_outcomes, cases_cleared
from ewtp.fx import fx_table
from ewtp.models import DecimalSum
from ewtp.money import Money
from finance.domain.advances import (
    DEFAULT_POLICY,
    Collateral,
    History,
    Stage,
    credit_limit,
    receivable_account,
)
from finance.models import Advance, AdvanceEvent, AdvanceOffer, PledgedOrder
from marketplace.selectors import seller_orders_open, seller_record
from payments.selectors import escrowed, release_figures

OWING = (Advance.Status.ACTIVE, Advance.Status.OVERDUE)


def company_get(*, company_id: int) -> Company | None:
    return Company.objects.filter(pk=company_id).first()


def seller_history(*, company) -> History:
    """The seller's record in its own currency (four queries)."""
    record = seller_record(company_id=company.pk)
    fx = fx_table()
    volume = Money.zero(company.currency)
    for currency, amount in record.delivered_by_currency.items():
        volume += fx.convert(Money(amount or Decimal(0), currency), company.currency)
    decided, rejected = case_outcomes(company_id=company.pk)
    return History(delivered_volume=volume.rounded(), delivered_orders=record.delivered_orders,
                   paid_orders=record.paid_orders, refunded_orders=record.refunded_orders,
                   customs_decided=decided, customs_rejected=rejected,
                   account_age_days=(timezone.now() - company.created_at).days)


def seller_limit(*, company):
    """The seller's limit now, with the history it came from."""
    history = seller_history(company=company)
    cap = fx_table().convert(Money(DEFAULT_POLICY.cap_eur, "EUR"), company.currency).rounded()
    return credit_limit(history, cap=cap), history


def outstanding_for(*, company_id: int, currency: str) -> Money:
    total = Advance.objects.filter(company_id=company_id, currency=currency, status__in=OWING).aggregate(
        owed=DecimalSum(F("amount") - F("repaid_amount")))["owed"]
    return Money(total or Decimal(0), currency)


@dataclass(frozen=True)
class Candidate:
    """An order the seller could pledge, or why it cannot."""

    order: object  # marketplace Order
    collateral: Collateral | None
    refusal: str = ""  # a code: not_paid, released, nothing_held, already_financed


def _stage(order, cleared: set[str]) -> Stage:
    if order.status == "delivered":
        return Stage.DELIVERED
    if order.status == "shipped" and order.reference in cleared:
        return Stage.CLEARED
    return Stage.IN_ESCROW


def candidates(*, company, orders: list) -> list[Candidate]:
    """Each order with the collateral it would be (what its release would pay the seller today, its
    stage), or the reason it cannot be pledged. A constant number of queries for any number of orders."""
    references = [order.reference for order in orders]
    held = escrowed(references=references)
    cleared = cases_cleared(references)
    pledged = set(PledgedOrder.objects.filter(order_reference__in=references).values_list("order_reference", flat=True))
    found = []
    for order in orders:
        money = held.get(order.reference)
        if money is not None and money.released:
            refusal = "released"
        elif order.status not in ("paid", "shipped", "delivered") or money is None:
            refusal = "not_paid"
        elif money.held.amount <= 0:
            refusal = "nothing_held"
        elif order.reference in pledged:
            refusal = "already_financed"
        else:
            base = release_figures(held=money.held, seller_currency=company.currency).paid_out
            found.append(Candidate(order, Collateral(order.reference, _stage(order, cleared), base)))
            continue
        found.append(Candidate(order, None, refusal))
    return found


def open_candidates(*, company) -> list[Candidate]:
    """The seller's orders that escrow may still hold, for the offer page."""
    return candidates(company=company, orders=list(seller_orders_open(company_id=company.pk)[:200]))


def offer_get(*, company_id: int, offer_id: int) -> AdvanceOffer | None:
    return AdvanceOffer.objects.filter(pk=offer_id, company_id=company_id).first()


def advances_for_company(*, company_id: int):
    """The company's advances, newest first, with their pledged orders and history."""
    return (Advance.objects.filter(company_id=company_id)
            .prefetch_related("orders", Prefetch("events", queryset=AdvanceEvent.objects.order_by("created_at", "id"))))


def advance_get(*, company_id: int | None, advance_id: int) -> Advance | None:
    """One advance; `company_id` None for staff (any seller's)."""
    advances = Advance.objects.prefetch_related("orders", "events")
    if company_id is not None:
        advances = advances.filter(company_id=company_id)
    return advances.filter(pk=advance_id).first()


@dataclass(frozen=True)
class Exposure:
    company_id: int
    company_name: str
    currency: str
    advances: int  # still owing
    outstanding: Money
    overdue: int
    at_risk: int


def exposure_by_seller() -> list[Exposure]:
    """Staff: what each seller owes, in two queries, largest first (per currency)."""
    rows = list(Advance.objects.filter(status__in=OWING).order_by().values("company_id", "currency").annotate(
        n=Count("id"), owed=DecimalSum(F("amount") - F("repaid_amount")),
        overdue=Count("id", filter=Q(status=Advance.Status.OVERDUE)), risky=Count("id", filter=Q(at_risk=True))))
    names = dict(Company.objects.filter(pk__in={r["company_id"] for r in rows}).values_list("pk", "legal_name"))
    exposures = [Exposure(r["company_id"], names.get(r["company_id"], f"#{r['company_id']}"), r["currency"], r["n"],
                          Money(r["owed"], r["currency"]), r["overdue"], r["risky"]) for r in rows]
    return sorted(exposures, key=lambda e: (-e.outstanding.amount, e.company_id))


def advances_needing_attention():
    """Staff: overdue or at-risk advances still owing, oldest due first."""
    return (Advance.objects.filter(status__in=OWING).filter(Q(status=Advance.Status.OVERDUE) | Q(at_risk=True))
            .order_by("due_at", "id"))


def with_company_names(advances) -> list:
    advances = list(advances)
    names = dict(Company.objects.filter(pk__in={a.company_id for a in advances}).values_list("pk", "legal_name"))
    for advance in advances:
        advance.company_name = names.get(advance.company_id, f"#{advance.company_id}")
    return advances


def advances_ledger_problems() -> list[str]:
    """For ledger_check: each company's advances receivable equals what its advances still owe."""
    from payments.selectors import account_balances

    booked: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in account_balances(prefix="advances_receivable:"):
        booked[(row["account"], row["currency"])] = row["balance"]
    problems = []
    owed = Advance.objects.filter(status__in=OWING).order_by().values("company_id", "currency").annotate(
        owed=DecimalSum(F("amount") - F("repaid_amount")))
    for row in owed:
        key = (receivable_account(row["company_id"]), row["currency"])
        balance = booked.pop(key, Decimal(0))
        if balance != row["owed"]:
            problems.append(f"{key[0]} is {balance} {key[1]}, its advances owe {row['owed']}")
    for (account, currency), balance in booked.items():
        if balance != 0:
            problems.append(f"{account} is {balance} {currency}, its advances owe nothing")
    return problems
