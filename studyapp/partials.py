"""Template partials whose output is a pure function of the language and a few hashable
values (fixed texts of a page, a count such as "3 revisões", a rating button), rendered once
per process instead of on every request.

    partials.kept("quizzes/_fixed.html#heading", n=3, total=65)

The catalogs and templates never change while a process runs (a release restarts it), so no
worker can serve another's stale copy. With ``DEBUG`` on each call renders afresh (templates
edited in development show at once).
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.template.base import Node, NodeList
from django.template.defaulttags import IfNode, URLNode
from django.template.loader import get_template
from django.template.loader_tags import IncludeNode
from django.templatetags.i18n import TranslateNode
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language


def render_now(name: str, context: dict) -> SafeString:
    """The template (or ``template#partial``) ``name`` rendered with ``context`` alone, in the
    active language."""
    return get_template(name).render(context)


# The study session's counts and rating buttons, the attempt pages' fixed texts and their
# "Questão n de m": a few thousand (partial, language, values) in use.
@lru_cache(maxsize=8192)
def _kept(name: str, language: str | None, values: tuple) -> SafeString:
    with translation.override(language):
        return render_now(name, dict(values))


def kept(name: str, *, language: str | None = None, **values) -> SafeString:
    """``name`` rendered with ``values`` (hashable) as its only context in ``language`` (the
    active one when not given), kept per process, language and values."""
    if language is None:
        language = translation.get_language()
    if settings.DEBUG:
        with translation.override(language):
            return render_now(name, values)
    return _kept(name, language, tuple(sorted(values.items())))


def filled(name: str, slot: str, text: str, *, language: str | None = None, **values):
    """``kept(name, **values, **{slot: text})`` for a partial with one value that varies far
    more than the others (a rating button's interval: one per card): the partial is kept per
    language and the other values with a stand-in where ``slot`` goes, and ``text`` (escaped,
    as ``{{ slot }}`` escapes it) is put in its place; each result is kept too. A partial
    where the stand-in does not show exactly once is rendered whole (:func:`kept`)."""
    if language is None:
        language = translation.get_language()
    if settings.DEBUG:
        with translation.override(language):
            return render_now(name, {**values, slot: text})
    return _filled(name, slot, text, language, tuple(sorted(values.items())))


# Stands for the slot's value in the kept partial (letters and digits: escaping keeps it).
_SLOT = "Slot9876543210Slot"


@lru_cache(maxsize=4096)  # the study session: four buttons per interval text in use
def _filled(name: str, slot: str, text: str, language: str | None, values: tuple):
    parts = _around_slot(name, slot, language, values)
    if parts is None:
        return _kept(name, language, tuple(sorted({**dict(values), slot: text}.items())))
    before, after = parts
    return mark_safe(before + conditional_escape(text) + after)  # noqa: S308 (escaped)


@lru_cache(maxsize=256)  # a few partials × their other values × languages
def _around_slot(name: str, slot: str, language: str | None, values: tuple):
    """The partial rendered with the stand-in in ``slot``, split around it (None unless the
    stand-in shows exactly once)."""
    html = _kept(name, language, tuple(sorted({**dict(values), slot: _SLOT}.items())))
    before, found, after = str(html).partition(_SLOT)
    if not found or _SLOT in after:
        return None
    return before, after


def url(name: str, *args) -> str:
    """``reverse(name, args=args)``, kept per process, URL map and script prefix (a pure
    function of them: the same in every worker; a reverse costs ~12 µs, a study page makes
    six or seven)."""
    return _url(name, args, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@lru_cache(maxsize=1024)  # a few names, and one per deck slug
def _url(name: str, args: tuple, prefix: str, urlconf) -> str:
    return reverse(name, args=args, urlconf=urlconf)


# Any id would do: the URL of an object is its name's URL reversed for this id, with the
# object's id in its place (see url_with_id).
_ID_PLACEHOLDER = 9_876_543_210


def url_with_id(name: str, object_id: int) -> str:
    """``reverse(name, args=[object_id])`` for a URL whose only argument is an integer id
    (``<int:…>``): the URL around the id is kept per process, URL map and script prefix, the
    id put between (no entry per id)."""
    before, after = _url_parts(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    return f"{before}{int(object_id)}{after}"


@lru_cache(maxsize=256)  # bounded: the script prefix comes from the server's environment
def _url_parts(name: str, prefix: str, urlconf) -> tuple[str, str]:
    found = reverse(name, args=[_ID_PLACEHOLDER], urlconf=urlconf)
    before, _id, after = found.rpartition(str(_ID_PLACEHOLDER))
    return before, after


class KeptTranslation(Node):
    """A ``{% translate "literal" %}`` whose output is kept per language and autoescape:
    for a literal it is a pure function of them (gettext, then escaped as the template
    escapes), so it is rendered once per process (the dashboard body has ~60)."""

    child_nodelists = ()

    def __init__(self, node: TranslateNode):
        self.node, self.token, self.origin = node, node.token, node.origin
        self.outputs: dict = {}

    def render(self, context):
        key = (get_language(), context.autoescape)
        output = self.outputs.get(key)
        if output is None:
            output = self.outputs[key] = self.node.render(context)
        return output


class KeptURL(Node):
    """A ``{% url %}`` (not ``as var``) whose output is kept per process for its resolved
    name and arguments, the URL map (``get_urlconf``, the script prefix), the request's
    current app and autoescape: ``reverse`` is a pure function of them (the dashboard body
    has ~18, the home page three per deck; each ~50 µs to reverse)."""

    child_nodelists = ()
    LIMIT = 4096  # a few names × the decks' slugs; cleared when full

    def __init__(self, node: URLNode):
        self.node, self.token, self.origin = node, node.token, node.origin
        self.outputs: dict = {}

    def render(self, context):
        node = self.node
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        # Each value with its type: equal values may print apart (1, True, 1.0; a model
        # instance and its primary key), and reverse() prints them.
        key = (
            node.view_name.resolve(context),
            tuple((type(value), value) for value in (a.resolve(context) for a in node.args)),
            tuple(
                (name, type(value), value)
                for name, value in ((n, v.resolve(context)) for n, v in node.kwargs.items())
            ),
            current_app,
            get_script_prefix(),
            get_urlconf() or settings.ROOT_URLCONF,  # None outside a request: the setting's
            context.autoescape,
        )
        try:
            output = self.outputs.get(key)
        except TypeError:  # an argument that cannot be a key: reversed every time
            return node.render(context)
        if output is None:
            output = node.render(context)
            if len(self.outputs) >= self.LIMIT:
                self.outputs.clear()
            self.outputs[key] = output
        return output


def keep_nodes(nodelist: NodeList, _seen: set | None = None) -> None:
    """Replace the literal ``{% translate %}`` and the ``{% url %}`` nodes of ``nodelist``
    (at any depth) with their kept forms (:class:`KeptTranslation`, :class:`KeptURL`), and
    keep those of the templates it includes by a literal name (:func:`template`; the parent
    of an ``{% extends %}`` is left as it is)."""
    for index, node in enumerate(nodelist):
        if (
            type(node) is TranslateNode
            and node.asvar is None
            and node.message_context is None
            and not node.noop
            and node.filter_expression.var.literal is not None
            and not node.filter_expression.filters
        ):
            nodelist[index] = KeptTranslation(node)
        elif type(node) is URLNode and node.asvar is None:
            nodelist[index] = KeptURL(node)
        elif (
            type(node) is IncludeNode
            and isinstance(node.template.var, str)
            and not node.template.filters
        ):
            _template(node.template.var, _seen)  # an included template by name: loaded apart
        elif isinstance(node, IfNode):
            for _condition, branch in node.conditions_nodelists:
                keep_nodes(branch, _seen)
        else:
            for name in node.child_nodelists:
                child = getattr(node, name, None)
                if isinstance(child, NodeList):
                    keep_nodes(child, _seen)


def template(name: str):
    """``get_template(name)`` with its literal translations and URLs kept
    (:func:`keep_nodes`), changed once per compiled template: the cached loader's, once per
    process (with ``DEBUG`` each load compiles afresh, so nothing is kept across requests)."""
    return _template(name, None)


def _template(name: str, seen: set | None):
    loaded = get_template(name)
    compiled = loaded.template
    seen = set() if seen is None else seen
    if not getattr(compiled, "nodes_kept", False) and name not in seen:
        seen.add(name)  # a template that includes itself is walked once
        keep_nodes(compiled.nodelist, seen)
        compiled.nodes_kept = True
    return loaded
