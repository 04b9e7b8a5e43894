"""Cached wizard pages: fast when nothing changed, never stale when something did."""

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from competencies.models import BusinessModelBlock, GuidingQuestion
from strategies.models import ContentCounter, Membership, Role, StepComment, StrategyProject, Topic
from strategies.services.workshop import checklist_answer_save
from strategies.wizard import page_cache

from .factories import BenefitFactory, MembershipFactory, ProjectFactory, TopicFactory, UserFactory
from .wizard_rows import edit_url, hx_post, move_url, step_url

pytestmark = pytest.mark.django_db

STEP = "business_model"


def test_an_unchanged_page_is_served_from_the_cache_with_few_queries(
    client_for, project, consultant, django_assert_max_num_queries
):
    TopicFactory.create_batch(5, project=project)
    c = client_for(consultant)
    first = c.get(step_url(project, STEP))
    # The session (unless the cache holds it, as Redis does), the user, and the membership with
    # both change counters (one query; it was two).
    with django_assert_max_num_queries(3) as captured:
        second = c.get(step_url(project, STEP))
    queries = [query["sql"] for query in captured.captured_queries]
    assert sum("contentcounter" in sql for sql in queries) == 1
    assert not any("strategies_topic" in sql for sql in queries)
    assert second.content.decode().count("topic-card") == first.content.decode().count("topic-card") == 5


def test_a_cached_page_carries_a_csrf_token_that_the_next_post_passes_with(project, consultant):
    c = Client(enforce_csrf_checks=True)
    c.force_login(consultant)
    c.get(step_url(project, STEP))
    cached = c.get(step_url(project, STEP)).content.decode()  # served from the cache
    assert "__pbsm_csrf_token__" not in cached
    token = cached.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    question = GuidingQuestion.objects.filter(area__key="business_model").first()
    url = reverse("checklist_answer_save", args=[project.pk, "business_model", question.pk])
    assert c.post(url, {"done": "on", "csrfmiddlewaretoken": token}).status_code == 302
    assert c.post(url, {"done": "on", "csrfmiddlewaretoken": "forged" * 8}).status_code == 403


@pytest.mark.parametrize(
    "change",
    ["edit", "add", "delete", "move", "comment", "catalogue", "checklist", "admin edit", "admin delete", "import"],
)
def test_any_change_to_what_the_page_shows_renders_it_anew(client_for, project, consultant, manager, change):
    first, second = TopicFactory.create_batch(2, project=project, block=BusinessModelBlock.objects.get(key="channels"))
    c = client_for(consultant)
    before = c.get(step_url(project, STEP)).content.decode()
    if change == "edit":
        hx_post(
            c,
            edit_url(project, "topic", first.pk),
            {
                "title": "Renamed topic",
                "block": first.block_id,
                "priority": 3,
                "social_media_affinity": 3,
                "lock_version": first.lock_version,
            },
        )
        expected = "Renamed topic"
    elif change == "add":
        TopicFactory(project=project, title="Brand-new topic")
        expected = "Brand-new topic"
    elif change == "delete":
        second.delete()
        expected = None
    elif change == "move":
        hx_post(c, move_url(project, "topic", second.pk), {"direction": "up"})
        expected = None
    elif change == "comment":
        StepComment.objects.create(project=project, area=_area("business_model"), author=manager, text="Go on")
        expected = "Go on"
    elif change == "checklist":
        question = GuidingQuestion.objects.filter(area__key="business_model").first()
        checklist_answer_save(project=project, user=consultant, question=question, done=True, notes="")
        expected = None
    elif change == "admin edit":
        admin = UserFactory(username="admin-user", is_staff=True, is_superuser=True)
        data = {key: value for key, value in model_to_dict(first).items() if value is not None}
        data["title"] = "Renamed in the admin"
        response = client_for(admin).post(reverse("admin:strategies_topic_change", args=[first.pk]), data)
        assert response.status_code == 302, response.content.decode()[:2000]
        expected = "Renamed in the admin"
    elif change == "admin delete":
        admin = UserFactory(username="admin-user", is_staff=True, is_superuser=True)
        response = client_for(admin).post(
            reverse("admin:strategies_topic_changelist"),
            {"action": "delete_selected", "_selected_action": [second.pk], "post": "yes"},
        )
        assert response.status_code == 302
        expected = None
    elif change == "import":
        # The import writes its rows as loaddata does (save_base(raw=True)): no save(), no history.
        now = timezone.now()
        imported = Topic(project=project, block=first.block, title="Imported topic", order=9)
        imported.created_at = imported.updated_at = now
        imported.save_base(raw=True)
        expected = "Imported topic"
    else:
        block = BusinessModelBlock.objects.get(key="channels")
        block.title = "Kanäle (neu benannt)"
        block.save()
        expected = "Kanäle (neu benannt)"
    after = c.get(step_url(project, STEP)).content.decode()
    assert after != before
    if expected:
        assert expected in after
    if change in ("delete", "admin delete"):
        assert second.title not in after
    if change == "move":
        assert after.index(second.title) < after.index(first.title)


