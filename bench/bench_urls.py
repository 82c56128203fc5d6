"""The project's URLs plus two floors to measure the landed-cost API against, each reading the same JSON
body and answering a small JSON document: /bench/bare/, a plain Django view (the least any endpoint on
this stack costs), and /bench/bare-drf/, a DRF view with the API's permission and anonymous throttle
(the least the API's framework costs)."""

import json

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from ewtp.urls import urlpatterns as project_urlpatterns


@csrf_exempt
def bare(request):
    body = json.loads(request.body or b"{}")
    return JsonResponse({"lines": len(body.get("lines", ())), "ok": True})


class BareDrf(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    def post(self, request):
        return Response({"lines": len(request.data.get("lines", ())), "ok": True})


urlpatterns = [path("bench/bare/", bare), path("bench/bare-drf/", BareDrf.as_view()), *project_urlpatterns]
