from ewtp.states import StateMachine

ADVANCE = StateMachine("advance", {
    "active": {"overdue", "repaid"},
    "overdue": {"repaid"},  # still owed past its due date; its pledged orders may yet repay it
    "repaid": set(),
})
