"""Row kinds: the editable lists of the wizard's steps.

Every list a step edits inline (topics in a canvas block, options of a topic,
competitors, milestones, …) is one RowKind. The generic row views in
`views/rows.py` and the services in `services/rows.py` do add, edit, reorder
and delete for all of them, so each step only declares its form, its display
template and which rows belong to a project.

DOM ids the templates and views share:
  row             "<kind>-<ident>"
  list of a group "<kind>-rows-<group>"
  add slot        "<kind>-add-<group>"
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from ..models import StrategyProject


def _by_pk(kind: "RowKind", project: StrategyProject, ident: str) -> Model:
    if not (ident.isascii() and ident.isdigit()):
        raise Http404
    return get_object_or_404(kind.queryset(project), pk=int(ident))


@dataclass(frozen=True)
class RowKind:
    name: str
    step: str
    form_class: type
    template: str
    # The project's rows of this kind, with what the display template reads.
    queryset: Callable[[StrategyProject], QuerySet]
    # A new, unsaved row for the add form; the project is set here, never posted.
    new: Callable[[StrategyProject], Model] | None = None
    # Which list on the page the row sits in; moving a row to another parent moves it there.
    group: Callable[[Model], object] = lambda row: "all"
    # On a step that opens one block at a time (Step.one_block_open): the block the row sits in.
    open_block: Callable[[Model], int] | None = None
    # On a step that opens one group at a time (Step.group_param): the group the row sits in.
    open_group: Callable[[Model], int] | None = None
    # Filter of the rows a row is reordered among; None: the kind has no order.
    siblings: Callable[[Model], dict] | None = None
    deletable: bool = True
    ident: Callable[[Model], object] = lambda row: row.pk
    lookup: Callable[["RowKind", StrategyProject, str], Model] = _by_pk
    add_label: str = ""
    # Extra context for the display template (choices shown beside the row, …).
    labels: dict = field(default_factory=dict)

    @property
    def model(self) -> type[Model]:
        return self.form_class._meta.model

    @property
    def verbose_name(self) -> str:
        return self.model._meta.verbose_name

    @property
    def can_add(self) -> bool:
        return self.new is not None

    @property
    def orderable(self) -> bool:
        return self.siblings is not None

    def dom_id(self, row) -> str:
        return f"{self.name}-{self.ident(row)}"

    def rows_dom_id(self, group) -> str:
        return f"{self.name}-rows-{group}"

    def add_dom_id(self, group) -> str:
        return f"{self.name}-add-{group}"


ROW_KINDS: dict[str, RowKind] = {}


def register(*kinds: RowKind) -> None:
    for kind in kinds:
        if kind.name in ROW_KINDS:
            raise ValueError(f"Row kind {kind.name!r} is registered twice.")
        ROW_KINDS[kind.name] = kind
