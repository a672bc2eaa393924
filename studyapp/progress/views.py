"""Progress pages: the student dashboard, exports, and the instructor class view."""

import hashlib

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from studyapp import partials
from studyapp.accounts.roles import INSTRUCTORS_GROUP, instructor_required
from studyapp.content import selectors as content_selectors
from studyapp.content.models import Deck
from studyapp.quizzes import selectors as quiz_selectors
from studyapp.srs import selectors as srs_selectors
from studyapp.srs import timing

from . import anki_export, class_table, dashboard_cache, exports, readiness
from .charts import dashboard_charts, heatmap_past_digest, mocks_chart
from .selectors import Parts, calibration_by_user, class_students, dashboard_get, exam_outlook
from .services import prediction_backfill

STUDENTS_PER_PAGE = 50


@require_GET
def home(request):
    """The home page: the decks (content) and, for a signed-in learner, each deck's due and
    new cards (one query for all decks), the "start here" path (study → practice → mock)
    until all three are done, and the exam date, days left, forecast at the exam date and
    the pace needed (progress sits on top, so the home page is served from here and content
    stays unaware of progress)."""
    context = content_selectors.home_decks(request.GET, request.LANGUAGE_CODE)
    decks = context["decks"]  # a page of them (search ``q``, ``page``): O(page)
    user = request.user
    if user.is_authenticated:
        counts = srs_selectors.deck_counts(
            user=user, deck_ids=[d.pk for d in decks], now=timezone.now()
        )
        for deck in decks:
            deck.counts = counts.get(deck.pk, srs_selectors.DeckCounts())
        kinds = quiz_selectors.attempt_kinds(user=user)
        steps = {
            "study": srs_selectors.has_studied(user=user),
            "practice": "practice" in kinds,
            "mock": "mock" in kinds,
        }
        context["steps"] = steps
        context["show_path"] = not all(steps.values())
        context["mock_profile"] = quiz_selectors.default_profile() if context["show_path"] else None
        context.update(exam_outlook(user=user, now=timezone.now()))
    else:
        context["show_path"] = True
    # Its deck cards' URLs and fixed texts kept per process (three URLs a deck card: a page
    # of 12 decks reversed ~40 URLs), its includes' too.
    return HttpResponse(partials.template("content/home.html").render(context, request))


def _dashboard_body(request, *, user, now, own: bool) -> bytes:
    """The rendered figures of ``user``'s dashboard, UTF-8: from the shared cache when
    nothing they show has changed (dashboard_cache: data, content, language, study day),
    else built now and kept. ``own``: the learner's own view (with the export links; only it
    rebuilds the forecasts of mock exams taken before snapshots existed), else an
    instructor's."""
    language = request.LANGUAGE_CODE
    viewer = "own" if own else "instructor"
    found = dashboard_cache.lookup(user=user, language=language, now=now, viewer=viewer)
    if found.body is not None:
        return found.body
    versions = found.versions
    study = (found.part_versions.get("study"), found.study_pending, found.study_evidence)
    parts = Parts(found.parts, study=study, content=versions[1])
    data = dashboard_get(user=user, now=now, parts=parts)
    if own and data.missing_predictions:
        prediction_backfill(user=user, attempts=data.missing_predictions)
        kept = {name: v for name, v in parts.found.items() if name != "quiz"}
        parts = Parts(kept, study=study, content=versions[1])
        data = dashboard_get(user=user, now=now, parts=parts)
    sections: dict = {}
    body = (
        _body_template()
        .render(
            {
                "dashboard": data,
                "charts": _charts(data, found.sections.get("heatmap"), sections),
                "student": None if own else user,
                "mocks_section": _mocks_section(
                    request, data, found.sections.get("mocks"), sections
                ),
            },
            request=request,
        )
        .encode()
    )
    if "-" not in versions:
        dashboard_cache.store_sections(
            user=user, language=language, viewer=viewer, sections=sections
        )
    if own or not data.missing_predictions:
        until = timing.next_day_start(now, data.tz)
        dashboard_cache.store(
            user=user, language=language, versions=versions, until=until, body=body, viewer=viewer
        )
    dashboard_cache.store_parts(user=user, found=found, parts=parts.read)
    return body


def _body_template():
    """The body's template with its literal translations and its URLs kept per process
    (``studyapp.partials.template``: the body has ~60 translations and ~18 URLs)."""
    return partials.template("progress/_dashboard_body.html")


def _charts(data, kept, keep: dict) -> dict:
    """The body's charts; the heatmap's days before today from ``kept`` ((digest, markup))
    when :func:`charts.heatmap_past_digest` is the same (an answer changes today's cell
    only), else rendered now (and put in ``keep``)."""
    digest = heatmap_past_digest(data.activity.days)
    past = kept[1] if kept is not None and kept[0] == digest else None
    rendered: dict = {}
    figures = dashboard_charts(data, heatmap_past=past, keep=rendered)
    if "past" in rendered:
        keep["heatmap"] = (digest, rendered["past"])
    return figures


