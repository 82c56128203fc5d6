"""The parcel label: the barcode scans to the tracking number; the parcel, weight and addresses are on it."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ewtp.trade import Parcel
from logistics.documents import render_label
from tests.logistics.documents.pdf import decoded_barcodes, make_shipment, page_text, pdf_pages


@pytest.mark.parametrize(
    "tracking_number",
    [
        "EH123456789CN",  # UPU S10 postal format
        "1Z999AA10123456784",  # UPS-style
        "420123456789012345678901",  # long, all digits (Code 128 set C)
        "JD0001234567890",
    ],
)
def test_every_label_barcode_scans_to_the_tracking_number(tracking_number):
    # given
    data = make_shipment(tracking_number=tracking_number)

    # when
    pages = pdf_pages(render_label(data))

    # then
    for page in pages:
        assert decoded_barcodes(page) == [(tracking_number, "Code128")]
        assert tracking_number in page_text(page)  # printed under the bars for a human


@settings(max_examples=12, deadline=None)
@given(tracking_number=st.from_regex(r"[A-Z]{2}[0-9]{6,18}[A-Z]{0,2}", fullmatch=True))
def test_any_tracking_number_survives_the_round_trip_through_the_label(tracking_number):
    # given
    data = make_shipment(tracking_number=tracking_number, parcels=[Parcel(Decimal("1.000"), Decimal(1), Decimal(1), Decimal(1))])

    # when
    [page] = pdf_pages(render_label(data))

    # then
    assert decoded_barcodes(page) == [(tracking_number, "Code128")]


def test_label_says_which_parcel_it_is_its_weight_service_and_addresses():
    # given
    data = make_shipment()

    # when
    first, second = (page_text(page) for page in pdf_pages(render_label(data)))

    # then
    assert "1 of 2" in first and "4.200 kg" in first
    assert "2 of 2" in second and "3.050 kg" in second
    for text in (first, second):
        assert "Consolidated Air via HGH eHub" in text
        assert "Emily Carter" in text and "E1 6PN London" in text
        assert "Wang Li" in text and "310013 Hangzhou" in text


def test_a_long_address_shrinks_to_stay_clear_of_the_barcode():
    # given an address far longer than the ship-to box
    long_lines = [f"Building {n}, Very Long Industrial Estate Name, Unit {n}" for n in range(9)]
    data = make_shipment(recipient=replace(make_shipment().recipient, lines=tuple(long_lines)))

    # when
    [page, _] = pdf_pages(render_label(data))

    # then every line is still on the label and the barcode still scans
    text = " ".join(page_text(page).split())  # wrapped lines joined again
    missing = [line for line in long_lines if line not in text]
    assert missing == []
    assert decoded_barcodes(page) == [("EH123456789CN", "Code128")]
