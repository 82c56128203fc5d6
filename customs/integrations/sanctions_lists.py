"""Readers for published sanctions list files: OFAC's sdn.csv and the UN Security Council XML.

Each reader takes a path or an open file and returns ``ListedParty`` rows for
``customs.domain.screening.ScreeningIndex``. They read files only; fetching a newer file is
the management command's job.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from os import PathLike
from pathlib import Path
from typing import IO

from defusedxml import ElementTree

from customs.domain.screening import LIST_OFAC_SDN, LIST_UN_SC, ListedParty

PathOrFile = str | PathLike | IO[str] | IO[bytes]

OFAC_SDN_COLUMNS = ("ent_num", "name", "type", "programs", "title", "call_sign", "vessel_type",
                    "tonnage", "grt", "vessel_flag", "vessel_owner", "remarks")
OFAC_EMPTY = "-0-"
OFAC_ENCODING = "latin-1"

# ISO 3166 alpha-2 by English name (customs/data/screening/country-names.csv, sources in its SOURCES.md).
_COUNTRY_NAMES = Path(__file__).resolve().parent.parent / "data" / "screening" / "country-names.csv"


@cache
def _country_codes_by_name() -> dict[str, str]:
    with open(_COUNTRY_NAMES, encoding="utf-8", newline="") as names:
        return {row["name"]: row["code"] for row in csv.DictReader(names)}


def country_code(name: str) -> str | None:
    """ISO alpha-2 for a country name as the lists write it ("Korea, North" → "KP"), else None."""
    decomposed = unicodedata.normalize("NFKD", name.casefold().replace("&", " and "))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("'", "")
    key = " ".join(re.sub(r"[^a-z ]+", " ", plain).split())
    key = key.removeprefix("the ").removeprefix("possibly ")
    return _country_codes_by_name().get(key)


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


# --- OFAC sdn.csv --------------------------------------------------------------------------

_OFAC_PARTY_TYPES = {"individual": "individual", "vessel": "vessel", "aircraft": "aircraft"}
# a.k.a. 'NAME'; f.k.a. "NAME"; n.k.a. 'NAME' — the closing quote is the one followed by a
# separator, so apostrophes inside a name ("ABU-'UMAR") survive.
_ALIAS_RE = re.compile(r"\b[afn]\.k\.a\.,?\s*(['\"])(.+?)\1(?=\s*(?:[;.,)]|$))")
_NATIONALITY_RE = re.compile(r"^(?:alt\.\s+)?(?:nationality|citizen)\s+(.+?)\.?$", re.IGNORECASE)
_BIRTHPLACE_RE = re.compile(r"^(?:alt\.\s+)?POB\s+(.+?)\.?$")
_PARENTHESIS_RE = re.compile(r"\(([^()]+)\)")


def _ofac_value(raw: str) -> str:
    value = raw.strip()
    return "" if value == OFAC_EMPTY else value


def _ofac_programs(raw: str) -> tuple[str, ...]:
    # OFAC strips the outer brackets of "[NPWMD] [IFSR]", leaving "NPWMD] [IFSR".
    return _unique(p.strip(" []") for p in raw.split("] ["))


def _ofac_countries(remarks: str, vessel_flag: str) -> tuple[str, ...]:
    found: list[str] = []
    for part in remarks.split(";"):
        part = part.strip()
        if not part or part.startswith("Linked To:") or ".k.a." in part:
            continue  # another party's name, or an alias: no country of this party
        if nationality := _NATIONALITY_RE.match(part):
            found.append(country_code(nationality.group(1)) or "")
        elif birthplace := _BIRTHPLACE_RE.match(part):
            found.append(country_code(birthplace.group(1).rsplit(",", 1)[-1]) or "")
        # "Passport A123 (Egypt)", "Tax ID No. 77 (Russia)": the issuing country.
        found.extend(country_code(inner) or "" for inner in _PARENTHESIS_RE.findall(part))
    if vessel_flag:
        found.append(country_code(vessel_flag) or "")
    return _unique(found)


def _open_text(source: PathOrFile, encoding: str) -> tuple[IO[str], Callable[[], object]]:
    """A text stream over ``source`` and what to do once read: close what we opened, leave the
    caller's stream open (a bare TextIOWrapper would close the caller's binary file when dropped).
    """
    if isinstance(source, str | PathLike):
        stream = open(source, encoding=encoding, newline="")
        return stream, stream.close
    if isinstance(source, io.TextIOBase):
        return source, lambda: None
    wrapper = io.TextIOWrapper(source, encoding=encoding, newline="")  # type: ignore[arg-type]
    return wrapper, wrapper.detach


def _iter_ofac_rows(stream: IO[str]) -> Iterator[list[str]]:
    for row in csv.reader(stream):
        # The published file ends with a DOS end-of-file byte (\x1a) on a line of its own.
        if len(row) < len(OFAC_SDN_COLUMNS):
            continue
        yield row


def read_ofac_sdn_csv(source: PathOrFile) -> list[ListedParty]:
    """Parties from OFAC's sdn.csv (latin-1, no header, ``-0-`` for empty).

    Aliases are the quoted a.k.a./f.k.a./n.k.a. names in the remarks (OFAC's "weak" aliases;
    the strong ones live in alt.csv, which this reader does not take). Country hints come
    from nationality, citizenship, place of birth, the issuing country of identity documents
    and the vessel flag.
    """
    stream, release = _open_text(source, OFAC_ENCODING)
    try:
        parties = []
        for row in _iter_ofac_rows(stream):
            fields = dict(zip(OFAC_SDN_COLUMNS, (_ofac_value(cell) for cell in row), strict=False))
            remarks = fields["remarks"]
            parties.append(ListedParty(
                list_name=LIST_OFAC_SDN,
                entry_id=fields["ent_num"],
                name=fields["name"],
                aliases=_unique(alias.strip() for _quote, alias in _ALIAS_RE.findall(remarks)),
                party_type=_OFAC_PARTY_TYPES.get(fields["type"].casefold(), "entity"),
                programs=_ofac_programs(fields["programs"]),
                countries=_ofac_countries(remarks, fields["vessel_flag"]),
                remarks=remarks,
            ))
        return parties
    finally:
        release()


# --- UN Security Council consolidated list XML ---------------------------------------------

_UN_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")


def _text(element, path: str) -> str:
    found = element.find(path)
    return " ".join((found.text or "").split()) if found is not None else ""


def _texts(element, path: str) -> list[str]:
    return [" ".join((found.text or "").split()) for found in element.findall(path)]


def _un_party(element, party_type: str, alias_tag: str, address_tag: str) -> ListedParty:
    name = " ".join(part for part in (_text(element, tag) for tag in _UN_NAME_PARTS) if part)
    aliases = _texts(element, f"{alias_tag}/ALIAS_NAME") + _texts(element, "NAME_ORIGINAL_SCRIPT")
    country_names = (_texts(element, "NATIONALITY/VALUE") + _texts(element, f"{address_tag}/COUNTRY")
                     + _texts(element, "INDIVIDUAL_PLACE_OF_BIRTH/COUNTRY"))
    return ListedParty(
        list_name=LIST_UN_SC,
        entry_id=_text(element, "REFERENCE_NUMBER"),
        name=name,
        aliases=_unique(alias for alias in aliases if alias != name),
        party_type=party_type,
        programs=_unique([_text(element, "UN_LIST_TYPE")]),
        countries=_unique(country_code(country) or "" for country in country_names),
        remarks=_text(element, "COMMENTS1"),
    )


def read_un_consolidated_xml(source: PathOrFile) -> list[ListedParty]:
    """Parties from the UN Security Council consolidated list (consolidated.xml).

    Parsed with defusedxml, which refuses entity expansion and external entities.
    Country hints come from NATIONALITY, the address COUNTRY and the place of birth.
    """
    root = ElementTree.parse(source).getroot()
    individuals = [_un_party(element, "individual", "INDIVIDUAL_ALIAS", "INDIVIDUAL_ADDRESS")
                   for element in root.iterfind("INDIVIDUALS/INDIVIDUAL")]
    entities = [_un_party(element, "entity", "ENTITY_ALIAS", "ENTITY_ADDRESS")
                for element in root.iterfind("ENTITIES/ENTITY")]
    return individuals + entities
