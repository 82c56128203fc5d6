from django.core.management.base import BaseCommand, CommandError

from ewtp.exceptions import ApplicationError, TransientError
from payments.services import fx_refresh


class Command(BaseCommand):
    help = "Load ECB reference rates from a daily or history XML file or URL (e.g. eurofxref-daily.xml)."

    def add_arguments(self, parser):
        parser.add_argument("source", help="a path or an https:// URL")

    def handle(self, *args, source: str, **options):
        try:
            self.stdout.write(fx_refresh(source))
        except (ApplicationError, TransientError) as exc:
            raise CommandError(getattr(exc, "message", str(exc))) from exc
