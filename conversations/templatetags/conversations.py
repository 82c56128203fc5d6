"""`{% conversation_panel "order" order.pk %}`: the thread's latest messages and a form to write, on the
marketplace's order and RFQ pages (the marketplace's Python does not import this app)."""

from django import template

from conversations import selectors
from conversations.forms import MessageForm
from ewtp.exceptions import NotFound

register = template.Library()


@register.inclusion_tag("conversations/panel.html", takes_context=True)
def conversation_panel(context, kind: str, object_id: int, latest: int = 5):
    import uuid

    request = context["request"]
    try:
        conversation = selectors.conversation_for(user=request.user, kind=kind, object_id=object_id, limit=latest)
    except NotFound:
        return {"conversation": None}
    return {"conversation": conversation, "kind": kind, "pk": object_id, "request": request,
            "csrf_token": context.get("csrf_token"),
            "form": MessageForm(initial={"client_key": uuid.uuid4().hex}, auto_id="msg_%s")}
