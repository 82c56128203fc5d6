"""Shipping documents: what a seller, a carrier's scanner and a customs officer see in the PDFs.

Pure: no database. PDFs are read back with PDFium (pypdfium2) and label barcodes are decoded
from the rendered page with zxing-cpp, as a scanner would read them.
"""

from __future__ import annotations

import ctypes
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st

from ewtp.money import CurrencyMismatch, Money
from logistics.documents import (
    Address,
    DocumentLine,
    ParcelInfo,
    ShipmentDocumentData,
    customs_form_kind,
    font_runs,
    render_cn22,
    render_cn23,
    render_commercial_invoice,
    render_label,
)

POINTS_PER_INCH = 72
THERMAL_PRINTER_DPI = 203  # the usual resolution of 4x6 label printers


def usd(amount: str) -> Money:
    return Money(Decimal(amount), "USD")


def make_shipment(**changes: object) -> ShipmentDocumentData:
    lines = [
        DocumentLine(
            "Longjing green tea 龙井绿茶, 250 g tin", "0902.10", "CN", 12, usd("18.50"), Decimal("3.000")
        ),
        DocumentLine(
            "Silk scarf, hand-painted 杭州丝绸围巾", "6214.10", "CN", 5, usd("42.00"), Decimal("0.450")
        ),
        DocumentLine("Celadon tea cup set (4 cups)", "6912.00", "CN", 2, usd("65.00"), Decimal("2.100")),
    ]
    data = ShipmentDocumentData(
        tracking_number="EH123456789CN",
        carrier_name="eHub Hangzhou Air",
        service_name="Consolidated Air via HGH eHub",
        sender=Address(
            "Wang Li 王丽",
            "Hangzhou West Lake Tea Co., Ltd. 杭州西湖茶业有限公司",
            ["No. 88 Longjing Road", "Xihu District 西湖区"],
            "Hangzhou 杭州",
            "310013",
            "CN",
        ),
        recipient=Address(
            "Emily Carter",
            "Carter & Daughters Fine Foods",
            ["Flat 4, 27 Shoreditch High Street"],
            "London",
            "E1 6PN",
            "GB",
        ),
        incoterm="DDP",
        currency="USD",
        lines=lines,
        parcels=[
            ParcelInfo(Decimal("4.200"), (Decimal(40), Decimal(30), Decimal(20))),
            ParcelInfo(Decimal("3.050"), (Decimal(35), Decimal(25), Decimal("15.5"))),
        ],
        invoice_number="INV-2025-00042",
        invoice_date=date(2025, 10, 21),
        shipping_cost=usd("38.90"),
    )
    return replace(data, **changes)


def pdf_pages(pdf: bytes) -> list[pdfium.PdfPage]:
    return list(pdfium.PdfDocument(pdf))


def page_text(page: pdfium.PdfPage) -> str:
    return page.get_textpage().get_text_range()


def all_text(pdf: bytes) -> str:
    return "\n".join(page_text(page) for page in pdf_pages(pdf))


def decoded_barcodes(page: pdfium.PdfPage, dpi: int = THERMAL_PRINTER_DPI) -> list[tuple[str, str]]:
    image = page.render(scale=dpi / POINTS_PER_INCH).to_pil()
    return [(result.text, result.format.name) for result in zxingcpp.read_barcodes(image)]


