"""Which proof of origin a granted preference needs: a statement made out on the invoice, or a document."""

import pytest

from customs.selectors import granted_preferences

pytestmark = pytest.mark.django_db

TOMATOES = {"description": "Tomatoes", "hs_code": "0702000007", "quantity": 100, "unit_value": "4.00", "origin": "JP",
            "net_weight_kg": "100", "claim_preference": True,
            "origin_declaration": {"ex_works_price": "3.50", "currency": "GBP", "wholly_obtained": True,
                                   "exporter_reference": "GB123456789000"}}
TEA = {"description": "Green tea", "hs_code": "090210", "quantity": 20, "unit_value": "5000", "origin": "MY",
       "net_weight_kg": "5", "claim_preference": True,
       "origin_declaration": {"ex_works_price": "4500", "currency": "JPY", "exporter_reference": "MY-EXP-7",
                              "materials": [{"description": "leaves", "hs_code": "090210", "origin": "MY",
                                             "value": "2000"}]}}


def test_uk_japan_preference_is_proven_by_the_statement_on_origin_with_the_exporter_reference(reference_data):
    [granted] = granted_preferences(destination="GB", lines=[TOMATOES], currency="GBP", origin="JP")
    assert granted["agreement"] == "UK-JP-CEPA" and granted["kind"] == "statement" and not granted["upload"]
    assert "Exporter Reference No GB123456789000" in granted["text"] and "JP preferential origin" in granted["text"]


def test_a_statement_without_an_exporter_reference_must_be_uploaded(reference_data):
    line = {**TOMATOES, "origin_declaration": {**TOMATOES["origin_declaration"], "exporter_reference": ""}}
    [granted] = granted_preferences(destination="GB", lines=[line], currency="GBP", origin="JP")
    assert granted["upload"] and granted["text"] == ""


def test_cptpp_certification_is_drafted_and_asked_for(reference_data):
    [granted] = granted_preferences(destination="JP", lines=[TEA], currency="JPY", origin="MY")
    assert granted["agreement"] == "CPTPP" and granted["kind"] == "certification" and granted["upload"]
    assert "MY-EXP-7" in granted["text"]


def test_nothing_is_granted_when_the_rule_fails_or_nothing_is_claimed(reference_data):
    failing = {**TEA, "origin_declaration": {**TEA["origin_declaration"], "materials": [
        {"description": "leaves", "hs_code": "090210", "origin": "CN", "value": "3000"}]}}
    assert granted_preferences(destination="JP", lines=[failing], currency="JPY", origin="MY") == []
    assert granted_preferences(destination="JP", lines=[{**TEA, "claim_preference": False}], currency="JPY",
                               origin="MY") == []
