"""The scale-out shape: two web processes (gunicorn, as production runs them) on one database, one Redis cache
and one object store serve the same session, cart and media. Nothing is kept in a web process between requests:
a user signed in on one node is signed in on the other, a cart filled on one is the cart on the other, a photo
uploaded through one is shown by the other, and a private paper is handed out by either through a signed URL."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.services import company_create, company_verify
from marketplace.models import Listing
from tests import factories
from tests.conftest import _database_url, _stop_process_group, wait_for
from tests.ewtp.conftest import PDF, PRIVATE, PUBLIC, REGION, S3_KEYS
from tests.ewtp.test_process_manager import free_port, health

ROOT = Path(__file__).resolve().parent.parent.parent
BIN = Path(sys.executable).parent
SECRET = "two-nodes-share-this-secret-key-for-sessions-and-csrf"  # noqa: S105 (a test's)

pytestmark = [pytest.mark.xdist_group("worker"), pytest.mark.skipif(
    not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"), reason="needs Redis for the shared cache")]


@pytest.fixture
def nodes(transactional_db, reference_data, buckets, s3_server, tmp_path, settings):
    """Two gunicorn processes on the test database, the Redis cache and the moto buckets."""
    from django.db import connection

    # passwords hashed as the nodes' settings check them (the test settings' fast hasher is not among theirs)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]

    redis = os.environ["CELERY_BROKER_URL"].rsplit("/", 1)[0]
    env = {**os.environ, **S3_KEYS, "DJANGO_SETTINGS_MODULE": "ewtp.settings.development", "SECRET_KEY": SECRET,
           "DATABASE_URL": _database_url(connection.settings_dict), "CACHE_URL": f"{redis}/14",
           "S3_BUCKET": PUBLIC, "S3_PRIVATE_BUCKET": PRIVATE, "S3_ENDPOINT_URL": s3_server, "S3_REGION": REGION,
           "EWTP_VAR_DIR": str(tmp_path)}
    started = []
    for name in ("a", "b"):
        port = free_port()
        log = (tmp_path / f"node-{name}.log").open("w")
        process = subprocess.Popen([str(BIN / "gunicorn"), "ewtp.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                                    "--threads", "2"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        started.append((process, port, log))
    try:
        for _process, port, _log in started:
            wait_for(lambda port=port: health(port) == 200, timeout=90, what=f"web node on {port}")
        yield [f"http://127.0.0.1:{port}" for _process, port, _log in started]
    finally:
        for process, _port, log in started:
            _stop_process_group(process)
            log.close()


def csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=30)
    assert page.status_code == 200, page.text[:500]
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def sign_in(session: requests.Session, node: str, email: str) -> None:
    token = csrf(session, f"{node}/accounts/login/")
    response = session.post(f"{node}/accounts/login/", data={"csrfmiddlewaretoken": token, "username": email,
                                                              "password": factories.PASSWORD}, allow_redirects=False)
    assert response.status_code == 302, response.text[:1000]


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 140, 120)).save(out, "JPEG")
    return out.getvalue()


def test_two_web_nodes_serve_the_same_session_cart_and_media(nodes):
    node_a, node_b = nodes
    owner = factories.user(country="CN", currency="CNY")
    company = company_create(owner=owner, legal_name="Hangzhou West Lake Tea Co., Ltd.", country="CN",
                             city="Hangzhou", address="18 Longjing Road", currency="CNY",
                             business_licence=SimpleUploadedFile("licence.pdf", PDF))
    company_verify(company=company, staff=factories.compliance(), approve=True)
    listing = factories.listing(owner)
    buyer = factories.buyer(country="DE", currency="EUR")

    # a seller signed in on node A is signed in on node B
    seller = requests.Session()
    sign_in(seller, node_a, owner.email)
    assert seller.get(f"{node_b}/sell/", allow_redirects=False).status_code == 200

    # and a photo the seller uploads through node B ...
    token = csrf(seller, f"{node_b}/sell/listings/{listing.pk}/")
    saved = seller.post(f"{node_b}/sell/listings/{listing.pk}/", allow_redirects=False, data={
        "csrfmiddlewaretoken": token, "title_en": listing.title_en, "hs_code": listing.hs_code,
        "origin_country": "CN", "price_amount": "168.00", "moq": "1", "stock": "50", "retail": "on",
        "weight_kg": "0.350", "length_cm": "20", "width_cm": "15", "height_cm": "10", "tiers": "",
        "status": "published"}, files={"photos": ("tea.jpg", jpeg(), "image/jpeg")})
    assert saved.status_code == 302, saved.text[:2000]
    photo = Listing.objects.get(pk=listing.pk).photos.get()

    # ... is shown by node A from the shared bucket, which serves the JPEG
    buyer_session = requests.Session()
    page = buyer_session.get(f"{node_a}/listings/{listing.pk}/", timeout=30).text
    url = f"{s3_server_of(page, photo.thumbnail.name)}"
    body = requests.get(url, timeout=30)
    assert body.status_code == 200 and body.content[:3] == b"\xff\xd8\xff"

    # a buyer signed in on node B fills a cart on node A and finds it on node B
    sign_in(buyer_session, node_b, buyer.email)
    token = csrf(buyer_session, f"{node_a}/listings/{listing.pk}/")
    added = buyer_session.post(f"{node_a}/cart/add/{listing.pk}/", data={"csrfmiddlewaretoken": token, "quantity": "3"},
                               allow_redirects=False)
    assert added.status_code == 302
    cart = buyer_session.get(f"{node_b}/cart/", timeout=30).text
    assert listing.title_en in cart and 'value="3"' in cart

    # either node hands the company's licence to its owner through a URL signed by the shared store
    for node in (node_a, node_b):
        download = seller.get(f"{node}/companies/{company.pk}/licence/", allow_redirects=False)
        assert download.status_code == 302 and "X-Amz-Signature" in download.headers["Location"]
        assert requests.get(download.headers["Location"], timeout=30).content == PDF
        # and to nobody else
        assert buyer_session.get(f"{node}/companies/{company.pk}/licence/", allow_redirects=False).status_code == 404

    # signing out on node B signs out on node A
    token = csrf(buyer_session, f"{node_b}/cart/")
    buyer_session.post(f"{node_b}/accounts/logout/", data={"csrfmiddlewaretoken": token})
    assert buyer_session.get(f"{node_a}/orders/", allow_redirects=False).status_code == 302


def s3_server_of(page: str, key: str) -> str:
    """The photo's address as the page shows it: on the shared bucket, never on the web node."""
    match = re.search(rf'src="(http://127\.0\.0\.1:\d+/{PUBLIC}/{re.escape(key)})"', page)
    assert match, f"the page does not show {key} from the bucket"
    return match.group(1)
