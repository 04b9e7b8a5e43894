"""The portfolio on the project list: for each project with an approved strategy in force, how its
KPIs stand, overdue milestones, the next review and how old the last check-in is, so a consultant
sees on one screen which client needs attention. Projects that need it come first."""

import datetime
import re

import pytest
from django.urls import reverse

from strategies.models import ReviewDecision, Role
from strategies.services.checkins import kpi_checkin_record, kpi_tracking_update
from strategies.services.reviews import strategy_review_record
from strategies.services.versions import strategy_version_create, version_option_choose

from .factories import KpiFactory, MembershipFactory, MilestoneFactory, OptionFactory, ProjectFactory
from .management_data import approve, days_ago, today

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

# Baseline 10 at approval (60 days ago), target 40 in 60 days: the planned path stands at 25 today;
# the default tolerance is 10 % of the way (3), so 23 is at risk and 15 off track.
ON_TRACK, AT_RISK, OFF_TRACK = "26", "23", "15"


def strategy(consultant, manager, *, title, values=(), milestone_due=None, checked_days_ago=0):
    """A project of both users with an approved version (60 days ago) of one KPI per value, each checked in."""
    project = ProjectFactory(title=title)
    MembershipFactory(project=project, user=consultant, role=Role.CONSULTANT)
    MembershipFactory(project=project, user=manager, role=Role.MANAGER)
    option = OptionFactory(topic__project=project)
    due = today() + datetime.timedelta(days=60)
    kpis = [
        KpiFactory(benefit=option.benefit, metric=f"KPI {n}", baseline=10, target=40, due_date=due)
        for n in range(len(values))
    ]
    if milestone_due is not None:
        MilestoneFactory(project=project, title="Launch", due_date=milestone_due)
    with days_ago(60):
        version = strategy_version_create(project=project, user=consultant, name="Plan")
        version_option_choose(version=version, user=consultant, option=option, included=True, reason="Yes")
    approve(version, consultant, manager, ago=60)
    day = today() - datetime.timedelta(days=checked_days_ago)
    for kpi, value in zip(kpis, values, strict=True):
        kpi_checkin_record(project=project, kpi_key=kpi.pk, user=consultant, date=day, value=value)
    return project, kpis


def row_of(body: str, title: str) -> str:
    """The table row of the project titled `title`."""
    for row in re.findall(r"<tr[^>]*>.*?</tr>", body, re.S):
        if f">{title}</a>" in row:
            return row
    raise AssertionError(f"{title} is not listed")


def cell(row: str, name: str) -> str:
    """The portfolio cell `name` (milestones, review, checkin, attention, kpis) of a row."""
    return re.search(rf'<td class="portfolio-{name}">(.*?)</td>', row, re.S).group(1)


def home(client_for, user) -> str:
    return client_for(user).get(reverse("home")).content.decode()


@pytest.fixture
def consultant(db):
    from .factories import UserFactory

    return UserFactory(username="alice", consultant_group=True)


@pytest.fixture
def manager(db):
    from .factories import UserFactory

    return UserFactory(username="marc")


def test_each_projects_kpis_are_counted_by_state_in_words(client_for, consultant, manager):
    strategy(consultant, manager, title="Bakery", values=[ON_TRACK, ON_TRACK, AT_RISK])
    strategy(consultant, manager, title="Brewery", values=[OFF_TRACK, ON_TRACK])

    body = home(client_for, consultant)

    bakery, brewery = row_of(body, "Bakery"), row_of(body, "Brewery")
    assert "2 On track" in bakery and "1 At risk" in bakery and "Off track" not in bakery
    assert "1 Off track" in brewery and "1 On track" in brewery and "At risk" not in brewery


def test_a_project_with_a_kpi_off_track_needs_attention_and_comes_first(client_for, consultant, manager):
    # Alphabetically the calm project comes first; the one needing attention is moved up.
    strategy(consultant, manager, title="Alpha calm", values=[AT_RISK])
    strategy(consultant, manager, title="Zulu troubled", values=[OFF_TRACK])

    body = home(client_for, consultant)

    assert body.index("Zulu troubled") < body.index("Alpha calm")
    assert "Needs attention:" in row_of(body, "Zulu troubled") and "a KPI is off track" in row_of(body, "Zulu troubled")
    assert "Needs attention" not in row_of(body, "Alpha calm") and "nothing pressing" in row_of(body, "Alpha calm")
    assert "1 project needs attention." in body


