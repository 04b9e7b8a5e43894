"""Shared helpers for the tests of the wizard's inline rows (one test module per step uses them)."""

from django.urls import reverse

from strategies.wizard.rows import ROW_KINDS

# English, so tests can read the messages; German is tested in test_i18n.
HX = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "en"}


def kind(name):
    return ROW_KINDS[name]


def new_url(project, kind_name, **query):
    url = reverse("row_new", args=[project.pk, kind(kind_name).step, kind_name])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
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
