"""The record of live workshops (issue 15, item 8): the project's history lists every session with
its participants, timeboxes, votes and idea rounds, and the strategy report gets a workshop
appendix when the project had sessions."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from competencies.models import BusinessModelBlock
from strategies.live.record import live_record
from strategies.models import (
    DotVote,
    DotVoteDot,
    IdeaCard,
    IdeaOutcome,
    IdeaRound,
    LiveParticipant,
    LiveSession,
    LiveTimer,
    VoteState,
    VoteTarget,
)
from strategies.reporting.render import report_context, report_html
from strategies.services.versions import strategy_version_create

from .factories import OptionFactory, TopicFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


def held_workshop(project, facilitator, *, guests=2, started=None, cards=4):
    """An ended session of 90 minutes: two members, guests, a timer, a revealed and a hidden vote, an idea round."""
    suffix = "" if started is None else f" {started:%d}"  # titles are unique per project and block
    started = started or timezone.now() - timedelta(hours=3)
    session = LiveSession.objects.create(
        project=project, facilitator=facilitator, started_at=started, ended_at=started + timedelta(minutes=90)
    )
    host = LiveParticipant.objects.create(session=session, user=facilitator, display_name="Alice Facilitator")
    member = LiveParticipant.objects.create(
        session=session, user=UserFactory(), display_name=f"Member of {session.code}"
    )
    people = [host, member]
    for n in range(guests):
        people.append(
            LiveParticipant.objects.create(
                session=session, display_name=f"Guest {n}", guest_token=f"{session.code}-{n}"
            )
        )
    LiveTimer.objects.create(session=session, step="business_model", planned_seconds=600)
    first, second, third = (
        TopicFactory(project=project, title=title + suffix) for title in ("Portal", "Podcast", "Shop")
    )
    vote = DotVote.objects.create(
        session=session, step="business_model", target=VoteTarget.TOPICS, state=VoteState.REVEALED
    )
    for participant, topic, count in (
        (host, first, 2),
        (member, first, 1),
        (member, second, 2),
        (people[-1], third, 1),
    ):
        DotVoteDot.objects.create(vote=vote, participant=participant, item_id=topic.pk, count=count)
    hidden = DotVote.objects.create(session=session, step="measures", target=VoteTarget.OPTIONS, state=VoteState.CLOSED)
    secret = OptionFactory(topic=first, title="Secret favourite" + suffix)
    DotVoteDot.objects.create(vote=hidden, participant=member, item_id=secret.pk, count=3)
    block = BusinessModelBlock.objects.get(key="value_propositions")
    idea_round = IdeaRound.objects.create(session=session, step="business_model", block=block, prompt="What else?")
    outcomes = [IdeaOutcome.TOPIC, IdeaOutcome.OPTION, IdeaOutcome.DISCARDED] + [IdeaOutcome.PENDING] * (cards - 3)
    for n, outcome in enumerate(outcomes):
        IdeaCard.objects.create(
            round=idea_round, participant=people[n % len(people)], text=f"Idea {n}", outcome=outcome
        )
    return session


def test_the_record_names_members_counts_guests_and_shows_only_revealed_results(project, consultant):
    held_workshop(project, consultant, guests=3)
    [record] = live_record(project)
    assert record.duration_minutes == 90 and not record.running
    assert record.facilitator == consultant.get_full_name() or consultant.username
    assert record.members[0] == "Alice Facilitator" and len(record.members) == 2
    assert record.guests == 3
    assert record.timers == [("Business model", 10)]
    revealed, hidden = record.votes
    assert revealed.revealed and revealed.top == [("Portal", 3), ("Podcast", 2), ("Shop", 1)]
    assert not hidden.revealed and hidden.top == []
    [ideas] = record.idea_rounds
    assert (ideas.cards, ideas.topics, ideas.options, ideas.discarded) == (4, 1, 1, 1)


def test_a_running_session_counts_up_to_now_and_the_limit_keeps_the_newest(project, consultant):
    held_workshop(project, consultant, started=timezone.now() - timedelta(days=2))
    LiveSession.objects.create(
        project=project, facilitator=consultant, started_at=timezone.now() - timedelta(minutes=5)
    )
    newest, older = live_record(project)
    assert newest.running and newest.ended_at is None and 4 <= newest.duration_minutes <= 5
    assert [r.pk for r in live_record(project, limit=1)] == [newest.pk]
    assert [r.pk for r in live_record(project, until=timezone.now() - timedelta(days=1))] == [older.pk]


def test_the_record_needs_the_same_queries_for_one_small_and_many_large_sessions(
    project, consultant, django_assert_num_queries
):
    held_workshop(project, consultant, guests=1, cards=3)
    with CaptureQueriesContext(connection) as few:
        live_record(project)
    for day in range(2, 6):
        held_workshop(project, consultant, guests=6, cards=9, started=timezone.now() - timedelta(days=day))
    with django_assert_num_queries(len(few)):
        assert len(live_record(project)) == 5


def test_the_history_page_lists_the_live_sessions(client_for, project, consultant, viewer):
    held_workshop(project, consultant, guests=2)
    page = client_for(viewer).get(reverse("project_changes", args=[project.pk]))
    assert page.status_code == 200
    html = page.content.decode().split('id="live"')[1]  # the change list above names the rows themselves
    assert "Alice Facilitator" in html and "2 guests" in html
    assert "Portal (3 dots)" in html and "result not revealed" in html and "Secret favourite" not in html
    assert "4 cards, 1 became topics, 1 action options" in html


def test_the_history_page_says_when_no_session_was_held_and_hides_everything_from_outsiders(
    client_for, project, consultant, outsider
):
    page = client_for(consultant).get(reverse("project_changes", args=[project.pk]))
    assert "No live session held yet." in page.content.decode()
    held_workshop(project, consultant)
    assert client_for(outsider).get(reverse("project_changes", args=[project.pk])).status_code == 404


def test_the_report_has_a_workshop_appendix_only_when_the_project_held_sessions(project, consultant):
    version = strategy_version_create(project=project, user=consultant, name="Workshop results")
    context = report_context(version)
    assert context["workshops"] == [] and context["workshops_chapter"] is None
    assert 'id="workshops"' not in report_html(version, "en", context)
    held_workshop(project, consultant)
    context = report_context(version)
    assert context["workshops_chapter"]["number"] == len(context["chapters"])
    assert context["approval_chapter"]["id"] == "approval"
    html = report_html(version, "en", context)
    assert 'id="workshops"' in html and "Appendix: live workshops" in html and "Portal (3 dots)" in html


def test_the_german_pdf_ends_with_the_workshop_appendix_on_a_page_of_its_own(project, consultant):
    from strategies.reporting.render import version_report_pdf

    version = strategy_version_create(project=project, user=consultant, name="Workshop results")
    without = version_report_pdf(version, "de").page_count
    held_workshop(project, consultant, guests=4)
    rendered = version_report_pdf(version, "de")
    assert rendered.page_count == without + 1
    last = PdfReader(io.BytesIO(rendered.pdf)).pages[-1].extract_text()
    assert "Anhang: Live-Workshops" in last and "4 Gäste" in last and "moderiert von" in last
