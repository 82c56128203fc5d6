from django.core.management.base import BaseCommand

from ewtp.reference_data import load_dataset


class Command(BaseCommand):
    help = "Load every app's reference data (idempotent: unchanged files are skipped)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="reload even if the files are unchanged")

    def handle(self, *args, force: bool = False, **options):
        from customs.services import reference_datasets as customs_datasets
        from logistics.services import reference_datasets as logistics_datasets
        from payments.services import reference_datasets as payments_datasets

        for name, paths, loader in [*customs_datasets(), *logistics_datasets(), *payments_datasets()]:
            summary = load_dataset(name, paths, loader, force=force)
            if options["verbosity"]:
                self.stdout.write(f"{name:<22} {summary}")
