"""Query counts on the demo projects: every step page, the comparison, the project list and a row save stay small,
whatever the project's size."""

import datetime

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from competencies.models import AreaKey
from strategies.demo import LARGE_PROJECT, seed_demo_data
from strategies.models import Membership, Role, StrategyProject, Topic
from strategies.services.checkins import kpi_checkins_record_many
from strategies.snapshots import snapshot_kpis, version_content
from strategies.wizard.rows import ROW_KINDS
from strategies.wizard.steps import STEPS

from .factories import MembershipFactory, ProjectFactory, UserFactory
from .management_data import approved_version
from .query_budget import COMPARE_QUERIES, OVERVIEW_QUERIES, STEP_QUERIES
from .wizard_rows import HX, detail_url, edit_url, new_url

pytestmark = pytest.mark.django_db

MAX_QUERIES = STEP_QUERIES
# Pages that show more than the rest, pinned on their own: the overview adds the SWOT's rules and
# notes and the content plan's balance to its gaps, matrix, canvas and resource balance.
PAGE_MAX_QUERIES = {AreaKey.OVERVIEW: OVERVIEW_QUERIES}
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
        with django_assert_max_num_queries(PAGE_MAX_QUERIES.get(key, MAX_QUERIES), info=key) as captured:
            assert client.get(url).status_code == 200
        counts[key] = len(captured.captured_queries)
        if key == "business_model":
            # A closed block opened in place: the step's body alone, its rows loaded for that block only.
            # (The canvas shows all nine blocks on every size; the other steps only blocks in use.)
            cache.clear()
            with django_assert_max_num_queries(MAX_QUERIES, info=f"{key} open in place") as captured:
                assert client.get(url, {"open": _last_block(project)}, **OPEN_IN_PLACE).status_code == 200
            counts[f"{key} open in place"] = len(captured.captured_queries)
    for label, url, limit in (
        # The comparison builds the draft's content, with its SWOT and content plan (tests/query_budget.py).
        (
            "version compare",
            reverse("version_compare", args=[project.pk]),
            COMPARE_QUERIES,
        ),
        ("home", reverse("home"), MAX_QUERIES),
    ):
        cache.clear()  # a full render
        with django_assert_max_num_queries(limit, info=label) as captured:
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


# --- the implementation cockpit (issue 14) ----------------------------------------------------------------------

COCKPIT_MAX_QUERIES = STEP_QUERIES


def _approved_project(*, kpis: int, checkins: int):
    """A project whose approved version has `kpis` KPIs, each with `checkins` weekly check-ins, an owner
    who is a member, and (with check-ins) one corrected entry: what the cockpit and the KPI page show."""
    import datetime

    from strategies.models import KpiCheckIn
    from strategies.services.checkins import kpi_checkin_correct, kpi_tracking_update

    from .factories import MembershipFactory, ProjectFactory, UserFactory
    from .management_data import approved_version, today

    project = ProjectFactory()
    consultant, manager = UserFactory(), UserFactory()
    MembershipFactory(project=project, user=consultant, role=Role.CONSULTANT)
    MembershipFactory(project=project, user=manager, role=Role.MANAGER)
    version, kpi_rows, _milestone = approved_version(project, consultant, manager, ago=7 * checkins + 30, kpis=kpis)
    KpiCheckIn.objects.bulk_create(
        KpiCheckIn(
            project=project,
            kpi_key=kpi.pk,
            version=version,
            date=today() - datetime.timedelta(days=7 * week),
            value=10 + week,
            unit="leads",
            comment=f"Week {week}",
            recorded_by=consultant,
            recorded_by_name="Alice",
        )
        for kpi in kpi_rows
        for week in range(checkins)
    )
    for kpi in kpi_rows:
        kpi_tracking_update(project=project, kpi_key=kpi.pk, user=consultant, owner=manager)
    first = kpi_rows[0]
    wrong = KpiCheckIn.objects.filter(project=project, kpi_key=first.pk).order_by("-date").first()
    if wrong is not None:
        kpi_checkin_correct(checkin=wrong, user=consultant, value="30", date=wrong.date, comment="typo")
    return project, consultant, first


def _cockpit_queries(project, consultant, kpi, django_assert_max_num_queries) -> dict[str, int]:
    client = Client()
    client.force_login(consultant)
    counts = {}
    for label, url in (
        ("cockpit", reverse("cockpit", args=[project.pk])),
        ("kpi page", reverse("kpi_detail", args=[project.pk, kpi.pk])),
    ):
        client.get(url)  # the session's first request settles it
        with django_assert_max_num_queries(COCKPIT_MAX_QUERIES, info=label) as captured:
            assert client.get(url).status_code == 200
        counts[label] = len(captured.captured_queries)
    return counts


