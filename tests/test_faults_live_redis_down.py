"""Redis down under the live workshop: a save stands and returns at once, without its broadcast.

The channel layer is Redis (as with REDIS_URL in production). Two faults: nothing listens on
the port (connection refused), and a Redis that accepts connections but never answers (stopped
in a debugger, swapped out, overloaded). In both a row save must succeed and come back at once
(the process's sender thread talks to the layer, not the request); the broadcast is dropped and
logged (strategies/live/broadcast.py), and the next ones are not even tried for a few seconds.
"""

import logging
import socket
import time

import pytest

from competencies.models import BusinessModelBlock
from strategies.live import broadcast
from strategies.models import Topic

from .factories import TopicFactory
from .wizard_rows import edit_url, hx_post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

CLOSED = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused at once


def _redis_layer(settings, url: str) -> None:
    # Setting CHANNEL_LAYERS makes Channels forget its layer (setting_changed), so the next send uses this one.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": url, "socket_connect_timeout": 2, "socket_timeout": 15}],  # as pbsm/settings.py
                "prefix": "pbsm-live-test",
            },
        }
    }


@pytest.fixture(autouse=True)
def layer_was_up(monkeypatch):
    monkeypatch.setattr(broadcast, "_layer_down_since", None)


@pytest.fixture
def silent_redis():
    """A port that accepts connections and never answers: a hung Redis."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    server.close()


def _save(client, project, topic):
    block = BusinessModelBlock.objects.get(key="value_propositions")
    data = {"title": "Renamed live", "block": block.pk, "priority": 4, "social_media_affinity": 5, "lock_version": 0}
    started = time.perf_counter()
    response = hx_post(client, edit_url(project, "topic", topic.pk), data)
    return response, time.perf_counter() - started


@pytest.mark.parametrize("fault", ["refused", "silent"])
def test_a_row_save_stands_and_returns_at_once_when_the_channel_layer_is_unreachable(
    fault, settings, client_for, project, consultant, silent_redis, caplog, django_capture_on_commit_callbacks
):
    _redis_layer(settings, CLOSED if fault == "refused" else silent_redis)
    topic = TopicFactory(project=project, title="Before")
    client = client_for(consultant)
    with caplog.at_level(logging.WARNING, logger="strategies.live.broadcast"):
        with django_capture_on_commit_callbacks(execute=True):
            started = time.perf_counter()
            response, _ = _save(client, project, topic)
        elapsed = time.perf_counter() - started  # the request and its on-commit broadcast
        broadcast.wait_for_sent()  # the sender thread gives the message up and says so
    assert response.status_code == 200
    assert Topic.objects.get(pk=topic.pk).title == "Renamed live"
    # The save does not wait for the layer at all: the process's sender thread does.
    assert elapsed < 0.5, f"the save took {elapsed:.1f} s with the channel layer down ({fault})"
    assert any("channel layer is unreachable" in record.getMessage() for record in caplog.records)


def test_after_a_failed_broadcast_the_next_ones_are_skipped_for_a_while(settings, silent_redis):
    _redis_layer(settings, silent_redis)
    assert broadcast.send_now(project_id=1, message={"event": "content.changed"}) is True  # queued
    broadcast.wait_for_sent()  # given up after SEND_TIMEOUT_SECONDS
    started = time.perf_counter()
    assert broadcast.send_now(project_id=1, message={"event": "content.changed"}) is False
    assert time.perf_counter() - started < 0.1
