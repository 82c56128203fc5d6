"""Shipping documents as PDF bytes: the parcel label, the customs declaration (CN22 or CN23)
and the commercial invoice.

Pure: plain dataclasses in, PDF bytes out; no ORM and no storage (the caller saves the
bytes through Django's storage API). Everything is drawn with reportlab.

- `data`: what every document is drawn from (parties, goods and parcels are `ewtp.trade`'s);
- `customs_form`: which declaration an item needs (CN22 up to 300 SDR, else CN23);
- `fonts`: which font draws each run of text (Chinese and Cyrillic embedded, see its docstring);
- `drawing`: the helpers the documents share (paragraphs, boxes, barcodes, page templates);
- `label`, `cn22`, `cn23`, `commercial_invoice`: one module per document, each a `render_*`.

Callers outside this package import from here.
"""

from logistics.documents.cn22 import render_cn22
from logistics.documents.cn23 import render_cn23
from logistics.documents.commercial_invoice import render_commercial_invoice
from logistics.documents.customs_form import (
    CN22_LIMIT_SDR,
    ILLUSTRATIVE_SDR_RATE_2024,
    CustomsFormKind,
    customs_form_kind,
)
from logistics.documents.data import ShipmentDocumentData
from logistics.documents.fonts import font_runs
from logistics.documents.label import render_label

__all__ = [
    "CN22_LIMIT_SDR",
    "CustomsFormKind",
    "ILLUSTRATIVE_SDR_RATE_2024",
    "ShipmentDocumentData",
    "customs_form_kind",
    "font_runs",
    "render_cn22",
    "render_cn23",
    "render_commercial_invoice",
    "render_label",
]
