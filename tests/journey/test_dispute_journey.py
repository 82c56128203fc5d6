"""A dispute end to end, with a real Celery worker (and beat, releasing escrow with a zero dispute window) and a
real browser: a German buyer pays for tea, opens a dispute on the order page with a photo; the parcel is
delivered, but while the dispute is open beat's releases pay the seller nothing; the seller answers in the
browser; dispute staff refund half in the browser; then escrow releases the rest to the seller. The ledger
proves it all at the end."""

import re

import pytest

from disputes.models import Dispute
from ewtp.money import Money
from marketplace.models import Order
from payments.models import LedgerTransaction, PaymentAllocation, Payout
from payments.selectors import ledger_check
from tests import factories
from tests.browser import log_in
from tests.conftest import wait_for
from tests.disputes.conftest import PNG
from tests.factories import api_client as client_for
from tests.journey.test_trade_journey import buy_now, order_status

pytestmark = [pytest.mark.journey, pytest.mark.browser, pytest.mark.xdist_group("worker")]


def _release_runs(log_path) -> int:
    """How many of beat's escrow releases for an order the worker has run to the end."""
    text = log_path.read_text() if log_path.exists() else ""
    return len(re.findall(r"marketplace\.tasks\.order_release_escrow\[[^\]]+\] succeeded", text))


def test_a_disputed_order_is_not_paid_out_until_staff_refund_half_then_the_rest_is_released(
        page, live_server, reference_data, celery_worker_process, tmp_path):
    # given a tea seller in China, a buyer in Germany who has paid for six tins, and dispute staff
    seller, buyer, staff = factories.seller(), factories.buyer(country="DE"), factories.dispute_staff()
    order = buy_now(buyer, factories.listing(seller).pk, 6)
    assert order_status(order["id"]) == "paid"
    base = live_server.url

    # when the buyer opens a dispute from the order page, with a photo
    log_in(page, base, buyer.email)
    page.goto(f"{base}/orders/{order['id']}/")
    page.click("[data-testid=open-dispute]")
    page.click("[data-testid=submit-dispute]")  # nothing filled in: refused at the fields, nothing opened
    page.wait_for_load_state()
    assert page.locator("#id_description_error").count() == 1 and not Dispute.objects.exists()
    page.check("input[name=reason][value=damaged]")
    page.fill("#id_description", "Two of the six tins arrived crushed and the tea spilled.")
    photo = tmp_path / "crushed-tins.png"
    photo.write_bytes(PNG)
    page.set_input_files("#id_evidence", str(photo))
    page.click("[data-testid=submit-dispute]")
    page.wait_for_url(re.compile(r"/disputes/\d+/$"))
    dispute = Dispute.objects.get(order_id=order["id"])
    assert dispute.status == "open" and dispute.evidence.get().kind == "png"
    assert "crushed-tins.png" in page.locator("[data-testid=evidence]").inner_text()

    # and the seller ships; the worker books it, customs clears it, the carrier delivers it
    assert client_for(seller).post(f"/api/v1/orders/{order['id']}/book-shipment/").status_code == 202
    wait_for(lambda: order_status(order["id"]) == "delivered", timeout=120, what="the parcel to be delivered")

    # then beat tries to release the escrow (the window is zero) again and again, and pays the seller nothing
    log = tmp_path / "worker.log"
    runs = _release_runs(log)
    wait_for(lambda: _release_runs(log) >= runs + 3, timeout=60, what="beat's escrow releases to run")
    assert order_status(order["id"]) == "delivered"
    assert not Payout.objects.filter(reference=order["reference"]).exists()
    assert not LedgerTransaction.objects.filter(kind="escrow_released", reference=order["reference"]).exists()

    # when the seller answers in the browser
    log_in(page, base, seller.email)
    page.goto(f"{base}/orders/{order['id']}/")
    page.click("[data-testid=dispute-link]")
    page.fill("#id_answer", "The tins left our warehouse intact; the carrier must have crushed them.")
    page.click("[data-testid=submit-answer]")
    page.wait_for_url(re.compile(rf"/disputes/{dispute.pk}/$"))
    assert Dispute.objects.get(pk=dispute.pk).status == "answered"

    # and dispute staff refund half from their queue, after a refund above what is left is refused
    share = PaymentAllocation.objects.select_related("payment").get(reference=order["reference"])
    half = Money(share.amount / 2, share.payment.currency).rounded()
    log_in(page, base, staff.email)
    page.click("[data-testid=disputes-queue-link]")
    page.wait_for_url(re.compile(r"/disputes/staff/$"))
    page.locator("[data-testid=disputes-queue] tr", has_text=order["reference"]).get_by_role("link").click()
    page.check("input[name=outcome][value=refund_partial]")
    page.fill("#id_amount", str(share.amount + 1))
    page.fill("#id_note", "Two tins of six crushed in transit: half refunded.")
    page.click("[data-testid=decide]")
    page.wait_for_load_state()
    assert page.locator("#id_amount_error").count() == 1
    assert not LedgerTransaction.objects.filter(kind__startswith="refund", reference=order["reference"]).exists()
    page.fill("#id_amount", str(half.amount))
    page.fill("#id_note", "Two tins of six crushed in transit: half refunded.")
    page.click("[data-testid=decide]")
    page.wait_for_url(re.compile(r"/disputes/staff/$"))

    # then the buyer has half back, and escrow releases the rest to the seller
    wait_for(lambda: order_status(order["id"]) == "completed", timeout=60, what="the rest to be released")
    dispute.refresh_from_db()
    assert (dispute.status, dispute.outcome, dispute.refunded) == ("resolved", "refund_partial", half)
    share.refresh_from_db()
    assert share.refunded_amount == half.amount
    released = LedgerTransaction.objects.get(kind="escrow_released", reference=order["reference"])
    held = sum(entry.amount for entry in released.entries.filter(account="escrow"))
    assert held == share.amount - share.duties_amount - (half.amount - share.refunded_duties_amount)
    payout = Payout.objects.get(reference=order["reference"])
    assert payout.currency == "CNY" and payout.amount > 0
    notes = [event.note for event in Order.objects.get(pk=order["id"]).events.all()]
    assert any(note.startswith(f"Partly refunded {half}") for note in notes)
    assert [event.action for event in dispute.events.all()] == ["opened", "answered", "refund_partial"]

    # and the buyer reads the decision on the dispute page
    log_in(page, base, buyer.email)
    page.goto(f"{base}/disputes/{dispute.pk}/")
    assert "Two tins of six crushed in transit" in page.locator("[data-testid=decision]").inner_text()
    report = ledger_check()
    assert report.ok, report.problems
