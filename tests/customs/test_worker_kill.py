"""Reliability with real worker processes on Redis: a worker SIGKILLed in the middle of a step.

The simulated authority journals every lodging it receives (with the receiving process id)
before it answers, and is told to take a few seconds to answer: the test waits for that journal
line and kills exactly the process that is inside the step. After the restart the case finishes,
and no side effect happened twice: one lodging registered (same LRN → same MRN), one refund,
no duplicate event.

Needs Redis: set CELERY_BROKER_URL=redis://127.0.0.1:6379/0 (CI does).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections import Counter

import pytest
from rest_framework.test import APIClient

from accounts.selectors import company_of
from customs.integrations.authority import SimulatedAuthority, simulated_journal_path
from customs.models import ClearanceCase
from tests import factories
from tests.conftest import ROOT, _database_url, wait_for

pytestmark = [pytest.mark.journey, pytest.mark.xdist_group("worker")]

if not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"):
    pytestmark.append(pytest.mark.skip(reason="the worker-kill test needs Redis: set "
                                              "CELERY_BROKER_URL=redis://127.0.0.1:6379/0"))

TEA = [{"description": "Longjing green tea 250 g", "hs_code": "090210", "quantity": 1, "unit_value": "168.00",
        "origin": "CN", "net_weight_kg": "0.350"}]


class Worker:
    """`celery worker -B` processes on the test database, started and killed by the test."""

    def __init__(self, tmp_path, var_dir):
        from django.db import connection

        self.tmp_path, self.processes = tmp_path, []
        self.env = {**os.environ, "DATABASE_URL": _database_url(connection.settings_dict),
                    "DJANGO_SETTINGS_MODULE": "tests.customs.worker_settings", "EWTP_VAR_DIR": str(var_dir),
                    "CARRIER_SIM_SECONDS_PER_STEP": "0.3", "BEAT_INTERVAL_SECONDS": "1"}

    def start(self):
        log = open(self.tmp_path / f"worker-{len(self.processes)}.log", "w")
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "ewtp", "worker", "-B", "--loglevel", "INFO", "--concurrency", "2",
             "--pool", "prefork", "--schedule", str(self.tmp_path / f"beat-{len(self.processes)}"),
             "-n", f"kill-{uuid.uuid4().hex[:6]}@%h"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        return process

    def kill_all(self, process):
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
        if os.environ.get("SHOW_WORKER_LOG"):
            for log in sorted(self.tmp_path.glob("worker-*.log")):
                print(log.read_text())


@pytest.fixture
def worker(transactional_db, reference_data, tmp_path, settings):
    made = Worker(tmp_path, settings.VAR_DIR)
    yield made
    made.stop()


def paid_order():
    seller, buyer = factories.seller(), factories.buyer()
    listing = factories.listing(seller)
    client = APIClient()
    client.force_authenticate(buyer)
    order = client.post("/api/v1/orders/", {"listing": listing.pk, "quantity": 1}, format="json").json()
    paid = client.post(f"/api/v1/checkouts/{order['checkout']}/pay/", {
        "card_number": "4242424242424242", "expected_total": order["total"]}, format="json")
    assert paid.json()["status"] == "succeeded"
    return seller, buyer, order


def open_case(reference: str, company_id: int, buyer_id: int, simulation: dict) -> ClearanceCase:
    from customs.services import case_open
    from tests.customs.conftest import make_declaration

    return case_open(shipment_reference=reference, company_id=company_id, buyer_id=buyer_id, destination="DE",
                     declaration=make_declaration(lines=TEA, authority_simulation=simulation))


def lodgings(case: ClearanceCase) -> list[dict]:
    from customs.services import lodgement_lrn

    prefix = lodgement_lrn(case_id=case.pk, opened_at=case.created_at, submission=0)[:-1]
    return [e for e in SimulatedAuthority.journal_entries(simulated_journal_path()) if e["lrn"].startswith(prefix)]


def assert_no_duplicate_events(case: ClearanceCase):
    counts = Counter(case.events.values_list("action", flat=True))
    assert {action: n for action, n in counts.items() if n > 1} == {}, counts


def test_a_pool_process_killed_while_lodging_is_replaced_and_the_refund_happens_once(worker):
    # given a paid order whose clearance the authority will reject, lodged slowly
    seller, buyer, order = paid_order()
    worker.start()
    case = open_case(order["reference"], company_of(seller).pk, buyer.pk, {"lodge_seconds": 4, "answer": "reject"})
    # when the pool process inside the lodging step is killed
    first = wait_for(lambda: lodgings(case), timeout=90, what="the authority to receive the lodging")[0]
    os.kill(first["pid"], signal.SIGKILL)
    # then the step runs again in a new process and the case finishes, rejected
    wait_for(lambda: ClearanceCase.objects.get(pk=case.pk).status == "rejected", timeout=90,
             what="the authority's rejection")
    from notifications.models import Notification

    wait_for(lambda: Notification.objects.filter(event_key=f"clearance_rejected:{case.pk}", recipient=buyer,
                                                 email_status="sent").exists(), timeout=30, what="the emails")
    # and nothing happened twice: one registered declaration, one refund, no duplicate event
    received = lodgings(case)
    assert len({e["mrn"] for e in received}) == 1 and len(received) >= 2 and received[-1]["pid"] != first["pid"]
    from marketplace.models import Order
    from payments.models import LedgerTransaction, Payment

    payment = Payment.objects.get(reference=order["checkout"])
    assert payment.refunded_amount == payment.amount
    assert LedgerTransaction.objects.filter(reference=order["reference"], kind__startswith="refund").count() == 1
    assert Order.objects.get(pk=order["id"]).status == "refunded"
    assert_no_duplicate_events(case)


def test_a_whole_worker_killed_mid_step_is_restarted_and_the_case_clears_once(worker):
    # given a case lodged slowly with an authority that releases
    seller, buyer, order = paid_order()
    first_worker = worker.start()
    case = open_case(order["reference"], company_of(seller).pk, buyer.pk, {"lodge_seconds": 4})
    wait_for(lambda: lodgings(case), timeout=90, what="the authority to receive the lodging")
    # when the whole worker (main process, pool and beat) is SIGKILLed and a new one started
    worker.kill_all(first_worker)
    assert ClearanceCase.objects.get(pk=case.pk).mrn == ""  # the step's transaction never committed
    worker.start()
    # then beat re-drives the step and the case is cleared, each step once
    wait_for(lambda: ClearanceCase.objects.get(pk=case.pk).status == "cleared", timeout=120,
             what="the case to clear after the restart")
    assert len({e["mrn"] for e in lodgings(case)}) == 1
    assert_no_duplicate_events(case)
    actions = list(case.events.values_list("action", flat=True))
    assert actions[:10] == ["opened", "declared", "screening_started", "screened", "assessed", "auto_released",
                            "submitted", "lodged", "authority_released", "cleared"]
