from ewtp.states import StateMachine

ORDER = StateMachine("order", {
    "pending_payment": {"paid", "cancelled"},
    "paid": {"shipped", "cancelled", "refunded"},
    "shipped": {"delivered", "refunded"},
    "delivered": {"completed", "refunded"},
    "completed": set(),
    "cancelled": set(),
    "refunded": set(),
})
