from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import (
    AdminUserCreationForm,
    PasswordResetForm,
    UserChangeForm,
    UserCreationForm,
)
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import mail
from .usernames import validate_username

EMAIL_LABEL = _("E-mail")
EMAIL_HELP = _("Opcional. Só é usado para recuperar a senha; sem ele, não há como recuperá-la.")


def _email_taken(email: str, *, exclude_pk=None) -> bool:
    users = get_user_model().objects.exclude(pk=exclude_pk)
    return bool(email) and users.filter(email__iexact=email).exists()


class LookalikeUsernameMixin:
    """Refuse a username that imitates another (studyapp/accounts/usernames.py)."""

    def clean_username(self):
        parent = getattr(super(), "clean_username", None)
        username = parent() if parent else self.cleaned_data.get("username")
        if username:  # None: the parent already refused it (a case-only duplicate)
            try:
                validate_username(username, exclude_pk=self.instance.pk)
            except forms.ValidationError as error:
                self.add_error("username", error)
                return None
        return username


class SignupForm(LookalikeUsernameMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = EMAIL_LABEL
        self.fields["email"].help_text = EMAIL_HELP

    def clean_email(self):
        email = get_user_model().objects.normalize_email(self.cleaned_data.get("email", ""))
        if _email_taken(email):
            raise forms.ValidationError(_("Já existe uma conta com este e-mail."))
        return email


class AdminCreationForm(LookalikeUsernameMixin, AdminUserCreationForm):
    pass


class AdminChangeForm(LookalikeUsernameMixin, UserChangeForm):
    pass


class EmailForm(forms.ModelForm):
    """The account page: the address password resets go to; the current password confirms
    it (a borrowed session cannot redirect the account's resets elsewhere)."""

    password = forms.CharField(
        label=_("Senha atual"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    class Meta:
        model = get_user_model()
        fields = ("email",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = EMAIL_LABEL
        self.fields["email"].help_text = EMAIL_HELP

    def clean_email(self):
        email = get_user_model().objects.normalize_email(self.cleaned_data.get("email", ""))
        if _email_taken(email, exclude_pk=self.instance.pk):
            raise forms.ValidationError(_("Já existe uma conta com este e-mail."))
        return email

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.instance.check_password(password):
            raise forms.ValidationError(_("Senha incorreta."))
        return password


class ResetRequestForm(PasswordResetForm):
    """Django's reset form, with the sending moved off the request: finding the account,
    rendering and SMTP happen in the background, so the response (its content and the work
    done before it) is the same whether or not the address has an account."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = EMAIL_LABEL

    def save(self, *, request, domain_override=None, **options):
        options.pop("request", None)
        mail.send_later(
            self._send,
            language=translation.get_language(),
            domain=domain_override or request.get_host(),
            options=options,
        )

    def _send(self, *, language: str, domain: str, options: dict) -> None:
        with translation.override(language):
            super().save(domain_override=domain, request=None, **options)


class ExamDateForm(forms.Form):
    """The day the learner sits the exam (empty: no date). Not in the past, ≤ 3 years ahead."""

    exam_date = forms.DateField(
        label=_("Data do exame"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Informe uma data válida (AAAA-MM-DD).")},
        help_text=_(
            "O painel de progresso planeja o ritmo de estudo e prevê a nota para este dia."
        ),
    )

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_exam_date(self):
        value = self.cleaned_data.get("exam_date")
        if value is None or self.today is None:
            return value
        if value < self.today:
            raise forms.ValidationError(_("A data do exame não pode estar no passado."))
        if (value - self.today).days > 3 * 366:
            raise forms.ValidationError(_("Escolha uma data nos próximos três anos."))
        return value
