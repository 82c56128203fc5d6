from ewtp.states import StateMachine

# The status follows the parcel; whether customs released it is `customs_released_at`.
SHIPMENT = StateMachine("shipment", {
    "created": {"booking", "cancelled"},
    "booking": {"booked", "booking_failed"},
    "booking_failed": {"booking", "cancelled"},
    "booked": {"in_transit", "customs_hold", "delivered", "cancelled"},
    "in_transit": {"customs_hold", "delivered", "cancelled"},
    "customs_hold": {"in_transit", "delivered", "cancelled"},
    "delivered": set(),
    "cancelled": {"booking"},  # only a booking the seller cancelled before pickup (logistics.services)
})
