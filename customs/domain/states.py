"""The clearance case's state machine: the only moves a case may make.

    pending → declared → screening → assessed → (auto_released | held) → submitted
            → (released | queried | rejected) → cleared

Holds and authority queries may ask the seller for documents (awaiting_documents); an upload sends
the case back to `declared`, so it is screened and assessed again. A step that keeps failing
leaves the case in `error`; an officer's retry (or beat) puts it back where it failed.
"""

from ewtp.states import StateMachine

# Steps the workers run by themselves, keyed by the status they start from.
AUTOMATIC = ("pending", "declared", "screening", "assessed", "auto_released", "released")
# Statuses that wait for a person (officer or seller) or for the customs authority.
WAITING = ("held", "awaiting_documents", "queried", "submitted")
FINAL = ("rejected", "cleared")

CLEARANCE = StateMachine("clearance case", {
    "pending": {"declared", "error"},
    "declared": {"screening", "error"},
    "screening": {"assessed", "error"},
    "assessed": {"auto_released", "held", "error"},
    "auto_released": {"submitted", "error"},
    # An officer releases (→ lodged with the authority), rejects, or asks the seller for documents.
    "held": {"submitted", "rejected", "awaiting_documents"},
    # The seller uploads (→ screened again); the officer may still decide without waiting.
    "awaiting_documents": {"declared", "submitted", "rejected"},
    "submitted": {"released", "queried", "rejected", "error"},
    # The authority asked: an officer answers and lodges again, asks the seller, or gives up.
    "queried": {"submitted", "awaiting_documents", "rejected"},
    "released": {"cleared", "error"},
    "rejected": set(),
    "cleared": set(),
    "error": {"pending", "declared", "screening", "assessed", "auto_released", "submitted", "released"},
})
