"""The clearance admin is read-only but opens: cases with findings, documents and events; lists."""

import pytest
from django.test import Client

from tests import factories
from tests.customs.conftest import drive, open_case

pytestmark = pytest.mark.django_db


def test_staff_open_the_clearance_admin_pages(reference_data, instant_authority):
    staff = factories.staff()
    staff.is_superuser = True
    staff.save()
    case = open_case()
    drive(case.pk)
    client = Client()
    client.force_login(staff)
    for url in ["/admin/customs/clearancecase/", f"/admin/customs/clearancecase/{case.pk}/change/",
                "/admin/customs/screeninglist/"]:
        response = client.get(url)
        assert response.status_code == 200, url
    case.refresh_from_db()
    assert case.mrn in client.get("/admin/customs/clearancecase/").content.decode()
