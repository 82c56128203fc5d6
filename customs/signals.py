"""How customs tells the apps above it what it decided, without importing them."""

from django.dispatch import Signal

# Sent inside the transaction that decided the case. kwargs: case, released (bool), reason
clearance_decided = Signal()
# Sent when a case is held for an officer. kwargs: case
clearance_held = Signal()
