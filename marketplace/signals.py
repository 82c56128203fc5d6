"""What the marketplace tells others about checkouts held for compliance (notifications connect here).

Each is sent after the transaction that made the decision commits (transaction.on_commit), so a
receiver reads what was committed. kwargs: hold (marketplace.models.ComplianceHold), reference (the
checkout's), buyer_id.
"""

from django.dispatch import Signal

checkout_held = Signal()  # a denied-party match (or a flagged account) stopped the checkout before payment
checkout_hold_cleared = Signal()  # staff cleared it: the buyer may pay
checkout_hold_refused = Signal()  # staff refused it: its orders are cancelled, nothing was charged
