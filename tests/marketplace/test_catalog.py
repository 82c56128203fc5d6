import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from marketplace import selectors
from marketplace.services.listings import category_create
from tests import factories

pytestmark = pytest.mark.django_db


def test_every_card_shows_the_landed_cost_in_the_buyers_currency(client):
    # given a tea exporter's listing and a buyer in Germany
    factories.listing(factories.seller(), title_en="Longjing green tea")
    client.force_login(factories.buyer(country="DE", currency="EUR"))
    # when
    page = client.get("/?q=green")
    # then
    assert page.status_code == 200
    card = page.content.decode()
    assert "Longjing green tea" in card
    assert "Landed cost to DE" in card and "EUR" in card


@pytest.fixture
def rates_held(settings):
    """The FX rates are not read again in the middle of a count (they are every FX_REFRESH_SECONDS)."""
    settings.FX_REFRESH_SECONDS = 3600


def _queries(url: str) -> int:
    cache.clear()  # landed costs computed afresh, not from an earlier request
    selectors.recent_quotes_clear()
    with CaptureQueriesContext(connection) as captured:
        assert Client().get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["/", "/?q=green+tea&sort=price_asc&price_max=500", "/api/v1/catalog/",
                                 "/api/v1/catalog/?q=green&ships_to_me=1&country=DE"])
def test_the_catalog_runs_a_constant_number_of_queries(url, rates_held):
    # given a few listings, some with tiers and a category
    seller = factories.seller()
    tea = category_create(name_en="Tea", slug="tea")
    for n in range(3):
        listing = factories.listing(seller, title_en=f"Green tea lot {n}", category=tea)
        listing.tiers.create(min_quantity=10, price_amount="150.00")
    Client().get(url)  # the process's reference data (tariff book, FX, rate cards) loaded once
    few = _queries(url)
    # when the page holds four times as many
    for n in range(9):
        factories.listing(seller, title_en=f"Green tea batch {n}", moq=2)
    # then it takes the same queries: at most 7 (session-less page: count, rows, first photos, the
    # listings and tiers to quote, categories; the ships-to filter adds the distinct HS codes, and
    # SQLite's search whether any word matched)
    assert _queries(url) == few <= 7


def test_a_page_of_48_cards_takes_the_queries_of_a_page_of_4(rates_held):
    # given 49 listings, with tiers, to a buyer in Germany
    seller = factories.seller()
    for n in range(49):
        listing = factories.listing(seller, title_en=f"Green tea lot {n}")
        listing.tiers.create(min_quantity=10, price_amount="150.00")
    url = "/api/v1/catalog/?country=DE&q=green+tea&page_size="
    Client().get(url + "4")  # the process's reference data loaded once
    # when the landed costs are computed afresh, and when they come from the cache
    cold = {size: _queries(url + size) for size in ("4", "48")}
    with CaptureQueriesContext(connection) as warm:
        response = Client().get(url + "48")
    # then 48 cards cost what 4 do: the rows, and the listings and tiers to quote; once cached, the rows only
    assert cold["4"] == cold["48"] <= 4
    assert len(warm) <= 2  # the search, and whether any listing holds every word
    assert len(response.json()["results"]) == 48
    assert all(row["landed_cost"]["currency"] == "EUR" for row in response.json()["results"])


def test_a_search_of_ten_thousand_characters_is_refused_cleanly(client):
    page = client.get("/", {"q": "tea " * 2500})
    assert page.status_code == 200
    assert "at most 200 characters" in page.content.decode()
    api = client.get("/api/v1/catalog/", {"q": "x" * 10000})
    assert api.status_code == 400
    assert api.json()["error"]["field"] == "q"
