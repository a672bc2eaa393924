from django.shortcuts import render
from django.views.decorators.http import require_GET

from studyapp.accounts.roles import instructor_required


@require_GET
@instructor_required
def index(request):
    return render(request, "placeholder.html", {"title": "Instrutor"})
