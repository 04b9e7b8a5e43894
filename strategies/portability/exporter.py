"""A whole project as one JSON-ready document (see schema.py for the format)."""

import json

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from competencies.models import GuidingQuestion

from ..models import Membership, StrategyProject
from .schema import (
    CATALOGUE,
    FORMAT,
    HISTORY_SECTIONS,
    MANAGEMENT_SECTIONS,
    PROJECT,
    QUESTION,
    REVIEW_FINDINGS,
    REVIEWS,
    SCENARIO_CHANGE_REFS,
    SCENARIOS,
    SECTIONS,
    SNAPSHOT_SPECS,
    TRACKING_EXTRA,
    TRACKINGS,
    USER,
    VERSION,
    VERSION_COMMENTS,
    VERSION_DECISIONS,
    VERSION_OPTIONS,
    VERSION_TRANSITIONS,
    VERSIONS,
    Section,
    walk,
)


def value_of(field, value):
    """A field's value as JSON: decimals as text, dates and datetimes in ISO 8601."""
    if value is None:
        return None
    if isinstance(field, models.DecimalField):
        return str(value)
    if isinstance(field, models.DateField):  # DateTimeField included
        return value.isoformat()
    return value


class _Refs:
    """Ids of this installation -> what the document names them by."""

    def __init__(self):
        self.local: dict[str, dict[int, int]] = {}
        self.gone: dict[str, dict[int, int]] = {}
        self.catalogue: dict[str, dict[int, str]] = {}
        self.users: dict[int, str | None] = {}
        self.questions: dict[int, dict] | None = None

    def number(self, kind: str, pks) -> None:
        self.local[kind] = {pk: n for n, pk in enumerate(pks, start=1)}

    def __call__(self, kind: str, pk):
        if pk is None:
            return None
        if kind in CATALOGUE:
            if kind not in self.catalogue:
                self.catalogue[kind] = dict(CATALOGUE[kind].objects.values_list("pk", "key"))
            return self.catalogue[kind].get(pk)
        if kind == QUESTION:
            if self.questions is None:
                self.questions = {
                    q.pk: {"area": q.area.key, "order": q.order, "text_de": q.text_de, "text_en": q.text_en}
                    for q in GuidingQuestion.objects.select_related("area")
                }
            return self.questions.get(pk)
        if kind == USER:
            if pk not in self.users:
                self.users[pk] = get_user_model().objects.filter(pk=pk).values_list("username", flat=True).first()
            return self.users[pk]
        found = self.local.get(kind, {}).get(pk)
        if found is not None:
            return found
        # A row that no longer exists (named by a snapshot or by history): a negative number,
        # the same one wherever it is named.
        gone = self.gone.setdefault(kind, {})
        return gone.setdefault(pk, -(len(gone) + 1))


def _row(section: Section, obj, refs: _Refs, *, local_id: bool = True) -> dict:
    row = {}
    if section.local_id and local_id:
        row["id"] = refs(section.key, obj.pk)
    for f in section.relation_fields():
        if f.name == section.parent or section.refs.get(f.name) == "client":
            continue
        row[f.name] = refs(section.refs[f.name], getattr(obj, f.attname))
    for f in section.plain_fields():
        value = getattr(obj, f.attname)
        row[f.name] = refs(section.keys[f.name], value) if f.name in section.keys else value_of(f, value)
    if section is SCENARIOS:
        row["changes"] = _changes(row["changes"], refs)  # the scenario's and its history's alike
    return row


def _snapshot(snapshot, refs: _Refs):
    """The snapshot with this installation's ids replaced by the document's references."""
    spec = SNAPSHOT_SPECS.get(snapshot.get("schema")) if isinstance(snapshot, dict) else None
    if spec is None:
        return snapshot  # an older stand-in: nothing reads its ids (see snapshots.version_content)
    return walk(snapshot, spec, "snapshot", lambda spec, value, path: refs(spec.kind, value))


def _history(project: StrategyProject, refs: _Refs) -> list[dict]:
    records = []
    for name, section in HISTORY_SECTIONS.items():
        lookup = {"id": project.pk} if section is PROJECT else {f"{section.path}_id": project.pk}
        for record in section.model.history.filter(**lookup).order_by("history_date", "history_id"):
            records.append(
                {
                    "model": name,
                    "object": None if section is PROJECT else refs(section.key, record.id),
                    "type": record.history_type,
                    "date": record.history_date.isoformat(),
                    "user": refs(USER, record.history_user_id),
                    "change_reason": record.history_change_reason,
                    "fields": _row(section, record, refs, local_id=False),
                }
            )
    return records


