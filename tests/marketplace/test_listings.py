"""Listings: API CRUD for the owning company only, tiers, photos, bad input."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from marketplace.models import Listing, ListingPhoto
from marketplace.services.checkout import order_place
from marketplace.services.listings import category_create, listing_create, listing_photo_add
from tests import factories
from tests.factories import api_client as api

pytestmark = pytest.mark.django_db



def png(width=800, height=600, *, fmt="PNG", exif=False) -> SimpleUploadedFile:
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), (20, 120, 80))
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        kwargs["exif"] = data
    image.save(out, fmt, **kwargs)
    return SimpleUploadedFile(f"photo.{fmt.lower()}", out.getvalue(), content_type=f"image/{fmt.lower()}")


NEW = {"title_en": "Longjing green tea", "title_zh": "龙井绿茶", "hs_code": "090210", "origin_country": "CN",
       "price_amount": "168.00", "stock": 100, "moq": 10, "weight_kg": "0.350", "b2b_only": True,
       "tiers": [{"min_quantity": 50, "price_amount": "150.00"}, {"min_quantity": 200, "price_amount": "140.00"}]}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_seller_creates_a_b2b_listing_with_tiers_in_a_category():
    category_create(name_en="Tea", slug="tea")
    seller = factories.seller()
    response = api(seller).post("/api/v1/listings/", {**NEW, "category": "tea", "publish": True}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "published" and body["category"] == "tea" and body["b2b_only"] is True
    assert body["tiers"] == [{"min_quantity": 50, "price": {"amount": "150.00", "currency": "CNY"}},
                             {"min_quantity": 200, "price": {"amount": "140.00", "currency": "CNY"}}]
    listing = Listing.objects.get(pk=body["id"])
    assert listing.unit_price_for(10).amount == Decimal("168.00")
    assert listing.unit_price_for(60).amount == Decimal("150.00")
    assert listing.unit_price_for(500).amount == Decimal("140.00")


def test_every_listing_endpoint_refuses_another_company(media):
    # given a draft of one company, with a photo
    owner = factories.seller()
    draft = listing_create(user=owner, data={k: v for k, v in NEW.items() if k != "tiers"})
    photo = listing_photo_add(user=owner, listing_id=draft.pk, upload=png())
    rival = api(factories.seller(country="MY", currency="MYR", legal_name="Rival Sdn. Bhd."))
    # when another company's seller tries every object endpoint, then each says there is no such thing
    assert rival.get(f"/api/v1/listings/{draft.pk}/").status_code == 404
    assert rival.patch(f"/api/v1/listings/{draft.pk}/", {"stock": 0}, format="json").status_code == 404
    assert rival.delete(f"/api/v1/listings/{draft.pk}/").status_code == 404
    assert rival.post(f"/api/v1/listings/{draft.pk}/photos/", {"photo": png()}, format="multipart").status_code == 404
    assert rival.delete(f"/api/v1/listings/{draft.pk}/photos/{photo.pk}/").status_code == 404
    assert draft.pk not in [row["id"] for row in rival.get("/api/v1/listings/").json()]
    # and nothing changed
    draft.refresh_from_db()
    assert draft.stock == 100 and draft.status == "draft" and ListingPhoto.objects.filter(pk=photo.pk).exists()
    # nor do buyers see the draft, in the catalog or on its page
    assert draft.pk not in [row["id"] for row in APIClient().get("/api/v1/catalog/").json()["results"]]
    assert APIClient().get(f"/listings/{draft.pk}/").status_code == 404
    # and a buyer (no company) gets 404 too
    assert api(factories.buyer()).get(f"/api/v1/listings/{draft.pk}/").status_code == 404


def test_other_companies_orders_are_refused(media):
    listing = factories.listing(factories.seller())
    order = order_place(buyer=factories.buyer(), listing_id=listing.pk, quantity=1)
    rival = api(factories.seller(country="MY", currency="MYR", legal_name="Rival Sdn. Bhd."))
    assert rival.get(f"/api/v1/orders/{order.pk}/").status_code == 404
    assert rival.post(f"/api/v1/checkouts/CHK-{order.pk:06d}/pay/", {
        "card_number": "4242424242424242", "expected_total": order.total.as_json()}, format="json").status_code == 404
    assert rival.post(f"/api/v1/orders/{order.pk}/book-shipment/").status_code == 404


def test_the_owner_changes_and_takes_down_a_listing():
    owner = factories.seller()
    listing = factories.listing(owner)
    client = api(owner)
    changed = client.patch(f"/api/v1/listings/{listing.pk}/", {"stock": 7, "tiers": []}, format="json")
    assert changed.status_code == 200 and changed.json()["stock"] == 7
    assert client.delete(f"/api/v1/listings/{listing.pk}/").json()["status"] == "suspended"
    assert listing.pk not in [row["id"] for row in APIClient().get("/api/v1/catalog/").json()["results"]]


def test_photos_are_re_encoded_without_metadata_and_get_thumbnails(media):
    owner = factories.seller()
    listing = factories.listing(owner)
    response = api(owner).post(f"/api/v1/listings/{listing.pk}/photos/", {"photo": png(fmt="JPEG", exif=True)},
                               format="multipart")
    assert response.status_code == 201
    photo = ListingPhoto.objects.get(listing=listing)
    with Image.open(photo.image.path) as stored, Image.open(photo.thumbnail.path) as thumb:
        assert stored.format == "JPEG" and stored.size == (800, 600)
        assert not stored.getexif()  # the camera's metadata is gone
        assert thumb.size == (400, 300)
    # and the catalog card shows the thumbnail
    assert photo.thumbnail.url in APIClient().get("/").content.decode()


@pytest.mark.parametrize("upload, message", [
    (SimpleUploadedFile("x.jpg", b"<?php echo 1; ?>", content_type="image/jpeg"), "not a readable"),
    (lambda: png(100, 100), "at least 200 pixels"),
    (lambda: png(8000, 6000), "at most 40 megapixels"),
    (lambda: png(fmt="GIF"), "not a JPEG, PNG or WebP"),
])
def test_bad_photos_are_refused_and_nothing_is_stored(media, upload, message):
    owner = factories.seller()
    listing = factories.listing(owner)
    upload = upload() if callable(upload) else upload
    response = api(owner).post(f"/api/v1/listings/{listing.pk}/photos/", {"photo": upload}, format="multipart")
    assert response.status_code == 400
    assert message in response.json()["error"]["message"] and response.json()["error"]["field"] == "photos"
    assert not ListingPhoto.objects.exists() and not list(media.rglob("*.jpg"))


def test_a_ninth_photo_is_refused(media):
    owner = factories.seller()
    listing = factories.listing(owner)
    for _ in range(8):
        listing_photo_add(user=owner, listing_id=listing.pk, upload=png(300, 300))
    response = api(owner).post(f"/api/v1/listings/{listing.pk}/photos/", {"photo": png(300, 300)}, format="multipart")
    assert response.status_code == 400 and response.json()["error"]["code"] == "too_many_photos"


@pytest.mark.parametrize("change, field, code", [
    ({"stock": -1}, "stock", None),
    ({"tiers": [{"min_quantity": 50, "price_amount": "170.00"}]}, "tiers", "invalid_tier"),
    ({"tiers": [{"min_quantity": 5, "price_amount": "150.00"}]}, "tiers", "invalid_tier"),
    ({"category": "no/such"}, "category", "unknown_category"),
    ({"hs_code": "999999"}, "hs_code", "unknown_hs_code"),
    ({"price_amount": "12.345"}, "price_amount", None),
])
def test_bad_listing_input_is_refused_at_the_field(change, field, code):
    response = api(factories.seller()).post("/api/v1/listings/", {**NEW, **change}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"].startswith(field)
    if code:
        assert error["code"] == code
    assert not Listing.objects.exists()


def test_a_yen_price_with_cents_is_refused():
    seller = factories.seller(country="JP", currency="JPY", legal_name="Kyoto Tea KK")
    response = api(seller).post("/api/v1/listings/", {**NEW, "origin_country": "JP", "price_amount": "1200.50",
                                                      "tiers": []}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_many_decimals"


def test_the_listing_page_form_saves_tiers_photos_and_offers_hs_search(client, media):
    owner = factories.seller()
    client.force_login(owner)
    page = client.get("/sell/listings/new/").content.decode()
    assert 'data-hs-search="/api/v1/customs/hs/"' in page and 'list="hs-options"' in page
    response = client.post("/sell/listings/new/", {
        "title_en": "Jasmine pearls", "hs_code": "090210", "origin_country": "CN", "price_amount": "90.00",
        "moq": "1", "stock": "20", "retail": "on", "weight_kg": "0.2", "length_cm": "20", "width_cm": "15",
        "height_cm": "10", "tiers": "10 = 80.00\n50 = 75.00", "status": "published", "photos": [png(), png(400, 400)]})
    assert response.status_code == 302, response.content.decode()[:3000]
    listing = Listing.objects.get(title_en="Jasmine pearls")
    assert listing.status == "published" and listing.tiers.count() == 2 and listing.photos.count() == 2
    detail = client.get(listing.get_absolute_url()).content.decode()
    assert 'data-testid="tiers"' in detail and "75.00" in detail
    bad = client.post(f"/sell/listings/{listing.pk}/", {
        "title_en": "Jasmine pearls", "hs_code": "090210", "origin_country": "CN", "price_amount": "90.00",
        "moq": "1", "stock": "20", "weight_kg": "0.2", "length_cm": "20", "width_cm": "15", "height_cm": "10",
        "tiers": "ten = 80", "status": "published"})
    assert "write a tier as 50 = 140.00" in bad.content.decode()


def test_b2b_only_goods_are_sold_to_companies_only():
    listing = factories.listing(factories.seller(), b2b_only=True)
    consumer = api(factories.buyer())
    response = consumer.post("/api/v1/cart/lines/", {"listing": listing.pk, "quantity": 1}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "b2b_only"
    business = factories.seller(country="DE", currency="EUR", legal_name="Berlin Imports GmbH")
    business.address_line, business.city = "Torstraße 45", "Berlin"
    business.save()
    assert api(business).post("/api/v1/cart/lines/", {"listing": listing.pk, "quantity": 1},
                              format="json").status_code == 201
