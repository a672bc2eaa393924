"""Project-wide views: the health check and the 400 page. (The benchmark's floor view is in
bench/urls.py.)"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from studyapp.middleware import too_large


@require_GET
@never_cache
def healthz(request):
    """200 "ok" after a database round trip; 503 when the database is unreachable."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


def bad_request(request, exception=None):
    """handler400: a request Django could not read (too many fields or files, a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE) gets a page in the reader's language, never a bare error."""
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        size = int(request.META.get("CONTENT_LENGTH") or 0)
        return too_large(request, size=size, limit=limit)
    return render(request, "400.html", status=400)
