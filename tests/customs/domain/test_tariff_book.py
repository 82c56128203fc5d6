"""The tariff book built from the data files: codes, dates, fallbacks, destinations, restrictions."""

from datetime import date

import pytest

from customs.domain.tariff_book import DestinationRegime
from customs.reference import national_code, read_destinations, read_hs_nomenclature, read_tariff_measures

ON = date(2026, 1, 15)


def test_every_line_of_the_tariff_file_is_loaded_for_gb_and_the_eu():
    # when the UK/EU file is read (12,505 physical lines hold 11,830 records: some descriptions span lines)
    measures = read_tariff_measures()

    # then each record gives one GB and one EU measure, dated and sourced
    gb = [m for m in measures if m.destination == "GB"]
    eu = [m for m in measures if m.destination == "EU"]
    assert len(gb) == len(eu) == 11_830
    assert {m.valid_from for m in gb} == {date(2021, 1, 1)}
    assert {m.valid_from for m in eu} == {date(2020, 1, 1)}
    assert all("global-uk-tariff.csv" in m.source for m in measures)


@pytest.mark.parametrize(("raw", "padded"), [
    ("1012100", "01012100"),  # 0101 21 00: the file drops chapter 01's leading zero
    ("302118011", "0302118011"),
    ("61091000", "61091000"),
    ("2008994894", "2008994894"),
])
def test_national_codes_get_their_leading_zero_back(raw, padded):
    assert national_code(raw) == padded


def test_hs_nomenclature_is_the_whole_hs_2022_tree():
    entries = read_hs_nomenclature()
    levels = {level: sum(1 for e in entries if e.level == level) for level in (2, 4, 6)}
    # As published, less Comtrade's "99 / 9999 / 999999 not specified" rows, which are not HS codes.
    assert levels == {2: 96, 4: 1228, 6: 5612}
    assert not any(e.code.startswith("99") for e in entries)
    assert next(e for e in entries if e.code == "010121").parent == "0101"


@pytest.mark.parametrize(("destination", "code", "expected"), [
    ("GB", "0101299000", "10.0%"),  # a 10-digit code under an 8-digit line
    ("GB", "01012990", "10.0%"),
    ("DE", "01012990", "11.5%"),  # member states use the EU's tariff
    ("FR", "6109100010", "12.0%"),
    ("GB", "0702000007", "8.00% (01 NOV - 14 MAY), 14.00% (15 MAY - 31 OCT)"),
    ("NL", "07020000", "Entry Price"),
])
def test_measures_for_takes_the_longest_matching_line(book, destination, code, expected):
    # when the measures in force are asked for a national code
    measures = book.measures_for(destination, code, ON)

    # then the MFN comes from the longest line that is a prefix of the code
    mfn = [m for m in measures if m.kind == "mfn"]
    assert [m.expression_text for m in mfn] == [expected]


def test_measures_follow_the_dates_they_are_in_force(book):
    # the UK Global Tariff starts on 1 January 2021; the EU CET figures are from 2020
    assert book.measures_for("GB", "61091000", date(2020, 12, 31)) == []
    assert book.measures_for("GB", "61091000", date(2021, 1, 1))[0].expression_text == "12.0%"
    # the UK-Singapore 4.20% preference on plums ran 1 Jan - 10 Jun 2021 in HMRC's data
    in_june = book.measures_for("GB", "0809400500", date(2021, 6, 10), origin="SG")
    after = book.measures_for("GB", "0809400500", date(2021, 6, 11), origin="SG")
    assert [m.agreement for m in in_june if m.kind == "preference"] == ["UK-SG-FTA"]
    assert [m.agreement for m in after if m.kind == "preference"] == []


def test_a_six_digit_code_resolves_when_every_line_under_it_agrees(book):
    lookup = book.lookup("GB", "610910", ON)
    assert lookup.mfn.expression_text == "12.0%"
    assert "shorter than the tariff's lines" in lookup.note


def test_a_short_code_over_lines_with_different_duties_is_not_guessed(book):
    lookup = book.lookup("GB", "010129", ON)
    assert lookup.mfn is None
    assert "different duties" in lookup.note and "full national code" in lookup.note


def test_an_hs_2022_code_missing_from_the_cn_2020_tariff_is_read_through_the_correlation_table(book):
    # smartphones are 8517.13 in HS 2022 but sit under 8517.12 in the CN 2020 file
    lookup = book.lookup("DE", "85171300", ON)
    assert lookup.mfn.code == "85171200"
    assert "correlation table" in lookup.note and "851712" in lookup.note
    assert book.is_known_hs("851713")


@pytest.mark.parametrize(("code", "known"), [
    ("610910", True), ("6109100010", True), ("851713", True), ("0101", True),
    ("999999", False), ("123456", False), ("61x910", False), ("1", False),
])
def test_is_known_hs(book, code, known):
    assert book.is_known_hs(code) is known


