from django.urls import path

from accounts.api import views

urlpatterns = [
    path("mine/", views.MyCompanyApi.as_view(), name="api-my-company"),
    path("review/", views.CompanyReviewListApi.as_view(), name="api-company-review"),
    path("<int:pk>/verify/", views.CompanyVerifyApi.as_view(), name="api-company-verify"),
]
