from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST


@require_GET
@never_cache
@login_not_required
def healthz(request):
    """200 ``ok`` when the app and its database answer, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
def benchmark_floor(request):
    """The framework's floor for bench/: a bare view through the same stack.

    Routed only when DJANGO_BENCHMARK_FLOOR=1 (bench/run.py sets it).
    """
    return HttpResponse("ok", content_type="text/plain")


@require_POST
@never_cache
def keep_alive(request):
    """ "Stay logged in": any request restarts the idle timeout; this one says so."""
    return JsonResponse({"idle_seconds": settings.SESSION_COOKIE_AGE})
