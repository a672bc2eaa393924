from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors


@require_GET
def deck_detail(request, slug):
    source, deck = selectors.deck_page(slug, request.LANGUAGE_CODE)
    return render(request, "content/deck_detail.html", {"source": source, "deck": deck})
