"""Caching of rendered wizard pages, keyed by what they show.

A step page of a large project takes long to render but changes only when its
data changes; so does the version comparison, whose draft side is built live
from the working material (strategies/views/versions.py). Instead of invalidating on every write path (views, admin,
services, shell), the cache key contains a fingerprint of everything a step
page reads: the newest history id of each working-material table (every ORM
save and delete writes history), and the row count and latest `updated_at`
of the other tables (ratings, checklist, comments, versions, catalogue). Any
change moves one of them, so a changed project never hits an old entry; old
entries just expire. Writes that skip the ORM's save()/delete() (bulk or raw
SQL) must write history too, as the row moves do.

What is personal on the page stays out of the cached text: the CSRF token is
a placeholder (one that no escaped user text can contain) swapped for the
request's own on every response, and the key
includes the user, role, language and view options. Pages with one-off
messages (flash messages, form errors) are never cached.

The project list (strategies/views/projects.py) needs no fingerprint: it
reads its few rows anyway, and those rows themselves are in its key.
"""

import hashlib
import re

from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.middleware.csrf import get_token
from django.utils.safestring import mark_safe

# Swapped for the reader's token in every cached page (personalise). It must not be able to
# come out of anything a user typed: it contains "<" and ">", which escaping turns into
# &lt; and &gt; wherever user text reaches a page. Marked safe so that {% csrf_token %} and
# {{ csrf_token }} write it as it is.
CSRF_PLACEHOLDER = mark_safe("<pbsm-csrf-token>")  # noqa: S308 (our own constant)  # nosec B308
TIMEOUT_SECONDS = 600

# Working material with history (simple-history): every create, update and
# delete through the ORM adds a historical row, so the newest history id of
# the table is a change counter found in the primary-key index at once. It is
# global, not per project: an edit in one project also renews the others'
# pages of that table, which costs a render, never correctness.
_HISTORY_COUNTED = [
    "StrategyProject",
    "Topic",
    "BusinessBenefit",
    "ActionOption",
    "Competitor",
    "CompetitorPresence",
    "Resource",
    "ResourceRequirement",
    "Kpi",
    "Milestone",
    "Platform",
]

# Without history: row count (deletes) and latest change, of this project's
# rows or (None) of the whole catalogue table.
_STAMPED = [
    ("strategies", "EffectRelevance", "project_id = %s"),
    ("strategies", "UsageFormatRelevance", "project_id = %s"),
    ("strategies", "StrategyVersion", "project_id = %s"),
    ("strategies", "VersionOption", "version_id IN (SELECT id FROM {StrategyVersion} WHERE project_id = %s)"),
    ("strategies", "ChecklistAnswer", "project_id = %s"),
    ("strategies", "StepComment", "project_id = %s"),
    ("competencies", "CompetenceArea", None),
    ("competencies", "GuidingQuestion", None),
    ("competencies", "BusinessModelBlock", None),
    ("competencies", "UsageFormat", None),
    ("competencies", "Effect", None),
    ("competencies", "BenefitType", None),
    ("competencies", "ResourceType", None),
]

_sql_by_vendor: dict[str, str] = {}


def _fingerprint_sql() -> tuple[str, int]:
    if connection.vendor not in _sql_by_vendor:
        quote = connection.ops.quote_name
        tables = {name: quote(apps.get_model(app, name)._meta.db_table) for app, name, _condition in _STAMPED}
        parts = []
        for name in _HISTORY_COUNTED:
            history = quote(apps.get_model("strategies", name).history.model._meta.db_table)
            parts.append(f"SELECT MAX(history_id), '' FROM {history}")  # noqa: S608 (own table names)  # nosec B608
        for _app, name, condition in _STAMPED:
            stamp = "created_at" if name == "StepComment" else "updated_at"
            where = f" WHERE {condition.format(**tables)}" if condition else ""
            # Only our own quoted table names go in; the project id is a parameter (nosec).
            parts.append(f"SELECT COUNT(*), CAST(MAX({stamp}) AS TEXT) FROM {tables[name]}{where}")  # noqa: S608  # nosec B608
        _sql_by_vendor[connection.vendor] = " UNION ALL ".join(parts)
    return _sql_by_vendor[connection.vendor], sum(1 for _a, _n, condition in _STAMPED if condition)


def content_fingerprint(project_id: int) -> str:
    """One query: a digest that changes whenever anything a step page shows changes."""
    sql, placeholders = _fingerprint_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [project_id] * placeholders)
        rows = cursor.fetchall()
    return hashlib.blake2b(repr(rows).encode(), digest_size=16).hexdigest()


_membership_sql: dict[str, str] = {}


def membership_and_bookmark(project_id: int, user_id: int) -> tuple[str, str] | None:
    """(role, last step) of a member, in one plain query; None for anyone else.

    Used before a cached page is served, where loading the project through
    the ORM would cost more than the rest of the request.
    """
    if connection.vendor not in _membership_sql:
        quote = connection.ops.quote_name
        membership = quote(apps.get_model("strategies", "Membership")._meta.db_table)
        project = quote(apps.get_model("strategies", "StrategyProject")._meta.db_table)
        _membership_sql[connection.vendor] = (
            # Our own quoted table names; the ids are parameters (nosec).
            f"SELECT m.role, p.last_step FROM {membership} m JOIN {project} p ON p.id = m.project_id"  # noqa: S608  # nosec B608
            " WHERE m.project_id = %s AND m.user_id = %s"
        )
    with connection.cursor() as cursor:
        cursor.execute(_membership_sql[connection.vendor], [project_id, user_id])
        row = cursor.fetchone()
    return (row[0], row[1]) if row else None


def page_key(*parts) -> str:
    return "wizard-page:" + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def reader(user, role: str | None) -> tuple:
    """What of the user a page shows or decides by: name in the header, staff link, role."""
    return (user.pk, user.username, user.get_full_name(), user.is_staff, role)


def member_page_key(request, pk: int, page: str):
    """The cache key of one of a project's pages for this member, and a project stand-in that
    carries the role and the bookmark (for the rules); None where nothing may come from the cache:
    one-off messages on the page, or a user who may not view the project (the full path answers).

    Membership is read with one plain query; the rules module still decides.
    """
    from django.contrib.messages import get_messages
    from django.utils.translation import get_language

    from ..models import StrategyProject

    if len(get_messages(request)):
        return None  # one-off messages belong to this response only
    membership = membership_and_bookmark(pk, request.user.pk)
    if membership is None:
        return None
    role, last_step = membership
    stand_in = StrategyProject(pk=pk, last_step=last_step)
    stand_in.remember_role(request.user, role)
    if not stand_in.can_view(request.user):
        return None
    key = page_key(
        pk, page, content_fingerprint(pk), reader(request.user, role), get_language(), request.get_full_path()
    )
    return key, stand_in


_BETWEEN_TAGS = re.compile(r">\s+<")
_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()


def compact(html: str) -> bytes:
    """The page as UTF-8, with runs of whitespace between tags cut to one space.

    One space keeps inline words apart exactly as the browser would; the
    pages have no <pre>, and a textarea's own text is never only whitespace
    between two tags. Stored as bytes: a hit then needs no encoding.
    """
    return _BETWEEN_TAGS.sub("> <", html).encode()


def personalise(page: bytes, request) -> bytes:
    return page.replace(_PLACEHOLDER_BYTES, get_token(request).encode())


def cached_page(key: str) -> bytes | None:
    return cache.get(key)


def store_page(key: str, page: bytes) -> None:
    cache.set(key, page, TIMEOUT_SECONDS)
