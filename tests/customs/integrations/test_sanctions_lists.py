"""Readers for the published OFAC SDN CSV and UN Security Council XML formats."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pytest
from defusedxml import EntitiesForbidden

from customs.domain.screening import LIST_OFAC_SDN, LIST_UN_SC
from customs.integrations.sanctions_lists import country_code, read_ofac_sdn_csv, read_un_consolidated_xml

SCREENING_DATA = Path(__file__).resolve().parents[3] / "customs" / "data" / "screening"
SDN_CSV = SCREENING_DATA / "sdn.csv"
UN_SAMPLE = SCREENING_DATA / "un-consolidated-sample.xml"


@pytest.fixture(scope="session")
def sdn_parties():
    return read_ofac_sdn_csv(SDN_CSV)


def _sdn_row(*, ent_num="1", name="ACME", kind="-0- ", programs="SDGT", flag="-0- ", remarks="-0- ") -> str:
    return f'{ent_num},"{name}",{kind},"{programs}",-0- ,-0- ,-0- ,-0- ,-0- ,{flag},-0- ,{remarks}\r\n'


# --- OFAC: the whole published list ---------------------------------------------------------


def test_the_whole_3_may_2024_sdn_list_loads(sdn_parties):
    # given the list of 3 May 2024 as OFAC published it
    # when it is read
    # then every entry is there once, with its list name and a kind of party
    assert len(sdn_parties) == 14_965
    assert len({party.entry_id for party in sdn_parties}) == 14_965
    assert {party.list_name for party in sdn_parties} == {LIST_OFAC_SDN}
    assert Counter(party.party_type for party in sdn_parties) == {
        "entity": 6884, "individual": 6854, "vessel": 851, "aircraft": 376,
    }


def test_no_empty_marker_or_bracket_leaks_into_the_parties(sdn_parties):
    # then "-0-" never shows up as a value and programme tags are clean
    for party in sdn_parties:
        assert party.name and "-0-" not in party.name
        assert party.remarks != "-0-"
        assert party.programs, party.entry_id
        assert all(tag and "[" not in tag and "]" not in tag for tag in party.programs)


def test_programme_tags_are_split_and_kept(sdn_parties):
    # then the common programmes appear as tags, multi-programme entries carry each tag
    tags = Counter(tag for party in sdn_parties for tag in party.programs)
    assert tags["SDGT"] > 1500
    assert tags["RUSSIA-EO14024"] > 4000
    assert any(set(party.programs) >= {"NPWMD", "IFSR"} for party in sdn_parties)


@pytest.mark.parametrize(
    ("entry_id", "name", "alias", "programs", "countries"),
    [
        ("306", "BANCO NACIONAL DE CUBA", "BNC", ("CUBA",), ()),
        ("475", "CASA DE CUBA", None, ("CUBA",), ()),
        ("12888", "AL-LIBI, Abu Yahya", None, ("SDGT",), ("LY",)),
        ("48907", "UZAY GROUP DIS TICARET LIMITED SIRKETI", None, ("RUSSIA-EO14024",), ("TR",)),
        ("35502", "UTYASHEVA, Rimma Amirovna", None, ("RUSSIA-EO14024",), ("RU",)),
    ],
)
def test_known_entries_read_as_published(sdn_parties, entry_id, name, alias, programs, countries):
    # given entries whose published rows we know
    party = next(party for party in sdn_parties if party.entry_id == entry_id)
    # then name, aliases, programmes and country hints come out as the row says
    assert party.name == name
    if alias:
        assert alias in party.aliases
    assert party.programs == programs
    assert party.countries == countries


def test_an_alias_with_an_apostrophe_inside_survives(sdn_parties):
    # given ABU MARZOOK, whose remarks read: a.k.a. 'ABU-'UMAR'.
    party = next(party for party in sdn_parties if party.name == "ABU MARZOOK, Mousa Mohammed")
    # then the alias keeps its inner apostrophe, and the passport and SSN countries are hints
    assert party.aliases == ("ABU-'UMAR",)
    assert party.countries == ("EG", "US")


def test_most_remark_aliases_are_found(sdn_parties):
    # the published remarks hold 3,666 a.k.a./f.k.a./n.k.a. markers; three sit in remarks
    # that OFAC truncated mid-sentence
    assert sum(len(party.aliases) for party in sdn_parties) >= 3600


# --- OFAC: remark parsing, row by row -------------------------------------------------------


@pytest.mark.parametrize(
    ("remarks", "aliases", "countries"),
    [
        ('"a.k.a. \'BNC\'."', ("BNC",), ()),
        ('"a.k.a. \'X ONE\'; a.k.a. ""Y TWO""; f.k.a. \'OLD NAME\'."', ("X ONE", "Y TWO", "OLD NAME"), ()),
        ('"DOB 1963; POB Libya; nationality Libya."', (), ("LY",)),
        ('"POB Mexico City, Distrito Federal, Mexico; citizen Mexico."', (), ("MX",)),
        ('"nationality Korea, North; alt. nationality Iran."', (), ("KP", "IR")),
        ('"Tax ID No. 5904343931 (Russia); Registration Number 1165 (Stuttgart) (Germany)."', (), ("RU", "DE")),
        # another party's name is not an alias, and its country is not this party's
        ('"Linked To: SOME BANK (IRAN); nationality Syria."', (), ("SY",)),
        ("-0- ", (), ()),
    ],
)
def test_remarks_give_aliases_and_country_hints(remarks, aliases, countries):
    # given one row with these remarks
    row = _sdn_row(remarks=remarks)
    # when it is read
    (party,) = read_ofac_sdn_csv(io.StringIO(row))
    # then
    assert party.aliases == aliases
    assert party.countries == countries


@pytest.mark.parametrize(
    ("kind", "flag", "party_type", "countries"),
    [
        ("-0- ", "-0- ", "entity", ()),
        ('"individual"', "-0- ", "individual", ()),
        ('"vessel"', '"Korea, North"', "vessel", ("KP",)),
        ('"aircraft"', "-0- ", "aircraft", ()),
    ],
)
def test_type_column_and_vessel_flag(kind, flag, party_type, countries):
    (party,) = read_ofac_sdn_csv(io.StringIO(_sdn_row(kind=kind, flag=flag)))
    assert party.party_type == party_type
    assert party.countries == countries


def test_reads_paths_text_streams_and_latin1_bytes(sdn_parties):
    # given the same latin-1 row as a byte stream and a text stream (the fixture reads a path)
    row = _sdn_row(ent_num="7", name="CAFÉ ÑANDÚ S.A.", programs="SDNTK] [ILLICIT-DRUGS-EO14059")
    # when read each way
    byte_stream = io.BytesIO(row.encode("latin-1"))
    from_bytes = read_ofac_sdn_csv(byte_stream)
    from_text = read_ofac_sdn_csv(io.StringIO(row))
    # then the accents survive and the bracketed programmes split
    assert from_bytes == from_text
    assert not byte_stream.closed  # the caller's stream is the caller's to close
    assert from_bytes[0].name == "CAFÉ ÑANDÚ S.A."
    assert from_bytes[0].programs == ("SDNTK", "ILLICIT-DRUGS-EO14059")
    assert sdn_parties[0].name == "AEROCARIBBEAN AIRLINES"  # read from a path


def test_trailing_end_of_file_byte_is_not_a_party():
    data = _sdn_row(ent_num="1") + _sdn_row(ent_num="2") + "\x1a"
    assert [party.entry_id for party in read_ofac_sdn_csv(io.StringIO(data))] == ["1", "2"]


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Russia", "RU"), ("Russian Federation", "RU"), ("Korea, North", "KP"),
        ("Democratic People's Republic of Korea", "KP"), ("Congo, Democratic Republic of the", "CD"),
        ("Iran (Islamic Republic of)", "IR"), ("Syrian Arab Republic", "SY"), ("Burma", "MM"),
        ("North Macedonia, The Republic of", "MK"), ("Bosnia-Herzegovina", "BA"), ("the Philippines", "PH"),
        ("United Kingdom", "GB"), ("Türkiye", "TR"), ("Côte d'Ivoire", "CI"), ("Virgin Islands, British", "VG"),
        ("Stuttgart", None), ("IRGC", None), ("", None),
    ],
)
def test_country_names_as_the_lists_write_them(name, code):
    assert country_code(name) == code


# --- UN Security Council consolidated XML ----------------------------------------------------


def test_un_sample_loads_individuals_and_entities():
    # given the sample of real entries in the published XML format
    # when it is read
    parties = read_un_consolidated_xml(UN_SAMPLE)
    # then individuals and entities come out with their reference numbers and list types
    assert [(p.entry_id, p.party_type) for p in parties] == [
        ("CDi.001", "individual"), ("CDi.002", "individual"), ("QDi.393", "individual"),
        ("CDe.001", "entity"), ("KPe.053", "entity"),
    ]
    assert {p.list_name for p in parties} == {LIST_UN_SC}
    by_id = {p.entry_id: p for p in parties}
    assert by_id["CDi.002"].name == "FRANK KAKOLELE BWAMBALE"
    assert by_id["CDi.002"].aliases == ("FRANK KAKORERE", "FRANK KAKORERE BWAMBALE")
    assert by_id["CDi.001"].aliases == ()  # the empty <ALIAS_NAME/> placeholder is no alias
    assert by_id["CDi.001"].countries == ("RW",)
    assert by_id["QDi.393"].programs == ("Al-Qaida",)
    assert by_id["QDi.393"].countries == ("ID",)
    assert "Muhammad Fachry" in by_id["QDi.393"].aliases
    assert by_id["CDe.001"].aliases == ("Allied Democratic Forces",)
    assert by_id["KPe.053"].name == "PROPAGANDA AND AGITATION DEPARTMENT (PAD)"
    assert by_id["KPe.053"].countries == ("KP",)


def test_un_reader_joins_four_name_parts_and_reads_a_byte_stream():
    xml = b"""<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2024-05-03T00:00:00Z"><INDIVIDUALS><INDIVIDUAL>
