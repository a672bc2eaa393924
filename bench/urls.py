"""The benchmark's URL map: the app's own URLs plus ``/_floor/``.

``/_floor/`` is the cheapest page a signed-in user can get (session, user, the base
template, one indexed query): every hot page is reported as a ratio to it. It exists only
in the benchmark process (``bench/run.py`` sets ``ROOT_URLCONF = "bench.urls"``), never in
the production URL map.
"""

from functools import cache

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path
from django.views.decorators.http import require_GET

from studyapp.content.models import Deck

FLOOR_TEMPLATE = (
    '{% extends "_base.html" %}{% block content %}<p>{{ deck.title|default:"-" }}</p>{% endblock %}'
)


@cache
def _template():
    return engines["django"].from_string(FLOOR_TEMPLATE)  # compiled once, as a cached loader


@require_GET
@login_required
def floor(request):
    """The benchmark's floor: logged in, base template, one indexed query."""
    deck = Deck.objects.filter(pk=1).only("title").first()
    return HttpResponse(_template().render({"deck": deck}, request))


urlpatterns = [
    path("_floor/", floor, name="floor"),
    path("", include("studyapp.urls")),
]
