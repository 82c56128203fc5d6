from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from payments.models import LedgerEntry, LedgerTransaction, Payment, PaymentAllocation, Payout


def account_balances(*, prefix: str = "") -> list[dict]:
    rows = LedgerEntry.objects.filter(account__startswith=prefix).values("account", "currency")
    return list(rows.annotate(balance=Sum("amount")).order_by("account", "currency"))


@dataclass
class LedgerReport:
    transactions: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def ledger_check() -> LedgerReport:
    """Every transaction balances per currency; escrow holds exactly what each paid, unreleased
    order's share is owed (less its refunds); every captured payment is in the ledger."""
    report = LedgerReport(transactions=LedgerTransaction.objects.count())
    sums: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for txn_id, currency, amount in LedgerEntry.objects.values_list("transaction_id", "currency", "amount"):
        sums[(txn_id, currency)] += amount
    for (txn_id, currency), total in sums.items():
        if total != 0:
            report.problems.append(f"transaction {txn_id} is off by {total} {currency}")

    escrow_by_ref: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for ref, currency, amount in LedgerEntry.objects.filter(account="escrow").values_list(
            "reference", "currency", "amount"):
        escrow_by_ref[(ref, currency)] += -amount
    released = set(Payout.objects.values_list("reference", flat=True))
    captured = set(LedgerTransaction.objects.filter(kind="payment_captured").values_list("reference", flat=True))
    for allocation in PaymentAllocation.objects.filter(payment__status=Payment.Status.SUCCEEDED).select_related(
            "payment"):
        expected = Decimal(0) if allocation.reference in released else allocation.escrow_held.amount
        held = escrow_by_ref.pop((allocation.reference, allocation.payment.currency), Decimal(0))
        if held != expected:
            report.problems.append(f"escrow for {allocation.reference} holds {held}, expected {expected}")
        if allocation.payment.reference not in captured:
            report.problems.append(f"payment {allocation.payment.reference} is not in the ledger")
    for (ref, currency), held in escrow_by_ref.items():
        if held != 0:
            report.problems.append(f"escrow holds {held} {currency} for {ref}, which has no captured payment")
    return report


def payment_for_reference(reference: str) -> Payment | None:
    """The payment of a checkout, or of the checkout an order belongs to."""
    return (Payment.objects.filter(reference=reference).first()
            or Payment.objects.filter(allocations__reference=reference).first())


def payment_for_checkout(reference: str) -> Payment | None:
    return Payment.objects.filter(reference=reference).prefetch_related("allocations").first()


def checkout_references(order_references: list[str]) -> dict[str, str]:
    """The checkout (payment) each order was placed in, in one query."""
    return dict(PaymentAllocation.objects.filter(reference__in=order_references).values_list(
        "reference", "payment__reference"))


def payouts_for_company(company_id: int):
    return Payout.objects.filter(company_id=company_id).order_by("-created_at")


def ledger_transactions(*, account: str = "", reference: str = ""):
    transactions = LedgerTransaction.objects.prefetch_related("entries").order_by("-created_at", "-id")
    if account:
        transactions = transactions.filter(entries__account__startswith=account).distinct()
    if reference:
        transactions = transactions.filter(reference=reference)
    return transactions
