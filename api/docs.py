"""The interactive docs, served with drf-spectacular-sidecar's files from our own static files (no CDN) and
within the site's Content-Security-Policy: Swagger UI's start-up script is a separate file (the split view), and
Redoc's page has no web fonts from elsewhere; Redoc's search runs in a worker made from a blob: URL, allowed on
that page only."""

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    pass


@method_decorator(csp_update({"worker-src": ["'self'", "blob:"]}), name="dispatch")
class RedocView(SpectacularRedocView):
    template_name = "api/redoc.html"
