from django.urls import path

from privacy.api import views

urlpatterns = [
    path("export/", views.PersonalDataExportApi.as_view(), name="api-privacy-export"),
    path("erasure/", views.ErasureApi.as_view(), name="api-privacy-erasure"),
]
