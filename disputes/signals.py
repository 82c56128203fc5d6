"""What disputes tell the apps that listen (notifications), sent once the transaction has committed.

Each is sent with sender=Dispute and kwargs: dispute (the Dispute as committed) and actor (the user who
acted, or None when the platform did, e.g. a delivered return)."""

from django.dispatch import Signal

dispute_opened = Signal()  # the buyer opened a dispute: the seller should answer by dispute.seller_deadline
dispute_answered = Signal()  # the seller answered: dispute staff should decide
# Staff decided (dispute.outcome, dispute.status; dispute.refunded is what the buyer got back), or a return
# reached the seller and the buyer was refunded (outcome "return", status "resolved"), or the buyer withdrew it.
dispute_decided = Signal()
