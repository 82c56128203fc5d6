from django.urls import path

from logistics import views

app_name = "logistics"
urlpatterns = [
    path("shipments/<int:pk>/", views.shipment_detail, name="shipment_detail"),
    path("shipments/<int:pk>/cancel/", views.shipment_cancel, name="shipment_cancel"),
    path("shipments/<int:pk>/retry/", views.shipment_retry, name="shipment_retry"),
    path("shipments/<int:pk>/documents/<slug:kind>.pdf", views.shipment_document, name="shipment_document"),
]
