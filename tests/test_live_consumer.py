"""The live workshop's socket (strategies/live/consumer.py): who gets in, what each hears, the limits.

Driven with Channels' WebsocketCommunicator through the whole ASGI stack (origin check, session,
authentication). The tests are plain functions that run the conversation with async_to_sync, so
the consumer's database calls come back to the test's thread and see its data.
"""

import json
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction

from pbsm.asgi import application
from strategies.live.access import GUEST_SESSION_KEY
from strategies.live.consumer import CLOSE_REFUSED, CLOSE_SESSION_ENDED, CLOSE_TOO_MUCH
from strategies.models import LiveSession, Role
from strategies.services.live_sessions import (
    live_guest_join,
    live_session_end,
    live_session_show_step,
    live_session_start,
)
from strategies.services.rows import working_row_save

from .conftest import restore_migrated_data
from .factories import MembershipFactory, ProjectFactory, TopicFactory, UserFactory

ORIGIN = (b"origin", b"http://localhost")


def cookie_of(client) -> tuple[bytes, bytes]:
    return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode())


def member_headers(client_for, user):
    return [ORIGIN, cookie_of(client_for(user))]


def headers_of_guest(participant):
    store = SessionStore()
    store[GUEST_SESSION_KEY] = {"project": participant.session.project_id, "token": participant.guest_token}
    store.create()
    return [ORIGIN, (b"cookie", f"{settings.SESSION_COOKIE_NAME}={store.session_key}".encode())]


def name_of(user) -> str:
    return user.get_full_name() or user.username


def socket(project, headers):
    return WebsocketCommunicator(application, f"/ws/live/projects/{project.pk}/", headers=headers)


def run(conversation):
    return async_to_sync(conversation)()


async def messages_until(communicator, event: str, *, limit: int = 10) -> list[dict]:
    """Read messages until one named `event` arrives (it is the last one returned)."""
    seen = []
    for _i in range(limit):
        message = await communicator.receive_json_from(timeout=5)
        seen.append(message)
        if message.get("event") == event:
            return seen
    raise AssertionError(f"no {event!r} among {seen}")


@pytest.fixture(autouse=True)
def test_connection_kept_open(monkeypatch):
    """Channels closes "old" connections around every database call of a consumer; here those calls
    run in the test's thread, whose connection is inside the test's transaction (autocommit off):
    on PostgreSQL that counts as unusable and would be closed under the test."""
    monkeypatch.setattr("channels.db.close_old_connections", lambda: None)


@pytest.fixture(autouse=True)
def migrated_data(db):
    """The tests here that commit (transaction=True) start from a flushed database."""
    restore_migrated_data()


@pytest.fixture
def session(project, consultant):
    return live_session_start(project=project, user=consultant, step="business_model")


def test_an_outsider_is_refused_at_the_door(project, outsider, client_for):
    outsider_headers = member_headers(client_for, outsider)

    async def conversation():
        communicator = socket(project, outsider_headers)
        connected, code = await communicator.connect()
        assert (connected, code) == (False, CLOSE_REFUSED)

    run(conversation)


def test_an_anonymous_visitor_is_refused(project):
    async def conversation():
        connected, code = await socket(project, [ORIGIN]).connect()
        assert (connected, code) == (False, CLOSE_REFUSED)

    run(conversation)


def test_a_socket_from_another_site_is_refused(project, consultant, client_for):
    headers = [(b"origin", b"https://evil.example"), cookie_of(client_for(consultant))]

    async def conversation():
        connected, _code = await socket(project, headers).connect()
        assert not connected

    run(conversation)


def test_a_member_without_a_session_learns_there_is_none(project, viewer, client_for):
    viewer_headers = member_headers(client_for, viewer)

    async def conversation():
        communicator = socket(project, viewer_headers)
        connected, _code = await communicator.connect()
        assert connected
        assert await communicator.receive_json_from(timeout=5) == {"event": "state", "role": "member", "session": None}
        await communicator.disconnect()

    run(conversation)


def test_a_member_joins_the_running_session_and_sees_who_is_there(session, consultant, manager, client_for):
    manager_headers = member_headers(client_for, manager)

    async def conversation():
        communicator = socket(session.project, manager_headers)
        await communicator.connect()
        state = await communicator.receive_json_from(timeout=5)
        assert state["role"] == "member"
        assert state["session"]["step"] == "business_model"
        names = {p["name"]: p["facilitator"] for p in state["participants"]}
        assert names == {name_of(consultant): True, name_of(manager): False}
        await communicator.disconnect()

    run(conversation)


