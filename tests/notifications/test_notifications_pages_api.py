"""The inbox page, its count in the top bar, marking read, the preferences page, the profile's language, and
the API: each user sees and marks only their own (another's is a 404, as if it did not exist)."""

from __future__ import annotations

import pytest

from notifications.models import EmailPreference, Notification
from notifications.services import notify
from tests import factories

pytestmark = pytest.mark.django_db
CONTEXT = {"reference": "ORD-000042", "total": "12.50 EUR", "seller": "Hangzhou Tea", "buyer": "Ann"}


def paid(user, n: int = 1) -> Notification:
    return notify(kind="order_paid", event_key=f"order_paid:ORD-{n}", recipients={user.pk: "/orders/42/"},
                  context={**CONTEXT, "reference": f"ORD-{n:06d}"})[0]


def test_the_inbox_lists_ones_own_and_the_top_bar_counts_the_unread():
    # given a buyer with two notifications and another user with one
    buyer, other = factories.buyer(), factories.buyer()
    first, second = paid(buyer, 1), paid(buyer, 2)
    paid(other, 3)
    client = factories.page_client(buyer)
    # when the buyer opens any page, then the bell shows 2; the inbox lists their two, newest first
    assert '<span class="topbar__count" data-testid="unread-count">2</span>' in client.get("/").content.decode()
    page = client.get("/notifications/").content.decode()
    assert page.index("Order ORD-000002 paid") < page.index("Order ORD-000001 paid")
    assert "ORD-000003" not in page
    # when one is marked read and the other followed, then none is unread and the link leads to the order
    assert client.post("/notifications/read/", {"notification": first.pk}).status_code == 302
    response = client.get(f"/notifications/{second.pk}/")
    assert response.status_code == 302 and response["Location"] == "/orders/42/"
    assert not Notification.objects.filter(recipient=buyer, read_at__isnull=True).exists()
    assert "unread-count" not in client.get("/").content.decode()


def test_the_inbox_reads_in_the_readers_language():
    buyer = factories.buyer()
    paid(buyer)
    page = factories.page_client(buyer).get("/notifications/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "订单 ORD-000001 已付款" in page


def test_another_users_notification_is_not_found_on_the_pages():
    buyer, other = factories.buyer(), factories.buyer()
    theirs = paid(other)
    client = factories.page_client(buyer)
    assert client.get(f"/notifications/{theirs.pk}/").status_code == 404
    client.post("/notifications/read/", {"notification": theirs.pk})
    client.post("/notifications/read/", {"notification": "²²"})
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_mark_all_read_and_the_unread_filter():
    buyer = factories.buyer()
    paid(buyer, 1), paid(buyer, 2)
    client = factories.page_client(buyer)
    assert client.get("/notifications/?unread=1").content.decode().count('data-testid="notification"') == 2
    client.post("/notifications/read/")
    assert client.get("/notifications/?unread=1").content.decode().count('data-testid="notification"') == 0
    assert client.get("/notifications/").content.decode().count('data-testid="notification"') == 2


def test_the_preferences_page_turns_emails_off_per_kind():
    seller = factories.seller()
    client = factories.page_client(seller)
    page = client.get("/notifications/preferences/").content.decode()
    assert 'value="order_paid" checked' in page
    # when the seller keeps only payout emails
    assert client.post("/notifications/preferences/", {"email": ["payout_made"]}).status_code == 302
    assert set(EmailPreference.objects.filter(user=seller, email=True).values_list("kind", flat=True)) == {
        "payout_made"}
    page = client.get("/notifications/preferences/").content.decode()
    assert 'value="order_paid" checked' not in page and 'value="payout_made" checked' in page
    # an unknown kind changes nothing
    assert client.post("/notifications/preferences/", {"email": ["payout_made", "bogus"]}).status_code == 400
    assert EmailPreference.objects.get(user=seller, kind="order_paid").email is False


def test_the_profile_page_sets_the_language_of_emails():
    buyer = factories.buyer()
    client = factories.page_client(buyer)
    assert 'name="language"' in client.get("/accounts/profile/").content.decode()
    response = client.post("/accounts/profile/", {"full_name": "Ann", "country": "DE", "preferred_currency": "EUR",
                                                  "address_line": "Torstraße 45", "city": "Berlin",
                                                  "postcode": "10119", "language": "zh-hans"})
    assert response.status_code == 302
    buyer.refresh_from_db()
    assert buyer.language == "zh-hans"
    assert client.post("/accounts/profile/", {"full_name": "Ann", "country": "DE", "language": "xx"}).status_code == 200
    buyer.refresh_from_db()
    assert buyer.language == "zh-hans"


def test_signing_up_on_the_chinese_site_writes_emails_in_chinese(reference_data):
    from django.test import Client

    from accounts.models import User

    Client().post("/accounts/signup/", {"email": "li@example.com", "password": "a-long-pass-2026", "full_name": "Li",
                                        "country": "CN", "account_type": "buyer"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert User.objects.get(email="li@example.com").language == "zh-hans"


# --- API -----------------------------------------------------------------------------------------

def test_the_api_lists_ones_own_and_marks_them_read():
    buyer, other = factories.buyer(), factories.buyer()
    mine = paid(buyer, 1)
    paid(buyer, 2)
    theirs = paid(other, 3)
    api = factories.api_client(buyer)
    body = api.get("/api/v1/notifications/").json()
    assert body["count"] == 2 and body["unread"] == 2
    assert [n["subject"] for n in body["results"]] == ["Order ORD-000002 paid", "Order ORD-000001 paid"]
    assert body["results"][0]["url"] == "/orders/42/" and body["results"][0]["read_at"] is None
    read = api.post(f"/api/v1/notifications/{mine.pk}/read/")
    assert read.status_code == 200 and read.json()["read_at"]
    assert api.get("/api/v1/notifications/", {"unread": "true"}).json()["count"] == 1
    assert api.post("/api/v1/notifications/read/").json() == {"marked": 1}
    # another user's notification is not found, and stays unread
    error = api.post(f"/api/v1/notifications/{theirs.pk}/read/")
    assert error.status_code == 404 and error.json()["error"]["code"] == "not_found"
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_the_api_refuses_bad_input_and_strangers():
    buyer = factories.buyer()
    api = factories.api_client(buyer)
    error = api.get("/api/v1/notifications/", {"unread": "maybe"})
    assert error.status_code == 400 and error.json()["error"]["field"] == "unread"
    assert api.post("/api/v1/notifications/99999999999999999999/read/").status_code == 404
    assert factories.api_client().get("/api/v1/notifications/").status_code in (401, 403)


def test_the_api_list_costs_the_same_queries_for_one_or_many(django_assert_max_num_queries):
    buyer = factories.buyer()
    paid(buyer, 1)
    api = factories.api_client(buyer)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        api.get("/api/v1/notifications/")
    for n in range(2, 12):
        paid(buyer, n)
    with django_assert_max_num_queries(len(one)):
        api.get("/api/v1/notifications/")
