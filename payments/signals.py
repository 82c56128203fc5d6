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
