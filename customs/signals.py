"""How customs tells the apps above it what it decided, without importing them."""

from django.dispatch import Signal

# Sent inside the transaction that decided the case. kwargs: case, released (bool), reason
clearance_decided = Signal()
# Sent when a case is held for an officer. kwargs: case
clearance_held = Signal()
# Sent after the transaction that asked the seller for documents (an officer, or the pipeline for a proof
# of origin) has committed. kwargs: request (a DocumentRequest)
documents_requested = Signal()
# Asked by the case page for what the apps above know about the shipment (order and payment
# status, listing photos). kwargs: case. Receivers return a dict:
#   {"title": str, "rows": [(label, value), ...], "images": [url, ...], "url": str}
clearance_case_context = Signal()
