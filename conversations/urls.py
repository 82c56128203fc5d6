from django.urls import path

from conversations import views

app_name = "conversations"
urlpatterns = [
    path("orders/<int:pk>/", views.thread, {"kind": "order"}, name="order_thread"),
    path("rfqs/<int:pk>/", views.thread, {"kind": "rfq"}, name="rfq_thread"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
]
