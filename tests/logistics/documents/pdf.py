"""Reading the documents back as a seller, a scanner and a customs officer would: PDFium (pypdfium2)
for text and fonts, zxing-cpp for the barcodes on the rendered page; and the shipment they are made from."""

from __future__ import annotations

import ctypes
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import zxingcpp

from ewtp.money import Money
from ewtp.trade import Commodity, Parcel, Party
from logistics.documents import ShipmentDocumentData

POINTS_PER_INCH = 72
THERMAL_PRINTER_DPI = 203  # the usual resolution of 4x6 label printers


def usd(amount: str) -> Money:
    return Money(Decimal(amount), "USD")


def goods_line(description: str, hs_code: str, quantity: int, unit_value: Money, net_weight_kg: str,
               origin: str = "CN") -> Commodity:
    return Commodity(description=description, hs_code=hs_code, origin_country=origin, quantity=quantity,
                     unit_value=unit_value, net_weight_kg=Decimal(net_weight_kg))


def make_shipment(**changes: object) -> ShipmentDocumentData:
    lines = [
        goods_line("Longjing green tea 龙井绿茶, 250 g tin", "0902.10", 12, usd("18.50"), "3.000"),
        goods_line("Silk scarf, hand-painted 杭州丝绸围巾", "6214.10", 5, usd("42.00"), "0.450"),
        goods_line("Celadon tea cup set (4 cups)", "6912.00", 2, usd("65.00"), "2.100"),
    ]
    data = ShipmentDocumentData(
        tracking_number="EH123456789CN",
        carrier_name="eHub Hangzhou Air",
        service_name="Consolidated Air via HGH eHub",
        sender=Party(name="Wang Li 王丽", company="Hangzhou West Lake Tea Co., Ltd. 杭州西湖茶业有限公司",
                     lines=("No. 88 Longjing Road", "Xihu District 西湖区"), city="Hangzhou 杭州", postcode="310013",
                     country="CN"),
        recipient=Party(name="Emily Carter", company="Carter & Daughters Fine Foods",
                        lines=("Flat 4, 27 Shoreditch High Street",), city="London", postcode="E1 6PN", country="GB"),
        incoterm="DDP",
        currency="USD",
        lines=lines,
        parcels=[
            Parcel(Decimal("4.200"), Decimal(40), Decimal(30), Decimal(20)),
            Parcel(Decimal("3.050"), Decimal(35), Decimal(25), Decimal("15.5")),
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
