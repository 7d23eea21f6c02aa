"""URLs for benchmarks and load tests only (``config.settings.bench``): the site's own URLs plus
a baseline view, so that a load test compares the site with the cheapest signed-in request the
same server can answer. Production never loads this module."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.cache import never_cache

from accounts.models import Organisation
from config.urls import handler500
from config.urls import urlpatterns as site_urlpatterns

__all__ = ["handler500", "urlpatterns"]


@never_cache
@login_required
def baseline(request):
    """A signed-in request doing one indexed SELECT (the user's organisation by primary key)."""
    name = Organisation.objects.filter(pk=request.user.organisation_id).values_list(
        "name", flat=True
    )
    return JsonResponse({"organisation": name.first()})


urlpatterns = [path("bench/baseline/", baseline, name="bench_baseline"), *site_urlpatterns]
