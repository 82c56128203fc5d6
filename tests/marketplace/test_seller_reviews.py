"""Reviews of sellers: only the buyer of a delivered order reviews, once per order; the seller replies once;
reviews show on listing pages (naming the listing bought) and the seller's page with the average and count,
in a constant number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ewtp.exceptions import ApplicationError, Conflict, NotFound
from marketplace.models import Order, Review
from marketplace.services.checkout import order_pay, order_place
from marketplace.services.orders import order_book_shipment, order_follow_shipment
from marketplace.services.reviews import review_create, review_reply
from tests import factories

pytestmark = pytest.mark.django_db


def delivered(seller, buyer, listing=None) -> Order:
    """An order of the seller's tea, paid, booked and reported delivered by the carrier."""
    listing = listing or factories.listing(seller)
    order = order_place(buyer=buyer, listing_id=listing.pk, quantity=2)
    order_pay(buyer=buyer, order_id=order.pk, card_number="4242424242424242")
    order_book_shipment(user=seller, order_id=order.pk)
    order_follow_shipment(reference=order.reference, shipment_status="delivered")
    return Order.objects.get(pk=order.pk)


@pytest.fixture
def trade():
    seller, buyer = factories.seller(), factories.buyer(country="GB", currency="GBP")
    listing = factories.listing(seller)
    return seller, buyer, listing, delivered(seller, buyer, listing)


def test_a_buyer_reviews_a_delivered_order_and_the_seller_replies_once(trade):
    seller, buyer, listing, order = trade
    buyer_page, seller_page = factories.page_client(buyer), factories.page_client(seller)

    # given the delivered order's page offers the review form
    assert 'data-testid="send-review"' in buyer_page.get(f"/orders/{order.pk}/").content.decode()

    # when the buyer reviews from it
    buyer_page.post(f"/orders/{order.pk}/review/", {"rating": "4", "body": "Fresh tea, well packed."})

    # then the listing page and the seller's page show it with the listing bought, the average and the count
    review = Review.objects.get()
    assert (review.rating, review.listing_id, review.company_id) == (4, listing.pk, order.company_id)
    page = factories.page_client(factories.buyer()).get(f"/listings/{listing.pk}/").content.decode()
    assert "Fresh tea, well packed." in page and 'data-testid="review-listing"' in page
    seller_page_html = buyer_page.get(f"/sellers/{order.company_id}/").content.decode()
    assert "4.0 out of 5 · 1 review" in seller_page_html and listing.title in seller_page_html

    # when the seller replies, it shows; a second reply is refused and changes nothing
    seller_page.post(f"/reviews/{review.pk}/reply/", {"reply": "Thank you!"})
    with pytest.raises(Conflict) as refused:
        review_reply(user=seller, review_id=review.pk, body="Again")
    assert refused.value.code == "already_replied"
    assert Review.objects.get().reply == "Thank you!"
    assert "Thank you!" in buyer_page.get(f"/listings/{listing.pk}/").content.decode()

    # and in Chinese
    chinese = buyer_page.get(f"/sellers/{order.company_id}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "卖家回复" in chinese and "条评价" in chinese


def test_one_review_per_order(trade):
    seller, buyer, listing, order = trade
    review_create(buyer=buyer, order_id=order.pk, rating=5, body="Great")
    with pytest.raises(Conflict) as refused:
        review_create(buyer=buyer, order_id=order.pk, rating=1, body="Replayed")
    assert refused.value.code == "already_reviewed"
    assert Review.objects.get().rating == 5


def test_buyers_without_a_delivered_order_cannot_review():
    seller, buyer, order = factories.paid_order(quantity=2)
    # not delivered yet: a clear error, on the page and in the API
    with pytest.raises(Conflict) as refused:
        review_create(buyer=buyer, order_id=order.pk, rating=5, body="Early")
    assert (refused.value.code, refused.value.field) == ("not_delivered", "order")
    page = factories.page_client(buyer).get(f"/orders/{order.pk}/").content.decode()
    assert 'data-testid="review-later"' in page
    answer = factories.api_client(buyer).post(f"/api/v1/orders/{order.pk}/review/", {"rating": 5, "body": "x"},
                                              format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "not_delivered"
    assert answer.json()["error"]["message"] == "订单送达后才能评价卖家。"
    # another buyer: no such order
    stranger = factories.buyer()
    with pytest.raises(NotFound):
        review_create(buyer=stranger, order_id=order.pk, rating=5, body="Not mine")
    assert factories.api_client(stranger).post(f"/api/v1/orders/{order.pk}/review/", {"rating": 5, "body": "x"},
                                               format="json").status_code == 404
    # the seller's page tells a buyer with nothing to review why there is no form
    prompt = factories.page_client(stranger).get(f"/sellers/{order.company_id}/").content.decode()
    assert "Only buyers with a delivered order from this seller can review it." in prompt
    assert not Review.objects.exists()


@pytest.mark.parametrize("rating, body, field, code", [
    (0, "ok", "rating", "invalid_rating"), (6, "ok", "rating", "invalid_rating"), (True, "ok", "rating", "invalid_rating"),
    (5, "", "body", "required"), (5, "   ", "body", "required"), (5, "x" * 2001, "body", "too_long"),
])
def test_bad_reviews_are_refused_at_the_field(trade, rating, body, field, code):
    seller, buyer, listing, order = trade
    with pytest.raises(ApplicationError) as refused:
        review_create(buyer=buyer, order_id=order.pk, rating=rating, body=body)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert not Review.objects.exists()


def test_reviews_api(trade):
    seller, buyer, listing, order = trade
    made = factories.api_client(buyer).post(f"/api/v1/orders/{order.pk}/review/", {"rating": 3, "body": "Fine"},
                                            format="json")
    assert made.status_code == 201 and made.json()["listing"]["id"] == listing.pk
    bad = factories.api_client(buyer).post(f"/api/v1/orders/{order.pk}/review/", {"rating": "five", "body": "x"},
                                           format="json")
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "rating"
    reply = factories.api_client(factories.buyer()).post(f"/api/v1/reviews/{made.json()['id']}/reply/",
                                                         {"reply": "Not my company"}, format="json")
    assert reply.status_code == 404
    listed = factories.api_client().get(f"/api/v1/sellers/{order.company_id}/reviews/").json()
    assert (listed["average"], listed["count"], listed["reviews"][0]["body"]) == ("3.0", 1, "Fine")


def test_the_listing_page_reads_reviews_in_a_constant_number_of_queries(trade):
    seller, buyer, listing, order = trade
    review_create(buyer=buyer, order_id=order.pk, rating=5, body="First")
    client = factories.page_client(factories.buyer(country="GB", currency="GBP"))
    client.get(f"/listings/{listing.pk}/")  # warm the quote cache
    with CaptureQueriesContext(connection) as one:
        client.get(f"/listings/{listing.pk}/")

    # given six more reviews from other buyers, of other listings of the seller
    for n in range(6):
        other = factories.buyer(country="GB", currency="GBP")
        review_create(buyer=other, order_id=delivered(seller, other).pk, rating=1 + n % 5, body=f"Review {n}")
    with CaptureQueriesContext(connection) as seven:
        page = client.get(f"/listings/{listing.pk}/").content.decode()

    # then the page shows the newest five and the count of all, with the same queries
    assert page.count('data-testid="review"') == 5 and "7 reviews" in page
    assert len(seven.captured_queries) == len(one.captured_queries)