def test_the_cockpit_and_a_kpi_page_need_as_few_queries_for_more_than_a_page_of_kpis_as_for_2(
    django_assert_max_num_queries,
):
    from strategies.views.kpi_cards import KPI_CARDS_PER_PAGE

    small = _approved_project(kpis=2, checkins=1)
    # More KPIs than one page of cards, each with more check-in days than its light and forecast read.
    large = _approved_project(kpis=KPI_CARDS_PER_PAGE + 2, checkins=12)
    small_counts = _cockpit_queries(*small, django_assert_max_num_queries)
    large_counts = _cockpit_queries(*large, django_assert_max_num_queries)
    assert large_counts == small_counts, (small_counts, large_counts)


# --- strategy management: the milestone page and the reviews (issue 14) ------------------------------------------


def _managed_project(*, kpis: int, milestones: int, reviews: int, checkins: int) -> tuple:
    """A project with an approved version of `kpis` KPIs and `milestones` + 1 milestones, moved and reviewed."""
    import datetime

    from strategies.services.checkins import kpi_checkin_record
    from strategies.services.milestones import milestone_status_change
    from strategies.services.reviews import strategy_review_record

    from .factories import MembershipFactory, MilestoneFactory, ProjectFactory, UserFactory
    from .management_data import approved_version, today

    project = ProjectFactory()
    consultant, manager = UserFactory(), UserFactory()
    MembershipFactory(project=project, user=consultant, role=Role.CONSULTANT)
    MembershipFactory(project=project, user=manager, role=Role.MANAGER)
    for n in range(milestones):
        MilestoneFactory(project=project, title=f"Step {n}")
    _version, kpi_rows, milestone = approved_version(project, consultant, manager, kpis=kpis, ago=200)
    for kpi in kpi_rows:
        for n in range(checkins):
            day = today() - datetime.timedelta(days=7 * n)
            kpi_checkin_record(project=project, user=consultant, kpi_key=kpi.pk, date=day, value=str(10 + n))
    for status in ("in_progress", "blocked", "in_progress")[: 1 + min(reviews, 2)]:
        milestone_status_change(milestone=milestone, user=manager, status=status, date=today())
    findings = [{"kpi_key": kpi.pk, "status": "at_risk", "text": "Behind"} for kpi in kpi_rows]
    findings += [
        {"milestone_key": pk, "status": "planned", "text": "Waiting"}
        for pk in project.milestones.values_list("pk", flat=True)
    ]
    last = None
    for n in range(reviews):
        decision = "adjust" if n == reviews - 1 else "continue"
        last = strategy_review_record(
            project=project,
            user=consultant,
            date=today() - datetime.timedelta(days=30 * (reviews - n)),
            participants="The team",
            findings=findings,
            decision=decision,
            rationale="Because",
        )
    return project, consultant, milestone, last


def _management_queries(project, consultant, milestone, review, django_assert_max_num_queries) -> dict[str, int]:
    client = Client()
    client.force_login(consultant)
    pages = {
        "milestone": reverse("milestone_status", args=[project.pk, milestone.pk]),
        "milestone panel (htmx)": reverse("milestone_status", args=[project.pk, milestone.pk]),
        "review list": reverse("review_list", args=[project.pk]),
        "review form": reverse("review_new", args=[project.pk]),
        "review": reverse("review_detail", args=[project.pk, review.pk]),
        "project": reverse("project_detail", args=[project.pk]),
    }
    counts = {}
    for label, url in pages.items():
        headers = HX if "htmx" in label else {}
        with django_assert_max_num_queries(MAX_QUERIES, info=label) as captured:
            assert client.get(url, **headers).status_code == 200
        counts[label] = len(captured.captured_queries)
    return counts


def test_the_milestone_and_review_pages_need_the_same_few_queries_however_much_was_recorded(
    db, django_assert_max_num_queries
):
    small = _managed_project(kpis=1, milestones=0, reviews=1, checkins=1)
    large = _managed_project(kpis=8, milestones=6, reviews=6, checkins=12)
    assert large[0].reviews.count() == 6 and large[0].milestones.count() == 7
    assert _management_queries(*large, django_assert_max_num_queries) == _management_queries(
        *small, django_assert_max_num_queries
    )


