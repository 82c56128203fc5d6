from django.urls import path

from finance import views

app_name = "finance"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("offers/<int:pk>/", views.offer, name="offer"),
    path("advances/<int:pk>/", views.advance, name="advance"),
    path("staff/", views.exposure, name="exposure"),
]
