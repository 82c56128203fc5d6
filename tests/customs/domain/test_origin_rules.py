"""The rule-of-origin evaluator, criterion by criterion, on the rules the data file holds."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from customs.domain.origin import (
    CANNOT_TELL,
    MET,
    NOT_MET,
    Material,
    OriginDeclaration,
    OriginInputError,
    assess,
    parse_agreement_rules,
    read_declaration,
)
from customs.reference import read_countries, read_origin_rules

D = Decimal
RULES = read_origin_rules()
CPTPP = parse_agreement_rules("CPTPP", RULES["CPTPP"])
UKJP = parse_agreement_rules("UK-JP-CEPA", RULES["UK-JP-CEPA"])
CPTPP_PARTIES = frozenset({"AU", "BN", "CA", "CL", "GB", "JP", "MX", "MY", "NZ", "PE", "SG", "VN"})
UKJP_PARTIES = frozenset({"GB", "JP"})


def declared(*materials, price="100", wholly=False):
    return OriginDeclaration(ex_works_price=D(price), currency="EUR", wholly_obtained=wholly,
                             materials=tuple(Material(d, code, origin, D(value)) for d, code, origin, value in materials))


def test_wholly_obtained_meets_every_agreement_even_without_rules():
    answer = assess(None, "JMEPA", "090210", declared(wholly=True), frozenset({"JP", "MY"}))
    assert answer.status == MET


def test_nothing_declared_cannot_tell():
    assert assess(CPTPP, "CPTPP", "090210", None, CPTPP_PARTIES).status == CANNOT_TELL


def test_no_rules_held_is_manual_assessment_not_a_guess():
    answer = assess(None, "RCEP", "691110", declared(("clay", "2507", "CN", "10")), frozenset({"CN", "JP"}))
    assert answer.status == CANNOT_TELL and "manual assessment" in answer.reason


def test_exclusively_originating_materials_meet_the_general_rule():
    answer = assess(CPTPP, "CPTPP", "620520", declared(("cotton fabric", "520852", "MY", "40")), CPTPP_PARTIES)
    assert answer.status == MET and "exclusively" in answer.reason


# -- CC (chapter) and RVC, CPTPP 0902.10
def test_cc_met_when_every_non_originating_material_is_of_another_chapter():
    answer = assess(CPTPP, "CPTPP", "090210", declared(("tin", "830990", "CN", "20"), ("leaves", "090210", "MY", "50")),
                    CPTPP_PARTIES)
    assert answer.status == MET
    assert answer.results[0].criterion == "CC" and answer.results[0].status == MET


def test_cc_fails_on_same_chapter_but_rvc_build_down_can_still_meet():
    answer = assess(CPTPP, "CPTPP", "090210", declared(("leaves", "090210", "CN", "30")), CPTPP_PARTIES)
    assert answer.status == MET
    assert [(r.criterion, r.status) for r in answer.results] == [("CC", NOT_MET), ("RVC 40% (build-down)", MET)]


def test_cc_and_rvc_both_fail_over_the_threshold():
    answer = assess(CPTPP, "CPTPP", "090210", declared(("leaves", "090210", "CN", "61")), CPTPP_PARTIES)
    assert answer.status == NOT_MET
    assert "RVC 39.0% < 40%" in answer.reason


def test_rvc_exactly_at_the_threshold_is_met():
    assert assess(CPTPP, "CPTPP", "090210", declared(("leaves", "090210", "CN", "60")), CPTPP_PARTIES).status == MET


# -- CTH with exceptions, CPTPP 5208
def test_cth_exception_refuses_a_material_of_another_heading():
    yarn = ("cotton yarn", "520511", "IN", "30")  # heading 5205 is excepted
    assert assess(CPTPP, "CPTPP", "520852", declared(yarn), CPTPP_PARTIES).status == NOT_MET
    fibre = ("raw cotton", "520100", "IN", "30")  # 5201 is not
    assert assess(CPTPP, "CPTPP", "520852", declared(fibre), CPTPP_PARTIES).status == MET


def test_cth_for_porcelain_under_uk_japan():
    assert assess(UKJP, "UK-JP-CEPA", "691110", declared(("kaolin", "250700", "CN", "30")), UKJP_PARTIES).status == MET
    blanks = ("porcelain blanks", "691110", "CN", "30")
    assert assess(UKJP, "UK-JP-CEPA", "691110", declared(blanks), UKJP_PARTIES).status == NOT_MET


def test_a_failure_within_the_tolerance_goes_to_manual_assessment():
    blanks = ("porcelain blanks", "691110", "CN", "8")  # 8% of the ex-works price, tolerance 10%
    answer = assess(UKJP, "UK-JP-CEPA", "691110", declared(blanks), UKJP_PARTIES)
    assert answer.status == CANNOT_TELL and "tolerance" in answer.reason


def test_short_material_code_cannot_tell_a_heading_change():
    answer = assess(UKJP, "UK-JP-CEPA", "691110", declared(("glaze", "32", "CN", "20")), UKJP_PARTIES)
    assert answer.status == CANNOT_TELL


# -- materials of listed codes originating (UK-JP 0902)
def test_uk_japan_tea_needs_its_tea_wholly_obtained():
    assert assess(UKJP, "UK-JP-CEPA", "090210", declared(("leaves", "090210", "CN", "50")),
                  UKJP_PARTIES).status == NOT_MET
    assert assess(UKJP, "UK-JP-CEPA", "090210", declared(("tin", "830990", "CN", "50"), ("leaves", "090210", "JP", "5")),
                  UKJP_PARTIES).status == MET


# -- MaxNOM with a process: the process cannot be told
def test_a_process_requirement_is_never_granted_automatically():
    answer = assess(UKJP, "UK-JP-CEPA", "621410", declared(("silk fabric", "500790", "CN", "20")), UKJP_PARTIES)
    assert answer.status == CANNOT_TELL


def test_maxnom_over_the_limit_with_a_process_is_not_met_for_that_alternative():
    answer = assess(UKJP, "UK-JP-CEPA", "620520", declared(("cotton fabric", "520852", "CN", "60")), UKJP_PARTIES)
    assert answer.status == CANNOT_TELL  # the weaving alternatives still cannot be told
    assert any(r.criterion.startswith("MaxNOM") and r.status == NOT_MET for r in answer.results)


def test_the_most_specific_rule_wins_and_unknown_codes_are_manual():
    assert CPTPP.rule_for("090210").codes[0].low == "090210"
    assert CPTPP.rule_for("090240") is None
    answer = assess(CPTPP, "CPTPP", "090240", declared(("leaves", "090240", "CN", "1")), CPTPP_PARTIES)
    assert answer.status == CANNOT_TELL


def test_the_statement_on_origin_names_the_exporter_reference():
    text = UKJP.statement(exporter_reference="GBEORI123", origin="Japan")
    assert "Exporter Reference No GBEORI123" in text and "Japan preferential origin" in text


# -- properties
values = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False)


@given(non_originating=values, originating=values, extra=values)
def test_rvc_build_down_is_met_exactly_when_non_originating_share_is_at_most_60(non_originating, originating, extra):
    price = non_originating + originating + extra + D("0.01")
    decl = declared(("leaves", "090210", "CN", str(non_originating)), ("tin", "830990", "MY", str(originating)),
                    price=str(price))
    answer = assess(CPTPP, "CPTPP", "090210", decl, CPTPP_PARTIES)
    rvc = [r for r in answer.results if r.criterion.startswith("RVC")]
    if non_originating == 0:
        assert answer.status == MET
    else:
        assert (rvc[0].status == MET) == ((price - non_originating) * 100 / price >= 40)
        assert answer.status == rvc[0].status


@given(more=values)
def test_adding_non_originating_material_never_turns_not_met_into_met(more):
    base = declared(("leaves", "090210", "CN", "61"), price="100")
    worse = declared(("leaves", "090210", "CN", "61"), ("more leaves", "090210", "CN", str(more)),
                     price=str(D(100) + more))
    assert assess(CPTPP, "CPTPP", "090210", base, CPTPP_PARTIES).status == NOT_MET
    share = (D(61) + more) / (D(100) + more)
    if share > D("0.6"):
        assert assess(CPTPP, "CPTPP", "090210", worse, CPTPP_PARTIES).status == NOT_MET


@given(origin=st.sampled_from(sorted(CPTPP_PARTIES)), value=values)
def test_materials_from_any_party_count_as_originating(origin, value):
    decl = declared(("leaves", "090210", origin, str(value)), price=str(value + 1))
    assert assess(CPTPP, "CPTPP", "090210", decl, CPTPP_PARTIES).status == MET


# -- reading a declaration
HS = frozenset({"09", "0902", "090210", "83", "8309", "830990"})


@pytest.mark.parametrize(("data", "field", "code"), [
    ({"ex_works_price": "0"}, "ex_works_price", "invalid_amount"),
    ({"ex_works_price": "10", "materials": [{"hs_code": "0903", "origin": "MY", "value": "1"}]},
     "materials[0].hs_code", "unknown_hs_code"),
    ({"ex_works_price": "10", "materials": [{"hs_code": "0902", "origin": "ZZ", "value": "1"}]},
     "materials[0].origin", "invalid_country"),
    ({"ex_works_price": "10", "materials": [{"hs_code": "0902", "origin": "MY", "value": "11"}]},
     "materials", "materials_over_price"),
    ({"ex_works_price": "10", "materials": [{"hs_code": "0902", "origin": "MY", "value": "abc"}]},
     "materials[0].value", "invalid_amount"),
])
def test_read_declaration_refuses_bad_input_at_its_field(data, field, code):
    with pytest.raises(OriginInputError) as caught:
        read_declaration(data, product_origin="MY", currency="MYR", hs_codes=HS, countries=read_countries())
    assert (caught.value.field, caught.value.code) == (field, code)


def test_read_declaration_accepts_dotted_and_national_codes():
    decl = read_declaration({"ex_works_price": "10", "materials": [
        {"description": "tin", "hs_code": "8309.90.10", "origin": "cn", "value": "2.5"}]},
        product_origin="MY", currency="MYR", hs_codes=HS, countries=read_countries())
    assert decl.materials[0] == Material("tin", "830990", "CN", D("2.5"))


@given(st.lists(values, max_size=6), values)
def test_read_declaration_holds_materials_to_the_price(amounts, price):
    data = {"ex_works_price": str(price + D("0.01")),
            "materials": [{"hs_code": "0902", "origin": "MY", "value": str(a)} for a in amounts]}
    try:
        decl = read_declaration(data, product_origin="MY", currency="MYR", hs_codes=HS, countries=read_countries())
    except OriginInputError as exc:
        assert exc.code == "materials_over_price" and sum(amounts) > price + D("0.01")
    else:
        assert sum(m.value for m in decl.materials) <= decl.ex_works_price


@pytest.mark.parametrize("data", [
    {"ex_works_price": "10", "exporter_reference": "MY\x00"},
    {"ex_works_price": "10", "materials": [{"description": "tea\x00", "hs_code": "0902", "origin": "MY", "value": "1"}]},
    {"ex_works_price": "10", "materials": "not a list"},
    {"ex_works_price": float("inf")},
    "not an object",
])
def test_read_declaration_refuses_hostile_values(data):
    with pytest.raises(OriginInputError):
        read_declaration(data, product_origin="MY", currency="MYR", hs_codes=HS, countries=read_countries())
