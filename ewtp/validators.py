"""Field validators the apps share, and model validation as the one application error."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from ewtp.exceptions import ApplicationError

country_validator = RegexValidator(r"^[A-Z]{2}$", _("Use a two-letter ISO country code."), code="invalid_country")
currency_validator = RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO currency code."), code="invalid_currency")


def validate_model(instance, exclude: list[str] | None = None) -> None:
    """Model validation as an ApplicationError naming the first field at fault."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ApplicationError(messages[0], code="invalid", field=None if field == "__all__" else field) from exc
