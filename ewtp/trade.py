"""The trade vocabulary every app speaks: who sends and who receives (`Party`), what goes
(`Commodity`), in which boxes (`Parcel`), and all of it together (`Consignment`); plain frozen
dataclasses (no ORM, no I/O), and the one JSON codec for them.

The codec: `to_json()` on each type, `<Type>.from_json(data)` back. Money is
`{"amount": "12.50", "currency": "EUR"}` with the amount unrounded (a stored unit value keeps
its digits); decimals are strings; empty optional fields are left out. A stored consignment
carries `"version"`: `from_json` reads every version written so far and refuses a newer one.
Version 0 (no `"version"` key) is the customs declaration as logistics has always stored it
and customs reads it (its screening, the officers' page, the cases API): parties as
`consignor`/`consignee`, goods as `lines` whose `unit_value` is a bare amount in the
declaration's `currency`, the freight as `shipping`. Logistics still writes declarations in it
(`to_json(version=0)`) until those readers read them through `Consignment.from_json`.

Bad payloads raise `PayloadError` (a ValueError) naming the field, e.g. "commodities[1].quantity".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ewtp.money import Money, to_decimal

VERSION = 1  # of a stored Consignment; bump it (and read the old one) when the shape changes


class PayloadError(ValueError):
    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True, slots=True, kw_only=True)
class Party:
    """A shipper or consignee as labels, customs forms, carriers and declarations need it."""

    name: str
    city: str  # may be empty in what shipments stored (it was never checked there)
    country: str  # ISO 3166-1 alpha-2 ("GB"); documents print it as given
    company: str = ""
    lines: tuple[str, ...] = ()  # street lines, first to last
    postcode: str = ""
    email: str = ""
    phone: str = ""
    tax_id: str = ""  # VAT / GST number, China's USCC
    eori: str = ""  # EU/UK customs id of a business

    def town_line(self) -> str:
        return " ".join(part for part in (self.postcode, self.city) if part)

    def street(self) -> str:
        """The street lines on one line, as carriers' single address field takes them."""
        return ", ".join(self.lines)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "company": self.company}
        for key in _PARTY_CONTACTS:  # before the address: the key order shipments have always stored
            if value := getattr(self, key):
                data[key] = value
        return data | {"lines": list(self.lines), "city": self.city, "postcode": self.postcode,
                       "country": self.country}

    @classmethod
    def from_json(cls, data: Any, *, field: str = "party") -> Party:
        data = _mapping(data, field)
        lines = data.get("lines") or []
        if not isinstance(lines, list):
            raise PayloadError("expected a list of street lines", field=f"{field}.lines")
        return cls(
            name=_text(data, "name", field, required=True), company=_text(data, "company", field),
            lines=tuple(_string(line, f"{field}.lines[{index}]") for index, line in enumerate(lines)),
            city=_text(data, "city", field), postcode=_text(data, "postcode", field),
            country=_text(data, "country", field, required=True),
            **{key: _text(data, key, field) for key in _PARTY_CONTACTS},
        )


_PARTY_CONTACTS = ("email", "phone", "tax_id", "eori")