def _area(key):
    from competencies.models import CompetenceArea

    return CompetenceArea.objects.get(key=key)


def test_pages_are_cached_per_user_and_role(client_for, project, consultant, viewer):
    client_for(consultant).get(step_url(project, STEP))
    read_only = client_for(viewer).get(step_url(project, STEP)).content.decode()
    assert 'hx-post="' not in read_only
    assert viewer.username in read_only and consultant.username not in read_only


def test_flash_messages_are_shown_once_and_never_cached(client_for, project, manager):
    c = client_for(manager)
    c.get(step_url(project, STEP))
    c.post(reverse("step_comment_add", args=[project.pk, "business_model"]), {"text": "Looks good"})
    shown = c.get(step_url(project, STEP)).content.decode()
    assert "Looks good" in shown and "alert-success" in shown
    again = c.get(step_url(project, STEP)).content.decode()
    assert "alert-success" not in again


def test_a_comment_by_a_deleted_user_still_renders(client_for, project, consultant, manager):
    StepComment.objects.create(project=project, area=_area("business_model"), author=None, text="Old remark")
    body = client_for(consultant).get(step_url(project, STEP)).content.decode()
    assert "Old remark" in body


def test_a_removed_member_gets_404_although_the_page_was_cached_for_them(client_for, project, consultant, viewer):
    c = client_for(viewer)
    assert c.get(step_url(project, STEP)).status_code == 200
    Membership.objects.filter(project=project, user=viewer).delete()
    assert c.get(step_url(project, STEP)).status_code == 404


def test_a_changed_role_gets_its_own_page(client_for, project, consultant, viewer):
    c = client_for(viewer)
    assert "data-add" not in c.get(step_url(project, STEP)).content.decode()
    Membership.objects.filter(project=project, user=viewer).update(role=Role.CONSULTANT)
    assert "data-add" in c.get(step_url(project, STEP)).content.decode()


def test_a_cached_page_still_moves_the_consultants_bookmark(client_for, project, consultant):
    c = client_for(consultant)
    c.get(step_url(project, "competition"))
    c.get(step_url(project, STEP))
    c.get(step_url(project, "competition"))  # served from the cache
    assert StrategyProject.objects.get(pk=project.pk).last_step == "competition"


@pytest.mark.parametrize("title", ["__pbsm_csrf_token__", "<pbsm-csrf-token>", "x<pbsm-csrf-token>y"])
def test_a_topic_titled_like_the_csrf_placeholder_shows_as_typed_on_a_cached_page(
    client_for, project, consultant, title
):
    from strategies.wizard.page_cache import CSRF_PLACEHOLDER

    TopicFactory(project=project, title=title)
    c = client_for(consultant)
    first = c.get(step_url(project, STEP)).content.decode()
    cached = c.get(step_url(project, STEP)).content.decode()
    token = cached.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    escaped = title.replace("<", "&lt;").replace(">", "&gt;")
    for page in (first, cached):
        assert escaped in page
        assert CSRF_PLACEHOLDER not in page
        assert token not in page.replace(f'value="{token}"', "").replace(f'"X-CSRFToken": "{token}"', "")


def test_a_project_titled_like_the_csrf_placeholder_shows_as_typed_on_the_cached_project_list(
    client_for, project, consultant
):
    project.title = "__pbsm_csrf_token__ <pbsm-csrf-token>"
    project.save()
    c = client_for(consultant)
    c.get(reverse("home"))
    cached = c.get(reverse("home")).content.decode()
    assert "__pbsm_csrf_token__ &lt;pbsm-csrf-token&gt;" in cached


