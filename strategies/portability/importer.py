"""A project document (see schema.py) turned into a new project of this installation.

Everything is checked before it is written, and everything is written in one transaction:
a file that fails anywhere (halfway through the history, or on a database constraint the
checks did not foresee) leaves no row behind.

Decisions (see also schema.py and the README, "Moving a project to another installation"):

- An import never makes a decision on anyone's behalf. A decided version (approved, rejected,
  superseded) comes in as history of the installation it was decided in: it is marked
  (`StrategyVersion.imported_from`), its decisions and transitions keep who acted as text only
  (`actor_name`, never a link to a local user, even one with that username), and an imported
  approval is never "the approved version" of this installation (`StrategyVersion.objects.approved()`).
  A submitted version stays open for a local manager's decision, which is then a local one.
- Every frozen version's snapshot must match its schema (2, 3 or 4) before anything is stored; a
  snapshot of another or no schema is refused, so no decided version ever reads live material.
  Numbers are bounded where they enter: JSON literals by length (read_document), snapshot
  decimals by the digits of the model fields they come from.
- The importing user becomes the project's consultant. Of the members listed in the file only
  those the importer confirms one by one (`members`, usernames) join, and only if that username
  names an active account here; an import never creates accounts or changes any account's flags
  or password. A manager from the file joins as viewer unless `grant_manager` (the command line,
  run by the operator): the client's management is appointed here, not by a file.
- Every other user reference (who created, submitted, changed) is resolved by username; an unknown
  username becomes null. Nothing is attributed to the importing user that they did not do.
- The client is found by name (case-insensitive) or created. If that client already has a
  project with the title, the import is titled "<title> (imported)", "(imported 2)", ...
  so importing the same file twice gives two independent projects.
- Rows are written as presented (save_base(raw=True), as loaddata does): timestamps stay the
  file's, simple-history records no "created by the importer" entry, and the file's own
  history is imported as the history of the new rows (a row deleted before the export keeps
  its history under a negative id, which never names a live row).
- Frozen versions are created through the guards, not around them: every version is
  inserted as a draft with its final content (snapshot, dates, people), its options are
  added while it is a draft, and then its status walks the allowed transitions
  (draft → submitted → approved → superseded, or → rejected) with updates that write
  nothing but the status. The ORM guards (StrategyVersion.save/QuerySet.update,
  VersionOption) and the PostgreSQL trigger of migration 0005 accept exactly these steps,
  so no guard is switched off for an import.
- Strategy management (format version 2) comes in as recorded: KPI check-ins with their
  corrections, trackings, reminders, milestone moves and reviews with their findings keep their
  dates, values, timestamps and the names of who recorded them (`*_name`); who recorded them is
  linked by username like every other reference above. They stay with the versions they were
  recorded under, which arrive as imported history: the imported project has no approved version
  in force until a local approval, and a KPI carried into it continues the same line (its key is
  mapped as the snapshots' KPI ids are). A tracking's member owner is linked only if that
  username is a member of the imported project (a linked owner records check-ins and receives
  reminders); otherwise the owner is kept by name (`owner_name`, from the file's `owner_label`).
  The tracking's history keeps the file's owner by username, as every history record does.
  A reminder whose recipient has no account here is left out. These append-only records are
  inserted, never saved over (`_insert_as_presented`).
"""

import json
import math
from collections.abc import Iterable
from dataclasses import fields as dataclass_fields
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, models, transaction
from django.utils.translation import gettext as _

from competencies.models import GuidingQuestion

from ..analysis.impact import CHANGE_KINDS, MAX_CHANGES, change_from_dict, change_to_dict
from ..content_changes import counted_once
from ..exceptions import DomainError
from ..models import (
    ALLOWED_TRANSITIONS,
    CheckInReminder,
    Client,
    Decision,
    KpiCheckIn,
    KpiTracking,
    Membership,
    MilestoneStatusChange,
    ReviewDecision,
    ReviewFinding,
    Role,
    StrategyProject,
    StrategyReview,
    StrategyVersion,
    VersionStatus,
)
from ..models.reviews import KPI_FINDINGS, MILESTONE_FINDINGS
from ..snapshots import snapshot_kpis, snapshot_milestones, version_content
from .schema import (
    CATALOGUE,
    CHECKINS,
    FORMAT,
    HISTORY_SECTIONS,
    HISTORY_TYPES,
    MANAGEMENT_SECTIONS,
    MILESTONE_CHANGES,
    PROJECT,
    QUESTION,
    READABLE_VERSIONS,
    REMINDERS,
    REVIEW_FINDINGS,
    REVIEWS,
    SCENARIO_CHANGE_REFS,
    SCENARIOS,
    SECTIONS,
    SECTIONS_ADDED_LATER,
    SNAPSHOT_SPECS,
    TOP_LEVEL_KEYS,
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
    ShapeError,
    is_a,
    type_name,
    walk,
)

# Far above a real project (the large benchmark project exports to a few MiB), far below
# what would strain a worker's memory.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# A document nests about eight levels deep (versions → snapshot → options → requirements).
MAX_DEPTH = 24
BATCH = 500  # history rows per INSERT
# The longest number literal a document needs (a 64-bit id has 19 digits); a longer one is refused
# before Python converts it (int() refuses more than 4,300 digits with a ValueError of its own).
MAX_NUMBER_LITERAL = 40
DECIDED = (VersionStatus.APPROVED, VersionStatus.REJECTED, VersionStatus.SUPERSEDED)
# The versions that were once in force: what check-ins, trackings and reviews may name.
APPROVED_ONCE = (VersionStatus.APPROVED, VersionStatus.SUPERSEDED)

