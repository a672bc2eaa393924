"""The instructor area (/instructor/): deck editor with live preview, revisions, uploads,
downloads and GIFT import. Everything here needs the instructors group, except the Anki
export (any signed-in user)."""

from __future__ import annotations

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from studyapp.accounts.roles import instructor_required
from studyapp.content.anki import deck_to_apkg
from studyapp.content.bounded import BudgetExceeded, Deadline, call_within
from studyapp.content.models import Deck
from studyapp.middleware import body_limit

from . import selectors, services
from .forms import (
    EDITOR_BODY_BYTES,
    GIFT_BODY_BYTES,
    UPLOAD_BODY_BYTES,
    EditorForm,
    GiftDeckForm,
    GiftForm,
    UploadForm,
)
from .gift import gift_defaults, gift_to_markdown

EDITOR = "authoring/editor.html"
NEW_DECK_TEXT = """---
deck: meu-deck
topics: ECR
domains: 1
---
# Título do deck

Introdução do deck (opcional).

## 🧠 Conceitos-chave
- Um cartão por item; o termo em **negrito** fica oculto no estudo.

## 🧪 Perguntas comuns na prova

### Q: Título curto da pergunta
Cenário da pergunta.
✅ Resposta correta
❌ Opção errada
💡 Explicação.
"""


# -- list ------------------------------------------------------------------------------------
@require_GET
@instructor_required
def index(request):
    return render(request, "authoring/index.html", {"decks": selectors.deck_list()})


# -- editor ----------------------------------------------------------------------------------
def _editor_context(request, *, form, deck: Deck | None, preview=None, **extra) -> dict:
    if deck is None:
        save_url = reverse("authoring:deck_new")
        preview_url = reverse("authoring:preview_new")
    else:
        args = [deck.language, deck.slug]
        save_url = reverse("authoring:deck_edit", args=args)
        preview_url = reverse("authoring:preview", args=args)
    return {
        "form": form,
        "deck": deck,
        "preview": preview,
        "save_url": save_url,
        "preview_url": preview_url,
        **extra,
    }


def _save_failed(request, form, deck, result):
    errors = result.errors
    if result.over_budget:  # parsing again for the preview would take as long: don't
        preview = selectors.Preview(
            text=form.cleaned_data["text"], path="", errors=errors, over_budget=True
        )
    else:
        preview = selectors.deck_preview(text=form.cleaned_data["text"], deck=deck)
    known = {(e.line, e.message) for e in preview.errors}
    preview.errors = preview.errors + [e for e in errors if (e.line, e.message) not in known]
    messages.error(request, _("Nada foi salvo: corrija os erros indicados."))
    context = _editor_context(request, form=form, deck=deck, preview=preview)
    return render(request, EDITOR, context, status=400)


@body_limit(EDITOR_BODY_BYTES)
@require_http_methods(["GET", "POST"])
@instructor_required
def deck_new(request):
    if request.method == "GET":
        form = EditorForm(initial={"text": NEW_DECK_TEXT})
        preview = selectors.deck_preview(text=NEW_DECK_TEXT)
        return render(
            request, EDITOR, _editor_context(request, form=form, deck=None, preview=preview)
        )
    form = EditorForm(request.POST)
    if not form.is_valid():
        return render(request, EDITOR, _editor_context(request, form=form, deck=None), status=400)
    result = services.deck_save(
        author=request.user,
        text=form.cleaned_data["text"],
        message=form.cleaned_data["message"] or _("Deck criado no navegador"),
    )
    if not result.ok:
        return _save_failed(request, form, None, result)
    revision = result.revisions[0]
    messages.success(request, _("Deck criado e publicado."))
    return redirect("authoring:deck_edit", revision.language, revision.deck_slug)


