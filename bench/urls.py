"""The benchmark's URL map: the app's own URLs plus ``/_floor/`` and ``/_floor/fragment/``.

``/_floor/`` is the cheapest page a signed-in user can get (session, user, the base
template, one indexed query): every hot page is reported as a ratio to it.
``/_floor/fragment/`` is the cheapest htmx fragment (session, user, one indexed query, a
small template without the base template; GET or POST): the htmx rows (answer, autosave)
are also reported against it (``fragment_ratio``). Both exist only in the benchmark process
(``bench/run.py`` sets ``ROOT_URLCONF = "bench.urls"``), never in the production URL map.
"""

from functools import cache

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path
from django.views.decorators.http import require_GET, require_http_methods

from studyapp.content.models import Deck

FLOOR_TEMPLATE = (
    '{% extends "_base.html" %}{% block content %}<p>{{ deck.title|default:"-" }}</p>{% endblock %}'
)
FRAGMENT_TEMPLATE = '<p id="floor">{{ deck.title|default:"-" }}</p>'


@cache
def _template(text: str = FLOOR_TEMPLATE):
    return engines["django"].from_string(text)  # compiled once, as a cached loader


@require_GET
@login_required
def floor(request):
    """The benchmark's floor: logged in, base template, one indexed query."""
    deck = Deck.objects.filter(pk=1).only("title").first()
    return HttpResponse(_template().render({"deck": deck}, request))


@require_http_methods(["GET", "POST"])
@login_required
def fragment_floor(request):
    """The fragment floor: logged in, one indexed query, a small fragment (no base template)."""
    deck = Deck.objects.filter(pk=1).only("title").first()
    return HttpResponse(_template(FRAGMENT_TEMPLATE).render({"deck": deck}, request))


urlpatterns = [
    path("_floor/", floor, name="floor"),
    path("_floor/fragment/", fragment_floor, name="fragment_floor"),
    path("", include("studyapp.urls")),
]
