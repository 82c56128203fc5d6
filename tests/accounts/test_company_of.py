"""company_of(user): the user's company, asked once per user object (so once per request)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.selectors import company_of
from accounts.services import company_verify
from marketplace.models import Listing
from marketplace.services.listings import listing_create, listing_set_status
from tests import factories

pytestmark = pytest.mark.django_db


def _membership_queries(queries) -> int:
    return sum("marketplace_companymember" in query["sql"] for query in queries)


def test_a_sellers_company_costs_one_query_however_often_it_is_asked(django_assert_num_queries):
    # given a seller loaded afresh, as a request loads its user
    seller = User.objects.get(pk=factories.seller().pk)
    # when the company is asked three times, and whether they sell
    with django_assert_num_queries(1):
        company = company_of(seller)
        assert company_of(seller) is company and company_of(seller) is company
        assert seller.is_seller
    # then it is theirs
    assert company.members.get().user_id == seller.pk


def test_a_buyer_and_a_visitor_have_none(django_assert_num_queries):
    buyer = User.objects.get(pk=factories.buyer().pk)
    with django_assert_num_queries(1):
        assert company_of(buyer) is None and company_of(buyer) is None and not buyer.is_seller
    with django_assert_num_queries(0):
        assert company_of(AnonymousUser()) is None and company_of(None) is None


@pytest.mark.parametrize("path", ["/sell/", "/", "/orders/"])
def test_a_sellers_page_asks_for_the_membership_once(client, path):
    # given a signed-in seller with a listing (the menu asks is_seller three times; the page its company)
    seller = factories.seller()
    factories.listing(seller)
    client.force_login(seller)
    client.get(path)
    # when the page is shown
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    # then the membership is read once (it was once per question before, four times on /sell/)
    assert _membership_queries(queries.captured_queries) == 1


def test_a_company_verified_meanwhile_may_publish_with_the_same_user_object():
    # given a seller whose company is pending when first asked
    seller = factories.seller(verified=False)
    assert not company_of(seller).is_verified
    draft = listing_create(user=seller, data={"title_en": "Tea", "hs_code": "090210", "origin_country": "CN",
                                              "price_amount": "10.00", "stock": 5, "weight_kg": "0.3"})
    # when staff verify it
    company_verify(company=company_of(seller), staff=factories.compliance(), approve=True)
    # then publishing reads the company afresh and may
    listing_set_status(user=seller, listing_id=draft.pk, status=Listing.Status.PUBLISHED)
    assert Listing.objects.get(pk=draft.pk).status == Listing.Status.PUBLISHED
    assert company_of(seller).is_verified
