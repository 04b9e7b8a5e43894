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
    # Hashed: an address or account id never appears in the cache as such.
    digest = hashlib.blake2b(identity.encode(), digest_size=16).hexdigest()
    key = f"throttle:{scope}:{digest}"
    cache.add(key, 0, window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add() and incr()
        cache.set(key, 1, window_seconds)
        count = 1
    return count is None or count <= limit