<DATAID>1</DATAID><FIRST_NAME>ABDUL</FIRST_NAME><SECOND_NAME>HAQ</SECOND_NAME>
<THIRD_NAME>WASIQ</THIRD_NAME><FOURTH_NAME>KHAN</FOURTH_NAME><UN_LIST_TYPE>Taliban</UN_LIST_TYPE>
<REFERENCE_NUMBER>TAi.082</REFERENCE_NUMBER><NAME_ORIGINAL_SCRIPT>\xd8\xb9\xd8\xa8\xd8\xaf</NAME_ORIGINAL_SCRIPT>
<NATIONALITY><VALUE>Afghanistan</VALUE></NATIONALITY>
<INDIVIDUAL_PLACE_OF_BIRTH><COUNTRY>Pakistan</COUNTRY></INDIVIDUAL_PLACE_OF_BIRTH>
</INDIVIDUAL></INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>"""
    (party,) = read_un_consolidated_xml(io.BytesIO(xml))
    assert party.name == "ABDUL HAQ WASIQ KHAN"
    assert party.aliases == ("\u0639\u0628\u062f",)  # the name in its original script
    assert party.countries == ("AF", "PK")


def test_un_reader_refuses_entity_expansion():
    # given a "billion laughs" document
    xml = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&lol2;</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"""
    # when read, then defusedxml refuses it instead of expanding
    with pytest.raises(EntitiesForbidden):
        read_un_consolidated_xml(io.BytesIO(xml))
