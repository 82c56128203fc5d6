from django.urls import path

from webhooks.api import views

urlpatterns = [
    path("endpoints/", views.EndpointListCreateApi.as_view(), name="api-webhook-endpoints"),
    path("endpoints/<int:pk>/", views.EndpointDetailApi.as_view(), name="api-webhook-endpoint"),
    path("endpoints/<int:pk>/rotate-secret/", views.EndpointRotateSecretApi.as_view(),
         name="api-webhook-endpoint-rotate"),
    path("deliveries/", views.DeliveryListApi.as_view(), name="api-webhook-deliveries"),
    path("deliveries/<int:pk>/", views.DeliveryDetailApi.as_view(), name="api-webhook-delivery"),
    path("deliveries/<int:pk>/replay/", views.DeliveryReplayApi.as_view(), name="api-webhook-delivery-replay"),
]
