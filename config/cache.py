"""A Redis cache that a Redis outage cannot turn into error pages, and values computed once however many ask.

The app uses the cache only to remember things it can compute again (dashboard figures, job progress), so while
Redis is down a read is a miss and a write is dropped, with a warning in the log; nothing else changes."""

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache

T = TypeVar("T")

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


# How long a computation's lock lives: longer than any computation `computed_once` guards (a province's figures take
# about 18 s at 1,000,000 children); a holder that dies frees it after this.
LOCK_SECONDS = 300


def computed_once(key: str, compute: Callable[[], T], *, timeout: int, refresh: bool = False) -> T:
    """The value cached under `key`, computed when missing by one caller at a time, whatever the number of web
    processes and machines asking at the same moment (issue 20: four cold requests for a province's figures each
    computed them, 18 s of the database each).

    The first caller to miss takes a lock (`cache.add` of `<key>:computing`, atomic in Redis and in the local-memory
    cache; the demo's file cache checks and writes, so two callers in the same instant may both compute) and
    computes; callers that miss meanwhile wait for its value instead of computing it too. A holder that fails
    frees the lock, and the next waiter computes; one that dies frees it after LOCK_SECONDS. When the cache cannot
    hold a lock at all (Redis down: the tolerant cache answers misses), each caller computes, as without a cache.
    `refresh`: compute even when a value is cached (the warming task), still one at a time."""
    if not refresh:
        value = cache.get(key)
        if value is not None:
            return value
    lock = f"{key}:computing"
    pause, deadline, unlocked = 0.05, time.monotonic() + LOCK_SECONDS, 0
    while time.monotonic() < deadline:
        if cache.add(lock, True, LOCK_SECONDS):
            try:
                value = None if refresh else cache.get(key)  # stored by a holder between our miss and our lock
                if value is None:
                    value = compute()
                    cache.set(key, value, timeout)
                return value
            finally:
                cache.delete(lock)
        if not cache.has_key(lock):  # freed just now, or the cache takes no lock at all
            unlocked += 1
            if unlocked > 2:
                break
            continue
        time.sleep(pause)
        pause = min(pause * 2, 0.5)
        if not refresh and (value := cache.get(key)) is not None:
            return value
    log.warning("computing %s without the lock", key)
    value = compute()
    cache.set(key, value, timeout)
    return value
