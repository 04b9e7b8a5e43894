"""The Redis channel layer as pbsm/settings.py configures it keeps an idle socket's receive open.

channels_redis waits on Redis up to 5 s (brpop_timeout) for a socket's next message, again and
again while the room is quiet; redis-py's default read timeout of 5 s raced that wait and closed
idle sockets after a few seconds. Needs a Redis: REDIS_URL, else 127.0.0.1:6379 database 15;
skipped without one.
"""

import os
import subprocess
import sys

import pytest

from .test_settings import PROJECT_ROOT, environment

REDIS = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"

QUIET_ROOM = """
import asyncio, django
django.setup()
from channels.layers import get_channel_layer

async def main():
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add("quiet-room", channel)
    try:
        # Longer than redis-py's default read timeout and than one blocking wait of the layer.
        await asyncio.wait_for(layer.receive(channel), timeout=7)
    except asyncio.TimeoutError:
        pass  # nothing was sent: the receive was still waiting, as it should
    await layer.group_send("quiet-room", {"type": "live.event", "message": {"event": "content.changed"}})
    print((await asyncio.wait_for(layer.receive(channel), timeout=5))["message"]["event"])
    await layer.group_discard("quiet-room", channel)

asyncio.run(main())
"""


def _redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=1, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.skipif(not _redis_answers(), reason=f"no Redis at {REDIS}")
def test_a_quiet_room_keeps_its_receive_open_longer_than_redis_read_timeouts():
    result = subprocess.run(
        [sys.executable, "-c", QUIET_ROOM],
        cwd=PROJECT_ROOT,
        env=environment(REDIS_URL=REDIS, LIVE_CHANNEL_PREFIX=f"pbsm-test-{os.getpid()}"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "content.changed"
