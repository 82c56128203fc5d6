"""GET /api/v1/customs/hs/?q= and /api/v1/customs/hs/<code>/: search in English and Chinese, and the
measures that apply to a code in a destination, with their sources."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from customs.models import ReferenceDocument
from customs.reference import read_hs_names_zh, read_hs_nomenclature

pytestmark = pytest.mark.django_db


def get(url, **params):
    return APIClient().get(url, params)


def codes(response):
    return [r["code"] for r in response.json()["results"]]


def test_every_chapter_has_a_chinese_name():
    names = read_hs_names_zh()
    chapters = {code for code in names if len(code) == 2}
    assert len(chapters) == 96  # HS 2022: chapters 01-97 without the reserved 77
    assert "77" not in chapters and {"01", "09", "50", "61", "62", "69", "85", "97"} <= chapters


def test_every_heading_and_subheading_has_a_chinese_name_once_loaded():
    # load_reference_data (run by conftest) stores the names; a code left unnamed fails here
    nomenclature = {e.code for e in read_hs_nomenclature()}
    loaded = dict(ReferenceDocument.objects.filter(kind="hs_name_zh").values_list("key", "data"))
    assert sorted(nomenclature - set(loaded)) == []
    assert set(loaded) == nomenclature and all(data["zh"] for data in loaded.values())
    assert sum(len(code) == 6 for code in loaded) == 5612  # HS 2022 subheadings


@pytest.mark.parametrize(("q", "expected"), [
    ("0902", "0902"),
    ("0902.10", "090210"),
    ("6109", "6109"),
])
def test_search_by_code_prefix(q, expected):
    found = codes(get("/api/v1/customs/hs/", q=q))
    assert found[0] == expected
    assert all(code.startswith(expected[:4]) for code in found)


@pytest.mark.parametrize(("q", "expected"), [
    ("green tea", "090210"),
    ("tea", "0902"),
    ("T-shirts", "6109"),
    ("smartphones", "851713"),
    ("silk woven fabrics", "5007"),
    ("porcelain tableware", "6911"),
])
def test_search_in_english_finds_the_code_a_seller_means(q, expected):
    assert expected in codes(get("/api/v1/customs/hs/", q=q))[:5]


def test_words_match_from_the_start_of_a_word():
    # "tea" is not "steam" or "instead"
    results = get("/api/v1/customs/hs/", q="tea", limit=100).json()["results"]
    assert results and all(" tea" in " " + r["description"].lower().replace(",", " ") for r in results)


@pytest.mark.parametrize(("q", "expected"), [
    ("茶叶", "0902"),
    ("绿茶", "090210"),
    ("丝绸", "5007"),
    ("智能手机", "851713"),
    ("瓷器", "6911"),
    ("T恤衫", "6109"),
    ("陶瓷", "6907"),  # ceramic tiles: chapter 69 is named heading by heading now
])
def test_search_in_chinese(q, expected):
    response = get("/api/v1/customs/hs/", q=q)
    assert response.status_code == 200
    results = response.json()["results"]
    assert expected in [r["code"] for r in results][:5]
    hit = next(r for r in results if r["code"] == expected)
    assert hit["description_zh"] and hit["description"]


def test_search_answers_both_names_and_nothing_for_an_empty_query():
    hit = get("/api/v1/customs/hs/", q="0902").json()["results"][0]
    assert hit == {"code": "0902", "description": "Tea", "description_zh": "茶叶，不论是否加香料",
                   "level": 4}
    assert get("/api/v1/customs/hs/", q="   ").json() == {"results": []}
    assert get("/api/v1/customs/hs/", q="tea", limit="x").status_code == 400


def test_detail_without_destination_shows_the_code_in_the_nomenclature():
    body = get("/api/v1/customs/hs/610910/").json()
    assert [level["code"] for level in body["lineage"]] == ["61", "6109", "610910"]
    assert body["description_zh"] and "T-shirts" in body["lineage"][1]["description"]
    assert "mfn" not in body


def test_detail_in_gb_gives_mfn_vat_and_sources():
    body = get("/api/v1/customs/hs/6109100010/", destination="GB", origin="CN", date="2026-01-15").json()
    assert body["mfn"]["expression"] == "12.0%"
    assert body["mfn"]["matched_code"] == "61091000"  # the 8-digit UK line covers the 10-digit code
    assert "global-uk-tariff.csv" in body["mfn"]["source"]
    assert body["tax"]["name"] == "VAT" and body["tax"]["rate"] == "20" and "gov.uk" in body["tax"]["source"]
    assert body["preferences"] == [] and body["additional_duties"] == []


def test_detail_lists_preferences_with_their_agreement_and_conditions():
    body = get("/api/v1/customs/hs/0902100000/", destination="JP", origin="VN", date="2026-01-15").json()
    by_agreement = {p["agreement"]: p for p in body["preferences"]}
    assert {"CPTPP", "RCEP"} <= set(by_agreement)
    cptpp = by_agreement["CPTPP"]
    assert cptpp["expression"] == "0.00%"
    assert cptpp["conditions"]["origin_is_party"] is True
    assert cptpp["conditions"]["claim_required"] is True
    assert cptpp["conditions"]["proof_of_origin"] and cptpp["conditions"]["origin_criteria"]
    # the product-specific rule the platform checks; none held for RCEP (manual unless wholly obtained)
    rule = cptpp["conditions"]["product_specific_rule"]
    assert rule["alternatives"] == [["CC"], ["RVC 40% (build-down)"]] and "cptpp.json" in rule["source"]
    assert by_agreement["RCEP"]["conditions"]["product_specific_rule"] is None
    assert cptpp["source"]
    assert body["mfn"]["expression"] and body["tax"]["rate"] == "8"  # food at Japan's reduced rate


def test_detail_lists_additional_duties_by_origin():
    chinese = get("/api/v1/customs/hs/6109100040/", destination="US", origin="CN", date="2026-01-15").json()
    korean = get("/api/v1/customs/hs/6109100040/", destination="US", origin="KR", date="2026-01-15").json()
    assert any("Section 301" in d["title"] for d in chinese["additional_duties"])
    assert all(d["origin"] == "CN" and d["source"] for d in chinese["additional_duties"])
    # a Korean shirt pays none of China's duties, only the reciprocal duty on Korea, with its dates
    assert [{k: d[k] for k in ("title", "origin", "expression", "valid_from", "valid_to")}
            for d in korean["additional_duties"]] == [
        {"title": "IEEPA reciprocal duty (South Korea)", "origin": "KR", "expression": "15.00%",
         "valid_from": "2025-08-07", "valid_to": "2026-02-23"}]
    assert korean["additional_duties"][0]["source"]


def test_detail_marks_entry_price_lines_for_manual_assessment_and_lists_restrictions():
    tomatoes = get("/api/v1/customs/hs/07020000/", destination="NL", date="2026-01-15").json()
    assert "entry price" in tomatoes["mfn"]["manual_assessment"]
    gum = get("/api/v1/customs/hs/170410/", destination="SG").json()
    assert [r["kind"] for r in gum["restrictions"]] == ["prohibited"]


@pytest.mark.parametrize(("url", "params", "status", "code", "field"), [
    ("/api/v1/customs/hs/999999/", {}, 400, "unknown_hs_code", "code"),
    ("/api/v1/customs/hs/abc/", {}, 400, "unknown_hs_code", "code"),
    ("/api/v1/customs/hs/610910/", {"destination": "ZZ"}, 400, "unsupported_destination", "destination"),
    ("/api/v1/customs/hs/610910/", {"destination": "GB", "date": "2026-02-30"}, 400, "invalid_date", "date"),
    ("/api/v1/customs/hs/610910/", {"destination": "GB", "origin": "C1"}, 400, "invalid", "origin"),
])
def test_detail_bad_input(url, params, status, code, field):
    response = get(url, **params)
    assert response.status_code == status
    assert (response.json()["error"]["code"], response.json()["error"]["field"]) == (code, field)


def test_search_runs_no_query_once_the_index_is_built(django_assert_num_queries):
    get("/api/v1/customs/hs/", q="tea")  # builds the per-process index
    with django_assert_num_queries(0):
        assert get("/api/v1/customs/hs/", q="丝绸").status_code == 200
