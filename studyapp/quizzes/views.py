"""Quiz views: the start pages, the attempt (one question per URL), the review screen
(``review``, before finishing), the finish confirmation, submit, discard, results, the answer
review (``answers``, after finishing) and "Refazer as erradas".

The question URL serves the full page or, for htmx, the ``attempt-body`` partial. Answers
and flags POST to their own URLs: htmx gets a small fragment (save status plus the
navigator entry out of band); without JavaScript the browser is redirected (PRG).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from studyapp import partials
from studyapp.srs import selectors as srs_selectors

from . import selectors, services
from .forms import MockForm, PracticeForm
from .models import Attempt, ExamProfile

ATTEMPT_TEMPLATE = "quizzes/attempt.html"
INDEX_TEMPLATE = "quizzes/index.html"


def _question_url(attempt_id: int, position: int) -> str:
    """``reverse("quizzes:question", args=[attempt_id, position])``."""
    return f"{_attempt_url(attempt_id)}q/{int(position)}/"


def _attempt_url(attempt_id: int) -> str:
    """``reverse("quizzes:attempt", args=[attempt_id])`` (kept: ``partials.url_with_id``;
    every attempt page and redirect makes one)."""
    return partials.url_with_id("quizzes:attempt", attempt_id)


def _question_base(attempt_id: int) -> str:
    """``/quiz/a/<id>/q/``: the navigator appends ``<n>/`` (65 reverse() calls cost ~10 ms)."""
    return _attempt_url(attempt_id) + "q/"


def _attempt_urls(attempt_id: int, position: int | None = None) -> dict:
    """The URLs of an attempt's pages and actions from one reverse(): each ``{% url %}`` of
    the question page cost ~0.1 ms (tests/quizzes/test_views.py checks them against
    reverse())."""
    base = _attempt_url(attempt_id)
    urls = {"q_base": base + "q/", "review_url": base + "review/", "submit_url": base + "submit/"}
    if position is not None:
        urls["q_url"] = f"{base}q/{position}/"
    return urls


def _result_url(attempt_id: int) -> str:
    """``reverse("quizzes:result", args=[attempt_id])``."""
    return f"{_attempt_url(attempt_id)}result/"


def _redirect(request, url: str):
    """A redirect that htmx follows as a full navigation."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _review_url(attempt_id: int, show: str = "") -> str:
    url = reverse("quizzes:review", args=[attempt_id])
    return f"{url}?show={show}" if show in selectors.REVIEW_SCREEN_FILTERS[1:] else url


def _time_context(attempt: Attempt, now, submit_url: str | None = None) -> dict:
    left = selectors.seconds_left(attempt, now)
    return {
        "submit_url": submit_url or reverse("quizzes:submit", args=[attempt.pk]),
        "seconds_left": left,
        "time_left": selectors.format_hms(left) if left is not None else "",
        "deadline_ms": int(attempt.deadline.timestamp() * 1000) if attempt.deadline else None,
        "now_ms": int(now.timestamp() * 1000),
    }


def _index_context(request, *, practice_form=None, mock_error: str = "") -> dict:
    deck = request.GET.get("deck")
    if practice_form is None:
        practice_form = PracticeForm(
            initial={"decks": [deck]} if deck else None,
            deck_query=request.GET.get("deck_q", ""),
        )
    attempts = selectors.history(user=request.user)
    return {
        "practice_form": practice_form,
        "profiles": selectors.active_profiles(),
        "in_progress": [a for a in attempts if not a.is_finished],
        "finished": [a for a in attempts if a.is_finished],
        "mock_error": mock_error,
    }


@require_GET
@login_required
def index(request):
    """Start a practice quiz or a mock exam; resume one in progress; the history."""
    services.attempts_expire_overdue(user=request.user)
    services.attempts_abandon_idle(user=request.user)
    return render(request, INDEX_TEMPLATE, _index_context(request))


@require_POST
@login_required
def start_practice(request):
    form = PracticeForm(request.POST)
    if form.is_valid():
        try:
            attempt = services.attempt_start_practice(
                user=request.user,
                decks=form.cleaned_data["decks"],
                topics=form.cleaned_data["topics"],
                count=form.cleaned_data["count"],
            )
        except services.NotEnoughQuestions as error:
            form.add_error("count", error.message)
        else:
            return redirect(_question_url(attempt.pk, 1))
    return render(request, INDEX_TEMPLATE, _index_context(request, practice_form=form), status=400)


@require_GET
@login_required
def mock_intro(request, slug: str):
    """The start page of a timed mock exam: questions, time, pass mark, rules, "Começar"."""
    profile = get_object_or_404(ExamProfile, slug=slug, is_active=True)
    return render(request, "quizzes/mock_intro.html", {"profile": profile})


