import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from strategies.analysis.content_plan import content_plan_figures
from strategies.analysis.kpi_status import MilestoneState, Reason, State
from strategies.demo import DEFAULT_PASSWORD, DEMO_CLIENT, DEMO_PROJECT, LARGE_CLIENT, LARGE_PROJECT
from strategies.models import (
    ActionOption,
    BusinessBenefit,
    Cadence,
    CompetitorKind,
    CompetitorPresence,
    Decision,
    Kpi,
    KpiCheckIn,
    Resource,
    ResourceRequirement,
    ReviewDecision,
    Role,
    StrategyProject,
    VersionStatus,
)
from strategies.services.checkin_reminders import checkin_reminders_send
from strategies.strategy_standing import strategy_standing

pytestmark = pytest.mark.django_db


def authenticate_from_login_page(*, username, password):
    """The configured backends, as the login page calls them (login throttling needs the request)."""
    return authenticate(RequestFactory().post("/accounts/login/"), username=username, password=password)


MEMBER_ROLES = {
    "berater": Role.CONSULTANT,
    "beraterin2": Role.CONSULTANT,
    "manager": Role.MANAGER,
    "viewer": Role.VIEWER,
}


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    # The command hashes five passwords per run; the default hasher would make these tests slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DEMO_PASSWORD = ""


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def demo_project() -> StrategyProject:
    return StrategyProject.objects.get(client__name=DEMO_CLIENT["name"], title=DEMO_PROJECT["title"])


def large_project() -> StrategyProject:
    return StrategyProject.objects.get(client__name=LARGE_CLIENT["name"], title=LARGE_PROJECT["title"])


def row_counts() -> dict[str, int]:
    """Rows of every strategies model (historical tables included) and of the auth tables."""
    models = list(apps.get_app_config("strategies").get_models())
    user_model = get_user_model()
    counts = {model._meta.label: model.objects.count() for model in models}
    counts["users"] = user_model.objects.count()
    counts["user_groups"] = user_model.groups.through.objects.count()
    return counts


def test_seed_demo_creates_users_with_their_roles_on_the_demo_project():
    seed()
    project = demo_project()
    users = {u.username: u for u in get_user_model().objects.filter(username__in=[*MEMBER_ROLES, "admin"])}

    assert {username: project.role_of(users[username]) for username in MEMBER_ROLES} == MEMBER_ROLES
    for username in ("berater", "beraterin2"):
        assert users[username].groups.filter(name="consultants").exists()
    for username in ("manager", "viewer"):
        assert not users[username].groups.filter(name="consultants").exists()
    admin = users["admin"]
    assert admin.is_staff and admin.is_superuser
    assert not admin.memberships.exists()
    assert all(u.first_name and u.last_name and u.email.endswith("@example.com") for u in users.values())


def test_demo_logins_work_with_the_default_password():
    seed()
    for username in ("admin", *MEMBER_ROLES):
        assert authenticate_from_login_page(username=username, password=DEFAULT_PASSWORD) is not None, username


def test_demo_password_setting_overrides_the_default(settings):
    seed()
    settings.DEMO_PASSWORD = "anderes-passwort-42"
    output = seed()

    assert authenticate_from_login_page(username="berater", password="anderes-passwort-42") is not None
    assert authenticate_from_login_page(username="berater", password=DEFAULT_PASSWORD) is None
    assert "anderes-passwort-42" in output


def test_output_lists_url_usernames_and_password():
    output = seed()
    assert "http://127.0.0.1:8000/" in output
    for username in ("admin", *MEMBER_ROLES):
        assert username in output
    assert DEFAULT_PASSWORD in output
    assert "DEMO_PASSWORD" in output


