from django.urls import path

from duties import views

app_name = "duties"
urlpatterns = [
    path("staff/settlements/", views.settlements, name="settlements"),
    path("staff/vat-returns/", views.vat_return, name="vat_return"),
    path("staff/vat-returns.csv", views.vat_return_csv, name="vat_return_csv"),
    path("tax-invoices/<int:pk>.pdf", views.invoice_download, name="invoice_download"),
]
