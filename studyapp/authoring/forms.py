"""Forms of the authoring area: the editor, uploads (≤ 1 MiB, .md/.txt/.gift) and GIFT.

The 1 MiB limit is the parser's (``size_error``): a form refuses exactly what import_content
would refuse later, with the same words. What a request to each view may carry in all (the
body caps, checked before anything reads the body) is derived here from the same limit.
"""

from pathlib import PurePath

from django import forms
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from studyapp.content.parser import MAX_FILE_BYTES, parse_domains, size_error, slugify

from .selectors import slug_taken

ALLOWED_SUFFIXES = {".md", ".txt", ".gift"}
MAX_UPLOAD_FILES = 10  # content/ has 5 decks a language: a whole language in one upload
# Request body caps (studyapp.middleware.body_limit). The editor posts its text form-encoded
# (%XX: 3 bytes for one outside ASCII letters and digits) with CRLF line ends: 4 MiB.
EDITOR_BODY_BYTES = 4 * MAX_FILE_BYTES
# Uploads are multipart (files as they are): the files, plus 1 MiB for CRLF line ends, part
# headers and the other fields.
UPLOAD_BODY_BYTES = (MAX_UPLOAD_FILES + 1) * MAX_FILE_BYTES
# GIFT: pasted text (≤ 1 MiB, CRLF) and/or one file (≤ 1 MiB), multipart.
GIFT_BODY_BYTES = 3 * MAX_FILE_BYTES


def _check_size(text: str, shown: str) -> None:
    if error := size_error(text, shown):
        raise forms.ValidationError(str(error))


class EditorForm(forms.Form):
    text = forms.CharField(
        label=_("Markdown do deck"),
        widget=forms.Textarea(attrs={"rows": 28, "spellcheck": "false", "class": "editor-text"}),
        strip=False,
    )
    message = forms.CharField(
        label=_("Descrição da mudança (opcional)"), max_length=300, required=False
    )
    base_sha = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def clean_text(self):
        text = self.cleaned_data["text"]
        if error := size_error(text, ""):
            raise forms.ValidationError(error.message)
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
    """.md/.txt/.gift within the parser's 1 MiB: anything else is a form error, never a 500.

    The size is the parser's measure of the text as it will be stored (a newline appended,
    CRLF made LF), so an exactly-1 MiB file without a final newline is refused here, with
    the words import_content would use, instead of being stored and refused later.
    """
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise forms.ValidationError(
            _("%(name)s: só arquivos .md, .txt ou .gift."), params={"name": upload.name}
        )
    data = upload.read()  # bounded by the view's body cap
    upload.seek(0)
    # Bytes that are not UTF-8 count as themselves; the import reports them with their line.
    _check_size(data.decode("utf-8", "surrogateescape"), upload.name)


class UploadForm(forms.Form):
    files = MultipleFileField(label=_("Arquivos (.md, .txt ou .gift, até 1 MiB cada)"))
    message = forms.CharField(label=_("Descrição (opcional)"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = gettext(
            "Até %(max)d arquivos .md/.txt por vez, importados juntos: todos ou nenhum."
        ) % {"max": MAX_UPLOAD_FILES}

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > MAX_UPLOAD_FILES:
            raise forms.ValidationError(
                ngettext_lazy(
                    "Envie no máximo %(max)d arquivo por vez (foram %(count)d).",
                    "Envie no máximo %(max)d arquivos por vez (foram %(count)d).",
                    "max",
                ),
                params={"max": MAX_UPLOAD_FILES, "count": len(files)},
            )
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
    )
    file = forms.FileField(label=_("ou um arquivo .gift/.txt (até 1 MiB)"), required=False)

    def clean_text(self):
        text = self.cleaned_data["text"]
        if error := size_error(text, ""):
            raise forms.ValidationError(error.message)
        return text

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


class GiftDeckForm(forms.Form):
    """Second step of a GIFT import: the deck's title, slug, topics and domains, with defaults
    proposed from the file (never the ``$CATEGORY`` name taken blindly). The GIFT text rides
    along in a hidden field; nothing is saved here either (the editor comes next)."""

    text = forms.CharField(widget=forms.HiddenInput, strip=False)
    title = forms.CharField(label=_("Título do deck"), max_length=200)
    slug = forms.CharField(
        label=_("Slug (endereço do deck)"),
        max_length=80,
        help_text=_("Minúsculas, dígitos e hífens; não pode ser o de um deck existente."),
    )
    topics = forms.CharField(
        label=_("Tópicos"),
        max_length=300,
        required=False,
        help_text=_("Separados por vírgula (ex.: KMS, IAM). Vazio: o slug do deck."),
    )
    domains = forms.CharField(
        label=_("Domínios do exame"),
        max_length=40,
        required=False,
        help_text=_(
            "1 Desenvolvimento, 2 Segurança, 3 Implantação, 4 Solução de problemas; "
            "separados por vírgula. Vazio: as perguntas não contam para as cotas por domínio "
            "dos simulados."
        ),
    )

    def clean_text(self):
        text = self.cleaned_data["text"]
        if error := size_error(text, ""):
            raise forms.ValidationError(error.message)
        return text

    def clean_title(self):
        return " ".join(self.cleaned_data["title"].split())

    def clean_slug(self):
        slug = self.cleaned_data["slug"].strip()
        if slug != slugify(slug):
            raise forms.ValidationError(
                gettext("Slug inválido: use minúsculas, dígitos e hífens (ex.: %(example)s).")
                % {"example": slugify(slug) or "kms-moodle"}
            )
        if slug_taken(slug):
            raise forms.ValidationError(
                gettext("Já existe um deck com o slug %(slug)s; escolha outro.") % {"slug": slug}
            )
        return slug

    def clean_topics(self):
        parts = [" ".join(part.split()) for part in self.cleaned_data["topics"].split(",")]
        return ", ".join(part for part in parts if part)

    def clean_domains(self):
        domains, bad = parse_domains(self.cleaned_data["domains"])
        if bad:
            raise forms.ValidationError(
                gettext(
                    "Domínio inválido: %(domain)s (use números de 1 a 4, separados por vírgula)."
                )
                % {"domain": ", ".join(bad)}
            )
        if any(domain > 4 for domain in domains):
            raise forms.ValidationError(_("A DVA-C02 tem os domínios 1 a 4."))
        return ", ".join(str(domain) for domain in domains)
