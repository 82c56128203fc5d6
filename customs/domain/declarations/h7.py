"""The EU's H7 customs declaration: the "super-reduced" data set for releasing a low-value
consignment (intrinsic value up to EUR 150) for free circulation, as a typed model, a builder
from the trade vocabulary (`ewtp.trade.Consignment`), a validator that lists every violation
with its data element, and JSON and XML forms. Pure: no ORM, no I/O.

Sources
-------
- Delegated Regulation (EU) 2015/2446, Annex B (replaced by Delegated Regulation (EU) 2021/234,
  OJ L 63, 23.2.2021, p. 1), column H7; Article 143a (inserted by Delegated Regulation (EU)
  2019/1143): the H7 data set serves consignments relieved from import duty under Article 23(1)
  or 25(1) of Regulation (EC) No 1186/2009, not goods under prohibitions or restrictions.
- European Commission (TAXUD), "Importation and exportation of low value consignments - VAT
  e-commerce package: guidance for Member States and trade" (15 September 2022), as published by
  the Spanish Tax Agency (sede.agenciatributaria.gob.es, "Import and Export Manual for low value
  shipments", section 2.2.1, data set H7): the EUR 150 intrinsic-value ceiling (examples 1-4);
  DE 11 10 000 000 "Additional procedure" with the Union codes C07 (negligible value), C08
  (consumer to consumer), F48 (IOSS) and F49 (special arrangements), C08 never with F48/F49 and
  only C07 and F48 with an IOSS number; DE 13 16 000 000 "Additional fiscal references": the IOSS
  VAT identification number with role code FR5, one per consignment, at consignment level;
  DE 14 14 000 000 "Intrinsic value": per goods item, in the invoice currency, mandatory in H7.
- HMRC, CDS data element completion guides (gov.uk, 2024-2025): party name an..70, street and
  number an..70, city an..35, country a2; masses n..16,6 (up to 16 digits, 6 after the point).
- The IOSS VAT identification number is "IM" + three digits (the issuing Member State's ISO
  3166 numeric code) + seven digits (Council Implementing Regulation (EU) No 282/2011 as amended,
  Commission's IOSS guidance); an EORI number is an..17 starting with the issuing country's code
  (Implementing Regulation (EU) 2015/2447, Article 7).

What is `verified` below: the element numbers and rules taken from the sources above in this
module's writing. The other element numbers follow Annex B's numbering as the issue names them
and were not checked against the Official Journal's table here (`verified=False`); formats with
no source at hand are left out rather than guessed (a postcode's length, a description's).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ewtp.trade import Consignment, Party

INTRINSIC_VALUE_CEILING_EUR = Decimal("150")  # H7 serves consignments up to EUR 150 (TAXUD guidance)
EU_MEMBER_STATES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU",
    "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"})
ADDITIONAL_PROCEDURES = ("C07", "C08", "F48", "F49")  # the Union codes of DE 11 10 in H7
IOSS_ROLE = "FR5"  # DE 13 16: the role code of the IOSS VAT identification number


@dataclass(frozen=True)
class Element:
    number: str  # Annex B's data element number, "13 16 000 000"
    name: str
    verified: bool  # number and rule checked against the sources in the module docstring


ELEMENTS: dict[str, Element] = {e.number: e for e in (
    Element("11 10 000 000", "Additional procedure", True),
    Element("12 09 000 000", "LRN", False),
    Element("13 01 000 000", "Exporter", False),
    Element("13 04 000 000", "Importer", False),
    Element("13 16 000 000", "Additional fiscal references", True),
    Element("14 01 000 000", "Delivery terms", False),
    Element("14 14 000 000", "Intrinsic value", True),
    Element("16 03 000 000", "Country of destination", False),
    Element("18 04 000 000", "Gross mass", False),
    Element("18 05 000 000", "Description of goods", False),
    Element("18 09 056 000", "Commodity code: Harmonized System sub-heading code", False),
)}


@dataclass(frozen=True, slots=True, kw_only=True)
class H7Party:
    name: str
    street: str
    city: str
    postcode: str
    country: str
    identification: str = ""  # EORI number, when the party has one

    @classmethod
    def of(cls, party: Party) -> H7Party:
        return cls(name=party.company or party.name, street=party.street(), city=party.city,
                   postcode=party.postcode, country=party.country, identification=party.eori)


@dataclass(frozen=True, slots=True, kw_only=True)
class H7Item:
    sequence: int  # the goods item number, from 1
    description: str
    hs_code: str  # six digits
    intrinsic_value: Decimal  # of the item, in the invoice currency
    gross_mass_kg: Decimal | None
    quantity: int


@dataclass(frozen=True, slots=True, kw_only=True)
class H7Declaration:
    lrn: str
    exporter: H7Party
    importer: H7Party
    destination_country: str
    delivery_terms: str  # incoterm code
    invoice_currency: str
    intrinsic_value_eur: Decimal | None  # the consignment's, for the EUR 150 ceiling; None if unconverted
    items: tuple[H7Item, ...]
    additional_procedures: tuple[str, ...] = ()
    ioss_number: str = ""

    @property
    def intrinsic_value(self) -> Decimal:
        return sum((item.intrinsic_value for item in self.items), Decimal(0))

    def to_json(self) -> dict[str, Any]:
        return {
            "dataset": "H7",
            "lrn": self.lrn,
            "additional_procedures": list(self.additional_procedures),
            "additional_fiscal_references": ([{"role": IOSS_ROLE, "vat_identification_number": self.ioss_number}]
                                             if self.ioss_number else []),
            "exporter": _party_json(self.exporter),
            "importer": _party_json(self.importer),
            "delivery_terms": self.delivery_terms,
            "country_of_destination": self.destination_country,
            "invoice_currency": self.invoice_currency,
            "intrinsic_value_eur": None if self.intrinsic_value_eur is None else _decimal(self.intrinsic_value_eur),
            "goods_items": [{
                "sequence": item.sequence, "description": item.description, "commodity_code": item.hs_code,
                "intrinsic_value": {"amount": _decimal(item.intrinsic_value), "currency": self.invoice_currency},
                "gross_mass_kg": None if item.gross_mass_kg is None else _decimal(item.gross_mass_kg),
                "quantity": item.quantity,
            } for item in self.items],
        }

    def to_xml(self) -> str:
        """The same data as XML, elements named after the JSON keys (no published H7 XSD is
        reproduced here: the EU's are per Member State system)."""
        return ET.tostring(xml_element("H7Declaration", self.to_json()), encoding="unicode", xml_declaration=True)


@dataclass(frozen=True, slots=True)
class Violation:
    element: str  # "14 14 000 000 Intrinsic value"
    path: str  # where in the JSON form: "goods_items[0].intrinsic_value"
    message: str

    def to_json(self) -> dict[str, str]:
        return {"element": self.element, "path": self.path, "message": self.message}


def build(consignment: Consignment, *, lrn: str, intrinsic_value_eur: Decimal | None,
          ioss_number: str = "") -> H7Declaration:
    """The H7 declaration of a consignment. `intrinsic_value_eur` is the goods' value converted to
    EUR by the caller (who holds the reference rates); the freight is not part of it."""
    items = tuple(H7Item(
        sequence=index, description=c.description, hs_code=_subheading(c.hs_code),
        intrinsic_value=c.total_value.amount, gross_mass_kg=c.net_weight_kg, quantity=c.quantity)
        for index, c in enumerate(consignment.commodities, start=1))
    procedures = ("C07", "F48") if ioss_number else ("C07",)
    return H7Declaration(
        lrn=lrn, exporter=H7Party.of(consignment.shipper), importer=H7Party.of(consignment.consignee),
        destination_country=consignment.destination_country, delivery_terms=consignment.incoterm,
        invoice_currency=consignment.currency, intrinsic_value_eur=intrinsic_value_eur, items=items,
        additional_procedures=procedures, ioss_number=ioss_number)


def _subheading(hs_code: str) -> str:
    """The HS sub-heading: the first six digits of a tariff code given with dots or spaces; a
    shorter code stays as given (the validator refuses it)."""
    digits = re.sub(r"[\s.]", "", hs_code)
    return digits[:6] if digits.isdigit() and len(digits) >= 6 else digits


_A2 = re.compile(r"[A-Z]{2}")
_HS6 = re.compile(r"\d{6}")
_IOSS = re.compile(r"IM\d{10}")
_EORI = re.compile(r"[A-Z]{2}[0-9A-Z]{1,15}")
_INCOTERMS = frozenset({"EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF"})  # 2020


def validate(declaration: H7Declaration) -> list[Violation]:
    """Every violation, in the order of the JSON form; empty when the declaration is fit to lodge."""
    found: list[Violation] = []

    def bad(number: str, path: str, message: str) -> None:
        found.append(Violation(f"{number} {ELEMENTS[number].name}", path, message))

    if not declaration.lrn or len(declaration.lrn) > 22:
        bad("12 09 000 000", "lrn", "The local reference number is missing or longer than 22 characters.")
    procedures = declaration.additional_procedures
    for code in procedures:
        if code not in ADDITIONAL_PROCEDURES:
            bad("11 10 000 000", "additional_procedures", f"{code!r} is not an H7 additional procedure code "
                                                          f"({', '.join(ADDITIONAL_PROCEDURES)}).")
    if "C08" in procedures and {"F48", "F49"} & set(procedures):
        bad("11 10 000 000", "additional_procedures", "C08 (consumer to consumer) cannot go with F48 or F49.")
    if declaration.ioss_number:
        if not _IOSS.fullmatch(declaration.ioss_number):
            bad("13 16 000 000", "additional_fiscal_references[0].vat_identification_number",
                "An IOSS VAT identification number is IM followed by ten digits, e.g. IM2760000001.")
        if set(procedures) - {"C07", "F48"}:
            bad("11 10 000 000", "additional_procedures", "With an IOSS number only C07 and F48 may be declared.")
        if "F48" not in procedures:
            bad("11 10 000 000", "additional_procedures", "An IOSS number is declared with F48.")
    elif "F48" in procedures:
        bad("13 16 000 000", "additional_fiscal_references", "F48 (IOSS) needs the IOSS VAT identification number.")
    for key, number in (("exporter", "13 01 000 000"), ("importer", "13 04 000 000")):
        _check_party(getattr(declaration, key), key, number, bad)
    if declaration.delivery_terms not in _INCOTERMS:
        bad("14 01 000 000", "delivery_terms", f"{declaration.delivery_terms!r} is not an Incoterms 2020 code.")
    if not _A2.fullmatch(declaration.destination_country or ""):
        bad("16 03 000 000", "country_of_destination", "Give the ISO 3166-1 alpha-2 code of the country.")
    elif declaration.destination_country not in EU_MEMBER_STATES:
        bad("16 03 000 000", "country_of_destination",
            f"{declaration.destination_country} is not an EU Member State: H7 is the EU's declaration.")
    if not declaration.items:
        bad("18 05 000 000", "goods_items", "The declaration has no goods items.")
    for index, item in enumerate(declaration.items):
        path = f"goods_items[{index}]"
        if not item.description.strip():
            bad("18 05 000 000", f"{path}.description", "The description of the goods is missing.")
        if not _HS6.fullmatch(item.hs_code):
            bad("18 09 056 000", f"{path}.commodity_code",
                f"{item.hs_code!r} is not a six-digit Harmonized System sub-heading code.")
        if not _positive(item.intrinsic_value, digits=16, places=2):
            bad("14 14 000 000", f"{path}.intrinsic_value",
                "The intrinsic value must be a positive amount of at most 16 digits, 2 after the point.")
        if item.gross_mass_kg is None:
            bad("18 04 000 000", f"{path}.gross_mass_kg", "The gross mass is missing.")
        elif not _positive(item.gross_mass_kg, digits=16, places=6):
            bad("18 04 000 000", f"{path}.gross_mass_kg",
                "The gross mass must be a positive number of kilograms, at most 16 digits, 6 after the point.")
    if declaration.intrinsic_value_eur is None:
        bad("14 14 000 000", "intrinsic_value_eur", "The intrinsic value could not be converted to EUR to check "
                                                    "the EUR 150 ceiling of H7.")
    elif declaration.intrinsic_value_eur > INTRINSIC_VALUE_CEILING_EUR:
        bad("14 14 000 000", "intrinsic_value_eur",
            f"The consignment's intrinsic value, EUR {declaration.intrinsic_value_eur:.2f}, is above the EUR 150 "
            "of H7: declare it with the full data set (H1).")
    return found


def _check_party(party: H7Party, key: str, number: str, bad) -> None:
    for attribute, limit in (("name", 70), ("street", 70), ("city", 35)):
        value = getattr(party, attribute)
        if not value.strip():
            bad(number, f"{key}.{attribute}", f"The {key}'s {attribute} is missing.")
        elif len(value) > limit:
            bad(number, f"{key}.{attribute}", f"The {key}'s {attribute} is longer than {limit} characters.")
    if not _A2.fullmatch(party.country or ""):
        bad(number, f"{key}.country", f"The {key}'s country must be an ISO 3166-1 alpha-2 code.")
    if party.identification and not (_EORI.fullmatch(party.identification)
                                     and len(party.identification) <= 17):
        bad(number, f"{key}.identification",
            f"{party.identification!r} is not an EORI number (the country's code and up to 15 letters or digits).")


def _positive(value: Decimal, *, digits: int, places: int) -> bool:
    if not value.is_finite() or value <= 0:
        return False
    exponent = value.normalize().as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    whole = len(str(int(value))) if value >= 1 else 0
    return decimals <= places and whole + decimals <= digits


def _decimal(value: Decimal) -> str:
    return format(value, "f")


def _party_json(party: H7Party) -> dict[str, str]:
    data = {"name": party.name, "street_and_number": party.street, "city": party.city, "postcode": party.postcode,
            "country": party.country}
    if party.identification:
        data["identification_number"] = party.identification
    return data


def xml_element(tag: str, value: Any) -> ET.Element:
    node = ET.Element(tag)
    if isinstance(value, dict):
        for key, child in value.items():
            node.append(xml_element(_camel(key), child))
    elif isinstance(value, list):
        for child in value:
            node.append(xml_element(_singular(tag), child))
    elif value is not None:
        node.text = str(value)
    return node


def _camel(key: str) -> str:
    return "".join(part.capitalize() for part in key.split("_"))


def _singular(tag: str) -> str:
    return {"GoodsItems": "GoodsItem", "AdditionalProcedures": "AdditionalProcedure",
            "AdditionalFiscalReferences": "AdditionalFiscalReference"}.get(tag, "Item")


# --- reading the JSON and XML forms back (an authority, or a test standing in for one) ----------

class DocumentError(ValueError):
    """The document does not read as an H7 declaration at all: `path` says where."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


_XML_LISTS = {"AdditionalProcedures": "additional_procedures", "AdditionalFiscalReferences":
              "additional_fiscal_references", "GoodsItems": "goods_items"}


def from_json(data: Any) -> H7Declaration:
    """The declaration in the JSON form of `to_json`; DocumentError at the path of anything that does
    not read. What reads but breaks a rule is for `validate`."""
    data = _object(data, "$")
    if data.get("dataset") != "H7":
        raise DocumentError("the dataset is not H7", path="dataset")
    currency = _text(data.get("invoice_currency"), "invoice_currency")
    references = _list(data.get("additional_fiscal_references"), "additional_fiscal_references")
    items = []
    for index, raw in enumerate(_list(data.get("goods_items"), "goods_items")):
        path = f"goods_items[{index}]"
        item = _object(raw, path)
        value = _object(item.get("intrinsic_value"), f"{path}.intrinsic_value")
        if _text(value.get("currency"), f"{path}.intrinsic_value.currency") != currency:
            raise DocumentError("every goods item is valued in the invoice currency", path=f"{path}.intrinsic_value")
        items.append(H7Item(
            sequence=_whole(item.get("sequence"), f"{path}.sequence"),
            description=_text(item.get("description"), f"{path}.description"),
            hs_code=_text(item.get("commodity_code"), f"{path}.commodity_code"),
            intrinsic_value=_number(value.get("amount"), f"{path}.intrinsic_value.amount", required=True),
            gross_mass_kg=_number(item.get("gross_mass_kg"), f"{path}.gross_mass_kg"),
            quantity=_whole(item.get("quantity"), f"{path}.quantity")))
    ioss = ""
    for index, raw in enumerate(references):
        reference = _object(raw, f"additional_fiscal_references[{index}]")
        if reference.get("role") == IOSS_ROLE:
            ioss = _text(reference.get("vat_identification_number"),
                         f"additional_fiscal_references[{index}].vat_identification_number")
    return H7Declaration(
        lrn=_text(data.get("lrn"), "lrn"), exporter=_party(data.get("exporter"), "exporter"),
        importer=_party(data.get("importer"), "importer"), destination_country=_text(
            data.get("country_of_destination"), "country_of_destination"),
        delivery_terms=_text(data.get("delivery_terms"), "delivery_terms"), invoice_currency=currency,
        intrinsic_value_eur=_number(data.get("intrinsic_value_eur"), "intrinsic_value_eur"), items=tuple(items),
        additional_procedures=tuple(_text(code, f"additional_procedures[{index}]") for index, code in enumerate(
            _list(data.get("additional_procedures"), "additional_procedures"))),
        ioss_number=ioss)


def from_xml(text: str | bytes) -> H7Declaration:
    """The declaration in the XML form of `to_xml`."""
    return from_json(_json_of(xml_root(text, "H7Declaration")))


def xml_root(text: str | bytes, tag: str) -> ET.Element:
    """The root element of a document, which must be `tag`; DTDs and entities are refused (defusedxml)."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(text, forbid_dtd=True)
    except (ET.ParseError, DefusedXmlException) as error:
        raise DocumentError(f"not well-formed XML ({error})", path="$") from None
    if root.tag != tag:
        raise DocumentError(f"the root element is {root.tag}, not {tag}", path="$")
    return root


def _json_of(node: ET.Element) -> Any:
    """The reverse of `xml_element`: CamelCase tags back to snake_case keys, the list elements back to lists."""
    children = list(node)
    if node.tag in _XML_LISTS:
        return [_json_of(child) for child in children]
    if not children:
        return node.text
    return {_snake(child.tag): _json_of(child) for child in children}


def _snake(tag: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", tag).lower()


def _object(value: Any, path: str) -> dict:
    if not isinstance(value, dict):
        raise DocumentError("expected an object", path=path)
    return value


def _list(value: Any, path: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise DocumentError("expected a list", path=path)
    return value


def _text(value: Any, path: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise DocumentError("expected text", path=path)
    return value


def _number(value: Any, path: str, *, required: bool = False) -> Decimal | None:
    if value is None or value == "":
        if required:
            raise DocumentError("is missing", path=path)
        return None
    if not isinstance(value, str):
        raise DocumentError("expected a decimal as text", path=path)
    try:
        return Decimal(value)
    except ArithmeticError:
        raise DocumentError(f"{value!r} is not a decimal", path=path) from None


def _whole(value: Any, path: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    raise DocumentError(f"{value!r} is not a whole number", path=path)


def _party(value: Any, path: str) -> H7Party:
    party = _object(value, path)
    return H7Party(name=_text(party.get("name"), f"{path}.name"),
                   street=_text(party.get("street_and_number"), f"{path}.street_and_number"),
                   city=_text(party.get("city"), f"{path}.city"), postcode=_text(party.get("postcode"), f"{path}.postcode"),
                   country=_text(party.get("country"), f"{path}.country"),
                   identification=_text(party.get("identification_number"), f"{path}.identification_number"))
