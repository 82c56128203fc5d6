"""Search and the product page in headless Chromium against the live server: a buyer in Germany
finds Chinese green tea in English and in Chinese with its landed cost in euros, opens it, and reads
the breakdown and the volume prices; on a phone the pages fit the screen."""

import re
from decimal import Decimal

import pytest

from marketplace.services.listings import listing_create
from tests import factories
from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("worker")]

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def tea(transactional_db, reference_data):
    """A Hangzhou tea exporter's tin with volume prices, and a batik scarf that no tea search finds."""
    seller = factories.seller()
    listing = listing_create(user=seller, publish=True, tiers=[(10, Decimal("150.00")), (50, Decimal("135.00"))],
                             data={"title_en": "Longjing green tea, 250 g tin", "title_zh": "明前龙井绿茶",
                                   "description_en": "Pan-fired spring tea from West Lake.",
                                   "hs_code": "090210", "origin_country": "CN",
                                   "price_amount": Decimal("168.00"), "stock": 80, "moq": 1,
                                   "weight_kg": Decimal("0.350")})
    batik = factories.seller(country="MY", currency="MYR", legal_name="Kuala Lumpur Batik Sdn. Bhd.")
    factories.listing(batik, title_en="Batik silk scarf", title_zh="手绘蜡染真丝围巾", hs_code="621410",
                      price_amount=Decimal("189.00"))
    return listing


def search(page, words: str) -> None:
    """Type into the search box at the top of every page and submit it."""
    page.fill("#site-search", words)
    page.press("#site-search", "Enter")
    page.wait_for_url(re.compile(r"[?&]q="))


def amount(text: str) -> Decimal:
    return Decimal(re.search(r"[\d,]+\.\d{2}", text).group().replace(",", ""))


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_buyer_in_germany_finds_green_tea_in_english_and_chinese_and_reads_its_landed_cost(page, live_server, tea):
    base = live_server.url
    log_in(page, base, factories.buyer(country="DE", currency="EUR").email)

    for words in ("green tea", "绿茶"):
        # when the buyer searches in English, then in Chinese
        page.goto(f"{base}/")
        search(page, words)
        cards = page.locator("[data-testid=catalog] li")
        # then the tea is found, with its landed cost to Germany in euros; the scarf is not
        card = cards.filter(has_text="Longjing green tea")
        assert card.count() == 1, words
        assert cards.filter(has_text="Batik silk scarf").count() == 0, words
        landed = card.locator("details.landed summary").inner_text()
        assert "Landed cost to DE" in landed and "EUR" in landed, landed
        assert amount(landed) > Decimal("21")  # 168 CNY is about 21 EUR before shipping and VAT

    # when the buyer opens the product page
    card.locator("h3 a").click()
    page.wait_for_url(re.compile(rf"/listings/{tea.pk}/$"))
    # then the breakdown shows goods, shipping, duty and VAT in euros, adding up to the landed cost
    breakdown = page.locator("[data-testid=breakdown]")
    rows = {row.locator("th").evaluate("th => th.firstChild.textContent.trim()"): row.locator("td").inner_text()
            for row in breakdown.locator("tbody tr").all()}  # label: amount (the label without its note)
    assert {"Goods", "Shipping", "Duty", "VAT"} <= set(rows), rows
    assert all("EUR" in money for money in rows.values()), rows
    total = breakdown.locator("tfoot tr")
    assert "Landed cost" in total.locator("th").inner_text() and "EUR" in total.locator("td").inner_text()
    assert sum(amount(money) for money in rows.values()) == amount(total.locator("td").inner_text())
    assert "7%" in breakdown.inner_text()  # German import VAT on food (TEDB, foodstuffs), not the standard 19%
    # and the volume prices in the seller's currency
    tiers = page.locator("[data-testid=tiers] tbody tr")
    assert [tiers.nth(n).inner_text().split()[0] for n in range(tiers.count())] == ["1+", "10+", "50+"]
    assert "150.00 CNY" in tiers.nth(1).inner_text() and "135.00 CNY" in tiers.nth(2).inner_text()

    # on a phone, neither the search results nor the product page scroll sideways
    page.set_viewport_size(PHONE)
    page.reload()
    assert page.locator("[data-testid=breakdown]").is_visible()
    assert fits_the_screen(page), "the product page scrolls horizontally at 375 px"
    page.goto(f"{base}/")
    search(page, "green tea")
    assert page.locator("[data-testid=catalog] li", has_text="Longjing green tea").is_visible()
    assert fits_the_screen(page), "the search results scroll horizontally at 375 px"
