from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import F, Max, Q

from ewtp.models import DecimalSum
from ewtp.money import Money
from payments.models import LedgerEntry, LedgerTransaction, Payment, PaymentAllocation, Payout, SellerAccount


def account_balances(*, prefix: str = "") -> list[dict]:
    rows = LedgerEntry.objects.filter(account__startswith=prefix).values("account", "currency")
    return list(rows.annotate(balance=DecimalSum("amount")).order_by("account", "currency"))


def account_totals_by_reference(*, account: str, references: list[str], kind: str = "") -> dict[tuple[str, str], Decimal]:
    """The sum of `account`'s entries per (order reference, currency) for these orders (of one kind of
    transaction, when given): one query."""
    rows = LedgerEntry.objects.filter(account=account, reference__in=references)
    if kind:
        rows = rows.filter(transaction__kind=kind)
    return {(row["reference"], row["currency"]): row["total"]
            for row in rows.values("reference", "currency").annotate(total=DecimalSum("amount")).order_by()}


def ledger_totals_of_kind(*, kind: str, account_prefix: str) -> dict[tuple[str, str], Decimal]:
    """The sum per (entry reference, currency) of the accounts starting `account_prefix` in transactions
    of `kind`: one query."""
    rows = LedgerEntry.objects.filter(transaction__kind=kind, account__startswith=account_prefix)
    return {(row["reference"], row["currency"]): row["total"]
            for row in rows.values("reference", "currency").annotate(total=DecimalSum("amount")).order_by()}


def payment_order_references(payment_id: int) -> list[str]:
    """The orders a payment paid."""
    return list(PaymentAllocation.objects.filter(payment_id=payment_id).order_by("pk").values_list("reference",
                                                                                                flat=True))


def payment_duties_of(reference: str) -> tuple[Money, Money] | None:
    """The order's share of its succeeded payment and the duties in it (DDP), or None if unpaid."""
    allocation = PaymentAllocation.objects.select_related("payment").filter(
        reference=reference, payment__status=Payment.Status.SUCCEEDED).first()
    if allocation is None:
        return None
    currency = allocation.payment.currency
    return Money(allocation.amount, currency), Money(allocation.duties_amount, currency)


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
    from payments.signals import ledger_checking

    for _receiver, problems in ledger_checking.send(sender=LedgerReport):
        report.problems += problems or []
    return report


@dataclass(frozen=True)
class ReleaseFigures:
    """What releasing an order's escrow pays its seller today."""

    fee: Money  # the platform's, in the payment's currency
    net: Money  # held - fee, in the payment's currency
    rate: object  # the FxRate used (ewtp.money.FxRate)
    paid_out: Money  # net in the seller's currency, rounded


def release_figures(*, held: Money, seller_currency: str) -> ReleaseFigures:
    from ewtp.fx import fx_table

    fee = Money(held.amount * settings.PLATFORM_FEE_PERCENT / 100, held.currency).rounded()
    net = held - fee
    fx = fx_table()
    return ReleaseFigures(fee=fee, net=net, rate=fx.rate(net.currency, seller_currency),
                          paid_out=fx.convert(net, seller_currency).rounded())


@dataclass(frozen=True)
class Escrowed:
    """An order's money in escrow, for the apps above (trade finance)."""

    reference: str
    company_id: int
    held: Money  # what escrow holds for it now, in the payment's currency
    released: bool  # its seller has been paid


def escrowed(*, references: list[str]) -> dict[str, Escrowed]:
    """The paid orders among `references`, with what escrow holds for each, in two queries."""
    released = set(Payout.objects.filter(reference__in=references).values_list("reference", flat=True))
    return {a.reference: Escrowed(reference=a.reference, company_id=a.company_id,
                                  held=Money(0, a.payment.currency) if a.reference in released else a.escrow_held,
                                  released=a.reference in released)
            for a in PaymentAllocation.objects.select_related("payment").filter(
                reference__in=references, payment__status=Payment.Status.SUCCEEDED)}


def escrow_hold_reasons(*, reference: str) -> list[str]:
    """Why the apps above hold this order's escrow back now (`escrow_holding`), or [] when nothing does."""
    from payments.signals import escrow_holding

    return [reason for _receiver, reason in escrow_holding.send(sender=Payout, reference=reference) if reason]


def refundable(*, reference: str) -> Money | None:
    """What can still be refunded of the order's paid share (None when nothing was paid for it, or its seller
    has been paid)."""
    allocation = PaymentAllocation.objects.select_related("payment").filter(
        reference=reference, payment__status=Payment.Status.SUCCEEDED).first()
    if allocation is None or Payout.objects.filter(reference=reference).exists():
        return None
    return Money(allocation.amount - allocation.refunded_amount, allocation.payment.currency)


def payouts_for_company(company_id: int):
    return Payout.objects.filter(company_id=company_id).order_by("-created_at")


@dataclass
class SellerBalance:
    """Where a seller's money stands, per currency: held in escrow for its paid orders (the buyers'
    currencies), owed to it and paid out (its own currency)."""

    in_escrow: list[Money]
    payable: list[Money]
    paid_out: list[Money]


