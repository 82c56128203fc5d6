"""What conversations tells the other apps (notifications connect a receiver; conversations imports none).

`message_posted`: sent once the message's transaction has committed (never for a replayed post), with
sender=Message and message_id, thread_id, author_id and recipient_ids (the other party's users: the buyer,
or the seller company's members). Receivers run in the request: keep them short (enqueue a task)."""

from django.dispatch import Signal

message_posted = Signal()
