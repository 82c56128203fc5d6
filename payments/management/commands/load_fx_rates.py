import urllib.request
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ewtp.exceptions import ApplicationError
from payments.integrations.ecb import MAX_FILE_BYTES, parse_ecb_xml
from payments.services import fx_snapshots_store


class Command(BaseCommand):
    help = "Load ECB reference rates from a daily or history XML file or URL (e.g. eurofxref-daily.xml)."

    def add_arguments(self, parser):
        parser.add_argument("source", help="a path or an https:// URL")

    def handle(self, *args, source: str, **options):
        if source.startswith(("http://", "https://")):
            with urllib.request.urlopen(source, timeout=30) as response:  # noqa: S310 (operator-given URL)
                data = response.read(MAX_FILE_BYTES + 1)
        else:
            data = Path(source).read_bytes()
        try:
            self.stdout.write(fx_snapshots_store(parse_ecb_xml(data)))
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