@dataclass(frozen=True, slots=True, kw_only=True)
class Commodity:
    """One line of goods: what customs classify, value and weigh."""

    description: str  # as the buyer's customs will read it; Chinese may follow the English
    hs_code: str  # as given: "0902.10" and "090210" are the same heading
    unit_value: Money
    quantity: int = 1
    origin_country: str = ""  # ISO 3166-1 alpha-2 of where the goods were made
    net_weight_kg: Decimal | None = None  # of the whole line (all units), without packaging
    description_zh: str = ""
    claim_preference: bool = False  # the exporter claims preferential origin (and must prove it)
    # The seller's materials declaration for the rule of origin (customs.domain.origin.OriginDeclaration
    # as JSON): a claimed preference is granted only where it meets the agreement's rule
    origin_declaration: Mapping[str, Any] | None = None

    @property
    def value(self) -> Money:
        """The line's value at full precision (rate shopping compares and converts it)."""
        return self.unit_value * self.quantity

    @property
    def total_value(self) -> Money:
        """The line's value rounded to the currency, as invoices print it."""
        return self.value.rounded()

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"description": self.description, "hs_code": self.hs_code,
                                "origin": self.origin_country, "quantity": self.quantity,
                                "unit_value": _money_json(self.unit_value)}
        if self.net_weight_kg is not None:
            data["net_weight_kg"] = _decimal_json(self.net_weight_kg)
        if self.description_zh:
            data["description_zh"] = self.description_zh
        if self.claim_preference:
            data["claim_preference"] = True
        if self.origin_declaration is not None:
            data["origin_declaration"] = dict(self.origin_declaration)
        return data

    @classmethod
    def from_json(cls, data: Any, *, field: str = "commodity", currency: str | None = None) -> Commodity:
        """Also reads the goods lines stored before the codec, whose `unit_value` is a bare
        amount: in the line's own `currency`, or else in `currency` (the declaration's)."""
        data = _mapping(data, field)
        raw_value = data.get("unit_value")
        if isinstance(raw_value, Mapping):
            unit_value = _money(raw_value, f"{field}.unit_value")
        else:
            unit_value = _money({"amount": raw_value, "currency": data.get("currency", currency)},
                                f"{field}.unit_value")
        quantity = data.get("quantity", 1)
        if isinstance(quantity, str) and quantity.isascii() and quantity.isdigit():
            quantity = int(quantity)  # stored as text by older writers
        if not isinstance(quantity, int) or isinstance(quantity, bool):
            raise PayloadError(f"expected a whole number, not {quantity!r}", field=f"{field}.quantity")
        weight = data.get("net_weight_kg")
        claim = data.get("claim_preference", False)
        if not isinstance(claim, bool):
            raise PayloadError(f"expected true or false, not {claim!r}", field=f"{field}.claim_preference")
        origin_declaration = data.get("origin_declaration")
        if origin_declaration is not None and not isinstance(origin_declaration, Mapping):
            raise PayloadError("expected an object", field=f"{field}.origin_declaration")
        return cls(
            description=_text(data, "description", field), hs_code=_text(data, "hs_code", field, required=True),
            unit_value=unit_value, quantity=quantity, origin_country=_text(data, "origin", field),
            net_weight_kg=None if weight is None else _decimal(weight, f"{field}.net_weight_kg"),
            description_zh=_text(data, "description_zh", field), claim_preference=claim,
            origin_declaration=origin_declaration,
        )


@dataclass(frozen=True, slots=True)
class Parcel:
    """One box as weighed and measured. Sides may be missing (None) in a request: rate
    shopping refuses it at the field; a booked parcel has all three."""

    weight_kg: Decimal
    length_cm: Decimal | None = None
    width_cm: Decimal | None = None
    height_cm: Decimal | None = None

    @property
    def dims_cm(self) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
        return self.length_cm, self.width_cm, self.height_cm

    def to_json(self) -> dict[str, Any]:
        return {"weight_kg": _decimal_json(self.weight_kg),
                **{key: None if side is None else _decimal_json(side)
                   for key, side in zip(_SIDES, self.dims_cm, strict=True)}}

    @classmethod
    def from_json(cls, data: Any, *, field: str = "parcel") -> Parcel:
        data = _mapping(data, field)
        sides = [data.get(key) for key in _SIDES]
        return cls(_decimal(data.get("weight_kg"), f"{field}.weight_kg"),
                   *(None if side in (None, "") else _decimal(side, f"{field}.{key}")
                     for key, side in zip(_SIDES, sides, strict=True)))


_SIDES = ("length_cm", "width_cm", "height_cm")


