"""The CN22: room for four lines, no more."""

from __future__ import annotations

from decimal import Decimal

import pytest

from logistics.documents import (
    customs_form_kind,
    render_cn22,
)
from tests.logistics.documents.pdf import make_shipment, usd


def test_contents_too_many_for_a_cn22_need_a_cn23():
    assert customs_form_kind(usd("10.00"), Decimal("1.33"), line_count=4) == "CN22"
    assert customs_form_kind(usd("10.00"), Decimal("1.33"), line_count=5) == "CN23"

    many = make_shipment(lines=make_shipment().lines * 2)
    with pytest.raises(ValueError, match="CN23"):
        render_cn22(many)
