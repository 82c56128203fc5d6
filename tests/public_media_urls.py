"""The project's URLs with /media/ as development serves it (DEBUG adds these patterns)."""

from ewtp.urls import media_urlpatterns
from ewtp.urls import urlpatterns as project_urlpatterns

urlpatterns = project_urlpatterns + media_urlpatterns