def seller_balance(*, company_id: int) -> SellerBalance:
    """Three queries whatever the number of orders."""
    from payments.services import seller_payable

    released = Payout.objects.filter(company_id=company_id).values("reference")
    held = (PaymentAllocation.objects.filter(company_id=company_id, payment__status=Payment.Status.SUCCEEDED)
            .exclude(reference__in=released).values("payment__currency")
            .annotate(held=DecimalSum(F("amount") - F("refunded_amount"))).order_by("payment__currency"))
    paid = Payout.objects.filter(company_id=company_id).values("currency").annotate(total=DecimalSum("amount")).order_by(
        "currency")
    return SellerBalance(
        in_escrow=[Money(row["held"], row["payment__currency"]) for row in held if row["held"]],
        payable=[Money(row["balance"], row["currency"]) for row in account_balances(
            prefix=seller_payable(company_id)) if row["balance"]],
        paid_out=[Money(row["total"], row["currency"]) for row in paid])


def refunds_visible_to(user, company_id: int | None):
    """The refunds of the user's own payments, or of their company's orders (newest first)."""
    orders = Q(payment__buyer=user)
    if company_id:
        orders |= Q(company_id=company_id)
    return _refunds().filter(reference__in=PaymentAllocation.objects.filter(orders).values("reference")).order_by(
        "-created_at", "-id")


def _equal(queryset, **values):
    """`queryset` filtered on each field whose value is given (blank means "any")."""
    return queryset.filter(**{name: value for name, value in values.items() if value})


def _dates(queryset, *, field: str, date_from=None, date_to=None):
    return _equal(queryset, **{f"{field}__date__gte": date_from, f"{field}__date__lte": date_to})


# --- staff pages ---------------------------------------------------------------------------
# Each list takes the filters its page offers (blank means "any") and returns a queryset that
# the page paginates; everything a row shows comes with it, so a page costs the same queries
# whatever its size. A payment is for a checkout (CHK-…); refunds, payouts and escrow are per
# seller order (ORD-…), each order being one allocation of a payment.

def _payments_matching(q: str):
    """Payments whose checkout or one of whose orders has `q` in its reference, or whose provider id is `q`."""
    return Q(reference__icontains=q) | Q(provider_id=q) | Q(
        pk__in=PaymentAllocation.objects.filter(reference__icontains=q).values("payment_id"))


def payment_list(*, q: str = "", status: str = "", provider: str = "", currency: str = "", buyer: str = "",
                 company: int | None = None, date_from=None, date_to=None):
    """Payments with their orders, newest first."""
    payments = Payment.objects.select_related("buyer").prefetch_related("allocations").order_by("-created_at", "-id")
    if q:
        payments = payments.filter(_payments_matching(q))
    payments = _equal(payments, status=status, provider=provider, currency=currency, buyer__email__icontains=buyer)
    if company:
        payments = payments.filter(pk__in=PaymentAllocation.objects.filter(company_id=company).values("payment_id"))
    return _dates(payments, field="created_at", date_from=date_from, date_to=date_to)


def _refunds():
    """Refund transactions with what went back to the buyer (what left the provider's cash)."""
    from payments.services import PROVIDER_CASH

    cash = Q(entries__account=PROVIDER_CASH)
    return LedgerTransaction.objects.filter(kind__startswith="refund").annotate(
        amount=DecimalSum(-F("entries__amount"), filter=cash), currency=Max("entries__currency", filter=cash))


def refund_list(*, q: str = "", provider: str = "", currency: str = "", buyer: str = "", company: int | None = None,
                date_from=None, date_to=None):
    """Refunds, newest first; `with_payments` sets on a page's refunds the order and payment each came out of."""
    refunds = _refunds().order_by("-created_at", "-id")
    if q or provider or currency or buyer:
        payments = payment_list(q=q, provider=provider, currency=currency, buyer=buyer)
        refunds = refunds.filter(reference__in=PaymentAllocation.objects.filter(
            payment__in=payments.values("pk")).values("reference"))
    if company:
        refunds = refunds.filter(reference__in=PaymentAllocation.objects.filter(company_id=company).values("reference"))
    return _dates(refunds, field="created_at", date_from=date_from, date_to=date_to)


def with_payments(rows) -> list:
    """Set `.allocation` and `.payment` on each refund or payout of a page (found by its order
    reference), in one query."""
    rows = list(rows)
    allocations = {a.reference: a for a in PaymentAllocation.objects.select_related("payment__buyer").filter(
        reference__in={row.reference for row in rows})}
    for row in rows:
        row.allocation = allocations.get(row.reference)
        row.payment = row.allocation.payment if row.allocation else None
    return rows


def payout_list(*, q: str = "", status: str = "", currency: str = "", company: int | None = None, date_from=None,
                date_to=None):
    """Payouts to sellers, newest first. `q` finds an order or checkout reference or a Stripe transfer id."""
    payouts = Payout.objects.order_by("-created_at", "-id")
    if q:
        payouts = payouts.filter(Q(reference__icontains=q) | Q(provider_id=q) | Q(
            reference__in=PaymentAllocation.objects.filter(payment__reference__icontains=q).values("reference")))
    payouts = _equal(payouts, status=status, currency=currency, company_id=company)
    return _dates(payouts, field="created_at", date_from=date_from, date_to=date_to)


