"""Catalog search and filters, on SQLite and on PostgreSQL (CI): what a buyer finds and in what order."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from marketplace.services.listings import category_create, listing_update
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf():
    """A tea exporter in China and a batik maker in Malaysia, with a small category tree."""
    cache.clear()
    food = category_create(name_en="Food and drink", name_zh="食品饮料", slug="food")
    tea = category_create(name_en="Tea", name_zh="茶", slug="tea", parent=food)
    textiles = category_create(name_en="Textiles", name_zh="纺织品", slug="textiles")
    tea_seller = factories.seller()
    batik_seller = factories.seller(country="MY", currency="MYR", legal_name="Kuala Lumpur Batik Sdn. Bhd.")
    made = {
        "longjing": factories.listing(tea_seller, title_en="Longjing green tea, spring harvest", title_zh="明前龙井绿茶",
                                      description_en="Pan-fired tea from West Lake.", category=tea,
                                      price_amount=Decimal("168.00")),
        "jasmine": factories.listing(tea_seller, title_en="Jasmine pearls", title_zh="茉莉龙珠",
                                     description_en="Rolled green tea scented with jasmine flowers.", category=tea,
                                     price_amount=Decimal("90.00")),
        "scarf": factories.listing(batik_seller, title_en="Batik silk scarf", title_zh="手绘蜡染真丝围巾",
                                   hs_code="621410", category=textiles, price_amount=Decimal("189.00")),
        "fur": factories.listing(batik_seller, title_en="Rabbit fur collar", title_zh="兔毛领", hs_code="430310",
                                 category=textiles, price_amount=Decimal("60.00"),
                                 does_not_ship_to=["EU"]),  # the EU prohibits it: publishing needs it excluded
    }
    return made


def titles(response) -> list[str]:
    return [row["title"] for row in response.json()["results"]]


def catalog(**params):
    return APIClient().get("/api/v1/catalog/", {"country": "DE", **params})


def test_english_words_find_the_goods_and_rank_titles_first(shelf):
    # when a buyer searches two English words that the title and a description both hold
    found = titles(catalog(q="green tea"))
    # then both teas are found, the one with the words in its title first; the scarf is not
    assert found[:2] == ["Longjing green tea, spring harvest", "Jasmine pearls"]
    assert "Batik silk scarf" not in found


def test_a_plural_finds_the_singular(shelf):
    assert "Batik silk scarf" in titles(catalog(q="scarves silk")) or "Batik silk scarf" in titles(catalog(q="silks"))


@pytest.mark.parametrize("typo", ["longjng", "batk scarf"])
def test_a_misspelling_still_finds_the_goods(shelf, typo):
    found = titles(catalog(q=typo))
    expected = "Batik silk scarf" if "scarf" in typo else "Longjing green tea, spring harvest"
    assert expected in found


def test_a_chinese_query_matches_chinese_titles(shelf):
    # when a buyer searches 绿茶 (green tea), a word inside the title 明前龙井绿茶
    found = titles(catalog(q="绿茶"))
    # then the Longjing tea is found (jieba segmented its title), and nothing else
    assert found == ["Longjing green tea, spring harvest"]
    assert titles(catalog(q="真丝围巾")) == ["Batik silk scarf"]


def test_nothing_matches_gibberish(shelf):
    assert titles(catalog(q="zzqxv")) == []


def test_filters_by_category_including_its_subcategories(shelf):
    assert sorted(titles(catalog(category="food"))) == ["Jasmine pearls", "Longjing green tea, spring harvest"]
    assert sorted(titles(catalog(category="food/tea"))) == ["Jasmine pearls", "Longjing green tea, spring harvest"]


def test_filters_by_origin_and_seller(shelf):
    assert sorted(titles(catalog(origin="MY"))) == ["Batik silk scarf", "Rabbit fur collar"]
    seller_id = shelf["longjing"].company_id
    assert sorted(titles(catalog(seller=seller_id))) == ["Jasmine pearls", "Longjing green tea, spring harvest"]


def test_price_range_is_in_the_buyers_currency(shelf):
    # given prices in CNY and MYR, and a German buyer who thinks in euros
    eur = {row["title"]: Decimal(row["price"]["amount"]) for row in catalog().json()["results"]}
    assert eur  # sanity: four listings
    from ewtp.fx import fx_table

    fx = fx_table()
    in_eur = {name: listing.price_amount * fx.rate(listing.currency, "EUR").rate for name, listing in shelf.items()}
    low, high = sorted(in_eur.values())[1], sorted(in_eur.values())[2]
    # when the buyer filters between the 2nd and 3rd cheapest (in EUR)
    found = titles(catalog(price_min=str(low.quantize(Decimal("0.01")) - Decimal("0.01")),
                           price_max=str(high.quantize(Decimal("0.01")) + Decimal("0.01"))))
    # then exactly those two are shown
    expected = {shelf[n].title_en for n, v in in_eur.items() if low <= v <= high}
    assert set(found) == expected and len(found) == 2


def test_sort_by_price_uses_the_buyers_currency(shelf):
    from ewtp.fx import fx_table

    fx = fx_table()
    by_eur = sorted(shelf.values(), key=lambda x: x.price_amount * fx.rate(x.currency, "EUR").rate)
    assert titles(catalog(sort="price_asc")) == [x.title_en for x in by_eur]
    assert titles(catalog(sort="price_desc")) == [x.title_en for x in reversed(by_eur)]
    assert titles(catalog(sort="newest"))[0] == "Rabbit fur collar"


def test_ships_to_my_country_hides_what_the_destination_prohibits(shelf):
    # the EU prohibits fur-skin apparel of HS 4303; the UK does not
    assert "Rabbit fur collar" in titles(catalog())
    assert "Rabbit fur collar" not in titles(catalog(ships_to_me="1"))
    assert "Rabbit fur collar" in titles(catalog(ships_to_me="1", country="GB"))


def test_pages_follow_one_another(shelf):
    first = catalog(page_size="3").json()
    second = catalog(page_size="3", page="2").json()
    assert len(first["results"]) == 3 and first["next"] == 2
    assert len(second["results"]) == 1 and second["next"] is None
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


@pytest.mark.parametrize("params, field", [
    ({"q": "x" * 10000}, "q"), ({"price_min": "abc"}, "price_min"), ({"price_max": "-1"}, "price_max"),
    ({"sort": "random"}, "sort"), ({"origin": "China"}, "origin"), ({"page": "0"}, "page"),
    ({"page_size": "500"}, "page_size"), ({"seller": "x"}, "seller"),
])
def test_bad_filters_get_a_clear_error_at_the_field(shelf, params, field):
    response = catalog(**params)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


def test_the_page_has_the_same_filters_and_shows_errors(shelf, client):
    client.force_login(factories.buyer(country="DE", currency="EUR"))
    page = client.get("/", {"q": "绿茶", "sort": "price_asc"}).content.decode()
    assert "Longjing green tea" in page and "Batik silk scarf" not in page
    assert 'value="price_asc" selected' in page
    bad = client.get("/", {"price_min": "cheap"}).content.decode()
    assert "Enter a price such as 25 or 25.50." in bad


def test_search_uses_the_stored_tsvector_on_postgresql(shelf):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the SQLite fallback searches the columns")
    from marketplace.models import Listing

    vector = Listing.objects.values_list("search_vector", flat=True).get(pk=shelf["longjing"].pk)
    assert "绿茶" in vector and "longj" in vector


def test_a_new_price_moves_the_listing_in_the_price_sort(shelf):
    # given the jasmine pearls are the cheapest tea
    assert titles(catalog(sort="price_asc", category="food"))[0] == "Jasmine pearls"
    # when the seller raises their price above the Longjing's
    jasmine = shelf["jasmine"]
    listing_update(user=jasmine.company.members.first().user, listing_id=jasmine.pk,
                   data={"price_amount": Decimal("200.00")})
    # then the sort and the price filter follow at once
    assert titles(catalog(sort="price_asc", category="food"))[0] == "Longjing green tea, spring harvest"
    assert "Jasmine pearls" not in titles(catalog(price_max="22", category="food"))


@pytest.fixture
def fresh_fx():
    from ewtp.fx import fx_table

    yield
    fx_table.cache_clear()  # the rates stored by the test are rolled back with it


def test_new_exchange_rates_reprice_the_catalog(shelf, fresh_fx):
    from datetime import timedelta

    from ewtp.fx import fx_rates_store, fx_table

    # given the MYR scarf (189 MYR, about 38 EUR) costs more than the CNY tea (168 CNY, about 20 EUR)
    by_price = titles(catalog(sort="price_asc"))
    assert by_price.index("Longjing green tea, spring harvest") < by_price.index("Batik silk scarf")
    # when the next day's rates make the ringgit worth a tenth of its value
    today = fx_table()
    rates = {code: rate for code, rate in today.rates_per_eur.items() if code != "EUR"}
    rates["MYR"] = rates["MYR"] * 10
    fx_rates_store(as_of=today.as_of + timedelta(days=1), rates_per_eur=rates, source="test")
    # then the scarf (about 3.80 EUR) sorts before the tea, and the price filter agrees
    by_price = titles(catalog(sort="price_asc"))
    assert by_price.index("Batik silk scarf") < by_price.index("Longjing green tea, spring harvest")
    assert "Batik silk scarf" in titles(catalog(price_max="5"))
