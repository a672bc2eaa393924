"""Study session views. One URL per session (``/study/`` or ``/study/<slug>/``) serves the
full page or, for htmx, the ``session`` partial; answers, undo, suspend and bury POST to
their own URLs and return that partial (htmx) or redirect back (no JavaScript)."""

from __future__ import annotations

import html
from datetime import datetime
from functools import cache, lru_cache

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.html import conditional_escape, strip_tags
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from studyapp import partials, versions
from studyapp.content.models import Deck
from studyapp.content.selectors import localized

from . import selectors, services, tuning
from .forms import AnswerForm, CardActionForm, DeckLimitsForm, ScopeForm, StudySettingsForm
from .models import DeckLimits, Rating, StudyCard, StudySettings
from .scheduler import format_due_in, format_interval

TEMPLATE = "srs/study.html"


def _scope(session: services.SessionSettings, slug: str | None, ahead: bool) -> selectors.Scope:
    try:
        return selectors.scope_for(
            settings=session.settings, slug=slug, ahead=ahead, deck_ids=session.deck_ids
        )
    except Deck.DoesNotExist as error:
        raise Http404(_("Deck não encontrado.")) from error


def _study_url(scope: selectors.Scope, **params) -> str:
    url = partials.url("srs:study_deck", scope.slug) if scope.slug else partials.url("srs:study")
    if scope.ahead:
        params["ahead"] = "1"
    params = {key: value for key, value in params.items() if value not in (None, "")}
    return f"{url}?{urlencode(params)}" if params else url


# The session partial's fixed texts (``texts.<name>`` in templates/srs/study.html).
SESSION_TEXTS = (
    ("session", gettext_noop("Sessão de estudo")),
    ("learning", gettext_noop("Aprendendo")),
    ("reveal", gettext_noop("Mostrar resposta")),
    ("space", gettext_noop("Espaço")),
    ("correct", gettext_noop("Resposta correta")),
    ("explanation", gettext_noop("Explicação")),
    ("how_well", gettext_noop("Quão bem você lembrou?")),
    ("bury", gettext_noop("Esconder até amanhã")),
    ("suspend", gettext_noop("Suspender")),
    ("undo", gettext_noop("Desfazer")),
    ("show_answer", gettext_noop("mostrar resposta")),
    ("answer", gettext_noop("responder")),
    ("undo_key", gettext_noop("desfazer")),
)


@cache
def session_texts(language: str | None) -> dict[str, str]:
    """:data:`SESSION_TEXTS` translated to ``language`` and escaped, once per process and
    language instead of a ``{% translate %}`` on every render (about 50 µs of each study
    page and answer). A pure function of the language: the catalogs never change while the
    process runs, so no worker can serve another's stale value."""
    with translation.override(language):
        texts = {name: conditional_escape(_(text)) for name, text in SESSION_TEXTS}
        # The rating buttons' labels (lazy in the model: each resolved on every render).
        texts.update(
            {f"rating_{value}": conditional_escape(label) for value, label in Rating.choices}
        )
        return texts


def _rating_button(value: str, label: str, interval: str) -> str:
    """One rating button (the partial ``rating`` of the study template) for its value, label
    (escaped: :func:`session_texts`) and interval text, kept per process: the partial per
    value, label and language, each card's interval filled in (``partials.filled``; a
    render of the partial is about 40 µs, four on every study page and answer)."""
    return partials.filled(TEMPLATE + "#rating", "interval", interval, value=value, label=label)


def _count_text(kind: str, n: int, language: str | None) -> str:
    """The header's count of ``kind`` (learning, review, new) cards: the partial
    ``count_<kind>`` of the study template, rendered once per process, number and language
    (a pure function of them; about 15 µs a count, three on every study page and answer;
    ``studyapp.partials``)."""
    return partials.kept(f"{TEMPLATE}#count_{kind}", language=language, n=n)


