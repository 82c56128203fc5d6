import csv

from django.core.management.base import BaseCommand, CommandError

from duties.domain.rules import BadPeriod
from duties.selectors import vat_return, vat_return_csv_rows


class Command(BaseCommand):
    help = ("The return of VAT charged at the sale for a period, as CSV: IOSS monthly per member state of "
            "consumption (--period 2026-12), UK quarterly (--period 2026-Q4). Fails when a total does not "
            "match the ledger.")

    def add_arguments(self, parser):
        parser.add_argument("--scheme", choices=["IOSS", "UK"], required=True)
        parser.add_argument("--period", required=True)

    def handle(self, *args, scheme, period, **options):
        try:
            report = vat_return(scheme=scheme, period=period)
        except BadPeriod as exc:
            raise CommandError(str(exc)) from None
        csv.writer(self.stdout).writerows(vat_return_csv_rows(report))
        if not report.reconciles:
            raise CommandError("The return does not match the ledger's vat_payable: see the ledger_vat column.")