def _approved_projects_of(consultant, manager, count: int, *, checkins_per_kpi: int) -> None:
    """`count` projects of both users, each with an approved version of three KPIs and many check-ins."""
    import datetime

    from strategies.models import KpiCheckIn

    from .factories import MembershipFactory, ProjectFactory
    from .management_data import approved_version, today

    for _ in range(count):
        project = ProjectFactory()
        MembershipFactory(project=project, user=consultant, role=Role.CONSULTANT)
        MembershipFactory(project=project, user=manager, role=Role.MANAGER)
        version, kpis, _milestone = approved_version(project, consultant, manager, ago=checkins_per_kpi + 1, kpis=3)
        KpiCheckIn.objects.bulk_create(
            KpiCheckIn(
                project=project,
                kpi_key=kpi.pk,
                version=version,
                date=today() - datetime.timedelta(days=day),
                value=10 + day % 7,
                recorded_by_name="Alice",
            )
            for kpi in kpis
            for day in range(checkins_per_kpi)
        )


def test_the_project_list_with_its_portfolio_needs_as_few_queries_for_five_projects_as_for_one(
    django_assert_max_num_queries,
):
    from .factories import UserFactory

    def uncached_home_queries(user) -> int:
        client = Client()
        client.force_login(user)
        client.get(reverse("home"))
        cache.clear()  # a full render: the portfolio is collected
        with django_assert_max_num_queries(MAX_QUERIES) as captured:
            response = client.get(reverse("home"))
        assert response.status_code == 200 and "portfolio-kpis" in response.content.decode()
        return len(captured.captured_queries)

    one, five = UserFactory(username="one"), UserFactory(username="five")
    manager = UserFactory(username="decider")
    _approved_projects_of(one, manager, 1, checkins_per_kpi=3)
    _approved_projects_of(five, manager, 5, checkins_per_kpi=60)
    assert uncached_home_queries(one) == uncached_home_queries(five)


# h5: the check-in files. The export reads the versions' snapshots and then the rows (in chunks);
# the upload page reads the version in force, its preview also the check-ins already recorded.
CHECKIN_FILE_QUERIES = {"export csv": 5, "export xlsx": 5, "upload page": 4, "upload preview": 5}


def _checkin_file_counts(project, client, rows: int, django_assert_max_num_queries) -> dict[str, int]:
    keys = sorted(snapshot_kpis(version_content(project.versions.approved().get())))
    today = timezone.localdate()
    content = "date,kpi,value\n" + "".join(
        f"{today - datetime.timedelta(days=n // len(keys))},{keys[n % len(keys)]},{n}\n" for n in range(rows)
    )
    counts = {}
    for label, fmt in (("export csv", "csv"), ("export xlsx", "xlsx")):
        with django_assert_max_num_queries(MAX_QUERIES, info=label) as captured:
            response = client.get(reverse("checkins_export", args=[project.pk, fmt]))
            assert response.status_code == 200
            assert b"".join(response) if response.streaming else response.content
        counts[label] = len(captured.captured_queries)
    url = reverse("checkins_upload", args=[project.pk])
    with django_assert_max_num_queries(MAX_QUERIES, info="upload page") as captured:
        assert client.get(url).status_code == 200
    counts["upload page"] = len(captured.captured_queries)
    with django_assert_max_num_queries(MAX_QUERIES, info="upload preview") as captured:
        response = client.post(url, {"file": SimpleUploadedFile("c.csv", content.encode(), "text/csv")})
        assert response.status_code == 200, [row.problems for row in response.context["reading"].rows][:3]
    counts["upload preview"] = len(captured.captured_queries)
    return counts


def test_the_checkin_files_need_the_same_few_queries_for_few_and_many_checkins(django_assert_max_num_queries):
    project = ProjectFactory()
    consultant, manager = UserFactory(consultant_group=True), UserFactory()
    MembershipFactory(project=project, user=consultant, role=Role.CONSULTANT)
    MembershipFactory(project=project, user=manager, role=Role.MANAGER)
    _version, kpis, _milestone = approved_version(project, consultant, manager, ago=400, kpis=6)
    client = Client()
    client.force_login(consultant)
    few = _checkin_file_counts(project, client, 3, django_assert_max_num_queries)
    # Half a year of weekly values on six KPIs recorded before, and a file of 600 rows.
    today = timezone.localdate()
    rows = [
        {"kpi_key": kpi.pk, "date": today - datetime.timedelta(days=7 * week + 200), "value": week}
        for week in range(25)
        for kpi in kpis
    ]
    kpi_checkins_record_many(project=project, user=consultant, rows=rows)
    many = _checkin_file_counts(project, client, 600, django_assert_max_num_queries)
    assert few == CHECKIN_FILE_QUERIES
    assert many == CHECKIN_FILE_QUERIES


