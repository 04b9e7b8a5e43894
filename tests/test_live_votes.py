"""Dot-voting in a live session: the services' limits and secrecy, applying the result, and the views' roles."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from competencies.models import AreaKey
from strategies.exceptions import DomainError
from strategies.live.access import GUEST_SESSION_KEY
from strategies.models import ContentCounter, DotVoteDot, LiveParticipant, Role, Topic, VoteState, VoteTarget
from strategies.services.live_sessions import live_guest_join, live_session_end, live_session_join, live_session_start
from strategies.services.live_votes import (
    dot_vote_apply,
    dot_vote_close,
    dot_vote_dot,
    dot_vote_my_dots,
    dot_vote_open,
    dot_vote_results,
    dot_vote_reveal,
    dot_vote_voter_count,
    proposed_priority,
)

from .factories import MembershipFactory, OptionFactory, ProjectFactory, TopicFactory, UserFactory
from .test_report_limits_race import committed  # noqa: F401 - the fixture: real commits, or a skip on SQLite
from .test_version_services import at_the_same_moment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def session(project, consultant):
    return live_session_start(project=project, user=consultant)


@pytest.fixture
def topics(project):
    return [TopicFactory(project=project, title=title, priority=3) for title in ("Alpha", "Beta", "Gamma")]


@pytest.fixture
def vote(session, consultant, topics):
    return dot_vote_open(
        session=session, user=consultant, target=VoteTarget.TOPICS, dots_per_participant=3, max_per_item=2
    )


def member_in(session, user):
    return live_session_join(session=session, user=user)


def guest_client(participant) -> Client:
    client = Client()
    store = client.session
    store[GUEST_SESSION_KEY] = {"project": participant.session.project_id, "token": participant.guest_token}
    store.save()
    return client


# --- opening -----------------------------------------------------------------------------------------------------


def test_only_the_facilitator_opens_a_vote(session, manager, topics):
    with pytest.raises(DomainError):
        dot_vote_open(session=session, user=manager, target=VoteTarget.TOPICS, dots_per_participant=3, max_per_item=1)


@pytest.mark.parametrize(
    ("dots", "most", "field"),
    [(0, 1, "dots_per_participant"), (21, 1, "dots_per_participant"), (3, 4, "max_per_item"), (3, 0, "max_per_item")],
)
def test_dots_out_of_range_are_refused_beside_their_field(session, consultant, topics, dots, most, field):
    with pytest.raises(DomainError) as refused:
        dot_vote_open(
            session=session, user=consultant, target=VoteTarget.TOPICS, dots_per_participant=dots, max_per_item=most
        )
    assert refused.value.field == field


def test_one_open_vote_per_session_and_it_is_on_the_shown_step(session, consultant, vote):
    assert vote.step == session.step and vote.state == VoteState.OPEN
    with pytest.raises(DomainError):
        dot_vote_open(
            session=session, user=consultant, target=VoteTarget.TOPICS, dots_per_participant=3, max_per_item=1
        )
    dot_vote_close(vote=vote, user=consultant)
    dot_vote_open(session=session, user=consultant, target=VoteTarget.TOPICS, dots_per_participant=3, max_per_item=1)


def test_a_vote_on_options_needs_options(session, consultant, topics):
    with pytest.raises(DomainError) as refused:
        dot_vote_open(
            session=session, user=consultant, target=VoteTarget.OPTIONS, dots_per_participant=3, max_per_item=1
        )
    assert refused.value.field == "target"


# --- dots ----------------------------------------------------------------------------------------------------------


def test_a_participant_cannot_place_more_dots_than_given(session, vote, viewer, topics):
    me = member_in(session, viewer)
    for topic in topics[:2]:
        dot_vote_dot(vote=vote, participant=me, item_id=topic.pk, delta=1)
    mine = dot_vote_dot(vote=vote, participant=me, item_id=topics[2].pk, delta=1)
    assert mine.left == 0
    with pytest.raises(DomainError):
        dot_vote_dot(vote=vote, participant=me, item_id=topics[2].pk, delta=1)
    assert dot_vote_my_dots(vote=vote, participant=me).used == 3


def test_at_most_max_per_item_dots_on_one_item(session, vote, viewer, topics):
    me = member_in(session, viewer)
    dot_vote_dot(vote=vote, participant=me, item_id=topics[0].pk, delta=1)
    dot_vote_dot(vote=vote, participant=me, item_id=topics[0].pk, delta=1)
    with pytest.raises(DomainError) as refused:
        dot_vote_dot(vote=vote, participant=me, item_id=topics[0].pk, delta=1)
    assert refused.value.field == "item"
    mine = dot_vote_dot(vote=vote, participant=me, item_id=topics[0].pk, delta=-1)
    assert mine.per_item == {topics[0].pk: 1} and mine.left == 2
    dot_vote_dot(vote=vote, participant=me, item_id=topics[0].pk, delta=-1)
    assert not DotVoteDot.objects.filter(vote=vote).exists()
    with pytest.raises(DomainError):
        dot_vote_dot(vote=vote, participant=me, item_id=topics[0].pk, delta=-1)


def test_another_projects_topic_cannot_be_dotted(session, vote, viewer):
    foreign = TopicFactory(project=ProjectFactory())
    with pytest.raises(DomainError):
        dot_vote_dot(vote=vote, participant=member_in(session, viewer), item_id=foreign.pk, delta=1)


def test_no_dots_once_the_vote_is_closed(session, consultant, vote, viewer, topics):
    me = member_in(session, viewer)
    dot_vote_close(vote=vote, user=consultant)
    with pytest.raises(DomainError):
        dot_vote_dot(vote=vote, participant=me, item_id=topics[0].pk, delta=1)


def test_a_guest_votes(session, vote, topics):
    guest = live_guest_join(session=session, display_name="Gina")
    assert dot_vote_dot(vote=vote, participant=guest, item_id=topics[1].pk, delta=1).used == 1


def test_the_participants_row_is_locked_while_dots_are_counted(session, vote, viewer, topics):
    """Two quick clicks queue on the participant's row (select_for_update), so neither limit can be exceeded."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    me = member_in(session, viewer)
    with CaptureQueriesContext(connection) as captured:
        dot_vote_dot(vote=vote, participant=me, item_id=topics[0].pk, delta=1)
    table = LiveParticipant._meta.db_table
    locks = [q["sql"] for q in captured.captured_queries if f'FROM "{table}"' in q["sql"]]
    assert locks and locks[0].startswith("SELECT")
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in locks[0]


