"""Live sessions for the tests of the live panels: a running session, guests and their browsers."""

from django.test import Client

from strategies.live.access import GUEST_SESSION_KEY
from strategies.services.live_sessions import live_guest_join, live_session_start


def running_session(project, facilitator, step: str = "business_model"):
    return live_session_start(project=project, user=facilitator, step=step)


def guest_in(session, name: str = "Gina"):
    """A guest of the session and a browser holding its key (as the join page leaves it)."""
    participant = live_guest_join(session=session, display_name=name)
    client = Client()
    browser_session = client.session
    browser_session[GUEST_SESSION_KEY] = {"project": session.project_id, "token": participant.guest_token}
    browser_session.save()
    return participant, client