def project_export(*, project: StrategyProject) -> dict:
    """Everything of the project that is not derived: working material, versions, history, members.

    Reports are left out: they are renderings of a version, requested again where needed.
    """
    refs = _Refs()
    project_row = _row(PROJECT, project, refs)
    project_row["client"] = {
        "name": project.client.name,
        "industry": project.client.industry,
        "description": project.client.description,
    }
    document = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "project": project_row,
        "members": [
            {"user": m.user.get_username(), "role": m.role}
            for m in Membership.objects.filter(project=project).select_related("user").order_by("user__username")
        ],
    }
    for section in SECTIONS:
        rows = list(section.model.objects.filter(**{section.path: project}).order_by(*section.order_by))
        refs.number(section.key, [row.pk for row in rows])
        document[section.key] = [_row(section, row, refs) for row in rows]

    versions = list(
        VERSIONS.model.objects.filter(project=project)
        .prefetch_related("version_options", "decisions", "transitions")
        .order_by("number")
    )
    refs.number(VERSIONS.key, [v.pk for v in versions])
    document["versions"] = []
    for version in versions:
        row = _row(VERSIONS, version, refs)
        row["snapshot"] = _snapshot(version.snapshot, refs)
        row["options"] = [
            _row(VERSION_OPTIONS, choice, refs) for choice in sorted(version.version_options.all(), key=_pk)
        ]
        row["decisions"] = [_row(VERSION_DECISIONS, d, refs) for d in sorted(version.decisions.all(), key=_pk)]
        row["transitions"] = [_row(VERSION_TRANSITIONS, t, refs) for t in sorted(version.transitions.all(), key=_pk)]
        document["versions"].append(row)
    comments = list(VERSION_COMMENTS.model.objects.filter(version__project=project).order_by("id"))
    refs.number(VERSION_COMMENTS.key, [comment.pk for comment in comments])
    document[VERSION_COMMENTS.key] = [_row(VERSION_COMMENTS, comment, refs) for comment in comments]
    document.update(_management(project, refs))
    document[SCENARIOS.key] = _scenarios(project, refs)
    document["history"] = _history(project, refs)
    return document


def _management(project: StrategyProject, refs: _Refs) -> dict:
    """Strategy management after approval, in the order rows were recorded (see schema.py)."""
    sections = {}
    for section in MANAGEMENT_SECTIONS:
        rows = section.model.objects.filter(**{section.path: project}).order_by(*section.order_by)
        if section is TRACKINGS:
            rows = rows.select_related("owner")
        elif section is REVIEWS:
            rows = rows.prefetch_related("findings")
        rows = list(rows)
        if section.local_id:
            refs.number(section.key, [row.pk for row in rows])
        sections[section.key] = [_row(section, row, refs) for row in rows]
        for obj, row in zip(rows, sections[section.key], strict=True):
            if section is TRACKINGS:
                row[TRACKING_EXTRA] = (obj.owner.get_full_name() or obj.owner.get_username()) if obj.owner else ""
            elif section is REVIEWS:
                row["findings"] = [_row(REVIEW_FINDINGS, f, refs) for f in sorted(obj.findings.all(), key=_pk)]
    return sections


def _scenarios(project: StrategyProject, refs: _Refs) -> list[dict]:
    """Kept what-if scenarios, each change naming its rows by the document's ids (see schema.py)."""
    scenarios = list(SCENARIOS.model.objects.filter(project=project).order_by(*SCENARIOS.order_by))
    refs.number(SCENARIOS.key, [scenario.pk for scenario in scenarios])
    return [_row(SCENARIOS, scenario, refs) for scenario in scenarios]


def _changes(changes, refs: _Refs):
    return [_change(change, refs) for change in changes] if isinstance(changes, list) else changes


def _change(change, refs: _Refs):
    """A stored change with its row ids as references. Anything that is no well-formed change (the
    services store none) is written as it is, for the import to refuse with the place."""
    kind = change.get("kind") if isinstance(change, dict) else None
    fields = SCENARIO_CHANGE_REFS.get(kind) if isinstance(kind, str) else None
    if fields is None:
        return change
    mapped = dict(change)
    for name, kind in fields.items():
        value = change.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            mapped[name] = refs(kind, value)
    return mapped


def _pk(obj) -> int:
    return obj.pk


def document_json(document: dict) -> str:
    """The document as the text of an export file: UTF-8 JSON, readable and stable (keys in model order)."""
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"