@lru_cache(maxsize=2048)  # about one per item with references (a few hundred bytes each)
def _references_html(refs: tuple[tuple[str, str], ...]) -> str:
    """``content/_references.html`` for references given as (title, URL) pairs, rendered once
    per process and list (a pure function of it) instead of an include on every card shown."""
    shown = [{"title": title, "url": url} for title, url in refs]
    return get_template("content/_references.html").render({"refs": shown})


def _session_context(
    request,
    *,
    session: services.SessionSettings,
    scope: selectors.Scope,
    now: datetime,
    content: selectors.ContentState | None = None,
    card_id: int | None = None,
    reveal: bool = False,
    undo: bool | None = None,
    notice: str = "",
    error: str = "",
    undone: str = "",
) -> dict:
    user = request.user
    settings = session.settings
    texts = session_texts(translation.get_language())
    content = content or selectors.content_state(user=user)
    day, counts, card = selectors.study_queue(
        user=user,
        settings=settings,
        limits=session.limits,
        scope=scope,
        now=now,
        content=content,
        undo=undo is None,
        card_id=card_id,
    )
    display = None
    next_due = None
    empty = None
    if card is not None:
        intervals = services.card_preview(card=card, settings=settings, now=now)
        display = selectors.session_display(
            card=card,
            language=getattr(request, "LANGUAGE_CODE", None),
            content=content,
            intervals=intervals,
        )
        # Values as text: the template would localize each integer (four uses per button).
        ratings = [
            _rating_button(str(value), texts[f"rating_{value}"], format_interval(delta))
            for value, delta in intervals.items()
        ]
    else:
        ratings = []
        empty = selectors.empty_state(
            user=user,
            settings=settings,
            scope=scope,
            now=now,
            day=day,
            counts=counts,
            content=content,
        )
        next_due = empty.next_due
    if undone and display is not None and display.card.pk == card_id:
        notice = _undone_notice(undone, display)
    elif undone:  # the restored card cannot be studied now (e.g. retired meanwhile)
        notice = _("Desfeito.")
    if undo is None:
        undo = day.has_undo
    # Each reversed once (the template uses them twice: the form's action and hx-post).
    urls = {"undo": partials.url("srs:undo")} if undo else {}
    if display is not None:
        for name in ("answer", "bury", "suspend"):
            urls[name] = partials.url_with_id(f"srs:{name}", display.card.pk)
    language = translation.get_language()
    references = display.references if display is not None else ()
    return {
        "texts": texts,
        "references_html": (
            _references_html(tuple((ref.title, ref.url) for ref in references))
            if references
            else ""
        ),
        "count_texts": {
            kind: _count_text(kind, getattr(counts, kind), language)
            for kind in ("learning", "review", "new")
        },
        "urls": urls,
        "settings": settings,
        "scope": scope,
        "day": day,
        "counts": counts,
        "display": display,
        "empty": empty,
        "resets_in": format_due_in(empty.resets_at - now) if empty else "",
        "deck_options_url": (
            partials.url("srs:deck_options", scope.deck.slug) if scope.deck else ""
        ),
        "undone": undone if display is not None and display.card.pk == card_id else "",
        "rating_buttons": ratings,
        "reveal": reveal,
        "next_due": next_due,
        "next_due_in": format_due_in(next_due - now) if next_due else "",
        "undo": undo,
        "notice": notice,
        "error": error,
        "study_url": _study_url(scope),
        "ahead_url": _study_url(
            selectors.Scope(deck=scope.deck, deck_ids=scope.deck_ids, ahead=True)
        ),
    }


UNDONE_KINDS = ("answer", "bury", "suspend")


