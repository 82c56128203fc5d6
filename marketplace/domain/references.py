"""How orders and checkouts are named: `ORD-000123` is order 123, `CHK-000123` the checkout whose first
order is 123. Numbers are zero-padded to six digits and written in full beyond; each number has one
spelling, so a reference read back is the one that was built. Pure: no ORM, no I/O.

Reading anything else raises `MalformedReference`, a NotFound (no order or checkout can have that
name); callers that answered "none" for a reference that is not theirs catch it."""

from __future__ import annotations

from ewtp.exceptions import NotFound

ORDER_PREFIX = "ORD-"
CHECKOUT_PREFIX = "CHK-"
_WIDTH = 6
_MAX_ID = 2**63 - 1  # a bigint primary key


class MalformedReference(NotFound):
    """Not an order (or checkout) reference at all: wrong prefix, not ASCII digits, padded otherwise
    than the builder pads, zero, or beyond a primary key."""

    def __init__(self, reference: object, *, kind: str) -> None:
        super().__init__(f"No such {kind}: {str(reference)[:40]!r} is not a {kind} reference.", field="reference")
        self.reference = reference


def _build(prefix: str, number: int) -> str:
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= _MAX_ID:
        raise ValueError(f"A reference numbers a saved row (1 to {_MAX_ID}), not {number!r}.")
    return f"{prefix}{number:0{_WIDTH}d}"


def _parse(prefix: str, reference: object, kind: str) -> int:
    if isinstance(reference, str) and reference.startswith(prefix):
        digits = reference[len(prefix):]
        if _WIDTH <= len(digits) <= len(str(_MAX_ID)) and digits.isascii() and digits.isdigit():
            number = int(digits)
            if 1 <= number <= _MAX_ID and f"{number:0{_WIDTH}d}" == digits:
                return number
    raise MalformedReference(reference, kind=kind)


def build_order_reference(order_id: int) -> str:
    return _build(ORDER_PREFIX, order_id)


def parse_order_reference(reference: str) -> int:
    """The order's id; MalformedReference for anything build_order_reference does not write."""
    return _parse(ORDER_PREFIX, reference, "order")


def build_checkout_reference(first_order_id: int) -> str:
    """A checkout is named after its first order."""
    return _build(CHECKOUT_PREFIX, first_order_id)


def parse_checkout_reference(reference: str) -> int:
    """The id of the checkout's first order; MalformedReference for anything else."""
    return _parse(CHECKOUT_PREFIX, reference, "checkout")
