"""Progress pages: the student dashboard, exports, and the instructor class view."""

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from studyapp.accounts.roles import INSTRUCTORS_GROUP, instructor_required
from studyapp.quizzes import selectors as quiz_selectors

from . import exports
from .charts import dashboard_charts
from .selectors import class_students, dashboard_get
from .services import prediction_backfill

STUDENTS_PER_PAGE = 50


@require_GET
@login_required
def dashboard(request):
    data = dashboard_get(user=request.user)
    if data.missing_predictions:
        # Mock exams taken before snapshots existed get a prediction rebuilt once.
        prediction_backfill(user=request.user, attempts=data.missing_predictions)
        data = dashboard_get(user=request.user, now=data.now)
    return render(
        request,
        "progress/dashboard.html",
        {"d": data, "charts": dashboard_charts(data)},
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
        .objects.filter(is_active=True, is_superuser=False)
        .exclude(groups__name=INSTRUCTORS_GROUP)
        .order_by("username")
    )
    page = Paginator(students, STUDENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "progress/class.html",
        {
            "page": page,
            "students": class_students(users=page.object_list),
            "questions": quiz_selectors.question_stats(),
        },
    )