@pytest.mark.parametrize(("code", "quotable"), [
    ("6109.10.00 10", "6109100010"), ("610910", "610910"), ("851713", "851713"),
    ("0101", None), ("999999", None), ("61x910", None), ("61091000101", None), ("", None),
])
def test_a_quote_line_takes_a_known_code_of_6_to_10_digits(book, code, quotable):
    assert book.quotable_code(code) == quotable
    assert book.quotable_code(code) == quotable  # asked again: the same answer from the memo


def test_member_states_get_the_unions_customs_rules_with_their_own_vat(book):
    germany, ireland = book.destination("DE"), book.destination("IE")
    assert germany.territory == ireland.territory == "EU"
    assert germany.valuation_basis == "CIF" and germany.special_regimes[0].code == "EU_IOSS"
    assert germany.tax_rate("61091000", ON)[0] == 19
    assert germany.tax_rate("61091000", date(2020, 10, 1))[0] == 16  # the 2020 temporary cut
    assert ireland.tax_rate("61091000", ON)[0] == 23
    assert ireland.tax_rate("49019900", ON)[0] == 0  # books zero-rated in Ireland


@pytest.mark.parametrize("code", ["GB", "DE", "FR", "NL", "BE", "IT", "ES", "PL", "IE", "US", "CN", "MY", "SG",
                                  "JP", "AU", "CA", "TH", "KR", "ID", "VN"])
def test_required_destinations_are_configured_with_sources(book, code):
    regime = book.destination(code)
    assert regime is not None and regime.currency and regime.source
    assert regime.valuation_basis in ("CIF", "FOB")
    assert all(t.source for t in regime.thresholds)


def test_gb_zero_rates_printed_books(book):
    assert book.destination("GB").tax_rate("49019900", ON)[0] == 0
    assert book.destination("GB").tax_rate("61091000", ON)[0] == 20


def test_regimes_survive_a_json_round_trip():
    # the customs app stores each regime as JSON and rebuilds it
    for regime in read_destinations():
        assert DestinationRegime.from_json(regime.as_json()) == regime


@pytest.mark.parametrize(("destination", "code", "origin", "kind"), [
    ("SG", "1704100000", "MY", "prohibited"),
    ("DE", "43039000", "CN", "prohibited"),  # the EU's ban on cat and dog fur reaches member states
    ("AU", "12099100", "CN", "licence_required"),
    ("US", "24021000", "CU", "prohibited"),
])
def test_restrictions_for(book, destination, code, origin, kind):
    found = book.restrictions_for(destination, code, origin)
    assert [r.kind for r in found] == [kind]
    assert found[0].wording and found[0].source


def test_an_origin_specific_restriction_spares_other_origins(book):
    assert book.restrictions_for("US", "24021000", "DO") == []


def test_preferences_are_found_for_the_origins_parties(book):
    japan_tea = book.lookup("JP", "0902100000", ON, origin="VN")
    # Japan Customs' schedule (jp-customs-tariff-2026-01-01.csv, line 0902.10.000): CPTPP, JVEPA free; RCEP, AJCEP 5.3%
    assert {(m.agreement, m.expression_text) for m in japan_tea.preferences} == {
        ("CPTPP", "0.00%"), ("RCEP", "5.30%"), ("AJCEP", "5.30%"), ("JVEPA", "0.00%")}
    # an EU member state's goods claim as "EU"
    assert [m.agreement for m in book.lookup("JP", "0902100000", ON, origin="FR").preferences] == ["EU-JP-EPA"]
    assert book.lookup("JP", "0902100000", ON, origin="CN").preferences == ()


def test_an_hs_2022_code_split_from_several_hs_2017_codes_with_different_duties_asks_for_the_national_code(book):
    # given yoghurt, 0403.20 in HS 2022, which correlates with HS 2017 0403.10 and 1901.90 (UNSD table)
    assert book.hs_correlation["040320"] == ("040310", "190190")

    # when it is quoted to Great Britain at six digits
    lookup = book.lookup("GB", "040320", ON)

    # then no duty is guessed: the candidates are named and the national code is asked for
    assert lookup.mfn is None
    assert "040310, 190190" in lookup.note and "different duties" in lookup.note and "national" in lookup.note


def test_an_hs_2022_code_whose_hs_2017_lines_agree_takes_their_duty(book):
    # other wireless telephones, 8517.14 in HS 2022, sat under 8517.12 (one line, 0.0%, in the UKGT)
    lookup = book.lookup("GB", "851714", ON)
    assert lookup.mfn.expression_text == "0.0%"
    assert "851712" in lookup.note and "correlation table" in lookup.note


@pytest.mark.parametrize("territory", ["GB", "EU"])
def test_every_hs_2022_subheading_has_a_rate_in_gb_and_the_eu(book, territory):
    # when the book's coverage of HS 2022 is counted (one rate, or one per national line)
    coverage = book.coverage(territory, ON)

    # then no subheading is left without a rate
    assert coverage.without_rate == ()
    assert len(coverage.rated) + len(coverage.national_code_needed) == 5612
