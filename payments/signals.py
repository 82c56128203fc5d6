"""How payments tells the apps above it what happened, without importing them."""

from django.dispatch import Signal

# Sent inside the transaction that captured the money; receivers update their own records.
payment_succeeded = Signal()  # kwargs: payment
payment_failed = Signal()  # kwargs: payment