def test_the_facilitator_is_told_so(session, consultant, client_for):
    consultant_headers = member_headers(client_for, consultant)

    async def conversation():
        communicator = socket(session.project, consultant_headers)
        await communicator.connect()
        assert (await communicator.receive_json_from(timeout=5))["role"] == "facilitator"
        await communicator.disconnect()

    run(conversation)


@pytest.mark.django_db(transaction=True)
def test_only_the_facilitator_moves_the_room_and_followers_hear_it(session, consultant, manager, client_for):
    consultant_headers = member_headers(client_for, consultant)
    manager_headers = member_headers(client_for, manager)

    async def conversation():
        member = socket(session.project, manager_headers)
        facilitator = socket(session.project, consultant_headers)
        await member.connect()
        await member.receive_json_from(timeout=5)
        await facilitator.connect()
        await facilitator.receive_json_from(timeout=5)

        await member.send_json_to({"type": "show", "step": "competition"})
        assert (await messages_until(member, "error"))[-1]["message"] == "not allowed"

        await facilitator.send_json_to({"type": "show", "step": "competition", "bring": True})
        heard = await messages_until(member, "session.bring")
        assert heard[-1]["step"] == "competition"
        state = (await messages_until(member, "state"))[-1]
        assert state["session"]["step"] == "competition"
        await member.disconnect()
        await facilitator.disconnect()

    run(conversation)
    assert LiveSession.objects.get(pk=session.pk).step == "competition"


def test_a_guest_hears_the_shown_step_but_not_who_is_there(session):
    guest = live_guest_join(session=session, display_name="Gisela")

    guest_headers = headers_of_guest(guest)

    async def conversation():
        communicator = socket(session.project, guest_headers)
        connected, _code = await communicator.connect()
        assert connected
        state = await communicator.receive_json_from(timeout=5)
        assert state["role"] == "guest"
        assert "participants" not in state
        assert state["participant_count"] >= 1
        await communicator.send_json_to({"type": "show", "step": "competition"})
        assert (await communicator.receive_json_from(timeout=5))["message"] == "not allowed"
        await communicator.disconnect()

    run(conversation)


def test_a_guest_key_opens_only_its_own_projects_room(session):
    guest = live_guest_join(session=session, display_name="Gisela")
    other = ProjectFactory()
    live_session_start(project=other, user=MembershipFactory(project=other, role=Role.CONSULTANT).user)

    guest_headers = headers_of_guest(guest)

    async def conversation():
        connected, code = await socket(other, guest_headers).connect()
        assert (connected, code) == (False, CLOSE_REFUSED)

    run(conversation)


def test_a_guest_key_dies_with_the_session(session, consultant):
    guest = live_guest_join(session=session, display_name="Gisela")
    live_session_end(session=session, user=consultant)
    project = session.project

    guest_headers = headers_of_guest(guest)

    async def conversation():
        connected, code = await socket(project, guest_headers).connect()
        assert (connected, code) == (False, CLOSE_REFUSED)

    run(conversation)


def test_a_reconnecting_browser_catches_up_with_what_it_missed(session, consultant, manager, client_for):
    manager_headers = member_headers(client_for, manager)

    async def first_visit():
        communicator = socket(session.project, manager_headers)
        await communicator.connect()
        assert (await communicator.receive_json_from(timeout=5))["session"]["step"] == "business_model"
        await communicator.disconnect()

    run(first_visit)
    live_session_show_step(session=session, user=consultant, step="resources")

    async def second_visit():
        communicator = socket(session.project, manager_headers)
        await communicator.connect()
        state = await communicator.receive_json_from(timeout=5)
        assert state["session"]["step"] == "resources"
        assert state["session"]["step_url"].endswith("/workshop/resources/")
        await communicator.disconnect()

    run(second_visit)


class RolledBack(Exception):
    pass


def save_topic_title(topic, title: str, *, roll_back: bool = False) -> None:
    """A plain save() in its own transaction: the admin and the shell write like this."""
    try:
        with transaction.atomic():
            topic.title = title
            topic.save()
            if roll_back:
                raise RolledBack
    except RolledBack:
        pass


def presence_news(message: dict) -> bool:
    """The room's presence news, or the fresh state the socket sends after it."""
    return message == {"event": "presence"} or message.get("event") == "state"


async def next_beside_presence(communicator) -> dict:
    """The next message that is not the room's presence news (nor the state that follows it).

    Joining announces presence on commit, from the process's sender thread: with the Redis layer
    that news may reach the socket after its state, at any point of the conversation.
    """
    for _i in range(6):
        message = await communicator.receive_json_from(timeout=5)
        if not presence_news(message):
            return message
    raise AssertionError("only presence news arrived")