def test_an_edit_in_one_project_leaves_the_other_projects_cached_pages_alone(client_for, project, consultant):
    """Many workshops at once: a saved row renews its own project's pages only."""
    other = ProjectFactory()
    MembershipFactory(project=other, user=consultant, role=Role.CONSULTANT)
    mine = TopicFactory(project=project, title="Mine")
    TopicFactory(project=other, title="Theirs")
    c = client_for(consultant)
    c.get(step_url(project, STEP))
    c.get(step_url(other, STEP))
    page_cache.reset_stats()
    hx_post(
        c,
        edit_url(project, "topic", mine.pk),
        {
            "title": "Mine, renamed",
            "block": mine.block_id,
            "priority": 3,
            "social_media_affinity": 3,
            "lock_version": 0,
        },
    )
    assert "Theirs" in c.get(step_url(other, STEP)).content.decode()
    assert page_cache.stats() == {"hits": 1, "misses": 0, "hit_rate": 1.0}
    assert "Mine, renamed" in c.get(step_url(project, STEP)).content.decode()
    assert page_cache.stats() == {"hits": 1, "misses": 1, "hit_rate": 0.5}


def test_a_catalogue_change_renews_every_projects_pages(client_for, project, consultant):
    other = ProjectFactory()
    MembershipFactory(project=other, user=consultant, role=Role.CONSULTANT)
    c = client_for(consultant)
    c.get(step_url(project, STEP))
    c.get(step_url(other, STEP))
    BusinessModelBlock.objects.filter(key="channels").first().save()
    page_cache.reset_stats()
    c.get(step_url(project, STEP))
    c.get(step_url(other, STEP))
    assert page_cache.stats()["misses"] == 2


def test_a_project_without_a_counter_row_gets_one_on_its_next_change(client_for, project, consultant):
    """Rows lost (a flushed table, a project restored from a backup without it) are made again, never an error."""
    c = client_for(consultant)
    benefit = BenefitFactory(topic=TopicFactory(project=project, block=_channels()), title="First benefit")
    ContentCounter.objects.all().delete()
    c.get(step_url(project, "business_benefit"))
    benefit.title = "Saved after the loss"
    benefit.save()  # found through its topic, and counted from a new row on
    assert ContentCounter.objects.filter(scope=project.pk).exists()
    assert "Saved after the loss" in c.get(step_url(project, "business_benefit")).content.decode()


def test_page_cache_stats_count_hits_and_misses_and_start_empty(client_for, project, consultant):
    page_cache.reset_stats()
    assert page_cache.stats() == {"hits": 0, "misses": 0, "hit_rate": None}
    c = client_for(consultant)
    for _ in range(3):
        c.get(step_url(project, STEP))
    assert page_cache.stats() == {"hits": 2, "misses": 1, "hit_rate": 2 / 3}


def test_every_model_a_page_shows_is_counted():
    """A new model must say whether the cached pages show it (strategies/content_changes.py)."""
    from django.apps import apps
    from django.db.models.signals import pre_delete, pre_save

    from strategies.content_changes import NOT_SHOWN, PROJECT_PATHS

    for app in ("strategies", "competencies"):
        for model in apps.get_app_config(app).get_models():
            name = model.__name__
            if name.startswith("Historical") or name == "ContentCounter" or name in NOT_SHOWN:
                continue
            assert app == "competencies" or name in PROJECT_PATHS, name
            assert pre_save.has_listeners(model) and pre_delete.has_listeners(model), name


def _channels():
    return BusinessModelBlock.objects.get(key="channels")


@pytest.fixture
def committed(transactional_db):
    """Rows the other thread can see: real commits (PostgreSQL's row locks; SQLite has none)."""
    from django.apps import apps
    from django.contrib.auth.models import Group
    from django.db import connection

    from competencies.catalogue import load_catalogue

    if connection.vendor != "postgresql":
        pytest.skip("Row locks held by two connections at once need PostgreSQL.")
    load_catalogue(apps.get_model)
    Group.objects.get_or_create(name="consultants")


