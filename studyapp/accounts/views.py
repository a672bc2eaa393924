from datetime import timedelta

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import i18n as i18n_views
from django.views.decorators.http import require_http_methods, require_POST

from . import ratelimit
from .forms import EmailForm, ExamDateForm, ResetRequestForm, SignupForm
from .models import Profile


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            user = form.save()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Conta criada. Bons estudos!"))
            return redirect("home")
        return render(request, "registration/signup.html", {"form": form}, status=400)
    return render(request, "registration/signup.html", {"form": form})


@require_http_methods(["GET", "POST"])
@login_required
def account(request):
    """The account page: the email resets go to, and the way to change the password."""
    form = EmailForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("E-mail salvo."))
            return redirect("account")
        return render(request, "registration/account.html", {"form": form}, status=400)
    return render(request, "registration/account.html", {"form": form})


class InvalidIs400:
    """Our forms answer 400 with their message when they do not validate."""

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PasswordChangeView(InvalidIs400, auth_views.PasswordChangeView):
    pass


class PasswordResetView(InvalidIs400, auth_views.PasswordResetView):
    """Django's reset request: same page whether the address has an account or not (the
    mail leaves in the background), limited per client and per address."""

    form_class = ResetRequestForm
    email_template_name = "registration/password_reset_email.txt"
    extra_email_context = {"hours": settings.PASSWORD_RESET_TIMEOUT // 3600}

    def form_valid(self, form):
        if not ratelimit.reset_allowed(self.request, form.cleaned_data["email"]):
            form.add_error(None, LIMITED)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


LIMITED = gettext_lazy(
    "Muitos pedidos de nova senha a partir daqui ou para este e-mail. Por segurança, espere "
    "uma hora e tente de novo; confira também a caixa de spam, o link pode já ter chegado."
)


class PasswordResetConfirmView(InvalidIs400, auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        # Whoever reads the account's email owns it: lift a login lockout on it.
        axes_reset(username=form.user.get_username())
        return response


@require_POST
def set_language(request):
    """Django's set_language, plus: a signed-in user's choice is saved to their profile."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        Profile.objects.update_or_create(user=request.user, defaults={"language": language})
        request.session["user_language"] = language
    return response


@login_required
@require_http_methods(["GET", "POST"])
def exam_date(request):
    """Set or clear the exam date (a small form on the study settings page; this page is its
    no-JavaScript home and the place errors are shown, with status 400)."""
    profile, _created = Profile.objects.get_or_create(user=request.user)
    # The server's date, a day early: a learner east of it may already be on the next day.
    today = timezone.localdate() - timedelta(days=1)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    form = ExamDateForm(request.POST or None, initial={"exam_date": profile.exam_date}, today=today)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            profile.exam_date = form.cleaned_data["exam_date"]
            profile.save(update_fields=["exam_date"])
            if profile.exam_date:
                messages.success(request, _("Data do exame salva."))
            else:
                messages.success(request, _("Data do exame removida."))
            # A checked local path, never a view name: redirect("0") would try to reverse it.
            return HttpResponseRedirect(next_url) if next_url else redirect("srs:settings")
        status = 400
    return render(
        request,
        "registration/exam_date.html",
        {"form": form, "next": next_url},
        status=status,
    )