# The statuses a version passes through, after draft, to reach its own.
STATUS_PATH = {
    VersionStatus.DRAFT: [],
    VersionStatus.SUBMITTED: [VersionStatus.SUBMITTED],
    VersionStatus.APPROVED: [VersionStatus.SUBMITTED, VersionStatus.APPROVED],
    VersionStatus.REJECTED: [VersionStatus.SUBMITTED, VersionStatus.REJECTED],
    VersionStatus.SUPERSEDED: [VersionStatus.SUBMITTED, VersionStatus.APPROVED, VersionStatus.SUPERSEDED],
}
DECISION_FOR = {
    VersionStatus.APPROVED: Decision.APPROVE,
    VersionStatus.SUPERSEDED: Decision.APPROVE,
    VersionStatus.REJECTED: Decision.REJECT,
}


class ProjectImportError(DomainError):
    """The file cannot be imported; the message says where and why. Nothing was written."""


def max_bytes() -> int:
    return getattr(settings, "PROJECT_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def _fail(path: str, problem: str):
    raise ProjectImportError(_("%(where)s: %(problem)s") % {"where": path, "problem": problem})


# --- reading the file ------------------------------------------------------------------------------


def _pairs_without_duplicates(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise ProjectImportError(_('The file names the key "%(key)s" twice in one object.') % {"key": key[:80]})
        seen[key] = value
    return seen


def _no_constant(name):
    raise ProjectImportError(_("The file contains %(value)s, which is not a JSON number.") % {"value": name})


def _too_long_number(literal: str):
    raise ProjectImportError(
        _("The file contains a number of %(n)s characters (%(start)s…); a project export has none longer than %(max)s.")
        % {"n": len(literal), "start": literal[:12], "max": MAX_NUMBER_LITERAL}
    )


def _int(literal: str) -> int:
    return _too_long_number(literal) if len(literal) > MAX_NUMBER_LITERAL else int(literal)


def _float(literal: str) -> float:
    # An export writes no fractions as JSON numbers (decimals are text); a bounded float is refused later by type.
    if len(literal) > MAX_NUMBER_LITERAL:
        _too_long_number(literal)
    number = float(literal)
    if not math.isfinite(number):  # 1e999: no JSON value, and PostgreSQL's jsonb would refuse it later
        _no_constant(literal)
    return number


def _depth(document) -> int:
    deepest, stack = 0, [(document, 1)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return deepest
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return deepest


def read_document(data: bytes) -> dict:
    """The file's bytes as a document, or ProjectImportError: too large, not UTF-8, not JSON, too deep."""
    limit = max_bytes()
    if len(data) > limit:
        raise ProjectImportError(
            _("The file is larger than %(mib)s MiB; this is not a project export.") % {"mib": limit // (1024 * 1024)}
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ProjectImportError(_("The file is not UTF-8 text; choose the JSON file of a project export.")) from None
    try:
        document = json.loads(
            text,
            object_pairs_hook=_pairs_without_duplicates,
            parse_constant=_no_constant,
            parse_int=_int,
            parse_float=_float,
        )
    except RecursionError:
        raise ProjectImportError(_("The file nests its data too deeply to be a project export.")) from None
    except json.JSONDecodeError as error:
        raise ProjectImportError(
            _("The file is not valid JSON (line %(line)s, column %(column)s: %(message)s).")
            % {"line": error.lineno, "column": error.colno, "message": error.msg}
        ) from None
    if _depth(document) > MAX_DEPTH:
        raise ProjectImportError(_("The file nests its data too deeply to be a project export."))
    return document


# --- values ------------------------------------------------------------------------------------------


def _expect(value, types, path: str):
    if not is_a(value, types):
        _fail(path, _("expected %(type)s.") % {"type": type_name(types)})
    return value


def _plain(field, value, path: str):
    """A JSON value as the model field's Python value, refusing the wrong type."""
    if value is None:
        if field.null:
            return None
        _fail(path, _("a value is required here, not null."))
    if isinstance(field, models.JSONField):
        return value
    if isinstance(field, models.BooleanField):
        return _expect(value, bool, path)
    if isinstance(field, models.IntegerField):
        return _expect(value, int, path)
    if isinstance(field, models.DecimalField):
        _expect(value, (str, int), path)
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            _fail(path, _("expected a decimal number."))
        return number
    if isinstance(field, models.DateTimeField):
        try:
            moment = datetime.fromisoformat(_expect(value, str, path))
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            _fail(path, _("expected a date and time with time zone (ISO 8601)."))
        return moment
    if isinstance(field, models.DateField):
        try:
            return date.fromisoformat(_expect(value, str, path))
        except ValueError:
            _fail(path, _("expected a date (YYYY-MM-DD)."))
    if isinstance(field, (models.CharField, models.TextField)):
        text = _expect(value, str, path)
        if "\x00" in text:
            _fail(path, _("the text contains a NUL character."))
        if field.max_length is not None and len(text) > field.max_length:
            # Text fields leave their length to the forms; an import is held to it as well.
            _fail(path, _("at most %(max)s characters.") % {"max": field.max_length})
        return text
    raise TypeError(f"No import rule for {field!r}")  # a new kind of field: teach the importer


def _check_keys(row, expected: set[str], path: str) -> dict:
    if not isinstance(row, dict):
        _fail(path, _("expected an object."))
    missing = sorted(expected - row.keys())
    if missing:
        _fail(f"{path}.{missing[0]}", _("this key is missing."))
    unknown = sorted(row.keys() - expected)
    if unknown:
        _fail(f"{path}.{unknown[0][:80]}", _("this key is not part of the format."))
    return row


def _list(document, key: str, path: str) -> list:
    value = document[key]
    if not isinstance(value, list):
        _fail(f"{path}{key}", _("expected a list."))
    return value


def _validate(obj, path: str, exclude=(), clean: bool = True) -> None:
    """The model's own field rules (choices, lengths, ranges) and clean(), as a form would check them."""
    try:
        obj.clean_fields(exclude=list(exclude))
        if clean:
            obj.clean()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            name, errors = next(iter(error.error_dict.items()))
            _fail(f"{path}.{name}" if name != "__all__" else path, " ".join(errors[0].messages))
        _fail(path, " ".join(error.messages))


class _Importer:
    def __init__(self, document: dict, user, members: frozenset[str], grant_manager: bool):
        self.document = document
        self.user = user
        self.members = members
        self.grant_manager = grant_manager
        self.objects: dict[str, dict[int, models.Model]] = {}
        self.catalogue: dict[str, dict[str, int]] = {}
        self.users: dict[str, int | None] = {}
        self.questions = None
        self.project: StrategyProject | None = None
        self.member_ids: set[int] = set()

    # --- references ------------------------------------------------------------------------
    def ref(self, kind: str, value, path: str, *, null: bool, gone: bool = False):
        """A reference in the document as (an object or a pk) of this installation."""
        if value is None:
            if null:
                return None
            _fail(path, _("a reference is required here, not null."))
        if kind in CATALOGUE:
            model = CATALOGUE[kind]
            if kind not in self.catalogue:
                self.catalogue[kind] = dict(model.objects.values_list("key", "pk"))
            pk = self.catalogue[kind].get(_expect(value, str, path))
            if pk is None:
                _fail(
                    path,
                    _('this installation has no %(what)s with the key "%(key)s".')
                    % {"what": model._meta.verbose_name, "key": value[:80]},
                )
            return pk
        if kind == QUESTION:
            return self.question(value, path)
        if kind == USER:
            username = _expect(value, str, path)
            if username not in self.users:
                self.users[username] = (
                    get_user_model().objects.filter(username=username).values_list("pk", flat=True).first()
                )
            return self.users[username]
        number = _expect(value, int, path)
        if -(2**31) <= number < 0 and gone:
            return number  # a row that no longer existed at the export: stays unmatched
        found = self.objects.get(kind, {}).get(number)
        if found is None:
            _fail(path, _("refers to %(kind)s %(id)s, which the file does not contain.") % {"kind": kind, "id": number})
        return found

    def question(self, value, path: str) -> int:
        _check_keys(value, {"area", "order", "text_de", "text_en"}, path)
        if self.questions is None:
            self.questions = list(GuidingQuestion.objects.select_related("area"))
        area, order = _expect(value["area"], str, f"{path}.area"), _expect(value["order"], int, f"{path}.order")
        texts = {_expect(value[key], (str, type(None)), f"{path}.{key}") for key in ("text_de", "text_en")}
        texts -= {None, ""}
        same_area = [q for q in self.questions if q.area.key == area]
        matches = [q for q in same_area if {q.text_de, q.text_en} & texts] or [q for q in same_area if q.order == order]
        if len(matches) != 1:
            _fail(
                path,
                _('this installation has no guiding question %(order)s of the area "%(area)s".')
                % {"order": order, "area": area[:80]},
            )
        return matches[0].pk

    # --- rows -----------------------------------------------------------------------------------
    def values(self, section: Section, row, path: str, *, extra=(), history: bool = False) -> dict:
        """A row's fields as keyword arguments for the model (relations resolved)."""
        relations = [f for f in section.relation_fields() if f.name != section.parent]
        relations = [f for f in relations if section.refs.get(f.name) != "client"]
        plain = section.plain_fields()
        expected = {f.name for f in relations} | {f.name for f in plain} | set(extra)
        if section.local_id and not history:
            expected.add("id")
        if isinstance(row, dict):
            # History too: a record written before the field existed says what the row had then.
            row = {**section.added_later, **row}
        _check_keys(row, expected, path)
        values = {}
        for f in plain:
            if f.name in section.keys:
                # A KPI's or milestone's key: this installation's row, or a deleted row's negative number.
                target = self.ref(section.keys[f.name], row[f.name], f"{path}.{f.name}", null=f.null, gone=True)
                values[f.attname] = target.pk if isinstance(target, models.Model) else target
                continue
            values[f.attname] = _plain(f, row[f.name], f"{path}.{f.name}")
        for f in relations:
            kind = section.refs[f.name]
            if f.related_model is section.model and not history:
                continue  # a row of its own section (a version's based_on): resolved by the caller
            target = self.ref(kind, row[f.name], f"{path}.{f.name}", null=f.null or history, gone=history)
            if isinstance(target, models.Model) and not history:
                values[f.name] = target  # the object itself: clean() reads its fields without a query
            else:
                values[f.attname] = target.pk if isinstance(target, models.Model) else target
        return values

    def local_id(self, section: Section, row, path: str) -> int:
        number = _expect(row["id"], int, f"{path}.id")
        if number <= 0 or number in self.objects.setdefault(section.key, {}):
            _fail(f"{path}.id", _("ids are positive and unique within their list."))
        return number

    def build(
        self, section: Section, rows: list, path: str, parent_value, *, prepare=None, keep=None, **kwargs
    ) -> list:
        """The rows as unsaved objects, checked. `prepare(values, row, path)` adjusts a row's values before
        its object is made; rows for which `keep(obj)` is false are checked and then left out."""
        objs, numbers = [], []
        for n, row in enumerate(rows):
            row_path = f"{path}[{n}]"
            values = self.values(section, row, row_path, **kwargs)
            if section.parent:
                values[section.parent] = parent_value(row) if callable(parent_value) else parent_value
            if prepare is not None:
                prepare(values, row, row_path)
            obj = section.model(**values)
            _validate(obj, row_path, exclude=[f.name for f in section.relation_fields()])
            if section.local_id:
                number = self.local_id(section, row, row_path)
                self.objects[section.key][number] = obj
            if keep is None or keep(obj):
                objs.append(obj)
                numbers.append(n)
        _refuse_duplicates(section.model, objs, path, numbers)
        return objs

    def create(self, model, objs: list) -> None:
        """Insert the rows as they are in the file, their timestamps included.

        save_base(raw=True) is Django's path for loading data as presented (loaddata uses it):
        auto_now/auto_now_add leave the file's times alone and simple-history records nothing
        (the file's own history follows). It skips the models' save() overrides; the only one
        that matters, StrategyVersion/VersionOption's guard, has nothing to refuse for a new
        draft row, and the versions reach their status through the guarded QuerySet.update().
        """
        for obj in objs:
            obj.save_base(raw=True, force_insert=True)

    # --- the document ---------------------------------------------------------------------------
    def run(self) -> StrategyProject:
        document = self.document
        if document["version"] < VERSION:
            # Written before strategy management travelled (format version 1): none of it to import.
            document = self.document = {**{s.key: [] for s in MANAGEMENT_SECTIONS}, **document}
        # A file written before a section was added (version comments, the content plan, SWOT notes)
        # has none of its rows.
        document = self.document = {**{key: [] for key in SECTIONS_ADDED_LATER}, **document}
        _check_keys(document, TOP_LEVEL_KEYS, "document")
        _expect(document["exported_at"], str, "exported_at")
        self.project = self.import_project(document["project"])
        self.import_members(_list(document, "members", ""))
        for section in SECTIONS:
            objs = self.build(section, _list(document, section.key, ""), section.key, self.project)
            self.create(section.model, objs)
        self.import_versions(_list(document, "versions", ""))
        comments = self.build(VERSION_COMMENTS, _list(document, VERSION_COMMENTS.key, ""), VERSION_COMMENTS.key, None)
        self.create(VERSION_COMMENTS.model, comments)
        self.import_management()
        self.import_scenarios(_list(document, SCENARIOS.key, ""))
        self.import_history(_list(document, "history", ""))
        return self.project

    def import_project(self, row) -> StrategyProject:
        values = self.values(PROJECT, row, "project", extra={"client"})
        client_row = _check_keys(row["client"], {"name", "industry", "description"}, "project.client")
        name = _expect(client_row["name"], str, "project.client.name").strip()
        # Only a client of the importer's own projects is reused; any other name is a new client.
        client = (
            Client.objects.of_member(self.user).filter(name__iexact=name).order_by("pk").first() if self.user else None
        )
        if client is None:
            client = Client(
                name=name,
                industry=_expect(client_row["industry"], str, "project.client.industry").strip(),
                description=_expect(client_row["description"], str, "project.client.description"),
            )
            _validate(client, "project.client")
            client.save()
        project = StrategyProject(client=client, **values)
        _validate(project, "project", exclude=["client", "created_by"])
        if project.response_time_hours is not None and project.response_time_hours > 720:
            _fail("project.response_time_hours", _("at most 720 hours (30 days)."))
        project.title = _free_title(client, project.title)
        self.create(StrategyProject, [project])
        return project

    def import_members(self, rows: list) -> None:
        wanted = []
        for n, row in enumerate(rows):
            path = f"members[{n}]"
            _check_keys(row, {"user", "role"}, path)
            username = _expect(row["user"], str, f"{path}.user")
            role = _expect(row["role"], str, f"{path}.role")
            if role not in Role.values:
                _fail(f"{path}.role", _("not a role of this installation."))
            wanted.append((username, role))
        members = []
        if self.user is not None:
            members.append(Membership(project=self.project, user=self.user, role=Role.CONSULTANT))
        confirmed = [(username, role) for username, role in wanted if username in self.members]
        if confirmed:
            users = get_user_model().objects.filter(is_active=True, username__in=[u for u, _role in confirmed])
            by_name = {u.get_username(): u for u in users}
            for username, role in confirmed:
                found = by_name.get(username)
                if found is not None and found != self.user:
                    members.append(Membership(project=self.project, user=found, role=self.role_for(role)))
        _refuse_duplicates(Membership, members, "members")
        if not any(m.role == Role.CONSULTANT for m in members):
            raise ProjectImportError(_("Nobody would be a consultant of the imported project; name one."))
        Membership.objects.bulk_create(members)
        self.member_ids = {m.user_id for m in members}

    def role_for(self, role: str) -> str:
        """A file's manager joins as viewer unless the operator grants it: see the module docstring."""
        return Role.VIEWER if role == Role.MANAGER and not self.grant_manager else role

    def source(self) -> str:
        """Where an imported decision record comes from, as the version's imported_from says it."""
        project = self.document["project"]
        client = project.get("client") if isinstance(project, dict) else None
        names = [client.get("name") if isinstance(client, dict) else None, project.get("title")]
        label = " – ".join(name for name in names if isinstance(name, str) and name.strip())
        return f"{label[:200]} (export {str(self.document['exported_at'])[:25]})".strip()

    def import_versions(self, rows: list) -> None:
        versions, plans = [], []
        self.objects["versions"] = {}
        for n, row in enumerate(rows):
            path = f"versions[{n}]"
            values = self.values(VERSIONS, row, path, extra={"options", "decisions", "transitions"})
            version = StrategyVersion(project=self.project, **values)
            _validate(version, path, exclude=["project", "based_on", "created_by", "submitted_by", "snapshot"])
            # A record decided elsewhere stays marked as such (the first installation's mark is kept
            # when it travels on); anything not yet decided is no imported decision.
            version.imported_from = (version.imported_from or self.source()) if version.status in DECIDED else ""
            self.objects["versions"][self.local_id(VERSIONS, row, path)] = version
            version.snapshot = self.snapshot(version, row["snapshot"], f"{path}.snapshot")
            plans.append((version, version.status, row, path))
            version.status = VersionStatus.DRAFT  # see the module docstring: it walks to its status below
            versions.append(version)
        _refuse_duplicates(StrategyVersion, versions, "versions")
        names = [v.name.casefold() for v in versions]
        if len(set(names)) != len(names):
            _fail("versions", _("two versions have the same name."))
        if sum(status == VersionStatus.APPROVED for _v, status, _r, _p in plans) > 1:
            _fail("versions", _("more than one version claims to be the approved one."))
        bases = {}
        for version, _status, row, path in plans:
            based_on = self.ref("versions", row["based_on"], f"{path}.based_on", null=True)
            if based_on is not None and based_on.number >= version.number:
                _fail(f"{path}.based_on", _("a version builds on an earlier version."))
            bases[version.number] = based_on
        # In number order, so the version each builds on is there first.
        for version in sorted(versions, key=lambda v: v.number):
            version.based_on = bases[version.number]
            self.create(StrategyVersion, [version])

        choices, decisions, transitions = [], [], []
        for version, status, row, path in plans:
            for key, section, bucket in (
                ("options", VERSION_OPTIONS, choices),
                ("decisions", VERSION_DECISIONS, decisions),
                ("transitions", VERSION_TRANSITIONS, transitions),
            ):
                rows_of = row[key]
                if not isinstance(rows_of, list):
                    _fail(f"{path}.{key}", _("expected a list."))
                bucket.extend(self.build(section, rows_of, f"{path}.{key}", version))
            _check_record(status, [d for d in decisions if d.version is version], path)
            _check_transitions(status, [t for t in transitions if t.version is version], path)
        for record in (*decisions, *transitions):
            # Who decided or moved the version elsewhere stays as text; a link to the local account
            # of the same username would be a decision that account never made here.
            record.actor_id = None
        for model, objs in ((VERSION_OPTIONS.model, choices), (VERSION_DECISIONS.model, decisions)):
            self.create(model, objs)
        self.create(VERSION_TRANSITIONS.model, transitions)

        # Superseded versions first: each passes "approved" on its way, and only one may be at a time.
        for version, status, _row, _path in sorted(
            plans, key=lambda p: (p[1] != VersionStatus.SUPERSEDED, p[0].number)
        ):
            for step in STATUS_PATH[status]:
                StrategyVersion.objects.filter(pk=version.pk).update(status=step)
            version.status = status

    def snapshot(self, version: StrategyVersion, value, path: str):
        if value is None:
            if version.status != VersionStatus.DRAFT:
                _fail(path, _("a submitted or decided version needs its snapshot."))
            return None
        if not isinstance(value, dict):
            _fail(path, _("expected an object."))
        schema = value.get("schema")
        spec = SNAPSHOT_SPECS.get(schema) if is_a(schema, int) else None
        if spec is None:
            # Without a readable snapshot a version would show today's material as if it had been
            # decided: refused, whatever the version's status (a draft's snapshot is not read either).
            _fail(
                f"{path}.schema",
                _("V%(number)s: the snapshot is not one this installation can read (readable schemas: %(schemas)s).")
                % {"number": version.number, "schemas": ", ".join(str(key) for key in SNAPSHOT_SPECS)},
            )

        def resolve(spec, item, where):
            target = self.ref(spec.kind, item, where, null=spec.null, gone=True)
            return target.pk if isinstance(target, models.Model) else target

        try:
            return walk(value, spec, path, resolve)
        except ShapeError as error:
            _fail(error.path, _("expected %(type)s.") % {"type": error.expected})

    # --- strategy management (format version 2) ---------------------------------------------------
    def import_management(self) -> None:
        """KPI trackings with their reminders, check-ins, milestone moves and reviews with their findings.

        Each names the versions and the KPIs and milestones (by key) it did in the file, checked here as
        their services check them: a key is one of the named version's snapshot, a correction follows
        the entry it corrects, a finding is about one KPI or one milestone. Rows go in as recorded.
        """
        trackings = self.build(
            TRACKINGS,
            _list(self.document, TRACKINGS.key, ""),
            TRACKINGS.key,
            self.project,
            extra={TRACKING_EXTRA},
            prepare=self.tracking_owner,
        )
        once_in_force = [v for v in self.objects["versions"].values() if v.status in APPROVED_ONCE]
        tracked = set().union(*(snapshot_kpis(version_content(v)) for v in once_in_force))
        for n, tracking in enumerate(trackings):
            if tracking.kpi_key not in tracked:
                _fail(f"{TRACKINGS.key}[{n}].kpi_key", _("no approved version has a KPI with this key."))
        _insert_as_presented(KpiTracking, trackings)

        # A reminder's recipient is an account here or the reminder is left out: it only records that
        # someone was reminded, and a reminder to nobody here suppresses nothing.
        reminders = self.build(
            REMINDERS,
            _list(self.document, REMINDERS.key, ""),
            REMINDERS.key,
            None,
            keep=lambda reminder: reminder.recipient_id is not None,
        )
        _insert_as_presented(CheckInReminder, reminders)

        self.import_checkins(_list(self.document, CHECKINS.key, ""))

        changes = self.build(
            MILESTONE_CHANGES, _list(self.document, MILESTONE_CHANGES.key, ""), MILESTONE_CHANGES.key, self.project
        )
        for n, change in enumerate(changes):
            if change.from_status == change.to_status:
                _fail(f"{MILESTONE_CHANGES.key}[{n}].to_status", _("a change moves the milestone to another status."))
        _insert_as_presented(MilestoneStatusChange, changes)

        self.import_reviews(_list(self.document, REVIEWS.key, ""))

    def tracking_owner(self, values: dict, row: dict, path: str) -> None:
        """A tracking's owner is linked only to a member of the imported project; anyone else (not
        confirmed, or no account here) stays the KPI's owner by name, the file's owner_label.

        A linked owner records the KPI's check-ins and gets its reminders (KpiTracking.can_check_in,
        the reminder job): rights a file gives no one who is not a member here.
        """
        label = _expect(row[TRACKING_EXTRA], str, f"{path}.{TRACKING_EXTRA}")
        if row["owner"] is not None and values["owner_name"]:
            _fail(f"{path}.owner_name", _("a KPI has a member or a named owner, not both."))
        owner_id = values.pop("owner_id", None)
        if owner_id is not None and owner_id in self.member_ids:
            values["owner_id"] = owner_id
        elif row["owner"] is not None:
            name_field = KpiTracking._meta.get_field("owner_name")
            values["owner_name"] = _plain(
                name_field, (label.strip() or row["owner"])[: name_field.max_length], f"{path}.{TRACKING_EXTRA}"
            )

    def import_checkins(self, rows: list) -> None:
        checkins = self.build(CHECKINS, rows, CHECKINS.key, self.project)
        listed, corrected, kpis_of = set(), set(), {}
        for n, (row, checkin) in enumerate(zip(rows, checkins, strict=True)):
            path = f"{CHECKINS.key}[{n}]"
            version = checkin.version
            if version.status not in APPROVED_ONCE:
                _fail(f"{path}.version", _("check-ins are recorded under an approved version."))
            if version.number not in kpis_of:
                kpis_of[version.number] = snapshot_kpis(version_content(version))
            if checkin.kpi_key not in kpis_of[version.number]:
                _fail(f"{path}.kpi_key", _("V%(number)s has no KPI with this key.") % {"number": version.number})
            if row["supersedes"] is not None:
                original = self.ref(CHECKINS.key, row["supersedes"], f"{path}.supersedes", null=False)
                if id(original) not in listed:
                    # Later in the list, or the entry itself: a correction follows what it corrects, so
                    # corrections can form no circle.
                    _fail(f"{path}.supersedes", _("a correction supersedes a check-in listed before it."))
                if original.kpi_key != checkin.kpi_key or original.version is not version:
                    _fail(f"{path}.supersedes", _("a correction is of the same KPI under the same version."))
                if id(original) in corrected:
                    _fail(f"{path}.supersedes", _("this check-in is already corrected by an earlier entry."))
                corrected.add(id(original))
                checkin.supersedes = original
            listed.add(id(checkin))
        # In the file's order (the ids keep it), a batch ending before a correction of one of its rows:
        # the corrected entry needs its id first.
        batch, in_batch = [], set()
        for checkin in checkins:
            if checkin.supersedes is not None and id(checkin.supersedes) in in_batch:
                _insert_as_presented(KpiCheckIn, batch)
                batch, in_batch = [], set()
            batch.append(checkin)
            in_batch.add(id(checkin))
        _insert_as_presented(KpiCheckIn, batch)

    def import_reviews(self, rows: list) -> None:
        reviews = self.build(REVIEWS, rows, REVIEWS.key, self.project, extra={"findings"})
        findings = []
        for n, (row, review) in enumerate(zip(rows, reviews, strict=True)):
            path = f"{REVIEWS.key}[{n}]"
            version = review.version
            if version.status not in APPROVED_ONCE:
                _fail(f"{path}.version", _("a review looks at an approved version."))
            if review.successor is not None:
                if review.decision != ReviewDecision.ADJUST:
                    _fail(f"{path}.successor", _("only a review that decided to adjust starts a successor."))
                if review.successor.based_on_id != version.pk:
                    _fail(f"{path}.successor", _("the successor builds on the reviewed version."))
            if review.next_review_on is not None and review.next_review_on <= review.date:
                _fail(f"{path}.next_review_on", _("the next review comes after this one."))
            items = row["findings"]
            if not isinstance(items, list):
                _fail(f"{path}.findings", _("expected a list."))
            built = self.build(REVIEW_FINDINGS, items, f"{path}.findings", review)
            content = version_content(version)
            kpis, milestones = snapshot_kpis(content), snapshot_milestones(content)
            for k, finding in enumerate(built):
                where = f"{path}.findings[{k}]"
                if (finding.kpi_key is None) == (finding.milestone_key is None):
                    _fail(where, _("a finding is about one KPI or one milestone."))
                if finding.kpi_key is not None:
                    if finding.kpi_key not in kpis:
                        _fail(
                            f"{where}.kpi_key", _("V%(number)s has no KPI with this key.") % {"number": version.number}
                        )
                    allowed = KPI_FINDINGS
                else:
                    if finding.milestone_key not in milestones:
                        _fail(
                            f"{where}.milestone_key",
                            _("V%(number)s has no milestone with this key.") % {"number": version.number},
                        )
                    allowed = MILESTONE_FINDINGS
                if finding.status and finding.status not in allowed:
                    _fail(f"{where}.status", _("this status does not fit what the finding is about."))
            findings.extend(built)
        _insert_as_presented(StrategyReview, reviews)
        _insert_as_presented(ReviewFinding, findings)

    # --- what-if scenarios (issue 17) -------------------------------------------------------------
    def import_scenarios(self, rows: list) -> None:
        scenarios = self.build(SCENARIOS, rows, SCENARIOS.key, self.project, prepare=self.scenario_changes)
        self.create(SCENARIOS.model, scenarios)

    def scenario_changes(self, values: dict, row: dict, path: str) -> None:
        """The scenario's changes naming the new rows: each change as the what-if services read it, its
        references resolved like any other (a row deleted before the export keeps its negative number,
        which names no row here, as the scenario named a row no longer there)."""
        values["changes"] = self.scenario_change_list(row["changes"], f"{path}.changes")

    def scenario_change_list(self, items, path: str) -> list[dict]:
        if not isinstance(items, list):
            _fail(path, _("expected a list."))
        if not items:
            _fail(path, _("a scenario has at least one change."))
        if len(items) > MAX_CHANGES:
            _fail(path, _("at most %(max)s changes; this has %(count)s.") % {"max": MAX_CHANGES, "count": len(items)})
        return [self.scenario_change(item, f"{path}[{n}]") for n, item in enumerate(items)]

    def scenario_change(self, item, path: str) -> dict:
        kind = item.get("kind") if isinstance(item, dict) else None
        if not isinstance(item, dict):
            _fail(path, _("expected an object."))
        if not isinstance(kind, str) or kind not in CHANGE_KINDS:
            _fail(f"{path}.kind", _("not a kind of change this installation knows."))
        _check_keys(item, {"kind", *(f.name for f in dataclass_fields(CHANGE_KINDS[kind]))}, path)
        mapped = dict(item)
        for name, value in item.items():
            if isinstance(value, str) and len(value) > MAX_NUMBER_LITERAL:
                _fail(f"{path}.{name[:80]}", _("expected a number."))
        for name, section_key in SCENARIO_CHANGE_REFS[kind].items():
            target = self.ref(section_key, item[name], f"{path}.{name}", null=False, gone=True)
            mapped[name] = target.pk if isinstance(target, models.Model) else target
        try:
            change = change_from_dict(mapped)
        except DomainError as error:
            _fail(f"{path}.{error.field}" if error.field else path, str(error))
        return change_to_dict(change)

    def import_history(self, rows: list) -> None:
        by_model: dict[str, list] = {}
        for n, row in enumerate(rows):
            path = f"history[{n}]"
            _check_keys(row, {"model", "object", "type", "date", "user", "change_reason", "fields"}, path)
            name = _expect(row["model"], str, f"{path}.model")
            section = HISTORY_SECTIONS.get(name)
            if section is None:
                _fail(f"{path}.model", _("not a kind of working material with history."))
            model = section.model.history.model
            if section is PROJECT:
                if row["object"] is not None:
                    _fail(f"{path}.object", _("the project's own history names no object."))
                object_id = self.project.pk
            else:
                target = self.ref(section.key, row["object"], f"{path}.object", null=False, gone=True)
                object_id = target.pk if isinstance(target, models.Model) else target
            values = self.values(section, row["fields"], f"{path}.fields", history=True)
            if section is SCENARIOS:
                values["changes"] = self.scenario_change_list(row["fields"]["changes"], f"{path}.fields.changes")
            if section.parent:
                values[section.parent] = self.project
            if section is PROJECT:
                values["client"] = self.project.client
            history_type = _expect(row["type"], str, f"{path}.type")
            if history_type not in HISTORY_TYPES:
                _fail(f"{path}.type", _("expected one of + ~ -."))
            reason = _expect(row["change_reason"], (str, type(None)), f"{path}.change_reason")
            if reason is not None and (len(reason) > 100 or "\x00" in reason):
                _fail(f"{path}.change_reason", _("at most 100 characters of text."))
            record = model(
                id=object_id,
                history_date=_plain(model._meta.get_field("history_date"), row["date"], f"{path}.date"),
                history_type=history_type,
                history_user_id=None if row["user"] is None else self.ref(USER, row["user"], f"{path}.user", null=True),
                history_change_reason=reason,
                **values,
            )
            _validate(
                record,
                path,
                exclude=[f.name for f in model._meta.concrete_fields if f.is_relation]
                + ["history_id", "id", "history_change_reason"],
                clean=False,
            )
            by_model.setdefault(name, []).append(record)
        for name, records in by_model.items():
            HISTORY_SECTIONS[name].model.history.model.objects.bulk_create(records, batch_size=BATCH)


def _refuse_duplicates(model, objs: list, path: str, numbers: list[int] | None = None) -> None:
    """The model's unique constraints among the new rows, with a clearer message than the database's.

    `numbers`: each object's place in the file's list, where some rows were left out."""
    for constraint in model._meta.constraints:
        if not isinstance(constraint, models.UniqueConstraint) or constraint.condition is not None:
            continue
        fields = [model._meta.get_field(name) for name in constraint.fields]
        seen = {}
        for n, obj in enumerate(objs):
            key = tuple(_identity(obj, f) for f in fields)
            if key in seen:
                _fail(
                    f"{path}[{numbers[n] if numbers else n}]",
                    _("repeats %(fields)s of an earlier row.")
                    % {"fields": ", ".join(str(f.verbose_name) for f in fields)},
                )
            seen[key] = n


def _insert_as_presented(model, objs: list) -> None:
    """Insert the rows exactly as given, their timestamps included, and set their new ids.

    The append-only records stamp their creation time by a default, not auto_now_add, so
    bulk_create keeps the file's times. A tracking's `updated_at` is auto_now: those few rows go
    through save_base(raw=True), as _Importer.create does, with their references to rows inserted
    before (a reminder's tracking) filled in first. Neither path calls save(): the append-only
    models' guards refuse changes to existing rows and have nothing to say about new ones, and the
    import counts its project's content once (project_import).
    """
    if not objs:
        return
    stamped_on_save = any(
        getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) for f in model._meta.concrete_fields
    )
    if not stamped_on_save:
        model._base_manager.bulk_create(objs, batch_size=500)
        return
    relations = [f for f in model._meta.concrete_fields if f.is_relation]
    for obj in objs:
        for field in relations:
            related = getattr(obj, field.name) if field.is_cached(obj) else None
            if related is not None:
                setattr(obj, field.attname, related.pk)
        obj.save_base(raw=True, force_insert=True)


def _identity(obj, field):
    if field.is_relation:
        related = getattr(obj, field.name, None) if field.is_cached(obj) else None
        return ("obj", id(related)) if related is not None and related.pk is None else getattr(obj, field.attname)
    return getattr(obj, field.attname)


def _check_record(status: str, decisions: list, path: str) -> None:
    """A version is decided at most once, and its decision matches its status."""
    if len(decisions) > 1:
        _fail(
            f"{path}.decisions",
            _("a version is decided once; this one claims %(n)s decisions.") % {"n": len(decisions)},
        )
    expected = DECISION_FOR.get(status)
    if decisions and decisions[0].decision != expected:
        _fail(f"{path}.decisions", _("the decision does not match the version's status."))


def _check_transitions(status: str, transitions: list, path: str) -> None:
    """The recorded steps, if any, start a draft, move along the allowed transitions and end at the status."""
    if not transitions:
        return
    current = ""
    for n, step in enumerate(transitions):
        move = (step.from_status, step.to_status)
        allowed = move == ("", VersionStatus.DRAFT) if n == 0 else move in ALLOWED_TRANSITIONS
        if step.from_status != current or not allowed:
            _fail(f"{path}.transitions[{n}]", _("this step does not follow from the one before."))
        current = step.to_status
    if current != status:
        _fail(f"{path}.transitions", _("the recorded steps end elsewhere than the version's status."))


def _free_title(client: Client, title: str) -> str:
    """The title, or "<title> (imported)", "(imported 2)", ... if the client has a project so named."""
    taken = {t.casefold() for t in StrategyProject.objects.filter(client=client).values_list("title", flat=True)}
    if title.casefold() not in taken:
        return title
    limit = StrategyProject._meta.get_field("title").max_length
    n = 1
    while True:
        # The same wording as a reopened version's "(revised)": the template keeps the translation whole.
        template = _("%(title)s (imported)") if n == 1 else _("%(title)s (imported %(n)s)")
        room = limit - len(template % {"title": "", "n": n})
        candidate = template % {"title": title[:room].rstrip(), "n": n}
        if candidate.casefold() not in taken:
            return candidate
        n += 1


def file_members(document) -> list[dict]:
    """The members a document lists, for the importer to confirm one by one: username, the file's role,
    whether an active account of that name exists here, and the role they would join with here.
    Malformed entries are left out (the import itself refuses them with the place)."""
    rows = document.get("members") if isinstance(document, dict) else None
    wanted = [
        (row["user"], row["role"])
        for row in (rows if isinstance(rows, list) else [])
        if isinstance(row, dict) and isinstance(row.get("user"), str) and row.get("role") in Role.values
    ]
    known = set(
        get_user_model()
        .objects.filter(is_active=True, username__in=[username for username, _role in wanted])
        .values_list("username", flat=True)
    )
    return [
        {
            "username": username,
            "role": role,
            "exists": username in known,
            "joins_as": Role.VIEWER if role == Role.MANAGER else role,
        }
        for username, role in wanted
    ]


def project_import(
    *, document, user, members: Iterable[str] = (), grant_manager: bool = False, dry_run: bool = False
) -> StrategyProject:
    """A new project from an export document, in one transaction; ProjectImportError says what is wrong.

    `user` becomes its consultant (None from the command line, where the confirmed members are then
    the only ones). `members` are the usernames of the file's members the importer confirmed: those
    with an active account here join with the file's role, a manager as viewer unless `grant_manager`.
    `dry_run` checks the whole file and writes nothing (the upload step of the web import).
    """
    if not isinstance(document, dict):
        raise ProjectImportError(_("The file does not contain a project export (expected a JSON object)."))
    if document.get("format") != FORMAT:
        raise ProjectImportError(
            _("The file is not a pbsm project export (its format is not %(format)s).") % {"format": FORMAT}
        )
    if not is_a(document.get("version"), int) or document["version"] not in READABLE_VERSIONS:
        raise ProjectImportError(
            _("The file has format version %(found)s; this installation reads format versions %(versions)s.")
            % {"found": str(document.get("version"))[:20], "versions": ", ".join(map(str, READABLE_VERSIONS))}
        )
    try:
        # The new project's counter is made with it; its rows need not count one by one.
        with transaction.atomic(), counted_once():
            project = _Importer(document, user, frozenset(members), grant_manager).run()
            if dry_run:
                transaction.set_rollback(True)
            return project
    except (IntegrityError, DatabaseError) as error:
        # A rule only the database knows (the checks above should have caught it): nothing was written.
        raise ProjectImportError(
            _("The file breaks a rule of this installation's database: %(detail)s")
            % {"detail": str(error).strip()[:300]}
        ) from error