# --- secrecy and the result --------------------------------------------------------------------------------------


def test_totals_are_hidden_until_revealed(session, consultant, vote, viewer, topics):
    dot_vote_dot(vote=vote, participant=member_in(session, viewer), item_id=topics[0].pk, delta=1)
    with pytest.raises(DomainError):
        dot_vote_results(vote)
    dot_vote_close(vote=vote, user=consultant)
    with pytest.raises(DomainError):
        dot_vote_results(vote)
    assert dot_vote_voter_count(vote) == 1
    dot_vote_reveal(vote=vote, user=consultant)
    assert [(r.item.title, r.total) for r in dot_vote_results(vote)][0] == ("Alpha", 1)


def test_the_ranking_sorts_ties_by_title_and_proposes_priorities_by_fifths(session, consultant, vote, viewer, topics):
    me, other = member_in(session, viewer), member_in(session, consultant)
    guest = live_guest_join(session=session, display_name="Gina")
    alpha, beta, gamma = topics
    dots = ((me, gamma), (me, gamma), (other, gamma), (other, beta), (guest, beta), (me, alpha), (other, alpha))
    for participant, topic in dots:
        dot_vote_dot(vote=vote, participant=participant, item_id=topic.pk, delta=1)
    dot_vote_reveal(vote=vote, user=consultant)
    results = dot_vote_results(vote)
    assert [(r.item.title, r.total, r.rank, r.proposed_priority) for r in results] == [
        ("Gamma", 3, 1, 5),
        ("Alpha", 2, 2, 4),  # a tie with Beta: by title, the same rank and proposal
        ("Beta", 2, 2, 4),
    ]
    assert results[0].share == 100 and results[1].share == 67


def test_proposed_priority_fifths():
    assert [proposed_priority(rank, 10, 1) for rank in range(1, 11)] == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert proposed_priority(1, 1, 4) == 5
    assert proposed_priority(1, 10, 0) == 1  # no dot at all: nothing the room asked for


