"""Bulk import of listings from CSV and XLSX: the report a seller reads, and what gets written."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from marketplace.domain.spreadsheet import COLUMNS
from marketplace.models import Listing
from marketplace.services.listings import category_create
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = "sku,title_en,title_zh,hs_code,origin_country,price,moq,stock,weight_kg,tiers,status,category\n"


def row(n: int, **over) -> str:
    values = {"sku": f"TEA-{n}", "title_en": f"Green tea lot {n}", "title_zh": f"绿茶 {n}", "hs_code": "090210",
              "origin_country": "CN", "price": "168.00", "moq": "1", "stock": "40", "weight_kg": "0.35",
              "tiers": "50=150.00;200=140.00", "status": "published", "category": "tea", **over}
    return ",".join(values[c] for c in HEADER.strip().split(",")) + "\n"


def upload(client, text_or_bytes, *, name="listings.csv", **flags):
    data = text_or_bytes.encode() if isinstance(text_or_bytes, str) else text_or_bytes
    return client.post("/api/v1/listings/import/", {"file": SimpleUploadedFile(name, data), **flags},
                       format="multipart")


@pytest.fixture
def seller():
    category_create(name_en="Tea", slug="tea")
    return factories.seller()


@pytest.fixture
def client(seller):
    c = APIClient()
    c.force_authenticate(seller)
    return c


def test_two_hundred_rows_import_and_appear_in_the_catalog_for_a_german_buyer(client):
    text = HEADER + "".join(row(n) for n in range(200))
    # a dry run reports every row and writes nothing
    dry = upload(client, text)
    assert dry.status_code == 200 and dry.json()["created"] == 200 and not Listing.objects.exists()
    # the real run writes them all, with their tiers and search words
    done = upload(client, text, dry_run="false")
    assert done.status_code == 201 and done.json()["written"] is True
    assert Listing.objects.filter(status="published").count() == 200
    assert Listing.objects.get(sku="TEA-7").tiers.count() == 2
    found = APIClient().get("/api/v1/catalog/", {"q": "绿茶", "country": "DE", "page_size": "48"}).json()
    assert len(found["results"]) == 48 and found["currency"] == "EUR"
    assert found["results"][0]["landed_cost"]["currency"] == "EUR"
    # a second import of the same SKUs updates them
    again = upload(client, HEADER + row(7, stock="5"), dry_run="false")
    assert again.json()["updated"] == 1 and Listing.objects.get(sku="TEA-7").stock == 5
    assert Listing.objects.count() == 200


def test_one_bad_row_blocks_the_file_unless_valid_rows_only(client):
    text = HEADER + row(1) + row(2, hs_code="999999") + row(3, stock="-4") + row(4, price="12.345") + row(1)
    report = upload(client, text, dry_run="false")
    assert report.status_code == 400 and not Listing.objects.exists()
    rows = {r["row"]: r for r in report.json()["rows"]}
    assert rows[2]["action"] == "created"
    assert (rows[3]["column"], rows[3]["action"]) == ("hs_code", "error") and "999999" in rows[3]["message"]
    assert rows[4]["column"] == "stock" and "negative" in rows[4]["message"]
    assert rows[5]["column"] == "price"
    assert rows[6]["column"] == "sku" and "earlier row" in rows[6]["message"]
    partial = upload(client, text, dry_run="false", valid_only="true")
    assert partial.status_code == 201 and list(Listing.objects.values_list("sku", flat=True)) == ["TEA-1"]


@pytest.mark.parametrize("content, message", [
    ("sku,title,price\nA,B,1\n", "Unknown column(s): title"),
    ("sku,title_en,hs_code,origin_country,price\nA,B,090210,CN,1\n", "Missing column(s): stock, weight_kg"),
    ((HEADER + row(1)).encode("gb18030"), "not UTF-8"),
    (b"\x00\x01\x02binary", "not a CSV"),
    (HEADER, "no rows"),
])
def test_a_file_that_cannot_be_read_gets_a_clear_message_and_nothing_is_written(client, content, message):
    response = upload(client, content, dry_run="false")
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]
    assert not Listing.objects.exists()


def test_a_hundred_thousand_rows_are_refused_whole(client):
    text = HEADER + row(1) * 100_000
    response = upload(client, text, dry_run="false")
    assert response.status_code == 400
    assert "more than 5,000 rows" in response.json()["error"]["message"]
    assert not Listing.objects.exists()


def test_xlsx_imports_too_and_a_broken_xlsx_is_refused(client):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["sku", "title_en", "hs_code", "origin_country", "price", "stock", "weight_kg"])
    sheet.append(["SILK-1", "Silk scarf", "621410", "CN", 320, 12, 0.12])
    out = io.BytesIO()
    book.save(out)
    done = upload(client, out.getvalue(), name="listings.xlsx", dry_run="false")
    assert done.status_code == 201, done.json()
    listing = Listing.objects.get(sku="SILK-1")
    assert (listing.stock, str(listing.price_amount), listing.status) == (12, "320.00", "draft")
    broken = upload(client, b"PK\x03\x04broken", name="listings.xlsx")
    assert broken.status_code == 400 and "cannot be opened" in broken.json()["error"]["message"]


def test_the_import_page_shows_the_report_and_offers_templates(seller):
    from django.test import Client

    page_client = Client()
    page_client.force_login(seller)
    template = page_client.get("/sell/listings/import/template.csv")
    assert template.status_code == 200
    assert template.content.decode("utf-8-sig").splitlines()[0] == ",".join(COLUMNS)
    assert page_client.get("/sell/listings/import/template.xlsx").status_code == 200
    # the template itself imports cleanly
    page = page_client.post("/sell/listings/import/", {"file": SimpleUploadedFile("t.csv", template.content),
                                                       "dry_run": "on"})
    body = page.content.decode()
    assert "Dry run report" in body and "Nothing was written" in body and 'data-testid="import-row"' in body
    assert "created" in body and not Listing.objects.exists()
