"""Reads: who the two parties of an order or RFQ are, and a thread as one of them sees it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from accounts.models import CompanyMember
from conversations.models import Message, ReadMarker, Thread
from ewtp.exceptions import NotFound
from marketplace.models import Order, Rfq

KINDS = (Thread.Kind.ORDER, Thread.Kind.RFQ)


@dataclass(frozen=True)
class Party:
    """The user's side of an order's or RFQ's conversation."""

    kind: str
    object_id: int
    buyer_id: int
    company_id: int
    is_buyer: bool
    company_name: str
    buyer_name: str

    def recipients_other_than(self, user) -> list[int]:
        """The users a message from `user` is for: the seller's members, or the buyer."""
        if self.is_buyer:
            return sorted(set(CompanyMember.objects.filter(company_id=self.company_id)
                              .exclude(user_id=user.pk).values_list("user_id", flat=True)))
        return [self.buyer_id] if self.buyer_id != user.pk else []


def party_of(*, user, kind: str, object_id) -> Party:
    """The user's side of the order or RFQ; NotFound when it does not exist or the user is neither its buyer
    nor a member of its seller (another user learns nothing, not even that it exists)."""
    if kind not in KINDS or not isinstance(object_id, int) or isinstance(object_id, bool) or object_id < 1 \
            or not getattr(user, "is_authenticated", False):
        raise NotFound(_("No such conversation."))
    if kind == Thread.Kind.ORDER:
        row = (Order.objects.filter(pk=object_id)
               .values_list("buyer_id", "company_id", "company__legal_name", "buyer__email").first())
    else:
        row = (Rfq.objects.filter(pk=object_id)
               .values_list("buyer_id", "listing__company_id", "listing__company__legal_name", "buyer__email")
               .first())
    if row is None:
        raise NotFound(_("No such conversation."))
    buyer_id, company_id, company_name, buyer_email = row
    is_buyer = buyer_id == user.pk
    if not is_buyer and not CompanyMember.objects.filter(company_id=company_id, user=user).exists():
        raise NotFound(_("No such conversation."))
    return Party(kind=kind, object_id=object_id, buyer_id=buyer_id, company_id=company_id, is_buyer=is_buyer,
                 company_name=company_name, buyer_name=buyer_email.split("@", 1)[0])


@dataclass
class Conversation:
    party: Party
    thread: Thread | None
    messages: list[Message] = field(default_factory=list)
    last_read_id: int = 0  # what the reader had read before this look

    @property
    def unread(self) -> int:
        return sum(1 for m in self.messages if m.pk > self.last_read_id and m.author_id != self._reader_id)

    _reader_id: int = 0

    def is_mine(self, message: Message) -> bool:
        return message.author_id == self._reader_id

    def is_new(self, message: Message) -> bool:
        return message.pk > self.last_read_id and message.author_id != self._reader_id


def conversation_for(*, user, kind: str, object_id: int, limit: int = 200) -> Conversation:
    """The thread as the user sees it: its latest `limit` messages (oldest first) and where they had read
    to. Three queries whatever the thread's length."""
    party = party_of(user=user, kind=kind, object_id=object_id)
    thread = Thread.objects.filter(**{kind: object_id}).first()
    conversation = Conversation(party=party, thread=thread, _reader_id=user.pk)
    if thread is not None:
        messages = list(thread.messages.select_related("author").order_by("-created_at", "-id")[:limit])
        messages.reverse()
        conversation.messages = messages
        marker = ReadMarker.objects.filter(thread=thread, user=user).values_list("last_read_id", flat=True).first()
        conversation.last_read_id = marker or 0
    return conversation


def message_with_attachment(*, user, message_id: int) -> Message:
    """A message's attachment for one of the thread's parties; NotFound for anyone else or no file."""
    message = Message.objects.select_related("thread").filter(pk=message_id).exclude(attachment="").first()
    if message is None:
        raise NotFound(_("No such attachment."))
    thread = message.thread
    party_of(user=user, kind=thread.kind, object_id=thread.order_id or thread.rfq_id)
    return message
