from datetime import date

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = ("Per destination: tariff lines loaded, their source and date, and the HS 2022 subheadings the book "
            "rates, rates only per national line, or holds no rate for (those quote as manual assessment).")

    def add_arguments(self, parser):
        parser.add_argument("--date", default=None, help="the date to check (default: today)")
        parser.add_argument("--destination", action="append", default=[], help="ISO2 code (repeatable)")
        parser.add_argument("--list", action="store_true", help="list the subheadings without a rate")

    def handle(self, *args, date: str | None = None, destination: list[str], list: bool = False, **options):
        from customs.selectors import tariff_book

        try:
            on = _date(date)
        except ValueError as error:
            raise CommandError(f"--date: {error}") from error
        book = tariff_book()
        territories = sorted({r.territory for r in book.destinations()
                              if not destination or r.code in destination or r.territory in destination})
        if not territories:
            raise CommandError("no such destination in the tariff book")
        self.stdout.write(f"HS 2022 subheadings: {sum(1 for c in book.hs_codes if len(c) == 6)}; date {on}")
        for territory in territories:
            found = book.coverage(territory, on)
            self.stdout.write(
                f"{territory:<3} lines {found.lines:>6}  rated {len(found.rated):>5}  per national line "
                f"{len(found.national_code_needed):>4}  without a rate {len(found.without_rate):>5}  "
                f"from {found.first_date or '-'}")
            for source in found.sources[:3]:
                self.stdout.write(f"      source: {source[:150]}")
            if len(found.sources) > 3:
                self.stdout.write(f"      ... and {len(found.sources) - 3} more sources")
            if list and found.without_rate:
                self.stdout.write("      without a rate: " + " ".join(found.without_rate))


def _date(text: str | None):
    return date.today() if not text else date.fromisoformat(text)