def fonts_drawing(page: pdfium.PdfPage, wanted: str) -> list[tuple[str, bool]]:
    """(base font name, embedded?) of every text object whose text contains `wanted`'s first char."""
    found = []
    textpage = page.get_textpage()
    for obj in page.get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_TEXT]):
        length = pdfium_raw.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)  # bytes, UTF-16LE
        buffer = (ctypes.c_ushort * (length // 2))()
        pdfium_raw.FPDFTextObj_GetText(obj.raw, textpage.raw, buffer, length)
        text = bytes(buffer).decode("utf-16-le").rstrip("\x00")
        if wanted[0] in text:
            font = pdfium_raw.FPDFTextObj_GetFont(obj.raw)
            size = pdfium_raw.FPDFFont_GetBaseFontName(font, None, 0)
            name = ctypes.create_string_buffer(size)
            pdfium_raw.FPDFFont_GetBaseFontName(font, name, size)
            found.append((name.value.decode(), bool(pdfium_raw.FPDFFont_GetIsEmbedded(font))))
    return found


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


# --------------------------------------------------------------------------- label


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
    data = make_shipment(tracking_number=tracking_number, parcels=[ParcelInfo(Decimal("1.000"), (1, 1, 1))])

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
    data = make_shipment(recipient=replace(make_shipment().recipient, lines=long_lines))

    # when
    [page, _] = pdf_pages(render_label(data))

    # then every line is still on the label and the barcode still scans
    assert all(line in page_text(page).replace("\r\n", " ").replace("\n", " ") for line in long_lines[-1:])
    assert decoded_barcodes(page) == [("EH123456789CN", "Code128")]


# --------------------------------------------------------------------------- CN22 or CN23


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


def test_contents_too_many_for_a_cn22_need_a_cn23():
    assert customs_form_kind(usd("10.00"), Decimal("1.33"), line_count=4) == "CN22"
    assert customs_form_kind(usd("10.00"), Decimal("1.33"), line_count=5) == "CN23"

    many = make_shipment(lines=make_shipment().lines * 2)
    with pytest.raises(ValueError, match="CN23"):
        render_cn22(many)


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
    if customs_form_kind(usd(str(high)), rate) == "CN22":
        assert customs_form_kind(usd(str(low)), rate) == "CN22"


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


def test_a_long_cn23_runs_onto_more_pages_and_still_totals_every_line():
    # given 40 lines of 1 unit at 10.00
    line = DocumentLine("Porcelain bowl 青花瓷碗", "6912.00", "CN", 1, usd("10.00"), Decimal("0.500"))
    data = make_shipment(lines=[line] * 40)

    # when
    pages = pdf_pages(render_cn23(data))

    # then
    assert len(pages) >= 2
    assert "Detailed description of contents" in page_text(pages[1])  # header repeated
    assert "400.00" in page_text(pages[-1])
    assert "signature" in page_text(pages[-1])


# --------------------------------------------------------------------------- commercial invoice


def test_commercial_invoice_lists_every_line_and_adds_up():
    # given
    data = make_shipment()

    # when
    text = all_text(render_commercial_invoice(data))

    # then
    assert "COMMERCIAL INVOICE" in text
    assert "INV-2025-00042" in text and "2025-10-21" in text and "DDP" in text
    # unit value x quantity for each line
    assert re.search(r"18\.50\s+222\.00", text)
    assert re.search(r"42\.00\s+210\.00", text)
    assert re.search(r"65\.00\s+130\.00", text)
    assert "562.00 USD" in text  # goods
    assert "38.90 USD" in text  # freight
    assert "600.90 USD" in text  # invoice total
    assert "5.550 kg" in text  # net weight of the lines


def test_lines_in_another_currency_than_the_invoice_are_refused():
    euro_line = DocumentLine("Tea", "0902.10", "CN", 1, Money(Decimal("5.00"), "EUR"), Decimal("0.1"))
    with pytest.raises(CurrencyMismatch):
        render_commercial_invoice(make_shipment(lines=[euro_line]))


# --------------------------------------------------------------------------- fonts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Emily Carter", [("Helvetica", "Emily Carter")]),
        ("Zürich", [("Helvetica", "Zürich")]),
        ("龙井绿茶", [("EwtpSansSC", "龙井绿茶")]),
        ("Tea 龙井 250 g", [("Helvetica", "Tea "), ("EwtpSansSC", "龙井 250 "), ("Helvetica", "g")]),
        ("龍井綠茶", [("EwtpSansSC", "龍井綠茶")]),  # traditional, from Big5
        ("Łódź", [("EwtpSansWide", "Ł"), ("Helvetica", "ód"), ("EwtpSansWide", "ź")]),
        ("Москва", [("EwtpSansWide", "Москва")]),
    ],
)
def test_each_run_of_text_goes_to_a_font_that_has_it(text, expected):
    assert font_runs(text) == expected


def test_bold_text_keeps_bold_where_a_bold_font_exists():
    assert font_runs("Łódź", bold=True)[0] == ("EwtpSansWide-Bold", "Ł")
    assert font_runs("Carter", bold=True) == [("Helvetica-Bold", "Carter")]
