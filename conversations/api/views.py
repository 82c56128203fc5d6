"""The conversations API: read a thread, post to it (JSON, or multipart with a file), mark it read, and
download an attachment; the order's or RFQ's two parties only (anyone else: 404 `not_found`)."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from conversations import selectors, services
from conversations.models import Message
from ewtp.files import private_file_response
from ewtp.idempotency import idempotent


def message_json(message: Message, conversation: selectors.Conversation | None, reader) -> dict:
    party = conversation.party if conversation else None
    return {
        "id": message.pk,
        "author": "buyer" if party and message.author_id == party.buyer_id else "seller",
        "mine": message.author_id == reader.pk,
        "body": message.body,
        "created_at": message.created_at.isoformat(),
        "attachment": ({"name": message.attachment_name,
                        "url": reverse("api-conversation-attachment", args=[message.pk])}
                       if message.attachment else None),
    }


_MESSAGE = inline_serializer("ConversationMessage", {
    "id": serializers.IntegerField(), "author": serializers.ChoiceField(["buyer", "seller"]),
    "mine": serializers.BooleanField(), "body": serializers.CharField(), "created_at": serializers.DateTimeField(),
    "attachment": inline_serializer("ConversationAttachment", {"name": serializers.CharField(),
                                                               "url": serializers.CharField()}, allow_null=True)})


class ThreadApi(APIView):
    @extend_schema(responses=inline_serializer("Conversation", {
        "kind": serializers.CharField(), "id": serializers.IntegerField(), "unread": serializers.IntegerField(),
        "last_read_id": serializers.IntegerField(), "messages": _MESSAGE}),
        description="The thread of an order or RFQ (the latest 200 messages, oldest first), as its buyer or a "
                    "member of its seller sees it: `unread` counts the other side's messages after "
                    "`last_read_id`. Reading does not mark it read (POST .../read/ does).")
    def get(self, request, kind: str, pk: int):
        conversation = selectors.conversation_for(user=request.user, kind=kind, object_id=pk)
        return Response({"kind": kind, "id": pk, "unread": conversation.unread,
                         "last_read_id": conversation.last_read_id,
                         "messages": [message_json(m, conversation, request.user) for m in conversation.messages]})


class ThreadPostApi(APIView):
    @extend_schema(
        request={"application/json": inline_serializer("MessageInput", {
            "body": serializers.CharField(max_length=2000), "client_key": serializers.CharField(required=False)}),
            "multipart/form-data": inline_serializer("MessageUpload", {
                "body": serializers.CharField(max_length=2000), "client_key": serializers.CharField(required=False),
                "attachment": serializers.FileField(required=False)})},
        responses={201: _MESSAGE, 200: _MESSAGE},
        description="Post a message (1 to 2,000 characters; a PDF, PNG or JPEG up to 5 MB, multipart). The same "
                    "`client_key` again answers 200 with the message already posted and posts nothing.")
    @idempotent
    def post(self, request, kind: str, pk: int):
        body = request.data.get("body", "")
        client_key = request.data.get("client_key", "") or ""
        before = None
        if isinstance(client_key, str) and client_key:
            before = Message.objects.filter(author=request.user, client_key=client_key,
                                            **{f"thread__{kind}": pk}).values_list("pk", flat=True).first()
        message = services.message_post(user=request.user, kind=kind, object_id=pk,
                                        body=body if isinstance(body, str) else None,
                                        attachment=request.FILES.get("attachment"), client_key=client_key)
        conversation = selectors.Conversation(party=selectors.party_of(user=request.user, kind=kind, object_id=pk),
                                              thread=message.thread)
        return Response(message_json(message, conversation, request.user),
                        status=200 if before == message.pk else 201)


class ThreadReadApi(APIView):
    idempotency_exempt = "it creates nothing and charges nothing; marking a thread read twice is marking it read"

    @extend_schema(request=None, responses=inline_serializer("ConversationRead", {
        "last_read_id": serializers.IntegerField()}))
    def post(self, request, kind: str, pk: int):
        return Response({"last_read_id": services.thread_mark_read(user=request.user, kind=kind, object_id=pk)})


class AttachmentApi(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        message = selectors.message_with_attachment(user=request.user, message_id=pk)
        return private_file_response(message.attachment, filename=message.attachment_name or "attachment")