@dataclass
class PaymentDetail:
    payment: Payment
    allocations: list  # the orders it paid, each with its share, refunds and payout set on it
    refunds: list
    transactions: list
    payouts: list

    @property
    def order_references(self) -> list[str]:
        return [allocation.reference for allocation in self.allocations]

    @property
    def refundable(self) -> list:
        """The orders whose share can still be refunded: something left and the seller not yet paid."""
        return [a for a in self.allocations if a.refundable.amount > 0 and a.payout is None]


def payment_detail(*, payment_id: int) -> PaymentDetail | None:
    """A payment with its orders' shares, its refunds, its payouts and its ledger transactions."""
    payment = Payment.objects.select_related("buyer").filter(pk=payment_id).first()
    if payment is None:
        return None
    allocations = list(payment.allocations.all())
    references = [allocation.reference for allocation in allocations]
    payouts = list(Payout.objects.filter(reference__in=references).order_by("created_at", "id"))
    paid_out = {payout.reference: payout for payout in payouts}
    for allocation in allocations:
        allocation.refundable = Money(allocation.amount - allocation.refunded_amount, payment.currency)
        allocation.payout = paid_out.get(allocation.reference)
    return PaymentDetail(
        payment=payment, allocations=allocations, payouts=payouts,
        refunds=list(_refunds().filter(reference__in=references).order_by("created_at", "id")),
        transactions=list(LedgerTransaction.objects.prefetch_related("entries").filter(
            Q(reference=payment.reference) | Q(reference__in=references)).order_by("created_at", "id")),
    )


def ledger_kinds() -> list[str]:
    """The kinds of transaction the ledger holds, numbered refunds ("refund#2") as one."""
    kinds = LedgerTransaction.objects.order_by().values_list("kind", flat=True).distinct()
    return sorted({kind.split("#")[0] for kind in kinds})


def ledger_transactions(*, account: str = "", reference: str = "", kind: str = "", date_from=None, date_to=None):
    """Transactions with their entries, newest first. `account` is the start of an account's
    name; `reference` a checkout's or an order's (a checkout's capture books each order's share)."""
    transactions = LedgerTransaction.objects.prefetch_related("entries").order_by("-created_at", "-id")
    if account:
        transactions = transactions.filter(
            pk__in=LedgerEntry.objects.filter(account__startswith=account).values("transaction_id"))
    if reference:
        transactions = transactions.filter(
            Q(reference=reference) | Q(pk__in=LedgerEntry.objects.filter(reference=reference).values("transaction_id")))
    if kind:
        transactions = transactions.filter(kind__startswith=kind)
    return _dates(transactions, field="created_at", date_from=date_from, date_to=date_to)


def ledger_account_entries(*, account: str, reference: str = "", kind: str = "", date_from=None, date_to=None):
    """One account's entries with their transaction, newest first (entry ids follow posting order)."""
    entries = LedgerEntry.objects.filter(account=account).select_related("transaction").order_by("-id")
    if reference:
        entries = entries.filter(Q(reference=reference) | Q(transaction__reference=reference))
    if kind:
        entries = entries.filter(transaction__kind__startswith=kind)
    return _dates(entries, field="transaction__created_at", date_from=date_from, date_to=date_to)


def with_running_balances(*, account: str, entries) -> list:
    """Set `.balance` on each of a page of one account's entries: the account's balance in that
    entry's currency right after it. Two queries whatever the page size: the balance before the
    oldest entry shown, then every movement from it to the newest (entries the filters hide included)."""
    entries = list(entries)
    if not entries:
        return entries
    low, high = min(entry.pk for entry in entries), max(entry.pk for entry in entries)
    running: dict[str, Decimal] = defaultdict(Decimal)
    running.update(LedgerEntry.objects.filter(account=account, pk__lt=low).order_by().values("currency")
                   .annotate(total=DecimalSum("amount")).values_list("currency", "total"))
    after: dict[int, Decimal] = {}
    for pk, currency, amount in LedgerEntry.objects.filter(account=account, pk__gte=low, pk__lte=high).order_by(
            "pk").values_list("pk", "currency", "amount"):
        running[currency] += amount
        after[pk] = running[currency]
    for entry in entries:
        entry.balance = Money(after[entry.pk], entry.currency)
    return entries


def seller_account(*, company_id: int) -> SellerAccount | None:
    return SellerAccount.objects.filter(company_id=company_id).first()


@dataclass(frozen=True)
class PayoutSetup:
    provider: str  # "sandbox": the platform records payouts; "stripe": Connect transfers
    account: SellerAccount | None = None  # Stripe: the seller's Express account, once onboarding began


def payout_setup(*, company_id: int) -> PayoutSetup:
    """How a seller company gets paid, for its dashboard."""
    if settings.PAYMENT_PROVIDER != "stripe":
        return PayoutSetup(provider=settings.PAYMENT_PROVIDER)
    return PayoutSetup(provider="stripe", account=seller_account(company_id=company_id))
