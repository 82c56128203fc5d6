"""The seller's booking form: the parcels (split an order into several), every rate-shopping option
for them with the reasons the other services are left out, and the chosen service.

The form knows nothing of orders: the page that shows it passes the origin, destination, goods and
the defaults (the buyer's choice at checkout and a first parcel), so that the marketplace can
use it without logistics ever importing the marketplace.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ewtp.exceptions import ApplicationError
from logistics.domain.rates import MAX_PARCEL_WEIGHT_KG, MAX_SIDE_CM, ShopResult

MAX_PARCELS_PER_PAGE = 20


def _positive(value: Decimal) -> None:
    if value is not None and value <= 0:
        raise ValidationError(_("Must be more than 0."), code="not_positive")


def _side(value: Decimal) -> None:
    if value is not None and value > MAX_SIDE_CM:
        raise ValidationError(_("A side of %(side)s cm is not a parcel (at most %(max)s cm)."),
                              params={"side": value, "max": MAX_SIDE_CM}, code="absurd_side")


def _weight(value: Decimal) -> None:
    if value is not None and value > MAX_PARCEL_WEIGHT_KG:
        raise ValidationError(_("%(weight)s kg is not a parcel (at most %(max)s kg)."),
                              params={"weight": value, "max": MAX_PARCEL_WEIGHT_KG}, code="absurd_weight")


class ParcelForm(forms.Form):
    weight_kg = forms.DecimalField(label=_("Weight (kg)"), max_digits=8, decimal_places=3,
                                   validators=[_positive, _weight])
    length_cm = forms.DecimalField(label=_("Length (cm)"), max_digits=6, decimal_places=1,
                                   validators=[_positive, _side])
    width_cm = forms.DecimalField(label=_("Width (cm)"), max_digits=6, decimal_places=1,
                                  validators=[_positive, _side])
    height_cm = forms.DecimalField(label=_("Height (cm)"), max_digits=6, decimal_places=1,
                                   validators=[_positive, _side])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.update({"inputmode": "decimal", "step": "any"})


ParcelFormSet = forms.formset_factory(ParcelForm, extra=0, min_num=1, max_num=MAX_PARCELS_PER_PAGE,
                                      validate_min=True, validate_max=True)


class BookingForm:
    """Parcels + service choice. `action` is "rate" (show the options for these parcels), "add"
    (one more parcel), "remove" (drop the last) or "book"."""

    def __init__(self, data=None, *, shop, default_parcels: list[dict], default_service: str) -> None:
        self.shop = shop  # callable(parcels: list[dict]) -> ShopResult (the page binds origin, goods, currency)
        self.action = (data or {}).get("action", "rate")
        self.service_code = (data or {}).get("service_code") or default_service
        self.claim_preference = (data or {}).get("claim_preference") == "on"
        self.service_error: str | None = None
        self.result: ShopResult | None = None
        if data is None:
            self.parcels = ParcelFormSet(prefix="parcels", initial=default_parcels)
        else:
            self.parcels = ParcelFormSet(data, prefix="parcels")
            if self.action in ("add", "remove") and self.parcels.is_valid():
                rows = [form.cleaned_data for form in self.parcels.forms]
                rows = rows + [dict(rows[-1])] if self.action == "add" else rows[:-1] or rows
                self.parcels = ParcelFormSet(prefix="parcels", initial=rows[:MAX_PARCELS_PER_PAGE])
        self._rate()

    def _rate(self) -> None:
        if self.parcels.is_bound and not self.parcels.is_valid():
            return
        rows = self.cleaned_parcels()
        try:
            self.result = self.shop(rows)
        except ApplicationError as exc:
            self._error_at(exc)

    def _error_at(self, exc: ApplicationError) -> None:
        """An error from the rate engine ("parcels[1].weight_kg") shown at that field."""
        import re

        match = re.fullmatch(r"parcels\[(\d+)\]\.(\w+)", exc.field or "")
        if match and self.parcels.is_bound and int(match.group(1)) < len(self.parcels.forms) \
                and match.group(2) in ParcelForm.base_fields:
            self.parcels.forms[int(match.group(1))].add_error(match.group(2), exc.message)
        else:
            self.service_error = exc.message

    def cleaned_parcels(self) -> list[dict]:
        if self.parcels.is_bound:
            return [form.cleaned_data for form in self.parcels.forms]
        return [dict(row) for row in self.parcels.initial]

    @property
    def parcels_invalid(self) -> bool:
        return self.parcels.is_bound and not self.parcels.is_valid()

    @property
    def options(self):
        return self.result.options if self.result else []

    @property
    def excluded(self):
        return self.result.excluded if self.result else []

    def is_valid_for_booking(self) -> bool:
        if self.action != "book" or not self.parcels.is_bound or not self.parcels.is_valid() or self.result is None:
            return False
        if self.result.option(self.service_code) is None:
            excluded = self.result.exclusion(self.service_code)
            self.service_error = excluded.reason if excluded else str(_("Choose one of the options."))
            return False
        return True

    def add_error(self, exc: ApplicationError) -> None:
        self._error_at(exc)
