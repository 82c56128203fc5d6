"""Which customs declaration an item needs, and what both (CN22 and CN23) carry for customs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logistics.documents import (
    customs_form_kind,
    render_cn22,
    render_cn23,
)
from tests.logistics.documents.pdf import all_text, decoded_barcodes, make_shipment, pdf_pages, usd


@pytest.mark.parametrize(
    ("amount", "sdr_rate", "expected"),
    [
        ("0.01", "1.33", "CN22"),
        ("399.00", "1.33", "CN22"),  # exactly 300 SDR at USD 1.33: "up to 300 SDR" includes it
        ("399.01", "1.33", "CN23"),
        ("300.00", "1", "CN22"),
        ("300.01", "1", "CN23"),
        ("2865.00", "9.55", "CN22"),  # CNY: 300 SDR
        ("2865.01", "9.55", "CN23"),
    ],
)
def test_cn22_up_to_300_sdr_cn23_above(amount, sdr_rate, expected):
    assert customs_form_kind(usd(amount), Decimal(sdr_rate)) == expected


@pytest.mark.parametrize("bad_rate", ["0", "-1.33"])
def test_a_missing_or_negative_sdr_rate_is_refused(bad_rate):
    with pytest.raises(ValueError, match="SDR rate"):
        customs_form_kind(usd("10.00"), Decimal(bad_rate))


@settings(max_examples=200)
@given(
    low=st.decimals(min_value=0, max_value=5000, places=2),
    high=st.decimals(min_value=0, max_value=5000, places=2),
    rate=st.decimals(min_value=Decimal("0.5"), max_value=20, places=4),
)
def test_a_cheaper_item_never_needs_a_bigger_form(low, high, rate):
    low, high = sorted((low, high))
    size = {"CN22": 0, "CN23": 1}
    assert size[customs_form_kind(usd(str(low)), rate)] <= size[customs_form_kind(usd(str(high)), rate)]


@pytest.mark.parametrize("render", [render_cn22, render_cn23], ids=["cn22", "cn23"])
def test_customs_declaration_carries_what_customs_checks(render):
    # given
    data = make_shipment()

    # when
    text = all_text(render(data))

    # then
    assert ("CN 22" if render is render_cn22 else "CN 23") in text
    for hs_code in ("0902.10", "6214.10", "6912.00"):
        assert hs_code in text
    assert "222.00" in text and "210.00" in text and "130.00" in text  # line values
    assert "562.00" in text  # total value
    assert "7.250" in text  # total gross weight: the parcels on the scale
    assert "Sale of goods" in text
    assert "signature" in text
    assert "Emily Carter" in text and "Wang Li" in text


@pytest.mark.parametrize("render", [render_cn22, render_cn23], ids=["cn22", "cn23"])
def test_customs_declaration_barcode_matches_the_label(render):
    [page, *_] = pdf_pages(render(make_shipment()))
    assert decoded_barcodes(page, dpi=300) == [("EH123456789CN", "Code128")]
