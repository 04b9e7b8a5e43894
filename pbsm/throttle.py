"""A fixed-window counter in the cache: at most `limit` events per key and window.

Used where an event costs someone else something (a password-reset e-mail). With
CACHE_URL=Redis all web processes share the count; with the default memory cache
each process counts alone. A Redis that is down counts nothing (pbsm/cache.py): the
event is let through and the log says why, rather than a 500 for everyone.
"""

import hashlib

from django.core.cache import cache


def within_limit(scope: str, identity: str, *, limit: int, window_seconds: int) -> bool:
    """Count one event of `identity` in `scope`; False once the window already holds `limit` of them."""
    key = _key(scope, identity)
    cache.add(key, 0, window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add() and incr()
        cache.set(key, 1, window_seconds)
        count = 1
    return count is None or count <= limit


def limit_reached(scope: str, identity: str, *, limit: int) -> bool:
    """Whether `identity` has used up `limit` events of the current window in `scope` (counts nothing).

    For a check that must refuse even the events within_limit does not count (a right guess
    after too many wrong ones).
    """
    count = cache.get(_key(scope, identity))
    return count is not None and count >= limit


def _key(scope: str, identity: str) -> str:
    # Hashed: an address or account id never appears in the cache as such.
    digest = hashlib.blake2b(identity.encode(), digest_size=16).hexdigest()
    return f"throttle:{scope}:{digest}"