def test_an_overdue_milestone_is_counted_and_needs_attention(client_for, consultant, manager):
    strategy(consultant, manager, title="Late", values=[ON_TRACK], milestone_due=today() - datetime.timedelta(days=2))
    strategy(
        consultant, manager, title="In time", values=[ON_TRACK], milestone_due=today() + datetime.timedelta(days=9)
    )

    body = home(client_for, consultant)

    assert "1 overdue" in row_of(body, "Late") and "a milestone is overdue" in row_of(body, "Late")
    assert "none overdue" in row_of(body, "In time") and "Needs attention" not in row_of(body, "In time")


def test_the_next_review_is_proposed_until_a_review_names_it_and_marked_when_overdue(client_for, consultant, manager):
    project, _kpis = strategy(consultant, manager, title="Reviewed", values=[ON_TRACK])
    review = cell(row_of(home(client_for, consultant), "Reviewed"), "review")
    assert "(proposed)" in review and "overdue" not in review  # a quarter after approval, 60 days ago

    with days_ago(10):
        strategy_review_record(
            project=project,
            user=manager,
            date=today(),
            participants="Board",
            findings=[],
            decision=ReviewDecision.CONTINUE,
            rationale="",
            next_review_on=today() + datetime.timedelta(days=5),
        )
    row = row_of(home(client_for, consultant), "Reviewed")
    assert "(proposed)" not in cell(row, "review") and "overdue" in cell(row, "review")
    assert "the review is overdue" in cell(row, "attention")


def test_the_last_check_in_shows_its_age_in_days_or_none_yet(client_for, consultant, manager):
    strategy(consultant, manager, title="Checked", values=[ON_TRACK], checked_days_ago=12)
    strategy(consultant, manager, title="Fresh", values=[ON_TRACK])
    strategy(consultant, manager, title="Never", values=[])

    body = home(client_for, consultant)

    assert "12 days ago" in row_of(body, "Checked")
    assert "today" in row_of(body, "Fresh")
    assert "none yet" in row_of(body, "Never") and "no KPIs" in row_of(body, "Never")


def test_a_kpi_that_went_a_whole_period_without_a_check_in_needs_attention(client_for, consultant, manager):
    project, (kpi,) = strategy(consultant, manager, title="Weekly", values=[ON_TRACK], checked_days_ago=20)
    row = row_of(home(client_for, consultant), "Weekly")
    assert "a check-in was missed" not in row  # monthly: last month's check-in still counts

    kpi_tracking_update(project=project, kpi_key=kpi.pk, user=consultant, cadence="weekly", tolerance_percent=10)

    assert "a check-in was missed" in row_of(home(client_for, consultant), "Weekly")


def test_a_project_without_an_approved_version_shows_no_figures(client_for, consultant, manager):
    draft_only = ProjectFactory(title="Draft only")
    MembershipFactory(project=draft_only, user=consultant, role=Role.CONSULTANT)
    strategy(consultant, manager, title="Approved", values=[ON_TRACK])

    body = home(client_for, consultant)

    row = row_of(body, "Draft only")
    assert "no approved strategy yet" in row
    assert not any(word in row for word in ("On track", "overdue", "proposed", "days ago", "none yet"))


def test_without_any_approved_strategy_the_list_has_no_portfolio_columns(client_for, consultant):
    MembershipFactory(project=ProjectFactory(title="Draft only"), user=consultant, role=Role.CONSULTANT)
    body = home(client_for, consultant)
    assert "Draft only" in body and "Next review" not in body and "need attention" not in body


def test_an_outsiders_projects_and_their_figures_are_never_listed(client_for, consultant, manager):
    from .factories import UserFactory

    strategy(consultant, manager, title="Secret client", values=[OFF_TRACK])
    outsider = UserFactory(username="charlie", consultant_group=True)
    strategy(outsider, UserFactory(username="olga"), title="Own client", values=[ON_TRACK])

    body = home(client_for, outsider)

    assert "Own client" in body and "1 On track" in body
    assert "Secret client" not in body and "Off track" not in body and "0 projects need attention." in body


def test_the_figures_link_to_the_projects_cockpit(client_for, consultant, manager):
    project, _kpis = strategy(consultant, manager, title="Linked", values=[ON_TRACK])
    row = row_of(home(client_for, consultant), "Linked")
    assert row.count(f'href="{reverse("cockpit", args=[project.pk])}"') == 4
