from django.urls import path

from logistics.api import views

urlpatterns = [
    path("rates/", views.RatesApi.as_view(), name="api-rates"),
]
