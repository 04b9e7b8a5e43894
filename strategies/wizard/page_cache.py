"""Caching of rendered wizard pages, keyed by what they show.

A step page of a large project takes long to render but changes only when its
data changes; so does the version comparison, whose draft side is built live
from the working material (strategies/views/versions.py). Instead of
invalidating on every write path (views, admin, services, import, shell), the
cache key contains a fingerprint of everything such a page reads: the
project's own change counter and the catalogue's (ContentCounter), which every
save and delete adds one to in its own transaction (strategies/content_changes.py).
Any change moves one of them, so a changed project never hits an old entry; old
entries just expire. The counter is per project, so an edit in one workshop
leaves every other project's cached pages alone. Writes that skip the ORM's
save()/delete() (bulk or raw SQL) must call content_changed() themselves, as
the row moves do.

What is personal on the page stays out of the cached text: the CSRF token is
a placeholder (one that no escaped user text can contain) swapped for the
request's own on every response, and the key
includes the user, role, language and view options. Pages with one-off
messages (flash messages, form errors) are never cached.

The project list (strategies/views/projects.py) reads its few rows anyway, and
those rows themselves are in its key, each with its project's change counter
(the portfolio's figures move with check-ins, milestones and reviews) and the
day (its "12 days ago" and "overdue" move with the date).
"""

import hashlib
import re
import threading
import time

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


_member_sql: dict[str, str] = {}


def membership_and_changes(project_id: int, user_id: int) -> tuple[str, str, tuple] | None:
    """(role, last step, content fingerprint) of a member, in one query; None for anyone else.

    The fingerprint is the project's change counter and the catalogue's
    (strategies/content_changes.py): an edit in one project leaves the other
    projects' keys alone.

    Plain SQL, built once per database vendor (issue 12.7 rule: kept only because it
    measurably pays): the same query through the ORM costs about 0.7 ms more to compile
    on every request, against 0.02 ms: a third of a cached page (2–3 ms, large demo project, in-process,
    median of 200; README, page cache).
    """
    if connection.vendor not in _member_sql:
        quote = connection.ops.quote_name
        membership = quote(apps.get_model("strategies", "Membership")._meta.db_table)
        project = quote(apps.get_model("strategies", "StrategyProject")._meta.db_table)
        counter = quote(apps.get_model("strategies", "ContentCounter")._meta.db_table)
        _member_sql[connection.vendor] = (
            # Our own quoted table names; the ids are parameters (nosec).
            f"SELECT m.role, p.last_step, c.count, k.count FROM {membership} m"  # noqa: S608  # nosec B608
            f" JOIN {project} p ON p.id = m.project_id"
            f" LEFT JOIN {counter} c ON c.scope = m.project_id"
            f" LEFT JOIN {counter} k ON k.scope = %s"
            " WHERE m.project_id = %s AND m.user_id = %s"
        )
    from ..models import CATALOGUE_SCOPE

    with connection.cursor() as cursor:
        cursor.execute(_member_sql[connection.vendor], [CATALOGUE_SCOPE, project_id, user_id])
        row = cursor.fetchone()
    return (row[0], row[1], row[2:]) if row else None


def page_key(*parts) -> str:
    return "wizard-page:" + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def reader(user, role: str | None) -> tuple:
    """What of the user a page shows or decides by: name in the header, staff link, role."""
    return (user.pk, user.username, user.get_full_name(), user.is_staff, role)


def member_page_key(request, pk: int, page: str):
    """The cache key of one of a project's pages for this member, and a project stand-in that
    carries the role and the bookmark (for the rules); None where nothing may come from the cache:
    one-off messages on the page, or a user who may not view the project (the full path answers).

    Membership and fingerprint are read with one query; the rules module still decides.
    """
    from django.contrib.messages import get_messages
    from django.utils.translation import get_language

    from ..models import StrategyProject

    if len(get_messages(request)):
        return None  # one-off messages belong to this response only
    membership = membership_and_changes(pk, request.user.pk)
    if membership is None:
        return None
    role, last_step, fingerprint = membership
    stand_in = StrategyProject(pk=pk, last_step=last_step)
    stand_in.remember_role(request.user, role)
    if not stand_in.can_view(request.user):
        return None
    key = page_key(pk, page, fingerprint, reader(request.user, role), get_language(), request.get_full_path())
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


# Hits and misses, added up in the cache itself so that every web process sharing it adds to
# the same two numbers (a load benchmark reads them with stats()). Each process counts in
# memory and adds its counts to the cache at most once a second: counting every lookup there
# would cost a cached page two Redis round trips. A cache that is down counts nothing.
_STATS_KEYS = {"hits": "wizard-page-stats:hits", "misses": "wizard-page-stats:misses"}
FLUSH_SECONDS = 1.0
_counted = {"hits": 0, "misses": 0}
_flushed_at = [time.monotonic()]
_flush_lock = threading.Lock()


def _count(outcome: str) -> None:
    _counted[outcome] += 1
    if time.monotonic() - _flushed_at[0] >= FLUSH_SECONDS:
        _flush()


def _flush() -> None:
    with _flush_lock:
        counts = dict(_counted)
        for outcome in counts:
            _counted[outcome] -= counts[outcome]
        _flushed_at[0] = time.monotonic()
    for outcome, count in counts.items():
        if count:
            _add(_STATS_KEYS[outcome], count)


def _add(key: str, count: int) -> None:
    try:
        cache.incr(key, count)
    except ValueError:  # the first of its kind (or evicted): start at this count
        if not cache.add(key, count, None):
            cache.incr(key, count)


def stats() -> dict:
    """Page-cache hits and misses since reset_stats(), of all processes sharing the cache.

    A miss is a lookup that found nothing (the page is then rendered and stored); pages
    that may not come from the cache at all (one-off messages, non-members) are neither.
    Another process's counts of its last second arrive with its next lookup.
    """
    _flush()
    counted = cache.get_many(list(_STATS_KEYS.values()))
    hits, misses = (int(counted.get(key) or 0) for key in _STATS_KEYS.values())
    looked_up = hits + misses
    return {"hits": hits, "misses": misses, "hit_rate": hits / looked_up if looked_up else None}


def reset_stats() -> None:
    with _flush_lock:
        for outcome in _counted:
            _counted[outcome] = 0
        _flushed_at[0] = time.monotonic()
    cache.delete_many(list(_STATS_KEYS.values()))


def cached_page(key: str) -> bytes | None:
    page = cache.get(key)
    _count("misses" if page is None else "hits")
    return page


def store_page(key: str, page: bytes) -> None:
    cache.set(key, page, TIMEOUT_SECONDS)
