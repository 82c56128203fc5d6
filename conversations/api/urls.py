from django.urls import path

from conversations.api import views

urlpatterns = [
    path("orders/<int:pk>/", views.ThreadApi.as_view(), {"kind": "order"}, name="api-order-conversation"),
    path("orders/<int:pk>/messages/", views.ThreadPostApi.as_view(), {"kind": "order"},
         name="api-order-conversation-post"),
    path("orders/<int:pk>/read/", views.ThreadReadApi.as_view(), {"kind": "order"}, name="api-order-conversation-read"),
    path("rfqs/<int:pk>/", views.ThreadApi.as_view(), {"kind": "rfq"}, name="api-rfq-conversation"),
    path("rfqs/<int:pk>/messages/", views.ThreadPostApi.as_view(), {"kind": "rfq"}, name="api-rfq-conversation-post"),
    path("rfqs/<int:pk>/read/", views.ThreadReadApi.as_view(), {"kind": "rfq"}, name="api-rfq-conversation-read"),
    path("attachments/<int:pk>/", views.AttachmentApi.as_view(), name="api-conversation-attachment"),
]
