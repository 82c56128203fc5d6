"""What the marketplace tells the apps above it (notifications, webhooks), without importing them. Each is
sent after the transaction that made the change has committed (`transaction.on_commit`, robust: a
receiver's failure is logged and never undoes the change), so a receiver reads what was committed."""

from django.db import transaction
from django.dispatch import Signal

# A buyer placed an order (its quote is locked, its stock reserved; payment follows). kwargs: order
order_placed = Signal()
# A request for quotation was asked, quoted, declined or accepted (its new status). kwargs: rfq
rfq_changed = Signal()

# Checkouts held for compliance. kwargs: hold (marketplace.models.ComplianceHold), reference (the checkout's),
# buyer_id.
checkout_held = Signal()  # a denied-party match (or a flagged account) stopped the checkout before payment
checkout_hold_cleared = Signal()  # staff cleared it: the buyer may pay
checkout_hold_refused = Signal()  # staff refused it: its orders are cancelled, nothing was charged


# Asked by the order page for the boxes the apps above add to it (a dispute). kwargs: order, user, is_buyer,
# is_seller. Receivers return None or a dict: {"title": str, "text": str, "status": str (optional),
# "status_label": str (optional), "links": [(label, url, testid), ...]}.
order_page_panels = Signal()


def send_on_commit(signal: Signal, **kwargs) -> None:
    transaction.on_commit(lambda: signal.send(sender=None, **kwargs), robust=True)