async def nothing_but_presence(communicator) -> bool:
    """True when nothing arrives within 0.3 s but, perhaps, presence news and its state."""
    for _i in range(6):
        if await communicator.receive_nothing(timeout=0.3):
            return True
        message = await communicator.receive_json_from(timeout=1)
        if not presence_news(message):
            raise AssertionError(f"unexpected message {message!r}")
    return False


def listening(session, headers, *then):
    """Connect, take the state, then run each step: ("sync", fn) in the test's thread, or ("hear", x)."""

    async def conversation():
        communicator = socket(session.project, headers)
        await communicator.connect()
        await communicator.receive_json_from(timeout=5)
        for kind, what in then:
            if kind == "sync":
                await sync_to_async(what)()
            elif what is None:
                assert await nothing_but_presence(communicator)
            else:
                assert (await next_beside_presence(communicator)) == what
        await communicator.disconnect()

    run(conversation)


@pytest.mark.django_db(transaction=True)
def test_a_change_to_the_material_reaches_the_room_after_its_commit(session, consultant, manager, client_for):
    topic = TopicFactory(project=session.project)

    def save():
        working_row_save(
            project=session.project, user=consultant, row=topic, data={"title": "Recruiting"}, lock_version=0
        )

    listening(session, member_headers(client_for, manager), ("sync", save), ("hear", {"event": "content.changed"}))


@pytest.mark.django_db(transaction=True)
def test_a_change_rolled_back_is_never_announced(session, manager, client_for):
    topic = TopicFactory(project=session.project)
    listening(
        session,
        member_headers(client_for, manager),
        ("sync", lambda: save_topic_title(topic, "Never saved", roll_back=True)),
        ("hear", None),
    )


@pytest.mark.django_db(transaction=True)
def test_a_change_in_the_admin_or_the_shell_is_heard_too(session, manager, client_for):
    """No service involved: a plain save() passes the content counter's signal, which announces it."""
    topic = TopicFactory(project=session.project)
    listening(
        session,
        member_headers(client_for, manager),
        ("sync", lambda: save_topic_title(topic, "Changed in the admin")),
        ("hear", {"event": "content.changed"}),
    )


@pytest.mark.django_db(transaction=True)
def test_another_projects_change_is_not_heard(session, manager, client_for):
    topic = TopicFactory(project=ProjectFactory())
    listening(
        session,
        member_headers(client_for, manager),
        ("sync", lambda: save_topic_title(topic, "Elsewhere")),
        ("hear", None),
    )


def test_a_flood_of_messages_closes_the_socket(session, manager, client_for, settings):
    settings.LIVE_MESSAGES_PER_10_SECONDS = 5

    manager_headers = member_headers(client_for, manager)

    async def conversation():
        communicator = socket(session.project, manager_headers)
        await communicator.connect()
        await communicator.receive_json_from(timeout=5)
        for _i in range(6):
            await communicator.send_to(text_data=json.dumps({"type": "ping"}))
        output = None
        for _i in range(5):
            output = await communicator.receive_output(timeout=2)
            if output["type"] == "websocket.close":
                break
        assert output == {"type": "websocket.close", "code": CLOSE_TOO_MUCH}

    run(conversation)


def test_an_oversized_message_closes_the_socket(session, manager, client_for):
    manager_headers = member_headers(client_for, manager)

    async def conversation():
        communicator = socket(session.project, manager_headers)
        await communicator.connect()
        await communicator.receive_json_from(timeout=5)
        await communicator.send_to(
            text_data=json.dumps({"type": "here", "step": "x" * settings.LIVE_MESSAGE_MAX_BYTES})
        )
        assert await communicator.receive_output(timeout=2) == {"type": "websocket.close", "code": CLOSE_TOO_MUCH}

    run(conversation)


@pytest.mark.parametrize("text", ["not json", "[1, 2]", '{"type": "teleport"}'])
def test_garbage_gets_an_error_not_a_crash(session, manager, client_for, text):
    manager_headers = member_headers(client_for, manager)

    async def conversation():
        communicator = socket(session.project, manager_headers)
        await communicator.connect()
        await communicator.receive_json_from(timeout=5)
        await communicator.send_to(text_data=text)
        assert (await communicator.receive_json_from(timeout=5))["event"] == "error"
        await communicator.disconnect()

    run(conversation)