def test_a_deleted_item_drops_out_of_the_result(session, consultant, vote, viewer, topics):
    dot_vote_dot(vote=vote, participant=member_in(session, viewer), item_id=topics[0].pk, delta=1)
    Topic.objects.filter(pk=topics[0].pk).delete()
    dot_vote_reveal(vote=vote, user=consultant)
    assert {r.item.title for r in dot_vote_results(vote)} == {"Beta", "Gamma"}


# --- applying ------------------------------------------------------------------------------------------------------


def test_apply_changes_only_the_ticked_topics_with_history_and_a_new_lock_version(
    project, session, consultant, vote, topics
):
    alpha, beta, gamma = topics
    dot_vote_reveal(vote=vote, user=consultant)
    counted = ContentCounter.objects.get(scope=project.pk).count if ContentCounter.objects.exists() else 0
    records = {t.pk: t.history.count() for t in topics}

    changed = dot_vote_apply(vote=vote, user=consultant, priorities={alpha.pk: 5, beta.pk: 3})

    assert [t.pk for t in changed] == [alpha.pk]  # Beta was at 3 already: no empty change
    alpha.refresh_from_db(), beta.refresh_from_db(), gamma.refresh_from_db()
    assert (alpha.priority, beta.priority, gamma.priority) == (5, 3, 3)
    assert alpha.lock_version == 1 and beta.lock_version == 0 and gamma.lock_version == 0
    assert alpha.history.count() == records[alpha.pk] + 1 and gamma.history.count() == records[gamma.pk]
    assert ContentCounter.objects.get(scope=project.pk).count > counted
    vote.refresh_from_db()
    assert vote.state == VoteState.APPLIED
    with pytest.raises(DomainError):
        dot_vote_apply(vote=vote, user=consultant, priorities={alpha.pk: 1})


def test_apply_needs_the_reveal_the_facilitator_and_the_projects_topics(session, consultant, manager, vote, topics):
    with pytest.raises(DomainError):
        dot_vote_apply(vote=vote, user=consultant, priorities={topics[0].pk: 5})
    dot_vote_reveal(vote=vote, user=consultant)
    with pytest.raises(DomainError):
        dot_vote_apply(vote=vote, user=manager, priorities={topics[0].pk: 5})
    foreign = TopicFactory(project=ProjectFactory(), priority=3)
    with pytest.raises(DomainError):
        dot_vote_apply(vote=vote, user=consultant, priorities={foreign.pk: 5})
    with pytest.raises(DomainError):
        dot_vote_apply(vote=vote, user=consultant, priorities={topics[0].pk: 6})
    foreign.refresh_from_db()
    assert foreign.priority == 3


def test_a_vote_on_options_sets_their_priorities_through_the_row_saves(project, session, consultant, topics):
    webinars = OptionFactory(topic=topics[0], title="Webinars")
    podcast = OptionFactory(topic=topics[1], title="Podcast", priority=2)
    videos = OptionFactory(topic=topics[1], title="Videos", priority=4)
    vote = dot_vote_open(
        session=session, user=consultant, target=VoteTarget.OPTIONS, dots_per_participant=2, max_per_item=1
    )
    dot_vote_dot(vote=vote, participant=member_in(session, consultant), item_id=webinars.pk, delta=1)
    with pytest.raises(DomainError):
        dot_vote_dot(vote=vote, participant=member_in(session, consultant), item_id=topics[1].pk + 10_000, delta=1)
    dot_vote_reveal(vote=vote, user=consultant)
    results = dot_vote_results(vote)
    assert [(r.item.title, r.item.group, r.total, r.item.priority) for r in results] == [
        ("Webinars", "Alpha", 1, None),
        ("Podcast", "Beta", 0, 2),
        ("Videos", "Beta", 0, 4),
    ]
    assert [r.proposed_priority for r in results] == [5, 1, 1]
    records = {o.pk: o.history.count() for o in (webinars, podcast, videos)}

    changed = dot_vote_apply(vote=vote, user=consultant, priorities={webinars.pk: 5, podcast.pk: 2})

    assert [o.pk for o in changed] == [webinars.pk]  # Podcast was at 2 already: no empty change
    for option in (webinars, podcast, videos):
        option.refresh_from_db()
    assert (webinars.priority, podcast.priority, videos.priority) == (5, 2, 4)
    assert (webinars.lock_version, podcast.lock_version, videos.lock_version) == (1, 0, 0)
    assert webinars.history.count() == records[webinars.pk] + 1
    assert webinars.history.first().priority == 5
    assert podcast.history.count() == records[podcast.pk] and videos.history.count() == records[videos.pk]
    vote.refresh_from_db()
    assert vote.state == VoteState.APPLIED


