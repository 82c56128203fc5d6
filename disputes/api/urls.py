from django.urls import path

from disputes.api import views

urlpatterns = [
    path("", views.DisputeListApi.as_view(), name="api-disputes"),
    path("queue/", views.DisputeQueueApi.as_view(), name="api-disputes-queue"),
    path("<int:pk>/", views.DisputeDetailApi.as_view(), name="api-dispute-detail"),
    path("<int:pk>/answer/", views.DisputeAnswerApi.as_view(), name="api-dispute-answer"),
    path("<int:pk>/withdraw/", views.DisputeWithdrawApi.as_view(), name="api-dispute-withdraw"),
    path("<int:pk>/decide/", views.DisputeDecideApi.as_view(), name="api-dispute-decide"),
]
