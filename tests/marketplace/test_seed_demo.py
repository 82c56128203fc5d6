"""`make run` seeds the demo through the real services: running it twice changes nothing, and
customs clearance has a case in every state the officer's console and the sellers' pages show."""

import pytest
from django.core.management import call_command

from marketplace.management.commands.seed_demo import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_every_clearance_state_once_and_the_ledger_balances(reference_data):
    from customs.models import ClearanceCase
    from marketplace.models import Listing, Order
    from payments.models import Payment

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    counts = (Listing.objects.count(), Order.objects.count(), Payment.objects.count(), ClearanceCase.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert (Listing.objects.count(), Order.objects.count(), Payment.objects.count(),
            ClearanceCase.objects.count()) == counts

    keys = {order.reference: order.idempotency_key for order in Order.objects.all()}
    cases = {keys[case.shipment_reference].removeprefix("demo-clearance-"): case for case in ClearanceCase.objects.all()}
    assert {key: cases[key].status for key in cases} == {
        "auto-1": "submitted", "auto-2": "submitted",  # auto-released, lodged: the authority answers on the worker
        "denied-party": "held", "proof-of-origin": "awaiting_documents", "rejected": "rejected"}
    assert set(cases["denied-party"].findings.values_list("kind", flat=True)) == {"denied_party"}
    assert cases["proof-of-origin"].document_requests.get().kinds == ["proof_of_origin"]
    assert not cases["auto-1"].findings.exists()
    rejected = Payment.objects.get(allocations__reference=cases["rejected"].shipment_reference)
    assert rejected.refunded_amount == rejected.amount  # the rejection refunded the buyer

    call_command("ledger_check", stdout=open("/dev/null", "w"))  # raises CommandError when unbalanced


def test_the_demo_staff_sign_in_with_the_code_demo_totp_prints(reference_data):
    # given the demo, whose officer has the public demo authenticator key
    from io import StringIO

    from django.test import Client

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    client = Client()
    client.post("/accounts/login/", {"username": "officer@ewtp.example", "password": PASSWORD})
    response = client.get("/customs/console/")
    assert response["Location"].startswith("/accounts/two-factor/?")  # asked for the code, not to set up a device
    # when they give the code the command prints
    out = StringIO()
    call_command("demo_totp", stdout=out)
    code = out.getvalue().split()[0]
    response = client.post("/accounts/two-factor/", {"otp_token": code, "next": "/customs/console/"})
    # then the console opens
    assert response["Location"] == "/customs/console/"
    assert client.get("/customs/console/").status_code == 200
