"""The class view's question table: which rows to show and in what order (pure functions).

The rows are ``quizzes.selectors.question_stats`` dicts (at most 200). Filtering and sorting
happen here, on the server, so the table works without JavaScript: the column headings are
links (``?sort=accuracy&order=asc``) and "Só suspeitas" is ``?show=suspect``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# sort key → (the row field, the default order when that column is first chosen)
SORTS = {
    "question": ("prompt", "asc"),
    "answered": ("answered", "desc"),
    "accuracy": ("accuracy", "asc"),
    "strong": ("strong_accuracy", "asc"),
    "wrong": ("top_wrong_count", "desc"),
    "status": ("suspect", "desc"),
}
LABELS = {
    "question": _("Questão"),
    "answered": _("Respostas"),
    "accuracy": _("Acerto"),
    "strong": _("Acerto dos fortes"),
    "wrong": _("Opção errada mais escolhida"),
    "status": _("Situação"),
}
DEFAULT_SORT = "answered"
SHOWS = ("all", "suspect")


@dataclass(frozen=True)
class TableState:
    show: str
    sort: str
    order: str

    def query(self, **changes) -> str:
        """The query string of this state with ``changes`` applied (for links)."""
        values = {"show": self.show, "sort": self.sort, "order": self.order, **changes}
        return "&".join(f"{key}={value}" for key, value in values.items())

    def heading(self, key: str) -> dict:
        """A sortable column heading: its label, link and aria-sort value."""
        if key == self.sort:
            flipped = "asc" if self.order == "desc" else "desc"
            aria = "ascending" if self.order == "asc" else "descending"
            query = self.query(sort=key, order=flipped)
        else:
            aria, query = "none", self.query(sort=key, order=SORTS[key][1])
        return {"key": key, "label": LABELS[key], "query": query, "aria_sort": aria}

    def headings(self) -> list[dict]:
        return [self.heading(key) for key in SORTS]


def table_state(params) -> TableState:
    """Read ``show``/``sort``/``order`` from a QueryDict; anything unknown is the default
    (a stale or hand-edited link shows the table, it is not an error)."""
    show = params.get("show") if params.get("show") in SHOWS else "all"
    sort = params.get("sort") if params.get("sort") in SORTS else DEFAULT_SORT
    order = params.get("order") if params.get("order") in ("asc", "desc") else SORTS[sort][1]
    return TableState(show=show, sort=sort, order=order)


def question_rows(rows: list[dict], state: TableState) -> list[dict]:
    """The rows to show, filtered and sorted. Empty values (no strong answers yet) go last in
    either order; ties keep the selector's order (most answered first)."""
    if state.show == "suspect":
        rows = [row for row in rows if row["suspect"]]
    field = SORTS[state.sort][0]
    present = [row for row in rows if row[field] is not None]
    missing = [row for row in rows if row[field] is None]

    def key(row):
        value = row[field]
        return value.casefold() if isinstance(value, str) else value

    present.sort(key=key, reverse=state.order == "desc")
    return present + missing