def test_the_status_report_section_needs_the_same_queries_however_many_reports_it_lists(
    project, consultant, manager, django_assert_max_num_queries
):
    from strategies.models import Report, ReportKind, ReportStatus

    from .management_data import approved_version

    version, _kpis, _milestone = approved_version(project, consultant, manager, kpis=3)
    client = _consultant_client(project)
    url = reverse("status_report_section", args=[project.pk])

    def counts() -> tuple[int, int]:
        found = []
        for headers in ({}, HX):
            with django_assert_max_num_queries(MAX_QUERIES, info="status report section") as captured:
                assert client.get(url, **headers).status_code == 200
            found.append(len(captured.captured_queries))
        return tuple(found)

    def add_failed_reports(n: int) -> None:
        for _ in range(n):
            Report.objects.create(
                version=version, kind=ReportKind.STATUS, language="de", requested_by=manager, status=ReportStatus.FAILED
            )

    add_failed_reports(1)
    few = counts()
    add_failed_reports(12)
    Report.objects.create(version=version, kind=ReportKind.STATUS, language="en", requested_by=consultant)
    assert counts() == few


# --- slice "ideas" (issue 15): the live timer's and the idea round's panels --------------------------------------


def test_the_live_timer_and_idea_panels_need_the_same_queries_however_many_ideas_and_topics(
    project, consultant, viewer, django_assert_max_num_queries
):
    """Every browser in the room fetches these panels on each change: their cost stays flat."""
    from competencies.models import BusinessModelBlock
    from strategies.services.live_ideas import idea_card_add, idea_round_end, idea_round_open, idea_round_reveal
    from strategies.services.live_sessions import live_session_join
    from strategies.services.live_timer import live_timer_start

    from .factories import TopicFactory
    from .live_data import guest_in, running_session

    session = running_session(project, consultant)
    live_timer_start(session=session, user=consultant, minutes=10)
    block = BusinessModelBlock.objects.active().first()
    member = live_session_join(session=session, user=viewer)
    _guest, guest_client = guest_in(session)
    clients = {"facilitator": _consultant_client(project), "member": Client(), "guest": guest_client}
    clients["member"].force_login(viewer)

    def counts() -> dict:
        found = {}
        for who, client in clients.items():
            for name in ("live_timer_panel", "live_ideas_panel"):
                with django_assert_max_num_queries(MAX_QUERIES, info=f"{name} ({who})") as captured:
                    assert client.get(reverse(name, args=[project.pk]), **HX).status_code == 200
                found[f"{name} {who}"] = len(captured.captured_queries)
        return found

    def grow(n: int) -> dict:
        """n more topics; a round with n cards of the member's, counted open, then revealed."""
        for _ in range(n):
            TopicFactory(project=project)
        idea_round = idea_round_open(session=session, user=consultant, block=block)
        for i in range(n):
            idea_card_add(round=idea_round, participant=member, text=f"Idea {i}")
        open_counts = counts()
        idea_round_reveal(round=idea_round, user=consultant)
        revealed_counts = counts()
        idea_round_end(round=idea_round, user=consultant)
        return {"open": open_counts, "revealed": revealed_counts, "none": counts()}

    few = grow(1)
    many = grow(25)
    assert few == many


def test_the_live_room_page_needs_the_same_queries_however_many_have_joined(
    project, consultant, manager, django_assert_max_num_queries
):
    """Issue 15 (slice "room"): the projector's page with code, QR code and who has joined."""
    from strategies.models import LiveParticipant
    from strategies.services.live_sessions import live_session_start

    client = Client()
    client.force_login(consultant)
    url = reverse("live_room", args=[project.pk])

    def count() -> int:
        with django_assert_max_num_queries(MAX_QUERIES, info="live room") as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    without = count()
    session = live_session_start(project=project, user=consultant)
    LiveParticipant.objects.create(session=session, display_name="Gast 1", guest_token="t-1")
    few = count()
    for n in range(2, 30):
        LiveParticipant.objects.create(session=session, display_name=f"Gast {n}", guest_token=f"t-{n}")
    assert count() == few
    assert without <= few


# The live workshop's guest page and its step fragment (slice "guests"): the session with the guest's
# token (its participant with session and project), then the shown step's one or two queries; the page
# adds one for the facilitator and the client.
LIVE_GUEST_PAGE_QUERIES = 5
LIVE_GUEST_STEP_QUERIES = 4


