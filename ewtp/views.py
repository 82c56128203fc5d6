"""Small helpers that every app's page views share."""

from ewtp.exceptions import ApplicationError


def form_error(form, exc: ApplicationError) -> None:
    """Show a service's error at the form field it names, or at the top of the form."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)