@dataclass(frozen=True, slots=True, kw_only=True)
class Consignment:
    """Goods going from a shipper to a consignee under one incoterm: what a customs
    declaration states and a carrier books."""

    shipper: Party
    consignee: Party
    commodities: tuple[Commodity, ...]
    currency: str  # of the commodities' values
    incoterm: str  # "DDP": the buyer paid duties and taxes with the goods; "DAP": on delivery
    parcels: tuple[Parcel, ...] = ()
    freight: Money | None = None  # the transport the buyer paid (customs value includes it where CIF)
    paid_duties: Money | None = None  # what the buyer paid for duties and taxes at checkout (DDP)
    tracking_number: str = ""
    service_code: str = ""

    @property
    def origin_country(self) -> str:
        return self.shipper.country

    @property
    def destination_country(self) -> str:
        return self.consignee.country

    def to_json(self, *, version: int = VERSION) -> dict[str, Any]:
        """The consignment as stored. `version=0` writes the declaration customs reads today
        (see the module's docstring): no parcels and no Chinese descriptions, every commodity
        valued in the consignment's currency."""
        if version == 0:
            return self._declaration_json()
        if version != VERSION:
            raise ValueError(f"version {version!r} is not one this code writes (0 or {VERSION})")
        return {
            "version": VERSION, "shipper": self.shipper.to_json(), "consignee": self.consignee.to_json(),
            "incoterm": self.incoterm, "currency": self.currency,
            "commodities": [commodity.to_json() for commodity in self.commodities],
            "parcels": [parcel.to_json() for parcel in self.parcels],
            "freight": None if self.freight is None else _money_json(self.freight),
            "paid_duties": None if self.paid_duties is None else _money_json(self.paid_duties),
            "tracking_number": self.tracking_number, "service_code": self.service_code,
        }

    def _declaration_json(self) -> dict[str, Any]:
        for index, commodity in enumerate(self.commodities):
            if commodity.unit_value.currency != self.currency:
                raise ValueError(f"commodities[{index}] is valued in {commodity.unit_value.currency}: a version 0 "
                                 f"declaration holds {self.currency} only")
        return {
            "consignor": self.shipper.to_json(), "consignee": self.consignee.to_json(), "incoterm": self.incoterm,
            "currency": self.currency, "origin_country": self.origin_country,
            "tracking_number": self.tracking_number, "service_code": self.service_code,
            "paid_duties": None if self.paid_duties is None else _money_json(self.paid_duties),
            "shipping": None if self.freight is None else _money_json(self.freight),
            "lines": [{"description": c.description, "hs_code": c.hs_code, "quantity": c.quantity,
                       "unit_value": _decimal_json(c.unit_value.amount), "origin": c.origin_country,
                       "net_weight_kg": None if c.net_weight_kg is None else _decimal_json(c.net_weight_kg),
                       "claim_preference": c.claim_preference,
                       **({"origin_declaration": dict(c.origin_declaration)} if c.origin_declaration else {})}
                      for c in self.commodities],
        }

    @classmethod
    def from_json(cls, data: Any, *, field: str = "consignment") -> Consignment:
        data = _mapping(data, field)
        version = data.get("version", 0)
        if version not in (0, VERSION):
            raise PayloadError(f"version {version!r} is not one this code reads (0 to {VERSION})",
                               field=f"{field}.version")
        # version 0: the declaration as logistics stored it (see the module's docstring)
        shipper, consignee, commodities, freight = (
            ("consignor", "consignee", "lines", "shipping") if version == 0
            else ("shipper", "consignee", "commodities", "freight"))
        currency = _text(data, "currency", field, required=True)
        return cls(
            shipper=Party.from_json(data.get(shipper), field=f"{field}.{shipper}"),
            consignee=Party.from_json(data.get(consignee), field=f"{field}.{consignee}"),
            commodities=tuple(Commodity.from_json(line, field=f"{field}.{commodities}[{index}]", currency=currency)
                              for index, line in enumerate(_list(data, commodities, field))),
            currency=currency, incoterm=_text(data, "incoterm", field, required=True),
            parcels=tuple(Parcel.from_json(parcel, field=f"{field}.parcels[{index}]")
                          for index, parcel in enumerate(_list(data, "parcels", field))),
            freight=_optional_money(data.get(freight), f"{field}.{freight}"),
            paid_duties=_optional_money(data.get("paid_duties"), f"{field}.paid_duties"),
            tracking_number=_text(data, "tracking_number", field), service_code=_text(data, "service_code", field),
        )


def money_from_json(data: Any, *, field: str = "money") -> Money | None:
    """An amount stored beside these types ({"amount": "12.50", "currency": "EUR"}); None for null."""
    return _optional_money(data, field)


# --- the codec's leaves ------------------------------------------------------------------------

def _decimal_json(value: Decimal) -> str:
    return format(value, "f")  # "100", never "1E+2"


def _money_json(money: Money) -> dict[str, str]:
    return {"amount": _decimal_json(money.amount), "currency": money.currency}


def _mapping(data: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise PayloadError(f"expected an object, not {type(data).__name__}", field=field)
    return data


def _list(data: Mapping[str, Any], key: str, field: str) -> Sequence[Any]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise PayloadError("expected a list", field=f"{field}.{key}")
    return value


def _string(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise PayloadError(f"expected text, not {type(value).__name__}", field=field)
    return value


def _text(data: Mapping[str, Any], key: str, field: str, *, required: bool = False) -> str:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise PayloadError("is missing", field=f"{field}.{key}")
        return ""
    return _string(value, f"{field}.{key}")


def _decimal(value: Any, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise PayloadError(f"expected a decimal as text, not {value!r}", field=field)
    try:
        return to_decimal(value)
    except ValueError as error:
        raise PayloadError(str(error), field=field) from None


def _money(data: Mapping[str, Any], field: str) -> Money:
    currency = data.get("currency")
    amount = _decimal(data.get("amount"), f"{field}.amount")
    try:
        return Money(amount, _string(currency, f"{field}.currency"))
    except ValueError as error:
        raise PayloadError(str(error), field=f"{field}.currency") from None


def _optional_money(data: Any, field: str) -> Money | None:
    return None if data is None else _money(_mapping(data, field), field)