@pytest.mark.parametrize("step", ["business_model", "action_options", "implementation"])
def test_the_guest_page_and_its_step_need_the_same_queries_however_large_the_shown_step(
    step, project, consultant, django_assert_max_num_queries
):
    from strategies.services.live_sessions import live_session_start

    from .factories import OptionFactory, PlatformFactory, TopicFactory

    session = live_session_start(project=project, user=consultant, step=step)
    guest = Client()
    assert guest.post(reverse("live_join"), {"code": session.code, "display_name": "Gina"}).status_code == 302

    def counts() -> tuple[int, int]:
        found = []
        for name, limit in (("live_guest", LIVE_GUEST_PAGE_QUERIES), ("live_guest_step", LIVE_GUEST_STEP_QUERIES)):
            with django_assert_max_num_queries(limit, info=name) as captured:
                assert guest.get(reverse(name), **HX).status_code == 200
            found.append(len(captured.captured_queries))
        return tuple(found)

    def add(n: int) -> None:
        for _ in range(n):
            OptionFactory(topic=TopicFactory(project=project))
            PlatformFactory(project=project)

    add(1)
    few = counts()
    add(15)
    assert counts() == few


# The live dot-vote's panel (issue 15): the session and the participant, the vote, the items in one query
# and the participant's own dots in one (the facilitator: the count of voters too; after the reveal the totals
# in one). The same for 10 topics as for 50, before and after the reveal.
LIVE_VOTE_PANEL_QUERIES = 12


def test_the_live_vote_panel_needs_the_same_queries_however_many_topics_it_shows(
    project, consultant, viewer, django_assert_max_num_queries
):
    from strategies.models import VoteTarget
    from strategies.services.live_sessions import live_session_join, live_session_start
    from strategies.services.live_votes import dot_vote_dot, dot_vote_open, dot_vote_reveal

    from .factories import TopicFactory

    session = live_session_start(project=project, user=consultant)
    url = reverse("live_vote_panel", args=[project.pk])
    clients = {}
    for user in (consultant, viewer):
        clients[user.pk] = Client()
        clients[user.pk].force_login(user)

    def counts() -> list[int]:
        found = []
        for client in clients.values():
            with django_assert_max_num_queries(LIVE_VOTE_PANEL_QUERIES, info="live vote panel") as captured:
                assert client.get(url, **HX).status_code == 200
            found.append(len(captured.captured_queries))
        return found

    TopicFactory.create_batch(10, project=project)
    vote = dot_vote_open(
        session=session, user=consultant, target=VoteTarget.TOPICS, dots_per_participant=5, max_per_item=2
    )
    me = live_session_join(session=session, user=viewer)
    first = Topic.objects.filter(project=project).first()
    dot_vote_dot(vote=vote, participant=me, item_id=first.pk, delta=1)
    few = counts()
    TopicFactory.create_batch(40, project=project)
    for topic in Topic.objects.filter(project=project)[1:4]:
        dot_vote_dot(vote=vote, participant=me, item_id=topic.pk, delta=1)
    assert counts() == few
    dot_vote_reveal(vote=vote, user=consultant)
    revealed = counts()
    TopicFactory.create_batch(10, project=project)
    assert counts() == revealed


def test_the_history_page_needs_the_same_queries_for_one_live_workshop_as_for_five(
    client, django_assert_max_num_queries
):
    """The record of live workshops (strategies/live/record.py) on the project's history page: a fixed
    number of queries whatever the sessions, participants, dots and cards (slice "infra", issue 15)."""
    from .test_live_record import held_workshop

    # The change list reads each kind of row's history (17 queries with the session, the user and the
    # project; content pillars and plan lines are two kinds more); the live record adds six: sessions,
    # participants, timers, votes, revealed totals with their items' titles, idea rounds with their
    # cards' outcomes counted.
    history_max_queries = 23

    project = ProjectFactory()
    consultant = UserFactory(username="live-history", consultant_group=True)
    MembershipFactory(project=project, user=consultant, role=Role.CONSULTANT)
    client.force_login(consultant)
    url = reverse("project_changes", args=[project.pk])

    def count() -> int:
        with django_assert_max_num_queries(history_max_queries, info="history page") as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    held_workshop(project, consultant, guests=1, cards=3)
    one = count()
    for day in range(2, 6):
        held_workshop(project, consultant, guests=5, cards=8, started=timezone.now() - datetime.timedelta(days=day))
    assert count() == one