@pytest.mark.postgres
def test_deleting_a_topic_while_a_colleague_saves_its_benefit_does_not_deadlock(committed, monkeypatch):
    """The delete counts the change before it locks any row, so the save waits for it instead of
    holding the benefit's lock while waiting for the counter the delete holds (a deadlock)."""
    import threading
    import time

    from django.db import connections
    from django.db.models.signals import post_delete

    from strategies.models import Kpi
    from strategies.services.rows import RowConflict, working_row_delete, working_row_save

    from .factories import KpiFactory

    project = ProjectFactory()
    user = UserFactory(username="alice", consultant_group=True)
    MembershipFactory(project=project, user=user, role=Role.CONSULTANT)
    topic = TopicFactory(project=project, block=_channels())
    benefit = BenefitFactory(topic=topic)
    KpiFactory(benefit=benefit)
    deleting, saving = threading.Event(), threading.Event()
    deleter = {}

    def hold_after_the_kpis(sender, **kwargs):
        # The delete has counted (and so locked the counter) and deleted the KPIs; the benefit is next.
        if threading.get_ident() == deleter.get("thread"):
            deleting.set()
            saving.wait(timeout=5)
            time.sleep(0.5)  # the save is now waiting where it would wait

    post_delete.connect(hold_after_the_kpis, sender=Kpi, dispatch_uid="test-hold-after-kpis")
    results = {}

    def delete():
        deleter["thread"] = threading.get_ident()
        try:
            working_row_delete(project=project, user=user, row=Topic.objects.get(pk=topic.pk))
            results["delete"] = "ok"
        except Exception as error:  # noqa: BLE001 - the test inspects it
            results["delete"] = error
        finally:
            connections.close_all()

    def save():
        deleting.wait(timeout=5)
        saving.set()
        try:
            row = type(benefit).objects.get(pk=benefit.pk)
            working_row_save(
                project=project, user=user, row=row, data={"title": "Saved"}, lock_version=row.lock_version
            )
            results["save"] = "ok"
        except RowConflict:
            results["save"] = "conflict"  # the colleague's delete came first: the save is told, as it should be
        except Exception as error:  # noqa: BLE001 - the test inspects it
            results["save"] = error
        finally:
            connections.close_all()

    try:
        threads = [threading.Thread(target=delete), threading.Thread(target=save)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        post_delete.disconnect(sender=Kpi, dispatch_uid="test-hold-after-kpis")
    assert results == {"delete": "ok", "save": "conflict"}


def test_a_row_moved_to_another_project_renews_both_projects_pages(client_for, project, consultant):
    """The admin can give a topic another project: the one it left shows it no more."""
    other = ProjectFactory()
    MembershipFactory(project=other, user=consultant, role=Role.CONSULTANT)
    topic = TopicFactory(project=project, title="Wandering topic", block=_channels())
    c = client_for(consultant)
    assert "Wandering topic" in c.get(step_url(project, STEP)).content.decode()
    assert "Wandering topic" not in c.get(step_url(other, STEP)).content.decode()
    topic.project = other
    topic.save()
    assert "Wandering topic" not in c.get(step_url(project, STEP)).content.decode()
    assert "Wandering topic" in c.get(step_url(other, STEP)).content.decode()


def test_page_cache_counts_reach_the_shared_cache_at_most_once_a_second(client_for, project, consultant, monkeypatch):
    """Every web process adds its counts to the cache, where stats() in another process finds them."""
    from django.core.cache import cache

    page_cache.reset_stats()
    c = client_for(consultant)
    monkeypatch.setattr(page_cache, "FLUSH_SECONDS", 3600)
    c.get(step_url(project, STEP))
    c.get(step_url(project, STEP))
    assert cache.get("wizard-page-stats:hits") is None  # still counted in this process only
    monkeypatch.setattr(page_cache, "FLUSH_SECONDS", 0)
    c.get(step_url(project, STEP))
    assert (cache.get("wizard-page-stats:hits"), cache.get("wizard-page-stats:misses")) == (2, 1)


def _counter_updates(captured) -> int:
    return sum('UPDATE "strategies_contentcounter"' in query["sql"] for query in captured.captured_queries)


def _filled(project):
    """A project with rows at every depth of the counted paths (topic, benefit, option, requirement, KPI, …)."""
    from .factories import CompetitorFactory, KpiFactory, OptionFactory, PresenceFactory, RequirementFactory

    for n in range(3):
        topic = TopicFactory(project=project, block=_channels(), title=f"Topic {n}")
        benefit = BenefitFactory(topic=topic, title=f"Benefit {n}")
        option = OptionFactory(topic=topic, benefit=benefit)
        RequirementFactory(option=option)
        KpiFactory(benefit=benefit)
        PresenceFactory(topic=topic, competitor=CompetitorFactory(project=project, name=f"Competitor {n}"))
    return project


def test_deleting_a_project_counts_once_not_once_per_row_of_its_cascade(project):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from strategies.services.projects import project_delete

    _filled(project)
    other = TopicFactory(project=ProjectFactory(), block=_channels()).project
    pk = project.pk
    before = ContentCounter.objects.get(scope=pk).count
    others_before = ContentCounter.objects.get(scope=other.pk).count
    with CaptureQueriesContext(connection) as captured:
        project_delete(project=project)
    assert not StrategyProject.objects.filter(pk=pk).exists()
    assert not Topic.objects.filter(project_id=pk).exists()
    assert _counter_updates(captured) == 1
    # The row stays behind (ids are never reused) with the deletion counted once.
    assert ContentCounter.objects.get(scope=pk).count == before + 1
    assert ContentCounter.objects.get(scope=other.pk).count == others_before


def test_importing_a_project_counts_once_not_once_per_row(project, consultant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from strategies.portability.exporter import project_export
    from strategies.portability.importer import project_import

    document = project_export(project=_filled(project))
    with CaptureQueriesContext(connection) as captured:
        imported = project_import(document=document, user=consultant)
    assert imported.pk != project.pk and imported.topics.count() == 3
    # The new project's counter is made with it (an UPDATE that finds no row, then the row).
    assert _counter_updates(captured) <= 1
    assert ContentCounter.objects.filter(scope=imported.pk).exists()


def test_rows_count_one_by_one_again_after_a_counted_once_block(project):
    from strategies.content_changes import counted_once

    topic = TopicFactory(project=project, block=_channels())
    before = ContentCounter.objects.get(scope=project.pk).count
    with counted_once(project_id=project.pk):
        topic.title = "Inside"
        topic.save()
    assert ContentCounter.objects.get(scope=project.pk).count == before + 1
    topic.title = "After"
    topic.save()
    assert ContentCounter.objects.get(scope=project.pk).count == before + 2


@pytest.mark.usefixtures("english_pages")
@pytest.mark.parametrize("change", ["check-in", "milestone move", "review", "new day"])
def test_the_project_lists_portfolio_shows_each_change_at_once_although_it_was_cached(
    client_for, project, consultant, manager, change
):
    """The portfolio's figures move with check-ins, milestone moves, reviews and the date: each is seen at once."""
    import datetime
    import re
    from unittest import mock

    from strategies.models import Milestone, ReviewDecision
    from strategies.services.checkins import kpi_checkin_record
    from strategies.services.milestones import milestone_status_change
    from strategies.services.reviews import strategy_review_record

    from .factories import MilestoneFactory
    from .management_data import approved_version, today

    MilestoneFactory(project=project, title="Late", due_date=today() - datetime.timedelta(days=3))
    _version, (kpi, _other), _milestone = approved_version(project, consultant, manager, ago=30)
    if change != "check-in":
        kpi_checkin_record(project=project, kpi_key=kpi.pk, user=consultant, date=today(), value="20")
    c = client_for(consultant)

    def portfolio() -> str:
        return "".join(re.findall(r'<td class="portfolio-[a-z]+">.*?</td>', c.get(reverse("home")).content.decode()))

    before = portfolio()
    page_cache.reset_stats()
    assert portfolio() == before and page_cache.stats()["hits"] == 1  # served from the cache
    tomorrow = today() + datetime.timedelta(days=1)
    with mock.patch("django.utils.timezone.localdate", return_value=tomorrow if change == "new day" else today()):
        if change == "check-in":
            kpi_checkin_record(project=project, kpi_key=kpi.pk, user=consultant, date=today(), value="20")
            expected, gone = ">today<", "none yet"
        elif change == "milestone move":
            late = Milestone.objects.get(project=project, title="Late")
            milestone_status_change(milestone=late, user=consultant, status="done", date=today())
            expected, gone = "none overdue", "1 overdue"
        elif change == "review":
            strategy_review_record(
                project=project,
                user=manager,
                date=today(),
                participants="Board",
                findings=[],
                decision=ReviewDecision.CONTINUE,
                rationale="",
                next_review_on=today() + datetime.timedelta(days=30),
            )
            expected, gone = (today() + datetime.timedelta(days=30)).strftime("%m/%d/%Y"), "(proposed)"
        else:
            expected, gone = "1 day ago", ">today<"
        after = portfolio()
    assert gone in before and gone not in after
    assert expected not in before and expected in after
