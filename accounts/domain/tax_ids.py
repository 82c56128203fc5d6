"""Company tax identifiers checked with python-stdnum (check digits and formats). Pure code."""

from __future__ import annotations

import re

# EU member states (VAT prefixes are the ISO codes except Greece, EL) and the UK, where EORI applies.
EU = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU",
      "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}
EORI_COUNTRIES = EU | {"GB"}
_EORI = re.compile(r"^[A-Z]{2}[A-Z0-9]{1,15}$")


def _compact(value: str) -> str:
    return re.sub(r"[\s.\-/]", "", value or "").upper()


def vat_check(number: str, country: str) -> str:
    """The VAT number in its compact form, or ValueError with the reason. EU numbers go through
    stdnum.eu.vat (prefix + national check digits), others through the country's stdnum module when
    python-stdnum has one; countries without one only get a length check."""
    from stdnum.exceptions import ValidationError
    from stdnum.util import get_cc_module

    number, country = _compact(number), country.upper()
    if country in EU:
        from stdnum.eu import vat

        prefix = "EL" if country == "GR" else country
        if not number.startswith(prefix):
            number = prefix + number
        try:
            return vat.validate(number)
        except ValidationError as exc:
            raise ValueError(f"This is not a valid {country} VAT number ({exc.message}).") from exc
    module = get_cc_module(country.lower(), "vat")
    if module is not None:
        if country == "GB" and number.startswith("GB"):
            number = number[2:]
        try:
            return module.validate(number)
        except ValidationError as exc:
            raise ValueError(f"This is not a valid {country} VAT number ({exc.message}).") from exc
    if not 4 <= len(number) <= 20 or not number.isalnum():
        raise ValueError("A VAT number has 4 to 20 letters and digits.")
    return number


def eori_check(number: str, country: str) -> str:
    """An EORI number: the country's prefix and up to 15 characters; in the UK, GB and 12 digits."""
    number, country = _compact(number), country.upper()
    if country not in EORI_COUNTRIES:
        raise ValueError("EORI numbers are issued in the EU and the UK only; leave it empty.")
    if not _EORI.match(number) or number[:2] != country:
        raise ValueError(f"An EORI number starts with {country} followed by up to 15 letters and digits.")
    if country == "GB" and not re.fullmatch(r"GB\d{12}", number):
        raise ValueError("A UK EORI number is GB followed by 12 digits.")
    return number