def test_an_option_vote_sets_only_the_projects_options(project, session, consultant, topics):
    option = OptionFactory(topic=topics[0], title="Webinars")
    foreign = OptionFactory(topic=TopicFactory(project=ProjectFactory()), priority=3)
    vote = dot_vote_open(
        session=session, user=consultant, target=VoteTarget.OPTIONS, dots_per_participant=2, max_per_item=1
    )
    dot_vote_reveal(vote=vote, user=consultant)
    for priorities in ({foreign.pk: 5}, {option.pk + 10_000: 5}, {option.pk: 0}):
        with pytest.raises(DomainError):
            dot_vote_apply(vote=vote, user=consultant, priorities=priorities)
    foreign.refresh_from_db(), option.refresh_from_db()
    assert foreign.priority == 3 and option.priority is None


def test_every_change_is_announced_to_the_room(
    session, consultant, vote, viewer, topics, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        dot_vote_dot(vote=vote, participant=member_in(session, viewer), item_id=topics[0].pk, delta=1)
        dot_vote_reveal(vote=vote, user=consultant)
    assert len(callbacks) >= 2


# --- views -----------------------------------------------------------------------------------------------------------


def panel(project):
    return reverse("live_vote_panel", args=[project.pk])


def test_the_panel_is_empty_without_a_session_and_hidden_from_outsiders(project, viewer, outsider, client_for):
    assert client_for(viewer).get(panel(project), **HX).content == b""
    assert client_for(outsider).get(panel(project), **HX).status_code == 404


def test_an_anonymous_visitor_without_a_guest_key_is_sent_to_log_in(project, session):
    response = Client().get(panel(project))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_facilitator_opens_a_vote_from_the_panel(project, session, consultant, topics, client_for):
    client = client_for(consultant)
    form = client.get(panel(project), **HX)
    assert b"Open the vote" in form.content
    url = reverse("live_vote_open", args=[project.pk])
    refused = client.post(url, {"target": "topics", "dots_per_participant": "3", "max_per_item": "7"}, **HX)
    assert refused.status_code == 200 and b"The most dots on one item" in refused.content
    assert b'value="7"' in refused.content  # what was typed is kept
    opened = client.post(url, {"target": "topics", "dots_per_participant": "3", "max_per_item": "2"}, **HX)
    assert b"You have 3 dots left." in opened.content and b"Alpha" in opened.content
    assert b"0 participants have voted." in opened.content


def test_the_open_form_proposes_what_the_facilitators_page_shows(project, session, consultant, topics, client_for):
    # The session still on the action options (the facilitator's move back not yet through the
    # socket): the business model page that asks gets the topics proposed, not the options.
    session.step = AreaKey.ACTION_OPTIONS
    session.save(update_fields=["step"])
    client = client_for(consultant)
    asked_from_step = client.get(panel(project) + "?step=business_model", **HX).content.decode()
    assert re.search(r'<option value="topics" selected', asked_from_step)
    from_the_room = client.get(panel(project), **HX).content.decode()
    assert re.search(r'<option value="options" selected', from_the_room)
    unknown_step = client.get(panel(project) + "?step=%3Cscript%3E", **HX)
    assert unknown_step.status_code == 200
    assert re.search(r'<option value="options" selected', unknown_step.content.decode())


def test_without_script_a_post_redirects_back_within_the_site(project, session, consultant, topics, client_for):
    client = client_for(consultant)
    url = reverse("live_vote_open", args=[project.pk])
    data = {"target": "topics", "dots_per_participant": "3", "max_per_item": "2"}
    back = client.post(url, data, HTTP_REFERER=f"http://testserver{panel(project)}")
    assert back.status_code == 302 and back["Location"].endswith(panel(project))
    vote = session.votes.get()
    elsewhere = client.post(
        reverse("live_vote_close", args=[project.pk, vote.pk]), HTTP_REFERER="https://evil.example/"
    )
    assert elsewhere["Location"] == reverse("live_room", args=[project.pk])


def test_members_vote_but_cannot_run_the_vote(project, session, vote, manager, topics, client_for):
    client = client_for(manager)
    dotted = client.post(
        reverse("live_vote_dot", args=[project.pk, vote.pk]), {"item": topics[0].pk, "delta": "1"}, **HX
    )
    assert dotted.status_code == 200 and b"You have 2 dots left." in dotted.content
    for name in ("live_vote_close", "live_vote_reveal", "live_vote_apply"):
        assert client.post(reverse(name, args=[project.pk, vote.pk]), **HX).status_code == 403
    assert client.post(reverse("live_vote_open", args=[project.pk]), **HX).status_code == 403
    vote.refresh_from_db()
    assert vote.state == VoteState.OPEN


def test_a_guest_sees_the_panel_and_votes_but_runs_nothing(project, session, vote, topics):
    guest = live_guest_join(session=session, display_name="Gina")
    client = guest_client(guest)
    shown = client.get(panel(project), **HX)
    assert shown.status_code == 200 and b"Beta" in shown.content and b"Open the vote" not in shown.content
    dotted = client.post(
        reverse("live_vote_dot", args=[project.pk, vote.pk]), {"item": topics[1].pk, "delta": "1"}, **HX
    )
    assert b"You have 2 dots left." in dotted.content
    for name in ("live_vote_close", "live_vote_reveal", "live_vote_apply"):
        assert client.post(reverse(name, args=[project.pk, vote.pk]), **HX).status_code == 404
    other = ProjectFactory()
    assert client.get(panel(other), **HX).status_code == 404


def test_a_guest_of_an_ended_session_is_sent_to_log_in(project, session, consultant, vote):
    client = guest_client(live_guest_join(session=session, display_name="Gina"))
    live_session_end(session=session, user=consultant)
    assert client.get(panel(project), **HX).status_code == 302


def test_another_projects_vote_id_is_404(project, session, vote, consultant, topics, client_for):
    other_consultant = UserFactory(username="olga", consultant_group=True)
    membership = MembershipFactory(user=other_consultant, role=Role.CONSULTANT)
    TopicFactory(project=membership.project)
    other_session = live_session_start(project=membership.project, user=other_consultant)
    other_vote = dot_vote_open(
        session=other_session, user=other_consultant, target=VoteTarget.TOPICS, dots_per_participant=2, max_per_item=1
    )
    client = client_for(consultant)
    for name in ("live_vote_dot", "live_vote_close", "live_vote_reveal", "live_vote_apply"):
        assert client.post(reverse(name, args=[project.pk, other_vote.pk]), **HX).status_code == 404
    other_vote.refresh_from_db()
    assert other_vote.state == VoteState.OPEN


def test_the_panel_never_says_who_put_which_dot(project, session, consultant, vote, viewer, topics, client_for):
    viewer.first_name, viewer.last_name = "Vera", "Voterson"
    viewer.save()
    me = member_in(session, viewer)
    dot_vote_dot(vote=vote, participant=me, item_id=topics[0].pk, delta=1)
    before = client_for(consultant).get(panel(project), **HX).content
    assert b"Voterson" not in before and b"1 participant has voted." in before
    assert b"live-vote-total" not in before  # no totals before the reveal
    dot_vote_reveal(vote=vote, user=consultant)
    for user in (consultant, viewer):
        after = client_for(user).get(panel(project), **HX).content
        assert b"Voterson" not in after and b"live-vote-total" in after


def test_the_facilitator_applies_ticked_priorities_from_the_panel(
    project, session, consultant, vote, topics, client_for
):
    client = client_for(consultant)
    alpha, beta, _gamma = topics
    for topic in (alpha, alpha, beta):
        dot_vote_dot(vote=vote, participant=member_in(session, consultant), item_id=topic.pk, delta=1)
    client.post(reverse("live_vote_reveal", args=[project.pk, vote.pk]), **HX)
    shown = client.get(panel(project), **HX).content
    assert b"Apply selected" in shown
    applied = client.post(
        reverse("live_vote_apply", args=[project.pk, vote.pk]),
        {"apply": [str(alpha.pk)], f"priority-{alpha.pk}": "5", f"priority-{beta.pk}": "1"},
        **HX,
    )
    assert applied.status_code == 200 and b"The facilitator has applied the result." in applied.content
    alpha.refresh_from_db(), beta.refresh_from_db()
    assert (alpha.priority, beta.priority) == (5, 3)


def test_the_panel_offers_option_priorities_to_apply_and_sets_the_ticked_ones(
    project, session, consultant, topics, client_for
):
    client = client_for(consultant)
    webinars = OptionFactory(topic=topics[0], title="Webinars")
    podcast = OptionFactory(topic=topics[1], title="Podcast", priority=2)
    vote = dot_vote_open(
        session=session, user=consultant, target=VoteTarget.OPTIONS, dots_per_participant=2, max_per_item=1
    )
    dot_vote_dot(vote=vote, participant=member_in(session, consultant), item_id=webinars.pk, delta=1)
    client.post(reverse("live_vote_reveal", args=[project.pk, vote.pk]), **HX)
    shown = client.get(panel(project), **HX).content.decode()
    assert "Apply selected" in shown and "Tick the action options whose priority" in shown
    assert f'name="priority-{webinars.pk}"' in shown and f'name="priority-{podcast.pk}"' in shown
    # Webinars has no priority yet and is proposed 5: ticked; Podcast is proposed the 1 it lacks: ticked too.
    assert f'value="{webinars.pk}" id="apply-{webinars.pk}" checked' in shown
    assert f'value="{podcast.pk}" id="apply-{podcast.pk}" checked' in shown
    applied = client.post(
        reverse("live_vote_apply", args=[project.pk, vote.pk]),
        {"apply": [str(webinars.pk)], f"priority-{webinars.pk}": "4", f"priority-{podcast.pk}": "1"},
        **HX,
    )
    assert applied.status_code == 200 and b"The facilitator has applied the result." in applied.content
    webinars.refresh_from_db(), podcast.refresh_from_db()
    assert (webinars.priority, podcast.priority) == (4, 2)


def test_a_refused_dot_is_said_beside_its_item(project, session, vote, viewer, topics, client_for):
    client = client_for(viewer)
    url = reverse("live_vote_dot", args=[project.pk, vote.pk])
    client.post(url, {"item": topics[0].pk, "delta": "1"}, **HX)
    client.post(url, {"item": topics[0].pk, "delta": "1"}, **HX)
    third = client.post(url, {"item": topics[0].pk, "delta": "1"}, **HX)
    assert b"At most 2 dots on one item." in third.content
    assert LiveParticipant.objects.filter(session=session, user=viewer).count() == 1


def test_without_script_a_refused_open_shows_the_page_with_the_message_and_the_input(
    project, session, consultant, topics, client_for
):
    url = reverse("live_vote_open", args=[project.pk])
    data = {"target": "topics", "dots_per_participant": "30", "max_per_item": "2", "question": "Which first?"}
    refused = client_for(consultant).post(url, data)
    assert refused.status_code == 200 and b"<html" in refused.content
    assert b"Which first?" in refused.content and b'value="30"' in refused.content
    assert not session.votes.exists()


def test_a_member_sees_nothing_while_no_vote_runs_and_the_room_page_says_so(project, session, viewer, client_for):
    client = client_for(viewer)
    assert client.get(panel(project), **HX).content == b""
    assert b"No vote is running." in client.get(panel(project)).content


# --- two quick clicks at the same moment (PostgreSQL: concurrent connections that really commit) ----------------


@pytest.mark.postgres
@pytest.mark.usefixtures("committed")
@pytest.mark.parametrize("same_item", [True, False], ids=["most-per-item", "dots-in-hand"])
def test_two_clicks_at_the_same_moment_cannot_exceed_a_limit(project, consultant, viewer, same_item):
    topics = [TopicFactory(project=project, title=f"Raced {n}") for n in range(3)]
    session = live_session_start(project=project, user=consultant)
    vote = dot_vote_open(
        session=session, user=consultant, target=VoteTarget.TOPICS, dots_per_participant=2, max_per_item=1
    )
    me = member_in(session, viewer)
    if not same_item:
        dot_vote_dot(vote=vote, participant=me, item_id=topics[0].pk, delta=1)  # one dot left in hand
    items = [topics[1].pk, topics[1].pk] if same_item else [topics[1].pk, topics[2].pk]

    results = at_the_same_moment(
        *(lambda item=item: dot_vote_dot(vote=vote, participant=me, item_id=item, delta=1) for item in items)
    )

    assert sorted(outcome for outcome, _value in results) == ["error", "ok"], results
    assert all(isinstance(value, DomainError) for outcome, value in results if outcome == "error"), results
    assert dot_vote_my_dots(vote=vote, participant=me).used == (1 if same_item else 2)
