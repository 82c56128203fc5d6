"""The project's URLs plus /bench/bare/: a plain Django view that reads the same JSON body as the
landed-cost API and answers a small JSON document — the least any endpoint on this stack costs."""

import json

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from ewtp.urls import urlpatterns as project_urlpatterns


@csrf_exempt
def bare(request):
    body = json.loads(request.body or b"{}")
    return JsonResponse({"lines": len(body.get("lines", ())), "ok": True})


urlpatterns = [path("bench/bare/", bare), *project_urlpatterns]