def test_a_member_removed_from_the_project_cannot_come_back(session, client_for):
    user = UserFactory()
    membership = MembershipFactory(project=session.project, user=user, role=Role.VIEWER)
    membership.delete()

    user_headers = member_headers(client_for, user)

    async def conversation():
        connected, code = await socket(session.project, user_headers).connect()
        assert (connected, code) == (False, CLOSE_REFUSED)

    run(conversation)


def test_the_facilitators_open_page_keeps_the_session_from_idling(session, consultant, client_for):
    LiveSession.objects.filter(pk=session.pk).update(last_activity_at=session.started_at - timedelta(minutes=100))
    consultant_headers = member_headers(client_for, consultant)

    async def conversation():
        communicator = socket(session.project, consultant_headers)
        await communicator.connect()
        await communicator.receive_json_from(timeout=5)
        await communicator.send_json_to({"type": "ping"})
        await communicator.send_json_to({"type": "state"})
        await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()

    run(conversation)
    session.refresh_from_db()
    assert session.last_activity_at >= session.started_at


def test_a_session_idle_past_its_time_is_over_for_whoever_connects(session, manager, client_for):
    LiveSession.objects.filter(pk=session.pk).update(
        last_activity_at=session.started_at - timedelta(minutes=session.idle_minutes + 1)
    )
    manager_headers = member_headers(client_for, manager)

    async def conversation():
        communicator = socket(session.project, manager_headers)
        await communicator.connect()
        assert (await communicator.receive_json_from(timeout=5))["session"] is None
        await communicator.disconnect()

    run(conversation)
    session.refresh_from_db()
    assert session.ended_at is not None


def test_a_guest_who_left_is_shut_out_at_the_next_change(session, consultant):
    from strategies.services.live_guests import live_guest_leave

    guest = live_guest_join(session=session, display_name="Gisela")
    guest_headers = headers_of_guest(guest)

    async def conversation():
        communicator = socket(session.project, guest_headers)
        await communicator.connect()
        await communicator.receive_json_from(timeout=5)
        await sync_to_async(live_guest_leave)(participant=guest)
        await communicator.send_json_to({"type": "state"})
        assert await communicator.receive_output(timeout=5) == {"type": "websocket.close", "code": CLOSE_SESSION_ENDED}

    run(conversation)


@pytest.mark.parametrize(
    ("headers", "label"),
    [
        ([(b"accept-language", b"de-DE,de;q=0.9")], "Wettbewerb"),
        ([(b"accept-language", b"en-GB,en;q=0.9")], "Competition"),
        ([(b"accept-language", b"de-DE"), (b"cookie", b"django_language=en")], "Competition"),
    ],
)
def test_the_step_labels_come_in_the_browsers_language(session, consultant, manager, client_for, headers, label):
    live_session_show_step(session=session, user=consultant, step="competition")
    login = cookie_of(client_for(manager))
    cookies = [value for name, value in headers if name == b"cookie"]
    others = [(name, value) for name, value in headers if name != b"cookie"]
    cookie = (b"cookie", b"; ".join([login[1], *cookies]))

    async def conversation():
        communicator = socket(session.project, [ORIGIN, cookie, *others])
        await communicator.connect()
        assert (await communicator.receive_json_from(timeout=5))["session"]["step_label"] == label
        await communicator.disconnect()

    run(conversation)


@pytest.mark.django_db(transaction=True)
def test_a_dot_cast_is_told_to_the_facilitator_only(session, consultant, manager, client_for):
    """The facilitator's voter count changes; nobody else's panel needs fetching again."""
    from strategies.models import VoteTarget
    from strategies.services.live_sessions import live_session_join
    from strategies.services.live_votes import dot_vote_dot, dot_vote_open

    topic = TopicFactory(project=session.project)
    vote = dot_vote_open(
        session=session, user=consultant, target=VoteTarget.TOPICS, dots_per_participant=3, max_per_item=2
    )
    voter = live_session_join(session=session, user=manager)
    consultant_headers = member_headers(client_for, consultant)
    manager_headers = member_headers(client_for, manager)

    async def conversation():
        facilitator = socket(session.project, consultant_headers)
        member = socket(session.project, manager_headers)
        for communicator in (facilitator, member):
            await communicator.connect()
            await communicator.receive_json_from(timeout=5)
        await sync_to_async(dot_vote_dot)(vote=vote, participant=voter, item_id=topic.pk, delta=1)
        heard = await messages_until(facilitator, "vote.changed")
        assert heard[-1] == {"event": "vote.changed", "vote": vote.pk, "dot": True}
        assert await nothing_but_presence(member)
        await facilitator.disconnect()
        await member.disconnect()

    run(conversation)
