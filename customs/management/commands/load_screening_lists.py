"""Load denied-party lists into the database: `manage.py load_screening_lists [--sdn FILE] [--un FILE]`.

FILE is OFAC's sdn.csv (latin-1, as published) and the UN Security Council consolidated.xml.
Without arguments, the files under customs/data/screening (also loaded by load_reference_data).
Each list given replaces the previous load of that list; workers pick the new version up at
their next screening.
"""

from django.core.management.base import BaseCommand, CommandError

from customs.services import screening_lists_store


class Command(BaseCommand):
    help = "Load the OFAC SDN CSV and the UN consolidated XML into the screening index."

    def add_arguments(self, parser):
        parser.add_argument("--sdn", help="path of an OFAC sdn.csv")
        parser.add_argument("--un", help="path of a UN consolidated.xml")

    def handle(self, *args, sdn=None, un=None, **options):
        try:
            summary = screening_lists_store(sdn=sdn, un=un)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Could not load the lists: {exc}") from exc
        self.stdout.write(f"Loaded: {summary}")
