"""REST API v1 pages that belong to no domain: the interactive documentation."""

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularSwaggerSplitView


# The Swagger UI page carries one small inline <style> block; its scripts are all files
# served from /static/ (the "split" view moves the start-up script out of the page), so only
# style-src is relaxed, and only on this page.
@method_decorator(csp_update({"style-src": ["'unsafe-inline'"]}), name="dispatch")
class ApiDocs(SpectacularSwaggerSplitView):
    url_name = "api:schema"
