"""Reference FX rates, cached per process and read again every FX_REFRESH_SECONDS, so that
rates loaded by another process (`load_fx_rates`, a beat task) reach every web worker within
that time without a query per quote."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings

from ewtp.cache import process_cache
from ewtp.exceptions import ApplicationError
from ewtp.money import FxTable


@process_cache(every=lambda: settings.FX_REFRESH_SECONDS, maxsize=64)
def fx_table(on: date | None = None) -> FxTable:
    """The latest reference rates on or before `on` (the newest when None). `fx_table.cache_clear()`
    forgets them now (loaders, and tests whose stored rates are rolled back)."""
    from ewtp.models import FxRateSet

    rate_sets = FxRateSet.objects.all()
    if on is not None:
        rate_sets = rate_sets.filter(as_of__lte=on)
    # A date before the oldest snapshot uses the oldest one rather than failing the quote.
    rate_set = rate_sets.order_by("-as_of").first() or FxRateSet.objects.order_by("as_of").first()
    if rate_set is None:
        raise ApplicationError("No FX reference rates are loaded; run load_reference_data.", code="no_fx_rates")
    return FxTable({cur: Decimal(rate) for cur, rate in rate_set.rates.items()}, rate_set.as_of, rate_set.source)


def fx_rates_store(*, as_of: date, rates_per_eur: dict[str, Decimal], source: str):
    from ewtp.models import FxRateSet

    if not rates_per_eur or any(rate <= 0 for rate in rates_per_eur.values()):
        raise ApplicationError("FX rates must be positive.", code="invalid_fx_file")
    rate_set, _ = FxRateSet.objects.update_or_create(
        as_of=as_of, defaults={"source": source, "rates": {k: str(v) for k, v in rates_per_eur.items()}})
    fx_table.cache_clear()
    return rate_set
