"""Personal data kept out of the logs (GDPR art. 5(1)(c) and 32, PIPL art. 51).

`RedactPersonalData` is a logging filter on every handler (settings LOGGING; Celery's own handlers get
it too, ewtp/celery.py). It rewrites each record's message (its arguments merged in first), its
traceback and stack text:

- patterns that are personal data wherever they show: email addresses, international and Chinese
  mobile phone numbers, EU VAT numbers, EORI numbers, China's unified social credit codes and resident
  identity numbers, street addresses of the common shapes;
- the record's person, where known: the signed-in user of the request being served
  (`PersonInLogsMiddleware`), or a `person` given in `extra` — their name, email and address lines;
- the string literals of SQL statements (django.db.backends at DEBUG prints every value written).

It reads only what is in memory (never the database: a query from a filter would log again).
"""

from __future__ import annotations

import contextvars
import logging
import re
import traceback
from collections.abc import Iterable

EMAIL = re.compile(r"[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# +49 30 1234567, 0049-30-1234567, +86 138 0013 8000; China's mobile numbers written without a prefix.
PHONE = re.compile(r"(?<![\w+/.-])(?:\+|00)(?=(?:[\s.()-]*\d){8})\d{1,3}(?:[\s.-]?\(?\d{1,5}\)?){2,6}(?!\w)"
                   r"|(?<![\d.-])1[3-9]\d{9}(?!\d)")
_EU = "AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK|XI|GB|CH|NO"
_PREFIXES = rf"(?:{_EU}|CN|US|JP|KR|MY|SG|TH|VN|ID|IN|AU|NZ|CA|MX|BR|TR|ZA)"
# A VAT or EORI number: a country prefix then 5 to 15 letters and digits of which at least 5 are digits, or
# the digits in groups as people type them ("DE 136 695 976"). Not a UPU parcel number (EE123456789CN).
TAX_ID = re.compile(rf"\b(?![A-Z]{{2}}\d{{9}}[A-Z]{{2}}\b){_PREFIXES}(?:(?=(?:[A-Z]*\d){{5}})[0-9A-Z]{{5,15}}|\s?\d{{2,4}}(?:\s\d{{2,4}}){{1,4}})\b")
# Neither after a decimal point: Celery logs run times as "succeeded in 0.007423700000043808s".
USCC = re.compile(r"(?<![0-9A-Z.])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])")
RESIDENT_ID = re.compile(r"(?<![\d.])\d{17}[\dXx](?!\w)")
STREET = re.compile(
    r"\b\d{1,5}[A-Za-z]?,?\s+(?:[A-Z][\w'.-]*\s+){1,4}(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Way|Boulevard|"
    r"Blvd|Drive|Dr|Court|Ct|Place|Pl|Square|Sq|Terrace|Close|Crescent|Highway|Hwy)\b\.?"
    r"|\b[\wÀ-ÿ.-]*(?:straße|strasse|str\.|weg|gasse|allee|platz|ring|damm|ufer)\s+\d+[a-z]?\b"
    r"|\b(?:rue|avenue|boulevard|via|viale|calle|avenida|plaza|piazza)\s+[\wÀ-ÿ' .-]{2,40}?\s*\d+\b"
    r"|[\u4e00-\u9fff]{2,12}(?:路|街|道|巷|弄)\d+号",
    re.IGNORECASE)
SQL_STRING = re.compile(r"'(?:[^']|'')*'")
PATTERNS = ((EMAIL, "[email]"), (RESIDENT_ID, "[id number]"), (USCC, "[tax id]"), (TAX_ID, "[tax id]"),
            (PHONE, "[phone]"), (STREET, "[address]"))

# The person whose request or task is being served: set by PersonInLogsMiddleware.
_current_request: contextvars.ContextVar = contextvars.ContextVar("ewtp_log_request", default=None)


def person_values(person) -> list[str]:
    """The strings that identify `person` (a user, a company, a dict, or a string), longest first."""
    if person is None:
        return []
    if isinstance(person, str):
        values = [person]
    elif isinstance(person, dict):
        values = [str(v) for v in person.values() if isinstance(v, str)]
    else:
        values = [getattr(person, name, "") or "" for name in (
            "email", "full_name", "first_name", "last_name", "address_line", "postcode",
            "contact_name", "contact_email", "contact_phone", "address", "tax_id", "vat_number", "eori_number",
            "registration_number", "ship_name", "ship_address", "name", "line")]
    found = {value.strip() for value in values if isinstance(value, str) and len(value.strip()) >= 4}
    return sorted(found, key=len, reverse=True)


def _request_person():
    """The signed-in user of the request being served, if it is already known (no query)."""
    request = _current_request.get()
    if request is None:
        return None
    user = request.__dict__.get("user")
    wrapped = getattr(user, "_wrapped", user)  # Django's lazy user: only if something already read it
    if wrapped is None or type(wrapped).__name__ == "object" or not getattr(wrapped, "is_authenticated", False):
        return None
    return wrapped


def redact(text: str, people: Iterable = ()) -> str:
    """`text` with the personal data in it replaced by a placeholder naming its kind."""
    if not text:
        return text
    for person in people:
        for value in person_values(person):
            text = re.sub(re.escape(value), "[personal data]", text, flags=re.IGNORECASE)
    for pattern, placeholder in PATTERNS:
        text = pattern.sub(placeholder, text)
    return text


class RedactPersonalData(logging.Filter):
    """Rewrites the record in place (once: a record seen by several handlers is rewritten by the first)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_personal_data_redacted", False):
            return True
        people = [_request_person(), getattr(record, "person", None)]
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001  (a bad format string: log what there is rather than nothing)
            message = f"{record.msg!r} {record.args!r}"
        if record.name.startswith("django.db.backends"):
            if isinstance(record.args, tuple) and len(record.args) == 4:  # (duration, sql, params, alias)
                duration, sql, _params, alias = record.args
                message = f"({duration:.3f}) {sql}; args=[redacted]; alias={alias}"
            message = SQL_STRING.sub("'?'", message)
            for key in ("sql", "params"):
                if hasattr(record, key):
                    setattr(record, key, "[redacted]")
        record.msg, record.args = redact(message, people), None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = redact(record.exc_text, people)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, people)
        record._personal_data_redacted = True
        return True


class PersonInLogsMiddleware:
    """Makes the request's signed-in user known to the log filter while the request is served."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def install_on_all_handlers() -> int:
    """Add the filter to every handler of every logger that lacks it (Celery replaces the root logger's
    handlers with its own at worker start). Returns how many handlers it added it to."""
    added = 0
    loggers = [logging.getLogger(), *(logger for logger in logging.Logger.manager.loggerDict.values()
                                      if isinstance(logger, logging.Logger))]
    for logger in loggers:
        for handler in logger.handlers:
            if not any(isinstance(f, RedactPersonalData) for f in handler.filters):
                handler.addFilter(RedactPersonalData())
                added += 1
    return added
