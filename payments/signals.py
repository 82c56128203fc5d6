"""How payments tells the apps above it what happened, without importing them."""

from django.dispatch import Signal

# Sent inside the transaction that captured the money; receivers update their own records.
payment_succeeded = Signal()  # kwargs: payment
payment_failed = Signal()  # kwargs: payment
# Sent inside the refund's transaction, whoever asked (customs, the seller, staff).
# kwargs: reference (the order), amount (Money), in_full (nothing of the order's share is left), reason, actor
payment_refunded = Signal()
# Asked by the staff payment page for the orders a payment paid. kwargs: references (the order
# references). Receivers return a list of dicts: reference, status, status_label, seller,
# company_id, total (Money) and url.
payment_orders = Signal()
# Sent inside escrow_release's transaction, once the release is posted and before the seller is paid: a
# receiver may keep part of the payout (a trade-finance advance is repaid first), posting what it keeps out of
# seller_payable itself. kwargs: reference (the order), company_id, payout (Money, the seller's currency).
# Receivers return the Money they kept (or None).
escrow_releasing = Signal()
# Sent after the transaction that recorded a seller's payout has committed. kwargs: payout
payout_made = Signal()
# Asked by escrow_release (inside its transaction) and by whoever schedules releases, whether an app above holds
# the order's escrow back (an open dispute freezes it). kwargs: reference (the order). Receivers return a reason
# (a short sentence) or None; any reason stops the release until it is gone.
escrow_holding = Signal()
# Asked by ledger_check for the accounts other apps own. Receivers return a list of problems (strings).
ledger_checking = Signal()