@require_POST
@login_required
def start_mock(request):
    form = MockForm(request.POST)
    if not form.is_valid():
        context = _index_context(request, mock_error=_("Escolha um perfil de simulado válido."))
        return render(request, INDEX_TEMPLATE, context, status=400)
    try:
        attempt = services.attempt_start_mock(
            user=request.user, profile=form.cleaned_data["profile"]
        )
    except services.NotEnoughQuestions as error:
        context = _index_context(request, mock_error=str(error.message))
        return render(request, INDEX_TEMPLATE, context, status=400)
    return redirect(_question_url(attempt.pk, 1))


def _open_attempt(request, attempt_id: int) -> Attempt:
    """The user's attempt, finalized first if its time ran out."""
    attempt = selectors.attempt_for_owner(user=request.user, attempt_id=attempt_id)
    return services.attempt_expire_if_overdue(attempt=attempt)


@require_GET
@login_required
def attempt_detail(request, attempt_id: int):
    """Resume: the first unanswered question (or the result when finished)."""
    attempt = _open_attempt(request, attempt_id)
    if attempt.is_finished:
        return redirect(_result_url(attempt.pk))
    first = (
        attempt.questions.filter(selected_ids=[])
        .exclude(self_graded=True, graded_at__isnull=False)
        .order_by("position")
        .values_list("position", flat=True)
        .first()
    )
    return redirect(_question_url(attempt.pk, first or 1))


def _review_show(data) -> str | None:
    """The review screen's filter a question was opened from (``None``: not from there):
    ``?from=review&show=…`` on the question's URL, ``review_show`` in its forms."""
    if data.get("review_show"):
        show = data["review_show"]
    elif data.get("from") == "review":
        show = data.get("show", "all")
    else:
        return None
    return show if show in selectors.REVIEW_SCREEN_FILTERS else "all"


def _question_context(
    request,
    attempt: Attempt,
    position: int,
    *,
    error: str = "",
    review_show: str | None = None,
    rows: selectors.AttemptRows | None = None,
) -> dict:
    now = timezone.now()
    page = selectors.question_page(
        attempt=attempt,
        position=position,
        language=getattr(request, "LANGUAGE_CODE", None),
        rows=rows,
    )
    urls = _attempt_urls(attempt.pk, position)
    return {
        "attempt": attempt,
        "page": page,
        "question": page.question,
        "view": page.view,
        **_time_context(attempt, now, urls["submit_url"]),
        "error": error,
        **urls,
        "review_show": review_show,
    }


@require_GET
@login_required
def question(request, attempt_id: int, position: int):
    """One question of an attempt in progress (``#attempt-body`` for htmx)."""
    # The attempt, the navigator and the question in one query; when that finds nothing
    # (not theirs, no such attempt or position), the usual read says 404 or goes to the result.
    rows = selectors.attempt_rows_for_owner(
        user=request.user, attempt_id=attempt_id, position=position
    )
    if rows is None:
        attempt = _open_attempt(request, attempt_id)
        if attempt.is_finished:
            return _redirect(request, _result_url(attempt.pk))
        raise Http404("question")
    attempt = services.attempt_expire_if_overdue(attempt=rows.attempt)
    if attempt.is_finished:
        return _redirect(request, _result_url(attempt.pk))
    context = _question_context(
        request, attempt, position, review_show=_review_show(request.GET), rows=rows
    )
    template = ATTEMPT_TEMPLATE + "#attempt-body" if request.htmx else ATTEMPT_TEMPLATE
    return render(request, template, context)


def _option_ids(request) -> list[int]:
    try:
        return [int(value) for value in request.POST.getlist("option")]
    except ValueError as error:
        raise services.InvalidAnswer(_("Opção inválida; nada foi alterado.")) from error


def _refused(request, attempt_id: int, position: int, error: services.QuizError):
    """The answer was not recorded: say why, change nothing."""
    if isinstance(error, services.QuestionNotFound):
        raise Http404(str(error.message))
    if isinstance(error, services.TooLate | services.AttemptClosed):
        if request.htmx:
            # The page goes to the result, where the message is shown.
            messages.error(request, error.message)
            response = HttpResponse(str(error.message), status=400)
            response["HX-Redirect"] = _result_url(attempt_id)
            return response
        context = {"message": error.message, "result_url": _result_url(attempt_id)}
        return render(request, "quizzes/refused.html", context, status=400)
    if request.htmx:
        context = {"error": error.message}
        return render(request, ATTEMPT_TEMPLATE + "#save-status", context, status=error.status)
    attempt = selectors.attempt_for_owner(user=request.user, attempt_id=attempt_id)
    context = _question_context(request, attempt, position, error=error.message)
    return render(request, ATTEMPT_TEMPLATE, context, status=error.status)


