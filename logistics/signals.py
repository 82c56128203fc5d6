from django.dispatch import Signal

# Sent inside the transaction that changed the shipment's status. kwargs: shipment
shipment_status_changed = Signal()
