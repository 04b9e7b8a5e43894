"""A Redis cache that treats an unreachable server as an empty cache.

The cache holds rendered wizard pages and version comparisons
(strategies/wizard/page_cache.py), which are rendered afresh on a miss, copies of sessions
(cached_db: the database has them too) and the password-reset counts (pbsm/throttle.py,
which lets a request through when nothing could be counted). So when Redis is down, every
read is a miss and every write is dropped, with a warning in the log, instead of a 500 on
every page.
"""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class ForgivingRedisCache(RedisCache):
    def _forgive(self, operation: str, call, default):
        try:
            return call()
        except RedisError as error:
            logger.warning("Cache %s skipped, Redis is unavailable: %s", operation, error)
            return default

    def add(self, key, value, timeout=None, version=None):
        return self._forgive("add", lambda: super(ForgivingRedisCache, self).add(key, value, timeout, version), False)

    def get(self, key, default=None, version=None):
        return self._forgive("get", lambda: super(ForgivingRedisCache, self).get(key, default, version), default)

    def set(self, key, value, timeout=None, version=None):
        self._forgive("set", lambda: super(ForgivingRedisCache, self).set(key, value, timeout, version), None)

    def touch(self, key, timeout=None, version=None):
        return self._forgive("touch", lambda: super(ForgivingRedisCache, self).touch(key, timeout, version), False)

    def incr(self, key, delta=1, version=None):
        # None: nothing counted (pbsm/throttle.py lets the event through). A missing key still
        # raises ValueError, as Django's caches do.
        return self._forgive("incr", lambda: super(ForgivingRedisCache, self).incr(key, delta, version), None)

    def delete(self, key, version=None):
        return self._forgive("delete", lambda: super(ForgivingRedisCache, self).delete(key, version), False)

    def get_many(self, keys, version=None):
        return self._forgive("get_many", lambda: super(ForgivingRedisCache, self).get_many(keys, version), {})

    def has_key(self, key, version=None):
        return self._forgive("has_key", lambda: super(ForgivingRedisCache, self).has_key(key, version), False)

    def set_many(self, data, timeout=None, version=None):
        return self._forgive(
            "set_many", lambda: super(ForgivingRedisCache, self).set_many(data, timeout, version), list(data)
        )

    def delete_many(self, keys, version=None):
        self._forgive("delete_many", lambda: super(ForgivingRedisCache, self).delete_many(keys, version), None)

    def clear(self):
        return self._forgive("clear", lambda: super(ForgivingRedisCache, self).clear(), False)