def test_demo_project_is_filled_across_all_steps():
    seed()
    project = demo_project()

    topics = project.topics.all()
    assert topics.count() >= 12
    assert topics.values("block").distinct().count() >= 6
    assert topics.low_affinity_high_priority().exists()
    assert topics.without_benefit().count() == 1
    assert project.effect_relevances.count() == 3
    assert project.usage_format_relevances.count() == 3
    assert project.readiness_stage and project.netiquette and project.escalation_path
    assert project.checklist_answers.filter(done=True).exists()

    benefits = BusinessBenefit.objects.for_project(project)
    assert benefits.count() >= 12
    assert benefits.without_option().count() == 1
    options = ActionOption.objects.for_project(project)
    assert 15 <= options.count() <= 20
    assert all(option.benefit.topic_id == option.topic_id for option in options)

    competitors = project.competitors.all()
    assert competitors.performance().exists() and competitors.attention().exists()
    for kind in CompetitorKind:
        assert CompetitorPresence.objects.filter(competitor__project=project, competitor__kind=kind).count() >= 2

    assert Resource.objects.filter(project=project).exists()
    assert ResourceRequirement.objects.filter(option__topic__project=project).count() >= options.count()
    kpis = Kpi.objects.filter(benefit__topic__project=project)
    assert kpis.count() >= 5
    assert [kpi.smart_missing() for kpi in kpis if not kpi.is_smart] == [["A"]]
    assert project.milestones.exists() and project.platforms.exists()


def test_demo_project_has_ranked_options_a_content_plan_and_the_consultants_swot_points():
    """What the method's judgement needs to be shown live: option priorities, a content plan checked
    against the platforms and the staff time, and the consultant's own SWOT points."""
    seed()
    project = demo_project()

    options = ActionOption.objects.for_project(project)
    assert options.filter(priority=5).exists() and options.filter(priority__isnull=True).exists()
    figures = content_plan_figures(project)
    assert figures["pillar_count"] == 4 and figures["line_count"] == 7
    assert figures["has_staff_time"] and not figures["has_gap"]
    assert figures["unchosen_platforms"] == ["TikTok"]
    assert figures["pillars_without_topic"] == [] and figures["pillars_without_lines"] == []
    assert {row["usage_format"].key for row in figures["usage_mix"]} == {"network", "audience", "community"}
    assert sorted(project.swot_notes.values_list("quadrant", flat=True)) == ["strength", "threat", "weakness"]


def test_demo_project_has_an_approved_and_a_draft_version():
    seed()
    project = demo_project()
    approved = project.versions.get(status=VersionStatus.APPROVED)
    draft = project.versions.get(status=VersionStatus.DRAFT)
    option_count = ActionOption.objects.for_project(project).count()

    assert draft.based_on == approved
    assert approved.snapshot["schema"] == 6
    assert len(approved.snapshot["options"]) == option_count
    assert [t.to_status for t in approved.transitions.all()] == ["draft", "submitted", "approved"]
    assert approved.submitted_by.username == "berater"
    decision = approved.decisions.get()
    assert decision.decision == Decision.APPROVE
    assert decision.actor.username == "manager"
    assert decision.actor_name == decision.actor.get_full_name()
    for version in (approved, draft):
        assert version.version_options.count() == option_count
        assert version.version_options.filter(included=True).exists()
        assert version.version_options.filter(included=False).exists()


def test_seed_demo_is_idempotent():
    seed()
    before = row_counts()
    output = seed()

    assert row_counts() == before
    assert "already exists" in output


def test_rerun_finds_its_project_although_another_client_has_the_demo_clients_name():
    # Client names are not unique (issue 11.5): a consultancy may keep its own "Brenner" record.
    from strategies.models import Client

    seed()
    Client.objects.create(name=DEMO_CLIENT["name"])
    before = row_counts()
    assert "already exists" in seed()
    assert row_counts() == before


def test_rerun_leaves_user_changes_in_the_demo_project_alone():
    seed()
    topic = demo_project().topics.first()
    topic.title = "Vom Team umbenannt"
    topic.save()
    seed()

    topic.refresh_from_db()
    assert topic.title == "Vom Team umbenannt"


def test_large_size_adds_a_big_project_and_is_idempotent():
    seed("--size", "large")
    project = large_project()
    assert project.topics.count() >= 60
    assert project.topics.values("block").distinct().count() == 9
    assert BusinessBenefit.objects.for_project(project).count() >= 200
    assert ActionOption.objects.for_project(project).count() >= 300
    assert project.competitors.count() >= 30
    assert CompetitorPresence.objects.filter(competitor__project=project).count() >= 30
    assert project.resources.count() >= 40
    assert project.versions.approved().get().snapshot is not None
    assert project.memberships.count() == len(MEMBER_ROLES)
    demo_project()  # the small project comes with it

    before = row_counts()
    seed("--size", "large")
    assert row_counts() == before


