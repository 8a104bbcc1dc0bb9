"""A Redis cache that a Redis outage cannot turn into error pages.

The app uses the cache only to remember things it can compute again (dashboard figures, job progress), so while
Redis is down a read is a miss and a write is dropped, with a warning in the log; nothing else changes."""

import logging

from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)


def _tolerant(name: str, fallback):
    def method(self, *args, **kwargs):
        import redis

        try:
            return getattr(super(TolerantRedisCache, self), name)(*args, **kwargs)
        except (redis.RedisError, OSError):
            log.warning("cache %s failed: Redis unavailable", name)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    method.__name__ = name
    return method


class TolerantRedisCache(RedisCache):
    get = _tolerant("get", lambda key, default=None, version=None: default)
    get_many = _tolerant("get_many", {})
    has_key = _tolerant("has_key", False)
    set = _tolerant("set", None)
    set_many = _tolerant("set_many", lambda data, *a, **kw: list(data))
    add = _tolerant("add", False)
    touch = _tolerant("touch", False)
    delete = _tolerant("delete", False)
    delete_many = _tolerant("delete_many", None)
    incr = _tolerant("incr", None)
    clear = _tolerant("clear", False)
