"""What every shipping document is drawn from: the parties, the goods lines, the parcels and
the shipment's facts, as plain frozen dataclasses (no ORM), and how they are read from the
JSON a shipment stores (its sender, recipient and goods)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from ewtp.money import Money


@dataclass(frozen=True, slots=True)
class Address:
    name: str
    company: str
    lines: list[str]
    city: str
    postcode: str
    country: str  # ISO 3166 alpha-2 preferred ("GB"); printed as given

    def town_line(self) -> str:
        return " ".join(part for part in (self.postcode, self.city) if part)


@dataclass(frozen=True, slots=True)
class DocumentLine:
    description: str  # as the buyer's customs will read it; Chinese may follow the English
    hs_code: str
    origin_country: str
    quantity: int
    unit_value: Money
    net_weight_kg: Decimal  # of the whole line (all units), without packaging

    @property
    def total_value(self) -> Money:
        return (self.unit_value * self.quantity).rounded()


class ParcelInfo(NamedTuple):
    """One box as weighed and measured; a plain (weight_kg, dims) tuple works too."""

    weight_kg: Decimal
    dims_cm: tuple[Decimal, Decimal, Decimal]  # length, width, height


@dataclass(frozen=True, slots=True)
class ShipmentDocumentData:
    tracking_number: str
    carrier_name: str
    service_name: str
    sender: Address
    recipient: Address
    incoterm: str  # "DDP", "DAP", ...
    currency: str
    lines: list[DocumentLine]
    parcels: list[ParcelInfo]
    invoice_number: str
    invoice_date: date
    shipping_cost: Money
    reason_for_export: str = "Sale of goods"

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
        return sum((Decimal(parcel[0]) for parcel in self.parcels), Decimal(0))


def address_from_json(data: dict[str, Any]) -> Address:
    """A party as a shipment stores it: {"name", "company"?, "lines"?, "city", "postcode"?, "country"}."""
    return Address(
        name=data["name"],
        company=data.get("company", ""),
        lines=list(data.get("lines", [])),
        city=data["city"],
        postcode=data.get("postcode", ""),
        country=data["country"],
    )


def lines_from_json(goods: list[dict[str, Any]], currency: str) -> list[DocumentLine]:
    """The goods lines as a shipment stores them, valued in `currency`."""
    return [
        DocumentLine(
            description=line["description"],
            hs_code=line["hs_code"],
            origin_country=line["origin"],
            quantity=int(line["quantity"]),
            unit_value=Money(Decimal(line["unit_value"]), currency),
            net_weight_kg=Decimal(line["net_weight_kg"]),
        )
        for line in goods
    ]
