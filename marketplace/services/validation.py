"""Model validation as the one application error: the first field at fault, with its message."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from ewtp.exceptions import ApplicationError


def validate_model(instance, exclude: list[str] | None = None) -> None:
    """Model validation as an ApplicationError naming the first field at fault."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ApplicationError(messages[0], code="invalid", field=None if field == "__all__" else field) from exc
