from django.urls import path

from privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.privacy_page, name="privacy"),
    path("export/", views.export_download, name="export"),
]
