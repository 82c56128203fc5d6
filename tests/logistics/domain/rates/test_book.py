"""The rate book (logistics/domain/rates/book.py): the shipped reference data, its sources, and
cards refused at load when they make no sense."""

from __future__ import annotations

import json

import pytest

from logistics.domain.rates import DATA_FILES, DEFAULT_DATA_DIR, RateBook
from tests.logistics.domain.rates.shipments import BOOK

REQUIRED_DESTINATIONS = {"GB", "DE", "FR", "NL", "BE", "IT", "ES", "PL", "IE", "US", "CN", "MY", "SG", "JP", "AU",
                         "CA", "TH", "KR"}


def test_reference_data_covers_the_demo_countries_and_every_mode():
    destinations = set().union(*(service.destinations for service in BOOK.services))
    origins = set().union(*(service.origins for service in BOOK.services))

    assert REQUIRED_DESTINATIONS <= destinations
    assert len(destinations) >= 20
    assert {"CN", "MY", "DE", "GB", "US"} <= origins
    assert {service.mode for service in BOOK.services} == {"postal", "express", "ehub_air", "ehub_sea"}
    assert {service.ehub for service in BOOK.services if service.ehub} == {"HGH", "KUL", "LGG"}


def test_every_card_keeps_its_source_and_says_whether_it_is_illustrative():
    assert BOOK.as_of and BOOK.version
    assert {entry["service"] for entry in BOOK.sources} == {service.code for service in BOOK.services}
    for entry in BOOK.sources:
        assert entry["source"] and entry["source"]["name"]
        assert isinstance(entry["illustrative"], bool)


def test_a_card_whose_heavier_break_costs_less_is_refused_at_load():
    # given the shipped data with one break made cheaper than the one before
    data = {name: json.loads((DEFAULT_DATA_DIR / f"{name}.json").read_text(encoding="utf-8")) for name in DATA_FILES}
    data["rate_cards"]["cards"][0]["rates"]["1"]["breaks"][1][1] = "0.01"

    with pytest.raises(ValueError, match="cost less"):
        RateBook.from_dict(data)
