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
import time

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

# After a failed send, skip sending for a while rather than wait on a dead layer per save.
_RETRY_AFTER_SECONDS = 5.0
_layer_down_since: float | None = None
# A Redis that accepts connections but does not answer (stopped, overloaded) would hold the save
# for redis-py's own timeouts (seconds); a broadcast that takes longer than this is dropped.
SEND_TIMEOUT_SECONDS = 1.0


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
    """Send at once (outside any transaction: the consumer, or on commit). False when the layer is down."""
    global _layer_down_since
    if _layer_down_since is not None and time.monotonic() - _layer_down_since < _RETRY_AFTER_SECONDS:
        return False
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        async_to_sync(_send)(layer, project_group(project_id), {"type": "live.event", "message": message})
    except Exception:  # any failure of the layer (connection refused, timeout): the save stands
        _layer_down_since = time.monotonic()
        logger.warning("Live broadcast to project %s dropped: the channel layer is unreachable.", project_id)
        return False
    _layer_down_since = None
    return True


async def _send(layer, group: str, message: dict) -> None:
    await asyncio.wait_for(layer.group_send(group, message), timeout=SEND_TIMEOUT_SECONDS)
