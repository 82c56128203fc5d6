"""Loading reference data files idempotently: a dataset whose files have not changed since the
last load is skipped, so `make run` starts in seconds the second time.

Each app registers its datasets in its `AppConfig.ready()`, so that `load_reference_data` loads
every app's without `ewtp` importing any app:

    register_datasets(reference_datasets)  # a function answering [(name, files, loader), ...]
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path

from django.db import transaction

from ewtp.models import DataLoad

Dataset = tuple[str, Iterable[Path], Callable[[], str]]  # name, its files, the loader (a one-line summary)

_registered: list[Callable[[], Iterable[Dataset]]] = []


def register_datasets(datasets: Callable[[], Iterable[Dataset]]) -> None:
    """Add an app's datasets, listed when loading (their files are then globbed afresh). Apps register in
    INSTALLED_APPS order, which is the order they load in."""
    if datasets not in _registered:  # ready() can run again (a test's fresh app registry)
        _registered.append(datasets)


def registered_datasets() -> list[Dataset]:
    return [dataset for datasets in _registered for dataset in datasets()]


def checksum(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def load_dataset(name: str, paths: Iterable[Path], loader: Callable[[], str], *, force: bool = False) -> str:
    """Run `loader` (which returns a one-line summary) unless the files are unchanged."""
    paths = list(paths)
    digest = checksum(paths)
    previous = DataLoad.objects.filter(dataset=name).first()
    if previous and previous.checksum == digest and not force:
        return f"{previous.summary} (unchanged, skipped)"
    with transaction.atomic():
        summary = loader()
        DataLoad.objects.update_or_create(dataset=name, defaults={"checksum": digest, "summary": summary})
    return summary
