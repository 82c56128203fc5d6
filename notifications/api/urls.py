from django.urls import path

from notifications.api import views

urlpatterns = [
    path("", views.NotificationListApi.as_view(), name="api-notifications"),
    path("read/", views.NotificationReadAllApi.as_view(), name="api-notifications-read-all"),
    path("<int:pk>/read/", views.NotificationReadApi.as_view(), name="api-notification-read"),
]
