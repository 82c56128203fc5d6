from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from payments.models import LedgerEntry, LedgerTransaction, Payment, Payout


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
    """Every transaction balances per currency; escrow holds exactly what paid, unreleased,
    unrefunded orders are owed; every captured payment is in the ledger."""
    report = LedgerReport(transactions=LedgerTransaction.objects.count())
    sums: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for txn_id, currency, amount in LedgerEntry.objects.values_list("transaction_id", "currency", "amount"):
        sums[(txn_id, currency)] += amount
    for (txn_id, currency), total in sums.items():
        if total != 0:
            report.problems.append(f"transaction {txn_id} is off by {total} {currency}")

    escrow_by_ref: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for ref, currency, amount in LedgerEntry.objects.filter(account="escrow").values_list(
            "transaction__reference", "currency", "amount"):
        escrow_by_ref[(ref, currency)] += -amount
    released = set(Payout.objects.values_list("reference", flat=True))
    for payment in Payment.objects.filter(status=Payment.Status.SUCCEEDED):
        expected = Decimal(0) if payment.reference in released else payment.escrow_held.amount
        held = escrow_by_ref.pop((payment.reference, payment.currency), Decimal(0))
        if held != expected:
            report.problems.append(f"escrow for {payment.reference} holds {held}, expected {expected}")
        if not LedgerTransaction.objects.filter(kind="payment_captured", reference=payment.reference).exists():
            report.problems.append(f"payment {payment.reference} is not in the ledger")
    for (ref, currency), held in escrow_by_ref.items():
        if held != 0:
            report.problems.append(f"escrow holds {held} {currency} for {ref}, which has no captured payment")
    return report


def payment_for_reference(reference: str) -> Payment | None:
    return Payment.objects.filter(reference=reference).first()


def payouts_for_company(company_id: int):
    return Payout.objects.filter(company_id=company_id).order_by("-created_at")


def ledger_transactions(*, account: str = "", reference: str = ""):
    transactions = LedgerTransaction.objects.prefetch_related("entries").order_by("-created_at", "-id")
    if account:
        transactions = transactions.filter(entries__account__startswith=account).distinct()
    if reference:
        transactions = transactions.filter(reference=reference)
    return transactions