@body_limit(EDITOR_BODY_BYTES)
@require_http_methods(["GET", "POST"])
@instructor_required
def deck_edit(request, language, slug):
    deck = selectors.deck_for_edit(slug, language)
    if request.method == "GET":
        text = deck.source.text if deck.source_id else ""
        sha = deck.source.sha256 if deck.source_id else ""
        form = EditorForm(initial={"text": text, "base_sha": sha})
        preview = selectors.deck_preview(text=text, deck=deck)
        return render(
            request, EDITOR, _editor_context(request, form=form, deck=deck, preview=preview)
        )
    form = EditorForm(request.POST)
    if not form.is_valid():
        return render(request, EDITOR, _editor_context(request, form=form, deck=deck), status=400)
    result = services.deck_save(
        author=request.user,
        deck=deck,
        text=form.cleaned_data["text"],
        message=form.cleaned_data["message"],
        base_sha=form.cleaned_data["base_sha"],
    )
    if not result.ok:
        return _save_failed(request, form, deck, result)
    if result.unchanged:
        messages.info(request, _("Nada mudou: o texto é igual ao publicado."))
    else:
        messages.success(request, _("Deck salvo e publicado; nova revisão registrada."))
    return redirect("authoring:deck_edit", deck.language, deck.slug)


@body_limit(EDITOR_BODY_BYTES)
@require_POST
@instructor_required
def preview(request, language=None, slug=None):
    """The live preview. htmx (typing, debounced) gets the fragment; without JavaScript the
    "Pré-visualizar" button posts here and gets the whole editor page (nothing is written)."""
    deck = selectors.deck_for_edit(slug, language) if slug else None
    form = EditorForm(request.POST)
    text = request.POST.get("text", "")
    if form.is_valid():
        text = form.cleaned_data["text"]
    preview = selectors.deck_preview(text=text, deck=deck) if not form.errors.get("text") else None
    context = _editor_context(request, form=form, deck=deck, preview=preview)
    status = 400 if preview is not None and preview.over_budget else 200
    if request.htmx:
        return render(request, EDITOR + "#preview", context, status=status)
    return render(request, EDITOR, context, status=status)


# -- downloads -------------------------------------------------------------------------------
@require_GET
@instructor_required
def deck_source(request, language, slug):
    deck = selectors.deck_for_edit(slug, language)
    text = deck.source.text if deck.source_id else ""
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    name = PurePath(deck.source.path).name if deck.source_id else f"{deck.slug}.md"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@instructor_required
def export_zip(request):
    now = timezone.now()
    response = HttpResponse(selectors.export_zip(now=now), content_type="application/zip")
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="content-{stamp}.zip"'
    return response


