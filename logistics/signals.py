from django.dispatch import Signal

# Sent inside the transaction that changed the shipment's status. kwargs: shipment
shipment_status_changed = Signal()
# Sent inside the transaction that stored a DAP shipment's delivered event on which the carrier reports the
# duties and taxes it collected at the door. kwargs: shipment, amount (Money), carrier
shipment_duties_collected = Signal()
