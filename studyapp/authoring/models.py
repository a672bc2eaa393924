"""Revisions: every browser save of a deck's Markdown, so any version can be diffed and
restored. The deck itself lives in the content app; a revision names it by slug and
language (it outlives renames and retirements)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RevisionQuerySet(models.QuerySet):
    def for_deck(self, slug: str, language: str):
        return self.filter(deck_slug=slug, language__iexact=language)


class Revision(models.Model):
    deck_slug = models.SlugField(_("deck"), max_length=100)
    language = models.CharField(_("idioma"), max_length=10)
    path = models.CharField(_("caminho"), max_length=500)
    text = models.TextField(_("Markdown"))
    sha256 = models.CharField(max_length=64)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deck_revisions",
        verbose_name=_("autor"),
    )
    created_at = models.DateTimeField(_("criada em"))
    message = models.CharField(_("mensagem"), max_length=300, blank=True)

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["deck_slug", "language", "-created_at"], name="revision_deck"),
        ]
        verbose_name = pgettext_lazy("deck history", "revisão")
        verbose_name_plural = pgettext_lazy("deck history", "revisões")

    def __str__(self) -> str:
        return f"{self.deck_slug} ({self.language}) {self.created_at:%Y-%m-%d %H:%M}"
