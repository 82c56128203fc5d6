from ewtp.states import StateMachine

ORDER = StateMachine("order", {
    # Held before any payment for a denied-party match: staff clear it (the buyer may pay) or refuse it.
    "compliance_hold": {"pending_payment", "cancelled"},
    "pending_payment": {"paid", "cancelled"},
    "paid": {"shipped", "cancelled", "refunded"},
    "shipped": {"paid", "delivered", "refunded"},  # paid: the seller cancelled the booking before pickup
    "delivered": {"completed", "refunded"},
    "completed": set(),
    "cancelled": set(),
    "refunded": set(),
})
