"""Media on object storage: with S3_BUCKET and S3_PRIVATE_BUCKET set, listing photos go to the public bucket
and are shown from it; private documents go to the private bucket and reach only those allowed, through a
URL signed for one download that expires. Run against a real S3 server (moto's, in this process)."""

from __future__ import annotations

import io
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests import factories
from tests.ewtp.conftest import PDF, PRIVATE, PUBLIC
from tests.factories import page_client

pytestmark = pytest.mark.django_db


def _keys(client, bucket: str) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", [])]


def _get(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (our test server)
        return response.headers, response.read()


def test_a_listing_photo_is_stored_in_the_public_bucket_and_shown_from_it(buckets, s3_server):
    from marketplace.services.listings import listing_photo_add

    seller = factories.seller()
    listing = factories.listing(seller)
    image = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 140, 120)).save(image, "JPEG")
    # when the seller adds a photo
    photo = listing_photo_add(user=seller, listing_id=listing.pk,
                              upload=SimpleUploadedFile("tea.jpg", image.getvalue(), content_type="image/jpeg"))
    # then the photo and its thumbnail are objects of the public bucket, nothing is on the private one
    assert sorted(_keys(buckets, PUBLIC)) == sorted([photo.image.name, photo.thumbnail.name])
    assert _keys(buckets, PRIVATE) == []
    # and the product page shows it from the bucket, which serves the JPEG
    page = page_client(factories.buyer()).get(f"/listings/{listing.pk}/").content.decode()
    url = f"{s3_server}/{PUBLIC}/{photo.thumbnail.name}"
    assert f'src="{url}"' in page
    headers, body = _get(url)
    assert body[:3] == b"\xff\xd8\xff" and headers["Content-Type"] == "image/jpeg"


def test_a_licence_is_in_the_private_bucket_and_only_the_allowed_get_a_signed_expiring_url(buckets, s3_server):
    from accounts.services import company_create

    owner = factories.user(country="DE")
    company = company_create(owner=owner, legal_name="Berliner Teehaus GmbH", country="DE", city="Berlin",
                             address="Torstraße 45", currency="EUR",
                             business_licence=SimpleUploadedFile("my licence.pdf", PDF))
    # then the licence is an object of the private bucket only, under a random name
    assert _keys(buckets, PRIVATE) == [company.business_licence.name] and _keys(buckets, PUBLIC) == []
    assert "my licence" not in company.business_licence.name
    url = f"/companies/{company.pk}/licence/"
    # a buyer or another seller is told there is nothing, with no address of the file
    for other in (factories.buyer(), factories.seller(legal_name="Other Co")):
        refused = page_client(other).get(url)
        assert refused.status_code == 404 and "Location" not in refused and PRIVATE not in refused.content.decode()
    # and the bucket itself refuses the object to anyone without a signature
    with pytest.raises(urllib.error.HTTPError) as unsigned:
        _get(f"{s3_server}/{PRIVATE}/{company.business_licence.name}")
    assert unsigned.value.code == 403
    # the owner and compliance are sent to a URL signed for this download, valid for 120 seconds
    for allowed in (owner, factories.compliance()):
        response = page_client(allowed).get(url)
        assert response.status_code == 302 and response["Cache-Control"] == "private, no-store"
        signed = urlsplit(response["Location"])
        query = parse_qs(signed.query)
        assert f"{signed.scheme}://{signed.netloc}" == s3_server and signed.path == f"/{PRIVATE}/{company.business_licence.name}"
        assert query["X-Amz-Expires"] == ["120"] and query["X-Amz-Signature"]
        # and the bucket serves it as an attachment named for the company, the bytes as uploaded
        headers, body = _get(response["Location"])
        assert body == PDF
        assert headers["Content-Disposition"] == f'attachment; filename="licence-company-{company.pk}.pdf"'
        assert headers["Cache-Control"] == "private, no-store"
