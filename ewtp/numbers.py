"""Numbers from requests, parsed in one place.

Python's own parsers take more than a person types and refuse some of what `str.isdigit()` lets
through: `"²".isdigit()` is true and `int("²")` fails; `int()` and `Decimal()` read Arabic-Indic and
full-width digits, `"1_000"` and surrounding whitespace; `Decimal()` reads `NaN`, `Infinity` and
`1e999999999`, which then fail in comparisons or rounding. Every number a request carries (query
string, form, JSON, spreadsheet cell) goes through these functions: ASCII digits, a sign only where
the caller allows one, bounds; anything else is an `ApplicationError` at the field at fault (a 400 in
the API, a form error on a page).
"""

from __future__ import annotations

import re
from decimal import Decimal

from ewtp.exceptions import ApplicationError

_INT = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")  # no exponent: "1e309" is not a price
# Longer than any number the platform takes (a price below 10^12 with a few decimals, an id).
MAX_LENGTH = 40


def is_whole_number(text: str, *, signed: bool = False) -> bool:
    """True for ASCII digits (with one leading sign if `signed`), the only whole numbers a request may spell."""
    if not isinstance(text, str) or len(text) > MAX_LENGTH or not _INT.fullmatch(text):
        return False
    return signed or text[0] not in "+-"


def parse_int(value: object, *, field: str, minimum: int | None = None, maximum: int | None = None,
              signed: bool = False, message: str | None = None, code: str = "invalid") -> int:
    """A whole number from a string of ASCII digits (or a JSON integer), within [minimum, maximum]."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and is_whole_number(value.strip(), signed=signed or (minimum or 0) < 0):
        number = int(value.strip())
    else:
        raise ApplicationError(message or _range_message(minimum, maximum), code=code, field=field)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise ApplicationError(message or _range_message(minimum, maximum), code=code, field=field)
    return number


def parse_decimal(value: object, *, field: str, minimum: Decimal | int | None = None,
                  maximum: Decimal | int | None = Decimal("1e12"), places: int | None = None,
                  decimal_comma: bool = False, message: str | None = None, code: str = "invalid_amount") -> Decimal:
    """A finite decimal from a string such as "25" or "25.50" (or a JSON integer, or a Decimal; floats are
    refused, they are not exact), within [minimum, maximum] and with at most `places` decimals."""
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    elif isinstance(value, Decimal):
        text = format(value, "f") if value.is_finite() else ""
    elif isinstance(value, str):
        text = value.strip().replace(",", ".") if decimal_comma else value.strip()
    else:
        text = ""
    if len(text) > MAX_LENGTH or not _DECIMAL.fullmatch(text):
        raise ApplicationError(message or "Enter a number such as 25 or 25.50.", code=code, field=field)
    number = Decimal(text)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise ApplicationError(message or _range_message(minimum, maximum), code=code, field=field)
    if places is not None and -number.as_tuple().exponent > places:
        raise ApplicationError(message or f"Use at most {places} decimals.", code=code, field=field)
    return number


def _range_message(minimum, maximum) -> str:
    def shown(bound) -> str:
        return f"{bound:,}" if isinstance(bound, int) else f"{bound:,f}"
    if minimum is not None and maximum is not None:
        return f"Enter a number from {shown(minimum)} to {shown(maximum)}."
    if minimum is not None:
        return f"Enter a number of at least {shown(minimum)}."
    if maximum is not None:
        return f"Enter a number of at most {shown(maximum)}."
    return "Enter a whole number."