@require_GET
@login_required
def anki_export(request, slug):
    """Any signed-in user (not only instructors) may take a deck to Anki."""
    deck = get_object_or_404(Deck.objects.sources(), slug=slug)
    response = HttpResponse(deck_to_apkg(deck), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{deck.slug}.apkg"'
    return response


# -- revisions -------------------------------------------------------------------------------
@require_GET
@instructor_required
def revisions(request, language, slug):
    deck = selectors.deck_for_edit(slug, language)
    context = {"deck": deck, "revisions": selectors.deck_revisions(deck)}
    return render(request, "authoring/revisions.html", context)


@require_GET
@instructor_required
def revision_detail(request, language, slug, pk):
    deck = selectors.deck_for_edit(slug, language)
    revision = selectors.revision_for_deck(deck, pk)
    against = request.GET.get("against", "")
    if against.isdecimal():  # not isdigit(): "²" is a digit that int() refuses
        other = selectors.revision_for_deck(deck, int(against))
    else:
        other = selectors.previous_revision(revision)
    context = {
        "deck": deck,
        "revision": revision,
        "other": other,
        "diff": selectors.revision_diff(other, revision),
        "revisions": selectors.deck_revisions(deck),
    }
    return render(request, "authoring/revision_detail.html", context)


@require_POST
@instructor_required
def revision_revert(request, language, slug, pk):
    deck = selectors.deck_for_edit(slug, language)
    revision = selectors.revision_for_deck(deck, pk)
    result = services.deck_revert(author=request.user, revision=revision)
    if not result.ok:
        for error in result.errors:
            messages.error(request, str(error))
    elif result.unchanged:
        messages.info(request, _("Esta revisão já é o texto publicado."))
    else:
        messages.success(request, _("Revisão restaurada e publicada (como uma nova revisão)."))
    return redirect("authoring:revisions", deck.language, deck.slug)


# -- upload and GIFT -------------------------------------------------------------------------
def _gift_too_slow(request, template: str, form, exc: BudgetExceeded, *, step2: bool = False):
    form.add_error(
        None,
        _(
            "A conversão passou do limite de %(seconds)s s e foi interrompida; nada foi salvo. "
            "Divida o arquivo em partes menores."
        )
        % {"seconds": f"{exc.seconds:g}"},
    )
    context = {"form": GiftForm(), "deck_form": form} if step2 else {"form": form}
    return render(request, template, context, status=400)


def _gift_confirm(request, text: str, *, template: str, form):
    """Step 2 of a GIFT import: convert once to count the questions and propose the deck's
    title, slug, topics and domains; the instructor confirms or changes them. Nothing saved."""
    deadline = Deadline()
    try:
        result = call_within(deadline, gift_to_markdown, text)
    except BudgetExceeded as exc:
        return _gift_too_slow(request, template, form, exc)
    defaults = gift_defaults(result)
    deck_form = GiftDeckForm(
        initial={
            "text": text,
            "title": defaults.title,
            "slug": selectors.free_slug(defaults.slug_base),
            "topics": defaults.topics,
            "domains": "",
        }
    )
    context = {"form": GiftForm(), "deck_form": deck_form, "result": result}
    return render(request, "authoring/gift.html", context)


def _gift_editor(request, deck_form, *, template: str):
    """A converted GIFT file goes to the new-deck editor for review: nothing is saved yet.
    Conversion and preview share one time budget."""
    data = deck_form.cleaned_data
    deadline = Deadline()
    try:
        result = call_within(
            deadline,
            gift_to_markdown,
            data["text"],
            title=data["title"],
            slug=data["slug"],
            topics=data["topics"],
            domains=data["domains"],
        )
    except BudgetExceeded as exc:
        return _gift_too_slow(request, template, deck_form, exc, step2=True)
    preview = selectors.deck_preview(text=result.markdown, deadline=deadline)
    if preview.over_budget:
        exc = BudgetExceeded(deadline.seconds)
        return _gift_too_slow(request, template, deck_form, exc, step2=True)
    form = EditorForm(initial={"text": result.markdown})
    messages.info(
        request,
        ngettext(
            "%(count)d pergunta convertida do GIFT. Revise e salve.",
            "%(count)d perguntas convertidas do GIFT. Revise e salve.",
            result.questions,
        )
        % {"count": result.questions},
    )
    context = _editor_context(
        request, form=form, deck=None, preview=preview, gift_problems=result.problems
    )
    return render(request, EDITOR, context)


@body_limit(UPLOAD_BODY_BYTES)
@require_http_methods(["GET", "POST"])
@instructor_required
def upload(request):
    if request.method == "GET":
        return render(request, "authoring/upload.html", {"form": UploadForm()})
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "authoring/upload.html", {"form": form}, status=400)
    files = form.cleaned_data["files"]
    if PurePath(files[0].name).suffix.lower() == ".gift":
        try:
            text = files[0].read().decode("utf-8")
        except UnicodeDecodeError:
            form.add_error("files", _("O arquivo não está em UTF-8."))
            return render(request, "authoring/upload.html", {"form": form}, status=400)
        return _gift_confirm(request, text, template="authoring/upload.html", form=form)
    result = services.files_upload(
        author=request.user,
        files=[(f.name, f.read()) for f in files],
        message=form.cleaned_data["message"],
    )
    if not result.ok:
        context = {"form": form, "errors": result.errors}
        return render(request, "authoring/upload.html", context, status=400)
    messages.success(
        request,
        ngettext("%(count)d deck importado.", "%(count)d decks importados.", len(result.revisions))
        % {"count": len(result.revisions)},
    )
    return redirect("authoring:index")


@body_limit(GIFT_BODY_BYTES)
@require_http_methods(["GET", "POST"])
@instructor_required
def gift_import(request):
    if request.method == "GET":
        return render(request, "authoring/gift.html", {"form": GiftForm()})
    if "confirm" in request.POST:  # step 2: the deck's data, then the editor
        deck_form = GiftDeckForm(request.POST)
        if not deck_form.is_valid():
            context = {"form": GiftForm(), "deck_form": deck_form}
            return render(request, "authoring/gift.html", context, status=400)
        return _gift_editor(request, deck_form, template="authoring/gift.html")
    form = GiftForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "authoring/gift.html", {"form": form}, status=400)
    return _gift_confirm(
        request, form.cleaned_data["text"], template="authoring/gift.html", form=form
    )