def test_xl_size_is_five_times_large_with_history_and_is_idempotent():
    # One real xl seed (issue 13's sizes); a few seconds on SQLite.
    from strategies.demo import XL_PROJECT

    seed("--size", "xl")
    project = StrategyProject.objects.get(title=XL_PROJECT["title"])
    assert project.topics.count() >= 360
    assert project.topics.values("block").distinct().count() == 9
    assert BusinessBenefit.objects.for_project(project).count() >= 1000
    assert ActionOption.objects.for_project(project).count() >= 1500
    assert project.competitors.count() >= 100
    assert project.resources.count() >= 150
    assert Kpi.objects.filter(benefit__topic__project=project).count() >= 60
    assert project.versions.approved().get().snapshot is not None
    large_project()  # the large and the small project come with it
    demo_project()
    # Bulk writes leave history rows: the page cache's fingerprint counts them.
    assert (
        ActionOption.history.filter(topic__project=project).count() == ActionOption.objects.for_project(project).count()
    )
    assert Kpi.history.filter(benefit__topic__project=project).count() >= 60

    before = row_counts()
    seed("--size", "xl")
    assert row_counts() == before


# --- strategy management: the approved demo strategy at work (issue 14) --------------------------


def test_the_demo_strategy_has_nine_months_of_checkins_with_every_light():
    seed()
    standing = strategy_standing(demo_project())
    today = timezone.localdate()

    assert standing.approved_on <= today - datetime.timedelta(days=273)  # nine months and more
    assert {state: count > 0 for state, count in standing.counts.items()} == dict.fromkeys(State, True)
    first = min(k.readings[0].on for k in standing.kpis if k.readings)
    assert first == standing.approved_on and standing.last_checkin_on >= today - datetime.timedelta(days=31)
    assert all(len(kpi.readings) >= 3 for kpi in standing.kpis)
    falling = [k for k in standing.kpis if k.plan.baseline is not None and k.plan.target < k.plan.baseline]
    assert falling and all(k.status.state != State.NOT_JUDGED for k in falling)
    assert [k.status.reason for k in standing.kpis if k.plan.baseline is None] == [Reason.NO_BASELINE]
    checkins = KpiCheckIn.objects.filter(project=standing.project)
    assert checkins.filter(recorded_by__username="viewer").exists()  # the owner records their KPI


def test_the_demo_strategy_was_reviewed_twice_and_adjust_started_the_draft():
    seed()
    project = demo_project()
    standing = strategy_standing(project)
    reviews = list(project.reviews.order_by("date"))

    assert [r.decision for r in reviews] == [ReviewDecision.CONTINUE, ReviewDecision.ADJUST]
    assert all(r.findings.exists() for r in reviews)
    draft = project.versions.get(status=VersionStatus.DRAFT)
    assert reviews[1].successor == draft and draft.based_on == standing.version
    assert standing.last_review == reviews[1] and standing.next_review_on > reviews[1].date


def test_the_demo_strategy_has_an_overdue_milestone_and_recorded_moves():
    seed()
    project = demo_project()
    standing = strategy_standing(project)

    assert standing.overdue_milestones >= 1
    assert {m.state for m in standing.milestones} >= {MilestoneState.DONE, MilestoneState.BLOCKED}
    assert project.milestone_status_changes.count() >= 3


def test_the_demo_has_checkins_due_so_the_reminder_job_sends_once(mailoutbox):
    seed()
    standing = strategy_standing(demo_project())
    assert standing.checkins_due >= 2

    sent = checkin_reminders_send()
    recipients = {reminder.recipient.username for reminder in sent}
    assert {"viewer", "manager"} <= recipients  # owners who are members
    assert recipients & {"berater", "beraterin2"}  # the consultants, for a KPI without a member owner
    assert len(mailoutbox) == len(sent)
    assert checkin_reminders_send() == []


def test_the_large_project_has_three_years_of_weekly_checkins_on_its_kpis():
    seed("--size", "large")
    standing = strategy_standing(large_project())
    today = timezone.localdate()

    assert standing.approved_on <= today - datetime.timedelta(days=3 * 365)
    assert all(len(kpi.readings) >= 155 for kpi in standing.kpis)
    assert all(kpi.tracking.cadence == Cadence.WEEKLY for kpi in standing.kpis)
    judged = {state for state, count in standing.counts.items() if count}
    assert {State.ON_TRACK, State.AT_RISK, State.OFF_TRACK} <= judged
    assert 0 < standing.checkins_due < len(standing.kpis)