@require_POST
@login_required
def answer(request, attempt_id: int, position: int):
    """Autosave (htmx, on change) or save-and-go (buttons ``go``: prev, next, review, check).

    A self-graded card (practice) uses ``go=reveal`` ("Mostrar resposta") and then
    ``go=right`` / ``go=wrong`` ("Acertei" / "Errei"); the page is shown again after each.
    """
    go = request.POST.get("go", "")
    try:
        if go == "reveal":
            saved = services.answer_reveal(
                user=request.user, attempt_id=attempt_id, position=position
            )
        elif go in ("right", "wrong"):
            saved = services.answer_self_grade(
                user=request.user, attempt_id=attempt_id, position=position, correct=go == "right"
            )
        else:
            option_ids = _option_ids(request)
            saved = None
            if go in ("next", "prev", "review"):  # usually autosaved already: nothing to write
                saved = services.answer_unchanged(
                    user=request.user,
                    attempt_id=attempt_id,
                    position=position,
                    option_ids=option_ids,
                )
            if saved is None:
                saved = services.answer_save(
                    user=request.user,
                    attempt_id=attempt_id,
                    position=position,
                    option_ids=option_ids,
                    check=go == "check",
                )
    except Attempt.DoesNotExist as error:
        raise Http404("attempt") from error
    except services.QuizError as error:
        return _refused(request, attempt_id, position, error)
    if request.htmx and not go:
        return render(
            request,
            ATTEMPT_TEMPLATE + "#save-status",
            {"question": saved, "saved": True, "q_base": _question_base(attempt_id)},
        )
    if go == "next":
        url = _question_url(attempt_id, position + 1)
    elif go == "prev":
        url = _question_url(attempt_id, max(position - 1, 1))
    elif go == "review":
        url = _review_url(attempt_id, request.POST.get("review_show", ""))
    else:
        url = _question_url(attempt_id, position)
    return _redirect(request, url)


@require_POST
@login_required
def flag(request, attempt_id: int, position: int):
    """Mark (``flagged=1``) or unmark a question for review."""
    try:
        saved = services.flag_set(
            user=request.user,
            attempt_id=attempt_id,
            position=position,
            flagged=request.POST.get("flagged") == "1",
        )
    except Attempt.DoesNotExist as error:
        raise Http404("attempt") from error
    except services.QuizError as error:
        return _refused(request, attempt_id, position, error)
    if request.htmx:
        context = {"question": saved, "oob": True, **_attempt_urls(attempt_id, position)}
        return render(request, ATTEMPT_TEMPLATE + "#flag", context)
    return redirect(_question_url(attempt_id, position))


@require_GET
@login_required
def review_screen(request, attempt_id: int):
    """The review screen (Pearson VUE's): every question with its first words and state,
    filters All / Unanswered / Flagged (``?show=``); "Finalizar" asks for confirmation."""
    attempt = _open_attempt(request, attempt_id)
    if attempt.is_finished:
        return redirect(_result_url(attempt.pk))
    show = request.GET.get("show", "all")
    if show not in selectors.REVIEW_SCREEN_FILTERS:
        show = "all"
    context = {
        "attempt": attempt,
        **selectors.review_screen(
            attempt, language=getattr(request, "LANGUAGE_CODE", None), show=show
        ),
        **_time_context(attempt, timezone.now()),
    }
    return render(request, "quizzes/review_screen.html", context)


@require_GET
@login_required
def finish(request, attempt_id: int):
    """ "Finalizar?": the confirmation, with how many questions are unanswered and flagged."""
    attempt = _open_attempt(request, attempt_id)
    if attempt.is_finished:
        return redirect(_result_url(attempt.pk))
    context = {
        "attempt": attempt,
        **selectors.review_screen(attempt, show="all"),
        **_time_context(attempt, timezone.now()),
    }
    return render(request, "quizzes/finish.html", context)


@require_POST
@login_required
def submit(request, attempt_id: int):
    """ "Finalizar" confirmed (``confirm=1``), or the timer at zero (``timeout=1``): grade
    and show the result. Without either, the confirmation page comes first."""
    timeout = request.POST.get("timeout") == "1"
    if not timeout and request.POST.get("confirm") != "1":
        attempt = _open_attempt(request, attempt_id)
        if not attempt.is_finished:
            return _redirect(request, reverse("quizzes:finish", args=[attempt.pk]))
    try:
        attempt = services.attempt_submit(user=request.user, attempt_id=attempt_id)
    except Attempt.DoesNotExist as error:
        raise Http404("attempt") from error
    if attempt.status == Attempt.Status.EXPIRED or timeout:
        messages.info(request, _("Tempo esgotado: o simulado foi finalizado."))
    return _redirect(request, _result_url(attempt.pk))


def _text_400(message) -> HttpResponse:
    return HttpResponse(str(message), status=400, content_type="text/plain; charset=utf-8")