def _undone_notice(kind: str, display: selectors.CardDisplay) -> str:
    """Names the card Undo restored (it is the card shown below the notice)."""
    item = display.item
    # The card's front only (naming it by its back would give the answer away).
    if display.is_question:
        label = item.prompt
    elif display.has_cloze:
        label = html.unescape(strip_tags(item.cloze_html))
    else:
        label = _("cartão de conceito")
    label = " ".join(label.split())
    if len(label) > 80:
        label = label[:79].rstrip() + "…"
    names = {"card": label, "deck": display.deck_title, "section": display.section_title}
    if kind == "bury":
        text = _("Desfeito: o cartão “%(card)s” (%(deck)s › %(section)s) não está mais escondido.")
    elif kind == "suspend":
        text = _("Desfeito: o cartão “%(card)s” (%(deck)s › %(section)s) não está mais suspenso.")
    else:
        text = _(
            "Resposta desfeita: o cartão “%(card)s” (%(deck)s › %(section)s) voltou como "
            "estava e está abaixo."
        )
    return text % names


def _render_session(request, context: dict, status: int = 200):
    template = TEMPLATE + "#session" if request.htmx else TEMPLATE
    return render(request, template, context, status=status)


def _bad_request(request, *, session, scope, now, message: str):
    """400 with the message, showing the session as it is (nothing changed)."""
    context = _session_context(request, session=session, scope=scope, now=now, error=message)
    return _render_session(request, context, status=400)


@require_GET
@login_required
def study(request, slug=None):
    """The study session: the next card (front; ``?reveal=1`` shows the back without JS)."""
    now = timezone.now()
    session = services.study_session_settings(user=request.user)
    scope = _scope(session, slug, ahead=request.GET.get("ahead") == "1")
    content = selectors.content_state(user=request.user)
    services.cards_ensure_current(user=request.user, now=now, content=content)
    content = content.after_ensure()
    card_id = request.GET.get("card")
    undone = request.GET.get("undone", "")
    context = _session_context(
        request,
        session=session,
        scope=scope,
        now=now,
        content=content,
        card_id=int(card_id) if card_id and card_id.isdecimal() and len(card_id) < 19 else None,
        reveal=request.GET.get("reveal") == "1",
        undone=undone if undone in UNDONE_KINDS else "",
    )
    # The page heading names the deck in the reader's language (cards stay on the source).
    language = getattr(request, "LANGUAGE_CODE", None)
    context["deck_title"] = localized(scope.deck, language).title if scope.deck else ""
    return _render_session(request, context)


def _posted_scope(request, form, session):
    """The session's scope from a :class:`ScopeForm` (or a form built on it: its other
    fields' errors do not matter, as if a ScopeForm had read the same data)."""
    form.is_valid()
    scope_errors = any(name in form.errors for name in ScopeForm.base_fields)
    data = {} if scope_errors else form.cleaned_data
    return _scope(session, data.get("scope") or None, bool(data.get("ahead")))


@require_POST
@login_required
def answer(request, card_id: int):
    """Record an answer (1–4) for the shown card, then show the next card."""
    # The answer's renewals (the dashboard's token) go with the next card's cache read.
    with versions.renewals_deferred():
        return _answer(request, card_id)


def _answer(request, card_id: int):
    now = timezone.now()
    session = services.study_session_settings(user=request.user)
    settings = session.settings
    form = AnswerForm(request.POST)
    scope = _posted_scope(request, form, session)
    if not form.is_valid():
        message = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return _bad_request(request, session=session, scope=scope, now=now, message=message)
    try:
        result = services.review_record(
            user=request.user,
            card_id=card_id,
            token=form.cleaned_data["token"],
            rating=form.cleaned_data["rating"],
            duration_ms=form.cleaned_data["duration_ms"],
            settings=settings,
            now=now,
        )
    except StudyCard.DoesNotExist as error:
        raise Http404(_("Cartão não encontrado.")) from error
    except services.StudyError as error:
        return _bad_request(
            request, session=session, scope=scope, now=now, message=str(error.message)
        )
    notice = ""
    if result.leech:
        notice = _(
            "Este cartão foi esquecido %(lapses)d vezes e foi suspenso (sanguessuga). "
            "Reescreva-o ou estude-o de outra forma; reative-o nas configurações."
        ) % {"lapses": result.card.lapses}
    if not request.htmx:
        if notice:
            messages.warning(request, notice)
        return HttpResponseRedirect(_study_url(scope))
    context = _session_context(
        request, session=session, scope=scope, now=now, undo=True, notice=notice
    )
    return _render_session(request, context)


