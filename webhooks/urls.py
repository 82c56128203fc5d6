from django.urls import path

from webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("", views.endpoints, name="endpoints"),
    path("<int:pk>/", views.endpoint, name="endpoint"),
    path("<int:pk>/enabled/", views.endpoint_toggle, name="endpoint_toggle"),
    path("<int:pk>/rotate-secret/", views.endpoint_rotate, name="endpoint_rotate"),
    path("deliveries/<int:pk>/", views.delivery, name="delivery"),
]
