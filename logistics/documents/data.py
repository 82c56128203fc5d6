"""What every shipping document is drawn from: the parties, the goods lines and the parcels in
the trade vocabulary (`ewtp.trade`: a shipment's stored JSON reads into them through its codec),
and the shipment's facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ewtp.money import Money
from ewtp.trade import Commodity, Parcel, Party


@dataclass(frozen=True, slots=True)
class ShipmentDocumentData:
    tracking_number: str
    carrier_name: str
    service_name: str
    sender: Party
    recipient: Party
    incoterm: str  # "DDP", "DAP", ...
    currency: str
    lines: list[Commodity]  # each with its net_weight_kg: the forms print it
    parcels: list[Parcel]  # as weighed and measured
    invoice_number: str
    invoice_date: date
    shipping_cost: Money
    reason_for_export: str = "Sale of goods"
    # The proof of origin text per line whose preference customs grants (statement on origin / certification)
    origin_statements: tuple[str, ...] = ()

    @property
    def goods_value(self) -> Money:
        total = Money.zero(self.currency)
        for line in self.lines:
            total = total + line.total_value
        return total

    @property
    def net_weight_kg(self) -> Decimal:
        return sum((line.net_weight_kg for line in self.lines), Decimal(0))

    @property
    def gross_weight_kg(self) -> Decimal:
        """What the scale said: the parcels, packaging included."""
        return sum((parcel.weight_kg for parcel in self.parcels), Decimal(0))

