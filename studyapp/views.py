"""Project-wide views: health check and the benchmark floor."""

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from studyapp.content.models import Deck


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


@require_GET
@login_required
def floor(request):
    """The benchmark's floor: logged in, base template, one indexed query."""
    deck = Deck.objects.filter(pk=1).only("title").first()
    return render(request, "floor.html", {"deck": deck})
