"""Live broadcasts: the one place where the server tells the room that something changed.

Services call live_broadcast() inside their transaction; the message leaves on commit (a
rolled-back change is never announced), like the Celery tasks. Content changes of working
material are announced from strategies/content_changes.py, which every write passes, so a
change from the admin or an import reaches the room as one from the wizard does.

Every message goes to the project's group; the consumer (strategies/live/consumer.py) passes
on to each socket only what its participant may see. Messages name what changed, never the
content: a browser fetches what it shows through the same views and guards as a page load.

With the channel layer unreachable (Redis down) nothing fails: the change is saved, the
broadcast is dropped and logged, and the browsers' sockets, which are down too, say
"live updates paused" until they reconnect and catch up.
"""

import asyncio
import logging
import queue
import threading
import time

from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

# After a failed send, skip sending for a while rather than try a dead layer per save.
_RETRY_AFTER_SECONDS = 5.0
# A send that takes longer than this is given up (a hung Redis must not pile up messages).
SEND_TIMEOUT_SECONDS = 1.0
_layer_down_since: float | None = None
# The loop this process's sockets run on (the embedded in-memory layer only; see send_now).
_socket_loop: asyncio.AbstractEventLoop | None = None


def remember_socket_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Called by the consumer on connect: where the in-memory layer's sends must run."""
    global _socket_loop
    _socket_loop = loop


def project_group(project_id: int) -> str:
    """The channel-layer group of everyone live on a project (members and guests alike)."""
    return f"live-project-{int(project_id)}"


def live_broadcast(*, project_id: int, event: str, **data) -> None:
    """Announce `event` (with small JSON-able `data`) to the project's room once the transaction commits.

    Events: "content.changed" (working material), "session.started", "session.ended",
    "session.step", "session.bring", "presence", "timer", "vote.changed", "ideas.changed".
    """
    message = {"event": event, **data}
    transaction.on_commit(lambda: send_now(project_id=project_id, message=message))


def send_now(*, project_id: int, message: dict) -> bool:
    """Send from synchronous code (on commit, a management command). False when the layer is down.

    The embedded in-memory layer is sent to at once: it lives in this process's event loop.
    A shared layer (Redis) is handed to this process's one sender thread, which keeps its
    event loop and so its Redis connections: the save that caused the message does not wait
    for Redis (a new loop per message would open a new connection each time, about 5 ms),
    and a Redis that is down or slow costs the save nothing.
    """
    if _layer_down_since is not None and time.monotonic() - _layer_down_since < _RETRY_AFTER_SECONDS:
        return False
    layer = get_channel_layer()
    if layer is None:
        return False
    envelope = {"type": "live.event", "message": message}
    if isinstance(layer, InMemoryChannelLayer):
        # The embedded layer's queues belong to the event loop the sockets live on: hand the
        # send to that loop (thread-safe), never to a loop of our own.
        loop = _socket_loop
        if loop is None or loop.is_closed():
            return True  # no socket has ever connected to this process: nobody to tell
        coroutine = layer.group_send(project_group(project_id), envelope)
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            loop.create_task(coroutine)
        else:
            asyncio.run_coroutine_threadsafe(coroutine, loop)
        return True
    _sender().put((project_group(project_id), envelope))
    return True


class _Sender(threading.Thread):
    """Sends queued messages to the shared channel layer, in order, from one long-lived event loop."""

    def __init__(self):
        super().__init__(name="live-broadcast-sender", daemon=True)
        self.messages: queue.SimpleQueue = queue.SimpleQueue()
        self.pending = 0
        self.idle = threading.Condition()

    def put(self, item) -> None:
        with self.idle:
            self.pending += 1
        self.messages.put(item)

    def run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        while True:
            group, envelope = self.messages.get()
            try:
                loop.run_until_complete(self._send(group, envelope))
            finally:
                with self.idle:
                    self.pending -= 1
                    self.idle.notify_all()

    async def _send(self, group: str, envelope: dict) -> None:
        global _layer_down_since
        if _layer_down_since is not None and time.monotonic() - _layer_down_since < _RETRY_AFTER_SECONDS:
            return
        try:
            await asyncio.wait_for(get_channel_layer().group_send(group, envelope), SEND_TIMEOUT_SECONDS)
        except Exception:  # any failure of the layer (connection refused, timeout): the save stands
            _layer_down_since = time.monotonic()
            logger.warning("Live broadcast to %s dropped: the channel layer is unreachable.", group)
            return
        _layer_down_since = None


_sender_thread: _Sender | None = None
_sender_lock = threading.Lock()


def _sender() -> _Sender:
    """This process's sender, started on first use (after a fork, a new one: threads do not survive it)."""
    global _sender_thread
    with _sender_lock:
        if _sender_thread is None or not _sender_thread.is_alive():
            _sender_thread = _Sender()
            _sender_thread.start()
        return _sender_thread


def wait_for_sent(timeout: float = 5.0) -> None:
    """Until every queued message has been sent or dropped (tests and benchmarks; pages never wait)."""
    sender = _sender_thread
    if sender is None:
        return
    with sender.idle:
        sender.idle.wait_for(lambda: sender.pending == 0, timeout)
