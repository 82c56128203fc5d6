"""What holds for every shipping document: paper size, Chinese in an embedded font, the same bytes
for the same input."""

from __future__ import annotations

import pytest

from logistics.documents import (
    render_cn22,
    render_cn23,
    render_commercial_invoice,
    render_label,
)
from tests.logistics.documents.pdf import all_text, fonts_drawing, make_shipment, pdf_pages

RENDERERS = {
    "label": render_label,
    "cn22": render_cn22,
    "cn23": render_cn23,
    "commercial invoice": render_commercial_invoice,
}
A4 = (595.3, 841.9)
A6 = (297.6, 419.5)
LABEL_4X6 = (288.0, 432.0)


# --------------------------------------------------------------------------- every document


@pytest.mark.parametrize(
    ("document", "page_size", "page_count"),
    [
        ("label", LABEL_4X6, 2),  # one label per parcel
        ("cn22", A6, 1),
        ("cn23", A4, 1),
        ("commercial invoice", A4, 1),
    ],
)
def test_each_document_is_a_pdf_of_the_expected_paper_size(document, page_size, page_count):
    # given
    data = make_shipment()

    # when
    pdf = RENDERERS[document](data)

    # then
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    pages = pdf_pages(pdf)
    assert len(pages) == page_count
    for page in pages:
        assert page.get_size() == pytest.approx(page_size, abs=0.5)


@pytest.mark.parametrize("document", RENDERERS)
def test_chinese_text_is_in_the_document_and_drawn_with_an_embedded_font(document):
    # given a product described in English and Chinese
    data = make_shipment()

    # when
    pdf = RENDERERS[document](data)

    # then the Chinese is there as text (searchable, copyable) ...
    if document != "label":  # the label shows addresses, not contents
        assert "龙井绿茶" in all_text(pdf)
    assert "杭州" in all_text(pdf)
    # ... and drawn by a font inside the PDF, so it prints on a machine with no Chinese font
    fonts = fonts_drawing(pdf_pages(pdf)[0], "杭")
    assert fonts, "no text object draws the Chinese"
    assert all(embedded for _, embedded in fonts), fonts
    assert all("EwtpSansSC" in name for name, _ in fonts), fonts


def test_documents_are_identical_for_identical_input():
    # given
    data = make_shipment()

    # when / then: no timestamps or random ids, so a stored copy can be compared with a fresh one
    for render in RENDERERS.values():
        assert render(data) == render(data)