@login_required
def discard(request, attempt_id: int):
    """ "Descartar": GET asks for confirmation; POST ends the attempt as abandoned (no score;
    the history shows it as abandoned). Discarding a finished attempt answers 400."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    attempt = _open_attempt(request, attempt_id)
    if attempt.is_finished:
        if request.method == "GET":
            return redirect(_result_url(attempt.pk))
        return _text_400(services.NotFinishable.message)
    if request.method == "GET":
        context = {
            "attempt": attempt,
            **selectors.review_screen(attempt, show="all"),
            **_time_context(attempt, timezone.now()),
        }
        return render(request, "quizzes/discard.html", context)
    try:
        services.attempt_abandon(user=request.user, attempt_id=attempt_id)
    except services.TooLate as error:
        messages.error(request, error.message)
        return _redirect(request, _result_url(attempt_id))
    except services.NotFinishable as error:
        return _text_400(error.message)
    messages.success(request, _("Tentativa descartada: o histórico a mostra como abandonada."))
    return _redirect(request, reverse("quizzes:index"))


@require_POST
@login_required
def strike(request, attempt_id: int, position: int):
    """Strike an option through or restore it (``strike=<option id>``): htmx gets the
    question again; without JavaScript the browser goes back to it."""
    review_show = _review_show(request.POST)
    try:
        value = request.POST.get("strike", "")
        if not value.isdecimal():
            raise services.InvalidAnswer(_("Opção inválida; nada foi alterado."))
        services.strike_toggle(
            user=request.user, attempt_id=attempt_id, position=position, option_id=int(value)
        )
    except Attempt.DoesNotExist as error:
        raise Http404("attempt") from error
    except services.QuizError as error:
        return _refused(request, attempt_id, position, error)
    if request.htmx:
        attempt = selectors.attempt_for_owner(user=request.user, attempt_id=attempt_id)
        context = _question_context(request, attempt, position, review_show=review_show)
        return render(request, ATTEMPT_TEMPLATE + "#attempt-body", context)
    url = _question_url(attempt_id, position)
    if review_show:
        url += f"?from=review&show={review_show}"
    return redirect(url)


@require_GET
@login_required
def result(request, attempt_id: int):
    """Score, pass/fail, time used and the breakdown per topic and per exam domain."""
    attempt = selectors.attempt_for_viewer(user=request.user, attempt_id=attempt_id)
    if attempt.user_id == request.user.pk:
        attempt = services.attempt_expire_if_overdue(attempt=attempt)
        if not attempt.is_finished:
            return redirect(reverse("quizzes:attempt", args=[attempt.pk]))
    context = {
        "attempt": attempt,
        "is_owner": attempt.user_id == request.user.pk,
        "time_used": selectors.format_duration(attempt.time_used),
        **(selectors.breakdown(attempt) if attempt.is_finished else {}),
    }
    if attempt.is_finished and context["is_owner"]:
        context["study_effects"] = srs_selectors.quiz_effects(
            user=request.user, attempt_id=attempt.pk
        )
    return render(request, "quizzes/result.html", context)


@require_GET
@login_required
def answers(request, attempt_id: int):
    """Every question with the answer given, the right one, explanation and references;
    ``?show=wrong`` or ``?show=flagged`` filters (``#review-list`` for htmx)."""
    attempt = selectors.attempt_for_viewer(user=request.user, attempt_id=attempt_id)
    if not attempt.is_finished or attempt.is_abandoned:
        if attempt.user_id == request.user.pk:
            return redirect(reverse("quizzes:result", args=[attempt.pk]))
        raise Http404("attempt in progress")
    show = request.GET.get("show", "all")
    if show not in selectors.ANSWER_FILTERS:
        show = "all"
    answers_page = selectors.answers(
        attempt=attempt,
        language=getattr(request, "LANGUAGE_CODE", None),
        show=show,
        page=request.GET.get("page", 1),
    )
    context = {
        "attempt": attempt,
        "answers": answers_page,
        "views": answers_page.views,
        "show": show,
        "is_owner": attempt.user_id == request.user.pk,
    }
    template = "quizzes/answers.html#review-list" if request.htmx else "quizzes/answers.html"
    return render(request, template, context)


@require_POST
@login_required
def retry_wrong(request, attempt_id: int):
    """ "Refazer as erradas": a practice quiz with the questions missed in this attempt."""
    attempt = selectors.attempt_for_owner(user=request.user, attempt_id=attempt_id)
    if not attempt.is_finished:
        return HttpResponse(_("Finalize a tentativa antes de refazer as erradas."), status=400)
    try:
        practice = services.retry_wrong_start(user=request.user, attempt=attempt)
    except services.QuizError as error:
        messages.error(request, error.message)
        return redirect(_result_url(attempt.pk))
    return redirect(_question_url(practice.pk, 1))
