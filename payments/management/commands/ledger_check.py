from django.core.management.base import BaseCommand, CommandError

from payments.selectors import ledger_check


class Command(BaseCommand):
    help = ("Prove the ledger: every transaction balances per currency, escrow equals what paid, "
            "unreleased orders are owed, and every captured payment is in the ledger.")

    def handle(self, *args, **options):
        report = ledger_check()
        if not report.ok:
            raise CommandError("\n".join(["The ledger does not balance:", *report.problems]))
        self.stdout.write(self.style.SUCCESS(f"Ledger balanced: {report.transactions} transactions checked."))
