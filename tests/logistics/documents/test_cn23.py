"""The CN23: long contents run onto more pages."""

from __future__ import annotations

from logistics.documents import render_cn23
from tests.logistics.documents.pdf import goods_line, make_shipment, page_text, pdf_pages, usd


def test_a_long_cn23_runs_onto_more_pages_and_still_totals_every_line():
    # given 40 lines of 1 unit at 10.00
    line = goods_line("Porcelain bowl 青花瓷碗", "6912.00", 1, usd("10.00"), "0.500")
    data = make_shipment(lines=[line] * 40)

    # when
    pages = pdf_pages(render_cn23(data))

    # then
    assert len(pages) >= 2
    assert "Detailed description of contents" in page_text(pages[1])  # header repeated
    assert "400.00" in page_text(pages[-1])
    assert "signature" in page_text(pages[-1])
