from ewtp.states import StateMachine

ORDER = StateMachine("order", {
    "pending_payment": {"paid", "cancelled"},
    "paid": {"shipped", "cancelled", "refunded"},
    "shipped": {"paid", "delivered", "refunded"},  # paid: the seller cancelled the booking before pickup
    "delivered": {"completed", "refunded"},
    "completed": set(),
    "cancelled": set(),
    "refunded": set(),
})