@require_POST
@login_required
def undo(request):
    """Undo the last study action (an answer, a bury or a suspend): that card comes back,
    exactly as it was."""
    now = timezone.now()
    session = services.study_session_settings(user=request.user)
    scope = _posted_scope(request, ScopeForm(request.POST), session)
    try:
        undone = services.action_undo(user=request.user, now=now)
    except services.StudyError as error:
        return _bad_request(
            request, session=session, scope=scope, now=now, message=str(error.message)
        )
    if not request.htmx:
        return HttpResponseRedirect(_study_url(scope, card=undone.card.pk, undone=undone.kind))
    context = _session_context(
        request,
        session=session,
        scope=scope,
        now=now,
        content=selectors.content_state(user=request.user).after_held_change(),
        card_id=undone.card.pk,
        undone=undone.kind,
    )
    return _render_session(request, context)


def _card_action(request, card_id: int, action, done_message: str):
    now = timezone.now()
    session = services.study_session_settings(user=request.user)
    settings = session.settings
    form = CardActionForm(request.POST)
    scope = _posted_scope(request, form, session)
    if not form.is_valid():
        return _bad_request(
            request, session=session, scope=scope, now=now, message=_("Pedido inválido.")
        )
    try:
        action(settings=settings, token=form.cleaned_data["token"], now=now)
    except StudyCard.DoesNotExist as error:
        raise Http404(_("Cartão não encontrado.")) from error
    except services.StudyError as error:
        return _bad_request(
            request, session=session, scope=scope, now=now, message=str(error.message)
        )
    if not request.htmx:
        messages.info(request, done_message)
        return HttpResponseRedirect(_study_url(scope))
    context = _session_context(
        request,
        session=session,
        scope=scope,
        now=now,
        content=selectors.content_state(user=request.user).after_held_change(),
        undo=True,
        notice=done_message,
    )
    return _render_session(request, context)


@require_POST
@login_required
def suspend(request, card_id: int):
    """Suspend the shown card (it leaves study until reactivated in the settings)."""
    return _card_action(
        request,
        card_id,
        lambda settings, token, now: services.card_suspend(
            user=request.user, card_id=card_id, token=token, now=now
        ),
        _("Cartão suspenso. Reative-o nas configurações de estudo."),
    )


@require_POST
@login_required
def bury(request, card_id: int):
    """Bury the shown card until the next study day (04:00 local)."""
    return _card_action(
        request,
        card_id,
        lambda settings, token, now: services.card_bury(
            user=request.user, card_id=card_id, token=token, settings=settings, now=now
        ),
        _("Cartão escondido até amanhã."),
    )


@require_POST
@login_required
def unsuspend(request, card_id: int):
    try:
        services.card_unsuspend(user=request.user, card_id=card_id)
    except StudyCard.DoesNotExist as error:
        raise Http404(_("Cartão não encontrado.")) from error
    messages.success(request, _("Cartão reativado."))
    return redirect("srs:settings")


