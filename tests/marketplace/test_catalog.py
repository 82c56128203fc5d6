import pytest
from django.core.cache import cache
from django.test import Client

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


@pytest.mark.parametrize("count", [3, 12])
def test_the_catalog_runs_a_constant_number_of_queries(count, django_assert_max_num_queries):
    seller = factories.seller()
    for n in range(count):
        factories.listing(seller, title_en=f"Green tea lot {n}")
    cache.clear()  # landed costs computed afresh, not from an earlier request
    with django_assert_max_num_queries(4):
        assert Client().get("/").status_code == 200
    with django_assert_max_num_queries(4):
        assert Client().get("/api/v1/catalog/").status_code == 200


def test_a_search_of_ten_thousand_characters_is_refused_cleanly(client):
    page = client.get("/", {"q": "tea " * 2500})
    assert page.status_code == 200
    assert "at most 200 characters" in page.content.decode()
    api = client.get("/api/v1/catalog/", {"q": "x" * 10000})
    assert api.status_code == 400
    assert api.json()["error"]["field"] == "q"
