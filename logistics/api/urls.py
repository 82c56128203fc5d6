from django.urls import path

from logistics.api import views

urlpatterns = [
    path("rates/", views.RatesApi.as_view(), name="api-rates"),
    path("shipments/", views.ShipmentListApi.as_view(), name="api-shipments"),
    path("shipments/<int:pk>/", views.ShipmentDetailApi.as_view(), name="api-shipment"),
    path("shipments/<int:pk>/book/", views.ShipmentBookApi.as_view(), name="api-shipment-book"),
    path("shipments/<int:pk>/cancel/", views.ShipmentCancelApi.as_view(), name="api-shipment-cancel"),
    path("shipments/<int:pk>/tracking/", views.ShipmentTrackingApi.as_view(), name="api-shipment-tracking"),
    path("shipments/<int:pk>/documents/<slug:kind>/", views.ShipmentDocumentApi.as_view(),
         name="api-shipment-document"),
    path("webhooks/<slug:carrier>/", views.CarrierWebhookApi.as_view(), name="api-carrier-webhook"),
]