@require_http_methods(["GET", "POST"])
@login_required
def settings_view(request):
    """Per-user study settings, plus the list of suspended cards to reactivate."""
    settings = services.study_settings_get(user=request.user)
    form = StudySettingsForm(request.POST or None, instance=settings)
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            services.study_settings_update(settings=settings, **data)
            messages.success(request, _("Configurações salvas."))
            return redirect("srs:settings")
        status = 400
    else:
        status = 200
    suspended = selectors.suspended_cards(user=request.user)
    language = getattr(request, "LANGUAGE_CODE", None)
    limits = selectors.deck_limits(settings=settings)
    decks = [
        (deck, localized(deck, language).title, limits.get(deck.pk, (None, None)))
        for deck in Deck.objects.sources().order_by("title").prefetch_related("translations")
    ]
    return render(
        request,
        "srs/settings.html",
        {
            "form": form,
            "suspended": suspended,
            "deck_limits": decks,
            "settings": settings,
            **_tuning_context(request, settings),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def deck_options(request, slug):
    """The learner's own daily limits for one deck (blank: the overall limit alone).
    A deck's limit works within the overall one; bad input answers 400."""
    settings = services.study_settings_get(user=request.user)
    try:
        deck = Deck.objects.sources().get(slug=slug)
    except Deck.DoesNotExist as error:
        raise Http404(_("Deck não encontrado.")) from error
    limits = DeckLimits.objects.filter(settings=settings, deck=deck).first()
    form = DeckLimitsForm(request.POST if request.method == "POST" else None, instance=limits)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            services.deck_limits_update(
                settings=settings,
                deck=deck,
                new_per_day=form.cleaned_data["new_per_day"],
                reviews_per_day=form.cleaned_data["reviews_per_day"],
            )
            messages.success(request, _("Limites do deck salvos."))
            next_url = reverse("srs:study_deck", args=[deck.slug])
            return redirect(next_url if request.POST.get("next") == "study" else "srs:settings")
        status = 400
    language = getattr(request, "LANGUAGE_CODE", None)
    context = {
        "form": form,
        "deck": deck,
        "deck_title": localized(deck, language).title,
        "settings": settings,
        "next": request.GET.get("next") or request.POST.get("next") or "",
    }
    return render(request, "srs/deck_options.html", context, status=status)


def _tuning_context(request, settings: StudySettings) -> dict:
    """Per-learner parameters on the settings page: the latest optimizer run and the
    stored retention suggestion (both computed on demand, not here)."""
    now = timezone.now()
    target = services.retention_target(settings=settings, now=now)
    if not settings.keep_retention:  # still say what was kept (measured, not stored)
        services.retention_refresh(settings=settings, now=now, save=False)

    def percent(value):
        return number_format(100 * value, decimal_pos=1)

    return {
        "keeping": {
            "window": services.retention.WINDOW_DAYS,
            "reviews": settings.retention_reviews,
            "observed": percent(settings.retention_observed or 0),
            "target": percent(target),
            "desired": percent(settings.desired_retention),
        },
        "evaluation": tuning.latest_evaluation(user=request.user),
        "personal_parameters": [f"{w:.4f}" for w in settings.fsrs_parameters or ()],
        "suggested_retention": settings.suggested_retention,
        "min_reviews": tuning.optimizer.MIN_REVIEWS,
    }


@require_POST
@login_required
def optimize_parameters(request):
    """Train the learner's own FSRS parameters (only ever the signed-in learner's)."""
    try:
        outcome = tuning.parameters_optimize(user=request.user)
    except tuning.TooSoon as error:
        messages.warning(request, error.message)
        return redirect("srs:settings")
    if not outcome.enough:
        messages.warning(request, tuning.NotEnoughReviews(outcome.reviews).message)
    elif outcome.evaluation.accepted:
        messages.success(
            request,
            _(
                "Novos parâmetros adotados: previram melhor as suas revisões mais recentes. "
                "%(n)d cartões foram reagendados."
            )
            % {"n": outcome.evaluation.rescheduled},
        )
    else:
        messages.info(
            request,
            _(
                "Os parâmetros treinados não previram melhor as suas revisões mais recentes; "
                "os atuais foram mantidos."
            ),
        )
    return redirect("srs:settings")


@require_POST
@login_required
def suggest_retention(request):
    """Run the simulator for the learner and store the suggested desired retention."""
    value = tuning.retention_suggest(user=request.user)
    messages.info(
        request,
        _("Retenção sugerida: %(value)s.") % {"value": number_format(value, decimal_pos=2)},
    )
    return redirect("srs:settings")
