"""Forms of the authoring area: the editor, uploads (≤ 1 MiB, .md/.txt/.gift) and GIFT."""

from pathlib import PurePath

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

ALLOWED_SUFFIXES = {".md", ".txt", ".gift"}
MAX_BYTES = getattr(settings, "CONTENT_MAX_FILE_BYTES", 1024 * 1024)


class EditorForm(forms.Form):
    text = forms.CharField(
        label=_("Markdown do deck"),
        widget=forms.Textarea(attrs={"rows": 28, "spellcheck": "false", "class": "editor-text"}),
        strip=False,
        max_length=MAX_BYTES,
    )
    message = forms.CharField(
        label=_("Descrição da mudança (opcional)"), max_length=300, required=False
    )
    base_sha = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def clean_text(self):
        text = self.cleaned_data["text"]
        if len(text.encode("utf-8")) > MAX_BYTES:
            raise forms.ValidationError(_("O texto passa de 1 MiB."))
        return text


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".md,.txt,.gift"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            if not data:
                single(None, initial)  # "this field is required"
                return []
            return [single(item, initial) for item in data]
        return [single(data, initial)]


def check_upload(upload) -> None:
    """≤ 1 MiB and .md/.txt/.gift: anything else is a form error, never a 500."""
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise forms.ValidationError(
            _("%(name)s: só arquivos .md, .txt ou .gift."), params={"name": upload.name}
        )
    if upload.size > MAX_BYTES:
        raise forms.ValidationError(
            _("%(name)s: %(size)s passa do limite de 1 MiB."),
            params={"name": upload.name, "size": filesizeformat(upload.size)},
        )


class UploadForm(forms.Form):
    files = MultipleFileField(
        label=_("Arquivos (.md, .txt ou .gift, até 1 MiB cada)"),
        help_text=_("Vários arquivos .md/.txt são importados juntos: todos ou nenhum."),
    )
    message = forms.CharField(label=_("Descrição (opcional)"), max_length=300, required=False)

    def clean_files(self):
        files = self.cleaned_data["files"]
        for upload in files:
            check_upload(upload)
        gifts = [f for f in files if PurePath(f.name).suffix.lower() == ".gift"]
        if gifts and len(files) > 1:
            raise forms.ValidationError(
                _("Envie um arquivo .gift sozinho: ele é convertido para revisão no editor.")
            )
        return files


class GiftForm(forms.Form):
    text = forms.CharField(
        label=_("Perguntas em GIFT"),
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}),
        required=False,
        strip=False,
        max_length=MAX_BYTES,
    )
    file = forms.FileField(label=_("ou um arquivo .gift/.txt (até 1 MiB)"), required=False)
    title = forms.CharField(label=_("Título do deck (opcional)"), max_length=200, required=False)

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            check_upload(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload and not self.errors:
            try:
                cleaned["text"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                self.add_error("file", _("O arquivo não está em UTF-8."))
        elif not cleaned.get("text", "").strip() and not self.errors:
            raise forms.ValidationError(_("Cole o texto GIFT ou escolha um arquivo."))
        return cleaned