def _mocks_section(request, data, kept, keep: dict):
    """The mock exams' section: ``kept`` ((digest, html)) when the digest of everything it
    shows (the language, the time zones its dates are shown in, the pass mark, each mock's
    row and prediction) is the same, else rendered now (and put in ``keep``). An answer
    changes none of these."""
    predictions = [
        (p.predicted_score, p.score_low, p.score_high) if (p := row.prediction) else None
        for row in data.mocks
    ]
    inputs = (
        request.LANGUAGE_CODE,
        str(data.tz),
        timezone.get_current_timezone_name(),
        data.pass_mark,
        # Every field's value (astuple's deep copies cost ~0.2 ms for 10 mocks; the fields
        # are plain values, so this repr is astuple's).
        [tuple(vars(row.attempt).values()) for row in data.mocks],
        predictions,
    )
    digest = hashlib.sha256(repr(inputs).encode()).hexdigest()[:24]
    if kept is not None and kept[0] == digest:
        return mark_safe(kept[1])  # noqa: S308 (rendered here before)
    html = render_to_string(
        "progress/_dashboard_mocks.html",
        {"dashboard": data, "chart": mocks_chart(data)},
        request=request,
    )
    keep["mocks"] = (digest, str(html))
    return html


@require_GET
@login_required
def dashboard(request):
    """The learner's figures (built, or read from the shared cache: ``_dashboard_body``)."""
    body = _dashboard_body(request, user=request.user, now=timezone.now(), own=True)
    return _page(request, body, {})


# Where the figures go in progress/dashboard.html: they are kept as UTF-8 and joined to the
# rendered page as bytes (not decoded, copied into the page's text and encoded again).
BODY_MARK = mark_safe("<!--progress:dashboard-body-->")  # noqa: S308 (a constant)


def _page(request, body: bytes, context: dict) -> HttpResponse:
    response = render(request, "progress/dashboard.html", {**context, "body": BODY_MARK})
    head, tail = response.content.split(BODY_MARK.encode(), 1)
    response.content = b"".join((head, body, tail))
    return response


@require_GET
def model(request):
    """How the forecast is computed (public: it holds no one's data)."""
    profile = quiz_selectors.exam_profile()
    return render(
        request,
        "progress/model.html",
        {
            "half_life": int(readiness.HALF_LIFE_DAYS),
            "count": profile.question_count,
            "pass_mark": profile.pass_mark,
        },
    )


@require_GET
@login_required
def export(request, what: str, fmt: str):
    """The user's review log or quiz attempts as CSV or JSON (streamed)."""
    if what not in exports.EXPORTS or fmt not in exports.FORMATS:
        raise Http404
    return exports.response(user=request.user, what=what, fmt=fmt)


@require_GET
@instructor_required
def class_view(request):
    students = (
        get_user_model()
        .objects.filter(is_active=True, is_superuser=False, is_staff=False)
        .exclude(groups__name=INSTRUCTORS_GROUP)
        .order_by("username")
    )
    page = Paginator(students, STUDENTS_PER_PAGE).get_page(request.GET.get("page"))
    stats = quiz_selectors.question_stats()
    state = class_table.table_state(request.GET)
    return render(
        request,
        "progress/class.html",
        {
            "page": page,
            "students": class_students(users=page.object_list),
            "class_calibration": calibration_by_user().get(None),
            "questions": class_table.question_rows(stats, state),
            "question_total": len(stats),
            "suspect_total": sum(1 for row in stats if row["suspect"]),
            "table": state,
            "headings": state.headings(),
            "filters": {"all": state.query(show="all"), "suspect": state.query(show="suspect")},
        },
    )


@require_GET
@instructor_required
def student_progress(request, user_id: int):
    """One student's dashboard, read-only, for instructors (students get 403 like every
    instructor page; an unknown, inactive or staff account is 404). Nothing is written: the
    forecasts of old mocks are rebuilt only when the student opens their own dashboard."""
    student = get_object_or_404(
        get_user_model()
        .objects.filter(is_active=True, is_superuser=False, is_staff=False)
        .exclude(groups__name=INSTRUCTORS_GROUP),
        pk=user_id,
    )
    # The student's figures, cached under their versions (without the export links).
    body = _dashboard_body(request, user=student, now=timezone.now(), own=False)
    return _page(request, body, {"student": student})


@require_GET
@login_required
def anki_progress(request, slug: str):
    """ "Exportar com meu progresso": the deck's .apkg with the signed-in learner's own
    scheduling and review log (only theirs: the user comes from the session, never the URL)."""
    deck = get_object_or_404(Deck.objects.sources(), slug=slug)
    data = anki_export.apkg_with_progress(user=request.user, deck=deck)
    response = HttpResponse(data, content_type="application/apkg")
    name = f"{deck.slug}-{request.user.get_username()}.apkg".replace('"', "")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
