"""Caching of rendered wizard pages, keyed by what they show.

A step page of a large project takes long to render but changes only when its
data changes. Instead of invalidating on every write path (views, admin,
services, shell), the cache key contains a fingerprint of everything a step
page reads: per table, its row count and latest `updated_at`, for the
project's working material, the checklist, comments, versions and the
catalogue. Any insert, update or delete changes a count or a timestamp, so a
changed project never hits an old entry; old entries just expire.

What is personal on the page stays out of the cached text: the CSRF token is
a placeholder swapped for the request's own on every response, and the key
includes the user, role, language and view options. Pages with one-off
messages (flash messages, form errors) are never cached.
"""

import hashlib

from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.middleware.csrf import get_token

CSRF_PLACEHOLDER = "__pbsm_csrf_token__"
TIMEOUT_SECONDS = 600

# (app label, model, condition tying a row to the project; None for catalogue tables)
_FINGERPRINTED = [
    ("strategies", "StrategyProject", "id = %s"),
    ("strategies", "Topic", "project_id = %s"),
    ("strategies", "BusinessBenefit", "topic_id IN (SELECT id FROM {Topic} WHERE project_id = %s)"),
    ("strategies", "ActionOption", "topic_id IN (SELECT id FROM {Topic} WHERE project_id = %s)"),
    ("strategies", "Competitor", "project_id = %s"),
    ("strategies", "CompetitorPresence", "competitor_id IN (SELECT id FROM {Competitor} WHERE project_id = %s)"),
    ("strategies", "Resource", "project_id = %s"),
    (
        "strategies",
        "ResourceRequirement",
        "option_id IN (SELECT o.id FROM {ActionOption} o JOIN {Topic} t ON o.topic_id = t.id WHERE t.project_id = %s)",
    ),
    (
        "strategies",
        "Kpi",
        "benefit_id IN (SELECT b.id FROM {BusinessBenefit} b JOIN {Topic} t ON b.topic_id = t.id"
        " WHERE t.project_id = %s)",
    ),
    ("strategies", "Milestone", "project_id = %s"),
    ("strategies", "Platform", "project_id = %s"),
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
        tables = {
            name: connection.ops.quote_name(apps.get_model(app, name)._meta.db_table)
            for app, name, _condition in _FINGERPRINTED
        }
        parts = []
        for _app, name, condition in _FINGERPRINTED:
            stamp = "created_at" if name == "StepComment" else "updated_at"
            where = f" WHERE {condition.format(**tables)}" if condition else ""
            # Only our own table names go in; the project id is a parameter.
            parts.append(f"SELECT COUNT(*), MAX({stamp}) FROM {tables[name]}{where}")  # noqa: S608
        _sql_by_vendor[connection.vendor] = " UNION ALL ".join(parts)
    return _sql_by_vendor[connection.vendor], sum(1 for _a, _n, condition in _FINGERPRINTED if condition)


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
            f"SELECT m.role, p.last_step FROM {membership} m JOIN {project} p ON p.id = m.project_id"  # noqa: S608
            " WHERE m.project_id = %s AND m.user_id = %s"
        )
    with connection.cursor() as cursor:
        cursor.execute(_membership_sql[connection.vendor], [project_id, user_id])
        row = cursor.fetchone()
    return (row[0], row[1]) if row else None


def page_key(*parts) -> str:
    return "wizard-page:" + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def personalise(html: str, request) -> str:
    return html.replace(CSRF_PLACEHOLDER, get_token(request))


def cached_page(key: str) -> str | None:
    return cache.get(key)


def store_page(key: str, html: str) -> None:
    cache.set(key, html, TIMEOUT_SECONDS)
