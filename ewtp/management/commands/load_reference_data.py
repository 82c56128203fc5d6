from django.core.management.base import BaseCommand

from ewtp.reference_data import load_dataset, registered_datasets


class Command(BaseCommand):
    help = "Load every app's reference data (idempotent: unchanged files are skipped)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="reload even if the files are unchanged")

    def handle(self, *args, force: bool = False, **options):
        for name, paths, loader in registered_datasets():
            summary = load_dataset(name, paths, loader, force=force)
            if options["verbosity"]:
                self.stdout.write(f"{name:<22} {summary}")
