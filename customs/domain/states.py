from ewtp.states import StateMachine

CLEARANCE = StateMachine("clearance case", {
    "pending": {"declared", "error"},
    "declared": {"screening", "error"},
    "screening": {"assessed", "error"},
    "assessed": {"auto_released", "held", "error"},
    "held": {"released", "rejected"},
    "auto_released": set(),
    "released": set(),
    "rejected": set(),
    # A step that kept failing; beat re-drives it from the step it had reached.
    "error": {"pending", "declared", "screening", "assessed"},
})
