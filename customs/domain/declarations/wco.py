"""A goods declaration as the WCO Data Model names it: the declaration, its consignor and
consignee, its goods items, each element under its WCO DM class and attribute name with its
WCO ID; a builder from the trade vocabulary (`ewtp.trade.Consignment`), a validator that lists
every violation with the element at fault, and JSON and XML forms that read back. Pure: no ORM,
no I/O. The platform lodges it for destinations outside the EU (GB, US, SG, ...) and for EU
consignments above H7's EUR 150 (see `customs.selectors.declaration_for_authority`).

Sources
-------
- World Customs Organization, WCO Data Model version 3 (the class names 28A Consignment, 29A
  ConsignmentItem, 23A Commodity, ... and the data element IDs are those of WCO DM 3.x; the
  metadata below declares 3.6, the version HMRC's Customs Declaration Service takes in its
  ``urn:wco:datamodel:WCO:DEC-DMS:2`` messages, ``WCODataModelVersionCode`` 3.6).
- European Commission (TAXUD), ICS2 Harmonised Trader Interface, Information Exchange
  specifications v2.02 (2022-05-04), the "WCO Name" and "WCO Id" columns of IE3F34 and IE3A43
  (postal and express consignments): D026 Functional reference number an..22; D011 Document
  issuing date; 28A Consignment; 131 Total gross weight n..16,6; 30A Consignor, R020 name an..70,
  R021 coded an..17; 27A Consignee, R014 name an..70, R015 coded an..17; 04A Address, 239 Street
  and number an..70, 241 City name an..35, 245 Postcode an..17, 242 Country, coded a2; 29A
  ConsignmentItem, 006 Sequence number n..5; 108 Customs value n..16,2 with its currency a3 (ICS2
  declares a postal item's value with it); 23A Commodity, 137 Description of goods an..512, the
  Harmonized System sub-heading code an6; 65A GoodsMeasure, 126 Gross weight item level and 128
  Net net weight n..16,6; 92A Origin, 063 Country of origin, coded a2.
- OASIS UBL 2.x, the WCO alignment noted on cbc:TariffCode: "Tariff code number (WCO ID 145)".

What is `verified` below: the element IDs and formats taken from those sources as written here.
The destination country, the delivery terms and the tariff quantity have no WCO ID at hand, so
they are named by their DEC-DMS element only (`verified=False`, no ID) rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree as ET

from customs.domain.declarations.h7 import (
    DocumentError,
    H7Party,
    Violation,
    _number,
    _object,
    _positive,
    _subheading,
    _whole,
    xml_root,
)
from customs.domain.declarations.h7 import _text as _string
from ewtp.trade import Consignment

DATA_MODEL_VERSION = "3.6"  # as HMRC CDS takes it (WCODataModelVersionCode)
TYPE_NAME = "DEC"  # WCOTypeName: a goods declaration


@dataclass(frozen=True)
class Element:
    wco_id: str  # "D026"; "" where no source gives it
    name: str  # the WCO DM name
    format: str  # "an..22", "n..16,6"
    verified: bool


# Keyed by the path in the JSON form with list indexes dropped ("Declaration.Consignment.Consignee.Name").
_D, _C, _I = "Declaration", "Declaration.Consignment", "Declaration.Consignment.ConsignmentItem"
ELEMENTS: dict[str, Element] = {
    f"{_D}.FunctionalReferenceID": Element("D026", "Functional reference number (LRN)", "an..22", True),
    f"{_D}.IssueDateTime": Element("D011", "Document issuing date", "an20", True),
    f"{_C}.TotalGrossMassMeasure": Element("131", "Total gross weight", "n..16,6", True),
    f"{_C}.DestinationCountryCode": Element("", "Country of destination, coded", "a2", False),
    f"{_C}.TradeTermsConditionCode": Element("", "Delivery terms, coded (Incoterms 2020)", "a3", False),
    **{f"{_C}.{role}.{key}": element for role, (name_id, coded_id) in (("Consignor", ("R020", "R021")),
                                                                         ("Consignee", ("R014", "R015")))
       for key, element in (
           ("Name", Element(name_id, f"{role} - name", "an..70", True)),
           ("ID", Element(coded_id, f"{role}, coded", "an..17", True)),
           ("Address.Line", Element("239", f"{role} street and number", "an..70", True)),
           ("Address.CityName", Element("241", f"{role} city name", "an..35", True)),
           ("Address.PostcodeID", Element("245", f"{role} postcode identification", "an..17", True)),
           ("Address.CountryCode", Element("242", f"{role} country, coded", "a2", True)))},
    f"{_I}": Element("29A", "ConsignmentItem", "1..99999", True),
    f"{_I}.SequenceNumeric": Element("006", "Sequence number", "n..5", True),
    f"{_I}.CustomsValueAmount": Element("108", "Customs value", "n..16,2", True),
    f"{_I}.Commodity.Description": Element("137", "Description of goods", "an..512", True),
    f"{_I}.Commodity.ClassificationID": Element("145", "Tariff code number (HS sub-heading)", "an6", True),
    f"{_I}.GoodsMeasure.NetNetWeightMeasure": Element("128", "Net net weight", "n..16,6", True),
    f"{_I}.GoodsMeasure.TariffQuantity": Element("", "Tariff quantity", "n..16", False),
    f"{_I}.Origin.CountryCode": Element("063", "Country of origin, coded", "a2", True),
}


# A party states the same in both data sets: name, street and number, city, postcode, country, trader id.
WcoParty = H7Party


@dataclass(frozen=True, slots=True, kw_only=True)
class WcoItem:
    sequence: int
    description: str
    hs_code: str  # six digits
    value: Decimal  # in the declaration's currency
    net_weight_kg: Decimal | None
    quantity: int
    origin_country: str


@dataclass(frozen=True, slots=True, kw_only=True)
class WcoDeclaration:
    lrn: str
    issued_at: datetime  # timezone-aware
    consignor: WcoParty
    consignee: WcoParty
    destination_country: str
    delivery_terms: str
    currency: str
    total_gross_mass_kg: Decimal | None
    items: tuple[WcoItem, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "MetaData": {"WCODataModelVersionCode": DATA_MODEL_VERSION, "WCOTypeName": TYPE_NAME,
                         "ResponsibleCountryCode": self.destination_country},
            "Declaration": {
                "FunctionalReferenceID": self.lrn,
                "IssueDateTime": (self.issued_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                                  if self.issued_at.utcoffset() is not None else self.issued_at.isoformat()),
                "Consignment": {
                    "TotalGrossMassMeasure": _decimal_or_none(self.total_gross_mass_kg),
                    "DestinationCountryCode": self.destination_country,
                    "TradeTermsConditionCode": self.delivery_terms,
                    "Consignor": _party_json(self.consignor),
                    "Consignee": _party_json(self.consignee),
                    "ConsignmentItem": [{
                        "SequenceNumeric": item.sequence,
                        "CustomsValueAmount": {"@currencyID": self.currency, "#text": format(item.value, "f")},
                        "Commodity": {"Description": item.description, "ClassificationID": item.hs_code},
                        "GoodsMeasure": {"NetNetWeightMeasure": _decimal_or_none(item.net_weight_kg),
                                         "TariffQuantity": item.quantity},
                        "Origin": {"CountryCode": item.origin_country},
                    } for item in self.items],
                },
            },
        }

    def to_xml(self) -> str:
        """The same data as XML: one element per JSON key, `@` keys as attributes, `#text` as text, a
        list as repeated elements (as DEC-DMS repeats ConsignmentItem)."""
        root = ET.Element("WCODeclaration")
        for key, value in self.to_json().items():
            xml_append(root, key, value)
        return ET.tostring(root, encoding="unicode", xml_declaration=True)


def build(consignment: Consignment, *, lrn: str, issued_at: datetime) -> WcoDeclaration:
    """The WCO DM declaration of a consignment. The total gross mass is the parcels' weight when the
    consignment has parcels, else the goods' net weight (a lower bound; a stored declaration of
    version 0 carries no parcels)."""
    items = tuple(WcoItem(
        sequence=index, description=c.description, hs_code=_subheading(c.hs_code), value=c.total_value.amount,
        net_weight_kg=c.net_weight_kg, quantity=c.quantity, origin_country=c.origin_country)
        for index, c in enumerate(consignment.commodities, start=1))
    if consignment.parcels:
        gross = sum((p.weight_kg for p in consignment.parcels), Decimal(0))
    else:
        weights = [c.net_weight_kg for c in consignment.commodities]
        gross = None if not weights or None in weights else sum(weights, Decimal(0))
    return WcoDeclaration(
        lrn=lrn, issued_at=issued_at.replace(microsecond=0), consignor=WcoParty.of(consignment.shipper),
        consignee=WcoParty.of(consignment.consignee), destination_country=consignment.destination_country,
        delivery_terms=consignment.incoterm, currency=consignment.currency, total_gross_mass_kg=gross, items=items)



_A2 = re.compile(r"[A-Z]{2}")
_A3 = re.compile(r"[A-Z]{3}")
_HS6 = re.compile(r"\d{6}")
_INCOTERMS = frozenset({"EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF"})  # 2020
MAX_ITEMS = 99999  # 006 Sequence number n..5


def validate(declaration: WcoDeclaration) -> list[Violation]:
    """Every violation, in the order of the JSON form; empty when the declaration is fit to lodge. Each
    names its element as "<WCO ID> <name>" and its path in the JSON form."""
    found: list[Violation] = []

    def bad(key: str, path: str, message: str) -> None:
        element = ELEMENTS[key]
        found.append(Violation(f"{element.wco_id} {element.name}".strip(), path, message))

    def text(key: str, path: str, value: str, limit: int, *, required: bool = True) -> None:
        if required and not value.strip():
            bad(key, path, f"{ELEMENTS[key].name} is missing.")
        elif len(value) > limit:
            bad(key, path, f"{ELEMENTS[key].name} is longer than {limit} characters ({ELEMENTS[key].format}).")

    text(f"{_D}.FunctionalReferenceID", "Declaration.FunctionalReferenceID", declaration.lrn, 22)
    if declaration.issued_at.utcoffset() is None:
        bad(f"{_D}.IssueDateTime", "Declaration.IssueDateTime", "The issuing date must carry its time zone (UTC).")
    gross = declaration.total_gross_mass_kg
    if gross is None or not _positive(gross, digits=16, places=6):
        bad(f"{_C}.TotalGrossMassMeasure", f"{_C}.TotalGrossMassMeasure",
            "The total gross mass must be a positive number of kilograms, at most 16 digits, 6 after the point.")
    if not _A2.fullmatch(declaration.destination_country or ""):
        bad(f"{_C}.DestinationCountryCode", f"{_C}.DestinationCountryCode",
            "Give the ISO 3166-1 alpha-2 code of the country of destination.")
    if declaration.delivery_terms not in _INCOTERMS:
        bad(f"{_C}.TradeTermsConditionCode", f"{_C}.TradeTermsConditionCode",
            f"{declaration.delivery_terms!r} is not an Incoterms 2020 code.")
    for role in ("Consignor", "Consignee"):
        party: WcoParty = getattr(declaration, role.lower())
        base = f"{_C}.{role}"
        text(f"{base}.Name", f"{base}.Name", party.name, 70)
        text(f"{base}.ID", f"{base}.ID", party.identification, 17, required=False)
        text(f"{base}.Address.Line", f"{base}.Address.Line", party.street, 70, required=False)
        text(f"{base}.Address.CityName", f"{base}.Address.CityName", party.city, 35)
        text(f"{base}.Address.PostcodeID", f"{base}.Address.PostcodeID", party.postcode, 17, required=False)
        if not _A2.fullmatch(party.country or ""):
            bad(f"{base}.Address.CountryCode", f"{base}.Address.CountryCode",
                f"The {role.lower()}'s country must be an ISO 3166-1 alpha-2 code.")
    if not declaration.items or len(declaration.items) > MAX_ITEMS:
        bad(_I, _I, f"A declaration has from 1 to {MAX_ITEMS} goods items.")
    if not _A3.fullmatch(declaration.currency or ""):
        bad(f"{_I}.CustomsValueAmount", f"{_I}[0].CustomsValueAmount.@currencyID",
            "The currency must be an ISO 4217 code.")
    for index, item in enumerate(declaration.items):
        path = f"{_I}[{index}]"
        if item.sequence != index + 1:
            bad(f"{_I}.SequenceNumeric", f"{path}.SequenceNumeric", f"Goods item {index + 1} is numbered {item.sequence}.")
        if not _positive(item.value, digits=16, places=2):
            bad(f"{_I}.CustomsValueAmount", f"{path}.CustomsValueAmount",
                "The value must be a positive amount of at most 16 digits, 2 after the point.")
        text(f"{_I}.Commodity.Description", f"{path}.Commodity.Description", item.description, 512)
        if not _HS6.fullmatch(item.hs_code):
            bad(f"{_I}.Commodity.ClassificationID", f"{path}.Commodity.ClassificationID",
                f"{item.hs_code!r} is not a six-digit Harmonized System sub-heading code.")
        if item.net_weight_kg is None or not _positive(item.net_weight_kg, digits=16, places=6):
            bad(f"{_I}.GoodsMeasure.NetNetWeightMeasure", f"{path}.GoodsMeasure.NetNetWeightMeasure",
                "The net mass must be a positive number of kilograms, at most 16 digits, 6 after the point.")
        if item.quantity < 1:
            bad(f"{_I}.GoodsMeasure.TariffQuantity", f"{path}.GoodsMeasure.TariffQuantity",
                "The quantity must be a whole number from 1.")
        if not _A2.fullmatch(item.origin_country or ""):
            bad(f"{_I}.Origin.CountryCode", f"{path}.Origin.CountryCode",
                "Give the ISO 3166-1 alpha-2 code of the country of origin.")
    return found



def _decimal_or_none(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _party_json(party: WcoParty) -> dict[str, Any]:
    data: dict[str, Any] = {"Name": party.name}
    if party.identification:
        data["ID"] = party.identification
    data["Address"] = {"Line": party.street, "CityName": party.city, "PostcodeID": party.postcode,
                       "CountryCode": party.country}
    return data


# --- reading the JSON and XML forms back (an authority, or a test standing in for one) ----------

def from_json(data: Any) -> WcoDeclaration:
    """The declaration in a JSON form written by `to_json` (or by anyone following it); DocumentError at
    the path of anything that does not read. What reads but breaks a rule is for `validate`."""
    declaration = _object(_object(data, "$").get("Declaration"), "Declaration")
    consignment = _object(declaration.get("Consignment"), _C)
    items = consignment.get("ConsignmentItem")
    if items is None:
        items = []
    if not isinstance(items, list):
        raise DocumentError("expected a list of goods items", path=_I)
    goods = tuple(_item(item, f"{_I}[{index}]") for index, item in enumerate(items))
    currencies = {(_object(item, f"{_I}[{i}]").get("CustomsValueAmount") or {}).get("@currencyID", "")
                  if isinstance(item, dict) else "" for i, item in enumerate(items)}
    if len(currencies) > 1:
        raise DocumentError("every goods item is valued in one currency", path=f"{_I}.CustomsValueAmount")
    issued = _string(declaration.get("IssueDateTime"), f"{_D}.IssueDateTime")
    try:
        issued_at = datetime.fromisoformat(issued.replace("Z", "+00:00"))
    except ValueError:
        raise DocumentError(f"{issued!r} is not a date and time", path=f"{_D}.IssueDateTime") from None
    return WcoDeclaration(
        lrn=_string(declaration.get("FunctionalReferenceID"), f"{_D}.FunctionalReferenceID"), issued_at=issued_at,
        consignor=_party(consignment.get("Consignor"), f"{_C}.Consignor"),
        consignee=_party(consignment.get("Consignee"), f"{_C}.Consignee"),
        destination_country=_string(consignment.get("DestinationCountryCode"), f"{_C}.DestinationCountryCode"),
        delivery_terms=_string(consignment.get("TradeTermsConditionCode"), f"{_C}.TradeTermsConditionCode"),
        currency=next(iter(currencies), ""),
        total_gross_mass_kg=_number(consignment.get("TotalGrossMassMeasure"), f"{_C}.TotalGrossMassMeasure"),
        items=goods)


def from_xml(text: str | bytes) -> WcoDeclaration:
    """The declaration in the XML form of `to_xml`."""
    return from_json({child.tag: _read(child) for child in xml_root(text, "WCODeclaration")})


_LISTS = frozenset({"ConsignmentItem"})


def xml_append(parent: ET.Element, tag: str, value: Any) -> None:
    if isinstance(value, list):
        for entry in value:
            xml_append(parent, tag, entry)
        return
    node = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, child in value.items():
            if key.startswith("@"):
                node.set(key[1:], str(child))
            elif key == "#text":
                node.text = str(child)
            else:
                xml_append(node, key, child)
    elif value is not None:
        node.text = str(value)


def _read(node: ET.Element) -> Any:
    children = list(node)
    if not children and not node.attrib:
        return node.text if node.text is not None else None
    data: dict[str, Any] = {f"@{key}": value for key, value in node.attrib.items()}
    if not children:
        data["#text"] = node.text or ""
    for child in children:
        if child.tag in _LISTS:
            data.setdefault(child.tag, []).append(_read(child))
        else:
            data[child.tag] = _read(child)
    return data


def _party(value: Any, path: str) -> WcoParty:
    party = _object(value, path)
    address = _object(party.get("Address") or {}, f"{path}.Address")
    return WcoParty(name=_string(party.get("Name"), f"{path}.Name"), identification=_string(party.get("ID"), f"{path}.ID"),
                    street=_string(address.get("Line"), f"{path}.Address.Line"),
                    city=_string(address.get("CityName"), f"{path}.Address.CityName"),
                    postcode=_string(address.get("PostcodeID"), f"{path}.Address.PostcodeID"),
                    country=_string(address.get("CountryCode"), f"{path}.Address.CountryCode"))


def _item(value: Any, path: str) -> WcoItem:
    item = _object(value, path)
    amount = _object(item.get("CustomsValueAmount"), f"{path}.CustomsValueAmount")
    commodity = _object(item.get("Commodity") or {}, f"{path}.Commodity")
    measure = _object(item.get("GoodsMeasure") or {}, f"{path}.GoodsMeasure")
    origin = _object(item.get("Origin") or {}, f"{path}.Origin")
    worth = _number(amount.get("#text"), f"{path}.CustomsValueAmount", required=True)
    return WcoItem(sequence=_whole(item.get("SequenceNumeric"), f"{path}.SequenceNumeric"),
                   description=_string(commodity.get("Description"), f"{path}.Commodity.Description"),
                   hs_code=_string(commodity.get("ClassificationID"), f"{path}.Commodity.ClassificationID"),
                   value=worth,
                   net_weight_kg=_number(measure.get("NetNetWeightMeasure"), f"{path}.GoodsMeasure.NetNetWeightMeasure"),
                   quantity=_whole(measure.get("TariffQuantity"), f"{path}.GoodsMeasure.TariffQuantity"),
                   origin_country=_string(origin.get("CountryCode"), f"{path}.Origin.CountryCode"))
