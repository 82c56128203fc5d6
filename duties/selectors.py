"""Duty settlement reads: settlements and what each authority is still owed, tax invoices for their buyer
and seller, the periodic VAT returns, and the checks that tie them to the ledger."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q

from duties.domain.rules import return_period
from duties.models import AuthoritySettlement, DutyAssessment, TaxInvoice
from ewtp import roles
from ewtp.models import DecimalSum
from ewtp.money import Money


def settlements_list(*, limit: int = 100) -> list[AuthoritySettlement]:
    return list(AuthoritySettlement.objects.annotate(shipments=Count("assessments"))[:limit])


@dataclass(frozen=True)
class Owed:
    destination: str
    currency: str
    unsettled: Money  # assessed, released, not yet in a settlement
    ledger: Money  # what duties_payable holds for this authority in this currency


def owed_by_authority() -> list[Owed]:
    """Per authority and currency: what is assessed and unpaid, beside the ledger's duties_payable."""
    from payments.selectors import account_balances

    unsettled: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in (DutyAssessment.objects.filter(settlement__isnull=True, assessed_amount__gt=0)
                .values("destination", "currency").annotate(total=DecimalSum("assessed_amount")).order_by()):
        unsettled[(row["destination"], row["currency"])] += row["total"]
    ledger = {(row["account"].split(":", 1)[1], row["currency"]): -row["balance"]
              for row in account_balances(prefix="duties_payable:")}
    keys = sorted(set(unsettled) | {key for key, value in ledger.items() if Money(value, key[1]).rounded().amount})
    return [Owed(destination, currency,
                 Money(unsettled.get((destination, currency), Decimal(0)), currency).rounded(),
                 Money(ledger.get((destination, currency), Decimal(0)), currency).rounded())
            for destination, currency in keys]


def assessments_with_difference(*, limit: int = 100) -> list[DutyAssessment]:
    return list(DutyAssessment.objects.exclude(resolution="exact").select_related("settlement")[:limit])


# --- tax invoices ------------------------------------------------------------------------------------------

def invoice_visible_to(*, user, pk: int) -> TaxInvoice | None:
    """The invoice, for its buyer, a member of its seller, or finance staff; None for anyone else."""
    from accounts.selectors import company_of

    invoice = TaxInvoice.objects.filter(pk=pk).first()
    if invoice is None or not user.is_authenticated:
        return None
    if invoice.buyer_id == user.pk or user.has_perm(roles.VIEW_SETTLEMENTS):
        return invoice
    company = company_of(user)
    return invoice if company is not None and company.pk == invoice.company_id else None


def invoices_for_orders(references: list[str]) -> dict[str, TaxInvoice]:
    return {invoice.reference: invoice for invoice in TaxInvoice.objects.filter(reference__in=references)}


# --- the VAT returns ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReturnRow:
    country: str
    currency: str
    invoices: int
    net: Money
    vat: Money
    ledger_vat: Money  # what the ledger moved to vat_payable for these invoices

    @property
    def reconciles(self) -> bool:
        return self.vat == self.ledger_vat


@dataclass
class VatReturn:
    scheme: str
    period: str
    start: object
    end: object
    vat_number: str
    rows: list[ReturnRow] = field(default_factory=list)

    @property
    def reconciles(self) -> bool:
        return all(row.reconciles for row in self.rows)


def vat_return(*, scheme: str, period: str) -> VatReturn:
    """The return of a scheme for a period (IOSS: a month, per member state of consumption; UK: a quarter),
    from the tax invoices issued in it, each total beside the ledger's. Raises BadPeriod for a bad period."""
    from duties.services import scheme_vat_number
    from payments.selectors import account_totals_by_reference
    from payments.services import vat_payable

    start, end = return_period(scheme, period)
    invoices = TaxInvoice.objects.filter(scheme=scheme, issued_at__date__gte=start, issued_at__date__lt=end)
    result = VatReturn(scheme=scheme, period=period.strip().upper(), start=start, end=end,
                       vat_number=scheme_vat_number(scheme))
    grouped = (invoices.values("country", "currency")
               .annotate(count=Count("id"), net=DecimalSum("net_amount"), vat=DecimalSum("vat_amount")).order_by("country",
                                                                                                   "currency"))
    references: dict[str, list[str]] = defaultdict(list)
    for country, reference in invoices.values_list("country", "reference"):
        references[country].append(reference)
    for row in grouped:
        country, currency = row["country"], row["currency"]
        ledger = account_totals_by_reference(account=vat_payable(scheme, country), references=references[country],
                                             kind="vat_at_sale")
        ledger_vat = -sum((amount for (_, cur), amount in ledger.items() if cur == currency), Decimal(0))
        result.rows.append(ReturnRow(country=country, currency=currency, invoices=row["count"],
                                     net=Money(row["net"], currency).rounded(),
                                     vat=Money(row["vat"], currency).rounded(),
                                     ledger_vat=Money(ledger_vat, currency).rounded()))
    return result


def vat_return_csv_rows(report: VatReturn) -> list[list[str]]:
    header = ["scheme", "period", "vat_number", "country", "currency", "invoices", "net", "vat", "ledger_vat"]
    return [header] + [[report.scheme, report.period, report.vat_number, row.country, row.currency,
                        str(row.invoices), str(row.net.amount), str(row.vat.amount), str(row.ledger_vat.amount)]
                       for row in report.rows]


def ledger_problems() -> list[str]:
    """Every tax invoice's VAT is in vat_payable, and every paid settlement took its amount off
    duties_payable (for `manage.py ledger_check`)."""
    from payments.selectors import ledger_totals_of_kind

    problems = []
    booked_vat = ledger_totals_of_kind(kind="vat_at_sale", account_prefix="vat_payable:")
    for reference, currency, vat in TaxInvoice.objects.values_list("reference", "currency", "vat_amount"):
        booked = -Money(booked_vat.get((reference, currency), Decimal(0)), currency).rounded().amount
        if booked != vat:
            problems.append(f"tax invoice of {reference}: {vat} {currency} VAT, the ledger's vat_payable holds "
                            f"{booked}")
    paid = ledger_totals_of_kind(kind="duty_settlement", account_prefix="duties_payable:")
    for settlement in AuthoritySettlement.objects.filter(Q(status="paid")):
        lines = sum((paid.get((ref, settlement.currency), Decimal(0))
                     for ref in settlement.assessments.values_list("reference", flat=True)), Decimal(0))
        if Money(lines, settlement.currency).rounded().amount != settlement.amount:
            problems.append(f"settlement {settlement.reference} paid {settlement.total}, the ledger took "
                            f"{lines} off duties_payable")
    return problems
