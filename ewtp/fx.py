"""Reference FX rates, cached per process and read again every FX_REFRESH_SECONDS, so that
rates loaded by another process (`load_fx_rates`, a beat task) reach every web worker within
that time without a query per quote."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from ewtp.cache import process_cache
from ewtp.exceptions import ApplicationError, Unavailable
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


def fx_for_quote(on: date | None = None) -> FxTable:
    """The rates a price is quoted at: `fx_table(on)`, refused when they are more than FX_MAX_AGE_DAYS older
    than the day quoted (today when None); 0 sets no limit (the embedded default, whose shipped files do not
    change). `payments.tasks.fx_refresh` keeps them fresh."""
    table = fx_table(on)
    limit = settings.FX_MAX_AGE_DAYS
    day = on or timezone.now().date()
    if limit and (day - table.as_of).days > limit:
        raise Unavailable(f"The reference exchange rates are of {table.as_of.isoformat()}, more than {limit} days "
                          f"before {day.isoformat()}: no price is quoted on them until newer rates are loaded.",
                          code="stale_fx_rates", field="date" if on else None)
    return table


def fx_rates_store(*, as_of: date, rates_per_eur: dict[str, Decimal], source: str):
    from ewtp.models import FxRateSet

    if not rates_per_eur or any(rate <= 0 for rate in rates_per_eur.values()):
        raise ApplicationError("FX rates must be positive.", code="invalid_fx_file")
    rate_set, _ = FxRateSet.objects.update_or_create(
        as_of=as_of, defaults={"source": source, "rates": {k: str(v) for k, v in rates_per_eur.items()}})
    fx_table.cache_clear()
    return rate_set
