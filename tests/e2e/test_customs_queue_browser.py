"""An officer clears the demo's customs queue in headless Chromium, with a real worker: the
denied-party hold is rejected (the buyer refunded), and the shipment waiting for a proof of
origin goes on once the seller uploads it from their customs page."""

import re

import pytest
from django.core.management import call_command

from customs.models import ClearanceCase
from marketplace.management.commands.seed_demo import PASSWORD
from tests.browser import log_in
from tests.conftest import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("worker")]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"



def test_an_officer_clears_the_demo_queue_in_the_browser(page, live_server, reference_data, celery_worker_process,
                                                         tmp_path):
    from payments.models import PaymentAllocation

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    denied = ClearanceCase.objects.get(status="held", findings__kind="denied_party")
    waiting = ClearanceCase.objects.get(status="awaiting_documents")
    base = live_server.url

    # the officer's queue shows both holds with their reasons and the counts per reason
    log_in(page, base, "officer@ewtp.example", PASSWORD)
    page.goto(f"{base}/customs/console/")
    holds = page.locator("[data-testid=holds]").inner_text()
    assert denied.shipment_reference in holds and waiting.shipment_reference in holds
    assert "Denied-party match" in page.locator("[data-testid=reason-counts]").inner_text()

    # the denied-party case shows the list entry it matched; the officer rejects it with a reason
    page.locator("[data-testid=holds] tr", has_text=denied.shipment_reference).get_by_role("link").click()
    findings = page.locator("[data-testid=findings]").inner_text()
    assert "TROPIC TOURS GMBH" in findings.upper() and "CUBA" in findings.upper()
    page.click("[data-testid=reject]")  # without a reason: refused with the reason why, nothing changes
    page.wait_for_load_state()
    assert "Say why the shipment is rejected." in page.content()
    assert ClearanceCase.objects.get(pk=denied.pk).status == "held"
    page.fill("#reason", "Consignee matches the OFAC SDN entry; no licence.")
    page.click("[data-testid=reject]")
    page.wait_for_url(re.compile(r"/customs/console/$"))  # back to the queue for the next case
    assert ClearanceCase.objects.get(pk=denied.pk).status == "rejected"
    share = PaymentAllocation.objects.get(reference=denied.shipment_reference)
    assert share.refunded_amount == share.amount  # the buyer got this order's money back

    # the seller uploads the proof of origin from their customs page; the worker screens it again
    log_in(page, base, "batik@kl-batik.example", PASSWORD)
    page.goto(f"{base}/customs/my-cases/")
    task = page.locator("[data-testid=tasks]")
    assert "proof of origin" in task.inner_text().lower()
    proof = tmp_path / "cptpp-certification.pdf"
    proof.write_bytes(PDF)
    task.locator("input[type=file]").set_input_files(str(proof))
    # with the certification's details (the demo's Malaysian tea is claimed under CPTPP)
    task.locator("input[name=proof_number]").fill("MY-CPTPP-0001")
    task.locator("input[name=proof_issued_on]").fill("2026-01-02")
    task.locator("[data-testid=upload]").click()
    page.wait_for_url(re.compile(r"/customs/my-cases/$"))
    wait_for(lambda: ClearanceCase.objects.get(pk=waiting.pk).status in ("submitted", "released", "cleared"),
             what="the re-screened case to be released and lodged")

    # and the officer's queue is empty
    log_in(page, base, "officer@ewtp.example", PASSWORD)
    page.goto(f"{base}/customs/console/")
    assert page.locator("[data-testid=holds]").count() == 0
    assert "No holds: the queue is clear" in page.content()
