"""Query counts on the demo projects: every step page, the comparison, the project list and a row save stay small,
whatever the project's size."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from strategies.demo import LARGE_PROJECT, seed_demo_data
from strategies.models import Membership, Role, StrategyProject, Topic
from strategies.wizard.rows import ROW_KINDS
from strategies.wizard.steps import STEPS

from .wizard_rows import HX, detail_url, edit_url, new_url

pytestmark = pytest.mark.django_db

MAX_QUERIES = 20
# The canvas (business model step), uncached, as before it opened one block at a time: the
# frame's queries, then topics with their benefit counts, the blocks, and only the open block's
# benefits. The same on the small, the large and the xl project, whole or opened in place.
CANVAS_QUERIES = 12
OPEN_IN_PLACE = {**HX, "HTTP_HX_TARGET": "step-surface"}
# An htmx topic save (issue 13: a row save's server time): the session and the user; the project
# with the user's role and whether the step is active (one query); the topic and its benefits (its
# markup shows them); the chosen block (the form's choice field) and the title's uniqueness in it;
# then, in the transaction, the project's change counter, the row's UPDATE that is its own
# lock_version check, and its history record; and the transaction's begin and end (here a savepoint
# and its release, inside the test's transaction). The progress bar is not sent: the save changed
# nothing it counts. Fifteen before the step check rode on the project's query, the version check
# on the row's UPDATE, and the block's existence on the form's lookup of it.
ROW_SAVE_QUERIES = 12


def _last_block(project) -> int:
    """The block of the project's last topic on the canvas: opened in place, it shows rows on every size."""
    return Topic.objects.filter(project=project).order_by("block__order").values_list("block_id", flat=True).last()


@pytest.fixture(autouse=True)
def _no_activity_mark_during_the_count(monkeypatch):
    # The idle timeout saves the session's last activity once a minute; seeding the xl project on a
    # busy machine takes longer than that, and the one request that saves it would count the session
    # write as the page's queries. What is compared here is the page, so the mark stays put.
    monkeypatch.setattr("pbsm.middleware.ACTIVITY_RESOLUTION_SECONDS", 10**9)


def _consultant_client(project):
    membership = Membership.objects.filter(project=project, role=Role.CONSULTANT).select_related("user").first()
    client = Client()
    client.force_login(membership.user)
    return client


def _queries_per_page(project, django_assert_max_num_queries) -> dict[str, int]:
    client = _consultant_client(project)
    counts = {}
    for key in STEPS:
        url = reverse("wizard_step", args=[project.pk, key])
        client.get(url)  # moves the bookmark once
        cache.clear()  # a full render, not a cached page
        with django_assert_max_num_queries(MAX_QUERIES, info=key) as captured:
            assert client.get(url).status_code == 200
        counts[key] = len(captured.captured_queries)
        if key == "business_model":
            # A closed block opened in place: the step's body alone, its rows loaded for that block only.
            # (The canvas shows all nine blocks on every size; the other steps only blocks in use.)
            cache.clear()
            with django_assert_max_num_queries(MAX_QUERIES, info=f"{key} open in place") as captured:
                assert client.get(url, {"open": _last_block(project)}, **OPEN_IN_PLACE).status_code == 200
            counts[f"{key} open in place"] = len(captured.captured_queries)
    for label, url in (("version compare", reverse("version_compare", args=[project.pk])), ("home", reverse("home"))):
        cache.clear()  # a full render: the comparison builds the draft's content
        with django_assert_max_num_queries(MAX_QUERIES, info=label) as captured:
            assert client.get(url).status_code == 200
        counts[label] = len(captured.captured_queries)
    for name, kind in ROW_KINDS.items():
        row = kind.queryset(project).order_by("pk").first()
        if row is None:
            continue  # a kind this project has no row of
        for label, url in (
            ("edit form", edit_url(project, name, kind.ident(row))),
            ("row", detail_url(project, name, kind.ident(row))),
        ):
            with django_assert_max_num_queries(MAX_QUERIES, info=f"{name} {label}") as captured:
                assert client.get(url, **HX).status_code == 200
            counts[f"{name} {label}"] = len(captured.captured_queries)
        if kind.can_add:
            with django_assert_max_num_queries(MAX_QUERIES, info=f"{name} add form") as captured:
                assert client.get(new_url(project, name), **HX).status_code == 200
            counts[f"{name} add form"] = len(captured.captured_queries)
    topic = Topic.objects.filter(project=project).order_by("id").first()
    data = {
        "title": topic.title,
        "block": topic.block_id,
        "priority": topic.priority,
        "social_media_affinity": 1 + topic.social_media_affinity % 5,
        "description": topic.description,
        "lock_version": topic.lock_version,
    }
    with django_assert_max_num_queries(MAX_QUERIES, info="row save") as captured:
        response = client.post(edit_url(project, "topic", topic.pk), data, **HX)
    assert response.status_code == 200 and "is-invalid" not in response.content.decode()
    counts["row save"] = len(captured.captured_queries)
    return counts


def test_the_small_and_the_large_demo_project_need_the_same_few_queries(django_assert_max_num_queries):
    seed_demo_data(size="large", password="irrelevant-here-1")
    large = StrategyProject.objects.get(title=LARGE_PROJECT["title"])
    small = StrategyProject.objects.exclude(pk=large.pk).get()
    assert large.topics.count() > 4 * small.topics.count()
    small_counts = _queries_per_page(small, django_assert_max_num_queries)
    large_counts = _queries_per_page(large, django_assert_max_num_queries)
    assert large_counts == small_counts
    assert large_counts["business_model"] == large_counts["business_model open in place"] == CANVAS_QUERIES
    assert large_counts["row save"] == ROW_SAVE_QUERIES


def test_the_xl_demo_project_needs_the_same_queries_as_the_small_one(django_assert_max_num_queries):
    # Five times the large project (issue 13): queries stay flat however much a page shows.
    from strategies.demo import XL_PROJECT

    seed_demo_data(size="xl", password="irrelevant-here-1")
    xl = StrategyProject.objects.get(title=XL_PROJECT["title"])
    small = StrategyProject.objects.exclude(pk=xl.pk).exclude(title=LARGE_PROJECT["title"]).get()
    assert xl.topics.count() >= 360
    assert _queries_per_page(xl, django_assert_max_num_queries) == _queries_per_page(
        small, django_assert_max_num_queries
    )
