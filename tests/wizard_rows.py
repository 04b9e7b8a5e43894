"""Shared helpers for the tests of the wizard's inline rows (one test module per step uses them)."""

import re

from django.core.cache import cache
from django.urls import reverse

from strategies.models import Role
from strategies.wizard.rows import ROW_KINDS

from .factories import MembershipFactory, UserFactory

# English, so tests can read the messages; German is tested in test_i18n.
HX = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "en"}


def kind(name):
    return ROW_KINDS[name]


def step_url(project, key):
    return reverse("wizard_step", args=[project.pk, key])


def _query_string(query):
    return "&".join(f"{key}={value}" for key, value in query.items())


def new_url(project, kind_name, **query):
    url = reverse("row_new", args=[project.pk, kind(kind_name).step, kind_name])
    if query:
        url += "?" + _query_string(query)
    return url


def detail_url(project, kind_name, ident):
    return reverse("row_detail", args=[project.pk, kind(kind_name).step, kind_name, ident])


def edit_url(project, kind_name, ident):
    return reverse("row_edit", args=[project.pk, kind(kind_name).step, kind_name, ident])


def delete_url(project, kind_name, ident):
    return reverse("row_delete", args=[project.pk, kind(kind_name).step, kind_name, ident])


def move_url(project, kind_name, ident):
    return reverse("row_move", args=[project.pk, kind(kind_name).step, kind_name, ident])


def hx_post(client, url, data):
    return client.post(url, data, **HX)


def hx_get(client, url):
    return client.get(url, **HX)


def hx_add(client, project, kind_name, data, group="all", **query):
    """Save a new row the way the add form in the slot of `group` sends it.

    With `query` (the add button's query, e.g. topic=pk) the form also sends it back as add_query,
    starting with the group, just as the page's add button builds it.
    """
    sent = {**data, "group": group, "slot": f"{kind_name}-add-{group}"}
    if query:
        sent["add_query"] = _query_string({"group": group, **query})
    return hx_post(client, new_url(project, kind_name), sent)


def field_html(body: str, name: str) -> str:
    """The markup of one form field: from its input to the next field's input."""
    start = body.index(f'name="{name}"')
    following = re.search(r'name="(?!' + re.escape(name) + r'")\w+"', body[start:])
    return body[start : start + following.start()] if following else body[start:]


def lock_version_in(body: str) -> str:
    return re.search(r'name="lock_version" value="([^"]*)"', body).group(1)


def surface(body: str) -> str:
    """The step's own part of a wizard page, without the frame and the comments."""
    start = body.index('id="step-surface"')
    return body[start : body.index('aria-labelledby="comments-heading"', start)]


def colleague_of(project, username="bob"):
    """A second consultant of the project, to save the same row at the same time."""
    user = UserFactory(username=username, consultant_group=True)
    MembershipFactory(project=project, user=user, role=Role.CONSULTANT)
    return user


def row_urls(project, kind_name, ident):
    """Every URL of one row, with the method each is used with."""
    urls = [("get", edit_url(project, kind_name, ident)), ("post", edit_url(project, kind_name, ident))]
    if kind(kind_name).deletable:
        urls.append(("post", delete_url(project, kind_name, ident)))
    if kind(kind_name).orderable:
        urls.append(("post", move_url(project, kind_name, ident)))
    if kind(kind_name).can_add:
        urls += [("get", new_url(project, kind_name)), ("post", new_url(project, kind_name))]
    return urls


def assert_only_consultants_change(client_for, project, kind_name, ident, data, *, manager, viewer, outsider):
    """Managers and viewers are refused (403), outsiders see nothing (404), for every row URL."""
    for user, status in ((manager, 403), (viewer, 403), (outsider, 404)):
        c = client_for(user)
        for method, url in row_urls(project, kind_name, ident):
            response = getattr(c, method)(url, {**data, "direction": "up"} if method == "post" else None, **HX)
            assert response.status_code == status, (user.username, method, url, response.status_code)
    # Reading a row back (the cancel button) is open to members, closed to outsiders.
    assert client_for(viewer).get(detail_url(project, kind_name, ident), **HX).status_code == 200
    assert client_for(outsider).get(detail_url(project, kind_name, ident), **HX).status_code == 404


def assert_step_queries_do_not_grow(client, url, grow, django_assert_max_num_queries, limit=20):
    """The step page runs at most `limit` queries, and exactly as many after `grow()` has added many rows.

    The first visit (which also moves the bookmark) stays within `limit` too; the page cache is cleared
    before each measured visit, so the full render is counted. Returns the page after the growth, for
    the caller to check that the added rows are on it.
    """
    with django_assert_max_num_queries(limit):
        assert client.get(url).status_code == 200  # the bookmark moves once
    cache.clear()  # measure a full render, not a cached page
    with django_assert_max_num_queries(limit) as small:
        client.get(url)
    grow()
    cache.clear()
    with django_assert_max_num_queries(len(small.captured_queries)) as big:
        response = client.get(url)
    assert len(big.captured_queries) == len(small.captured_queries)
    return response
