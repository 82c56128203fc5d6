"""Every seller the platform supports can ship to every EU state (and to every other destination the
tariff book knows), at least through its national post, and every card says where its figures come from."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ewtp.money import FxTable
from ewtp.trade import Parcel
from logistics.domain.rates import DEFAULT_DATA_DIR, RateBook, RateRequest, shop

BOOK = RateBook.from_files()
D = Decimal

# The countries the tariff book has an import regime for (customs' shipped reference file): the
# platform sells into them, and its sellers are companies of them.
_REGIMES = json.loads((Path(__file__).resolve().parents[4] / "customs/data/regimes/destinations.json").read_text())
TARIFF_BOOK = sorted(d["code"] for d in _REGIMES["destinations"] if d["code"] != "EU")
EU27 = sorted("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split())
ORIGINS = TARIFF_BOOK  # TH, VN, ID, KR, JP, MY, CN, SG, AU, CA, US, GB and the 27 EU states
# The shipped ECB reference rates (payments/data), plus VND, which the ECB does not quote (about 30,500 per EUR
# in late 2025): cards in different currencies are compared in EUR.
_ECB = (Path(__file__).resolve().parents[4] / "payments/data/eurofxref-daily-2025-10-21.xml").read_text()
FX = FxTable({**{c: D(r) for c, r in re.findall(r"currency='([A-Z]{3})' rate='([0-9.]+)'", _ECB)}, "VND": D("30500")},
             date(2025, 10, 21), "ECB")
SMALL_PARCEL = [Parcel(D("0.5"), D("20"), D("15"), D("10"))]


def test_the_tariff_book_knows_the_27_member_states_and_the_asian_origins():
    assert set(EU27) <= set(TARIFF_BOOK)
    assert {"TH", "VN", "ID", "KR", "JP", "MY", "CN"} <= set(ORIGINS)


@pytest.mark.parametrize("origin", ORIGINS)
def test_a_seller_of_every_origin_reaches_every_eu_state(origin):
    unreachable = [dest for dest in EU27 if dest != origin
                   and not shop(BOOK, RateRequest(origin, dest, SMALL_PARCEL), fx=FX, currency="EUR").options]

    assert unreachable == []


@pytest.mark.parametrize("origin", ORIGINS)
def test_a_seller_of_every_origin_reaches_every_other_destination_of_the_tariff_book(origin):
    unreachable = [dest for dest in TARIFF_BOOK if dest != origin
                   and not shop(BOOK, RateRequest(origin, dest, SMALL_PARCEL), fx=FX, currency="EUR").options]

    assert unreachable == []


@pytest.mark.parametrize("origin", ["TH", "VN", "ID", "KR", "JP", "SG", "AU", "CA", "CN", "MY"])
def test_every_non_eu_origin_has_a_postal_service_to_the_eu(origin):
    # given a seller that cannot afford express
    result = shop(BOOK, RateRequest(origin, "EE", SMALL_PARCEL), fx=FX, currency="EUR")

    # then its national post carries the parcel to Estonia, one of the states no card reached before
    assert any(option.mode == "postal" for option in result.options), result.options


def test_every_card_keeps_its_source_and_says_whether_it_is_illustrative():
    cards = json.loads((Path(DEFAULT_DATA_DIR) / "rate_cards.json").read_text())["cards"]

    for card in cards:
        assert card["source"]["name"], card["service"]
        assert isinstance(card["illustrative"], bool), card["service"]
        if card["illustrative"]:
            assert "llustrative" in card["source"].get("note", "") + card["source"]["name"] + card.get("note", ""), \
                card["service"]
