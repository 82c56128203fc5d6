"""The UPU rules both customs declarations share: which form an item needs (CN22 or CN23), the
categories of item and the sender's declaration text."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from ewtp.money import Money

CustomsFormKind = Literal["CN22", "CN23"]

# UPU Convention Regulations, art. 20-001: a CN22 for postal items whose contents are worth
# up to 300 SDR; above that, or when the CN22 has no room for the contents, a CN23.
CN22_LIMIT_SDR = Decimal(300)
CN22_MAX_LINES = 4  # rows on our CN22; more contents go on a CN23

# The SDR's value moves daily (IMF, "SDR valuation"). Pass the day's rate; these are only
# for demos and tests: approximate 2024 levels, not loaded from a source file.
ILLUSTRATIVE_SDR_RATE_2024: dict[str, Decimal] = {
    "USD": Decimal("1.33"),  # USD per SDR
    "EUR": Decimal("1.23"),
    "GBP": Decimal("1.04"),
    "CNY": Decimal("9.55"),
}


def customs_form_kind(total_value: Money, sdr_rate: Decimal, *, line_count: int = 1) -> CustomsFormKind:
    """CN22 up to 300 SDR inclusive, CN23 above it or when the lines do not fit a CN22.

    `sdr_rate` is how many units of `total_value.currency` one SDR is worth on the day of
    posting (1.33 for USD in 2024): the caller takes it from the IMF's daily table.
    """
    if sdr_rate <= 0:
        raise ValueError("the SDR rate must be positive")
    value_in_sdr = total_value.amount / sdr_rate
    if value_in_sdr > CN22_LIMIT_SDR or line_count > CN22_MAX_LINES:
        return "CN23"
    return "CN22"


CATEGORIES = ("Gift", "Documents", "Commercial sample", "Returned goods", "Sale of goods", "Other")


def category_ticks(reason: str) -> list[tuple[str, bool]]:
    known = reason.strip().lower()
    matches = [label.lower() == known for label in CATEGORIES]
    if not any(matches):
        matches[-1] = True  # "Other", explained in the explanation field
    return list(zip(CATEGORIES, matches, strict=True))


DECLARATION_TEXT = (
    "I, the undersigned, whose name and address are given on the item, certify that the "
    "particulars given in this declaration are correct and that this item does not contain any "
    "dangerous article or articles prohibited by legislation or by postal or customs regulations."
)
