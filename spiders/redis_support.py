"""Distributed crawling on scrapy-redis: several worker processes share one crawl's queue and dupefilter.

With REDIS_URL set, `redis_settings(url)` swaps Scrapy's scheduler and dupefilter for scrapy-redis's
(SCHEDULER, DUPEFILTER_CLASS, SCHEDULER_PERSIST, REDIS_URL). Every worker runs the same spider for the
same site; the first to schedule a URL wins it, whoever pops it fetches it, so each URL is fetched once.

On top of scrapy-redis's Scheduler, SharedScheduler adds what an unattended crawl needs:

* in-flight bookkeeping: a request popped from the shared queue is moved, in the same step (a Lua script),
  into a per-worker Redis hash
  until Scrapy has finished with it (downloaded, parsed, its items through the pipelines and committed,
  the requests it produced queued). A worker that dies (its heartbeat key expires) leaves that hash
  behind; the next live worker puts those requests back on the queue, so killing a worker loses nothing;
* a shared ending: a worker whose queue is momentarily empty waits while another worker still has
  requests in flight (they may produce more), instead of closing early;
* keys per site (`newsbot:<job>:<site>:...`): the runner starts one crawler per site in each worker;
* clean-up: when the last worker finishes the crawl ("finished"), the queue and dupefilter are deleted
  so that the next scheduled run starts afresh; a crawl stopped early (time budget, kill) keeps them
  and the next run resumes from the queue.

Keys (JOB = NEWSBOT_REDIS_JOB, default "default"; SITE = the spider's site slug):
    newsbot:JOB:SITE:requests          the shared priority queue (scrapy-redis PriorityQueue)
    newsbot:JOB:SITE:dupefilter        fingerprints of canonical URLs already scheduled
    newsbot:JOB:SITE:workers           set of worker ids that joined
    newsbot:JOB:SITE:alive:WORKER      heartbeat, expires HEARTBEAT_TTL seconds after the worker stops
    newsbot:JOB:SITE:inflight:WORKER   hash sha1(serialized request) -> serialized request
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
import uuid
from typing import Any

from newsbot import settings as defaults

logger = logging.getLogger(__name__)

HEARTBEAT_INTERVAL = 1.0  # seconds between heartbeats (a thread) and bookkeeping ticks (the reactor)
HEARTBEAT_TTL = 10  # a worker silent for this long is dead: its in-flight requests go back on the queue


def redis_settings(redis_url: str, job: str | None = None) -> dict[str, Any]:
    """The Scrapy settings that put a crawl on the shared scrapy-redis scheduler at `redis_url` (applied by the
    add-on in spiders/redis_addon.py when REDIS_URL is set, or by `newsbot crawl --redis-url`)."""
    return {
        "SCHEDULER": "spiders.redis_support.SharedScheduler",
        "DUPEFILTER_CLASS": "spiders.redis_support.CanonicalRedisDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "spiders.redis_support.SharedPriorityQueue",
        "SCHEDULER_PERSIST": True,
        "REDIS_URL": redis_url,
        "NEWSBOT_REDIS_JOB": job or defaults.NEWSBOT_REDIS_JOB,
    }


def _keys(settings: Any, spider: Any) -> dict[str, str]:
    job = settings.get("NEWSBOT_REDIS_JOB") or defaults.NEWSBOT_REDIS_JOB
    site = getattr(spider, "slug", None) or spider.name
    base = f"newsbot:{job}:{site}"
    return {"base": base, "queue": f"{base}:requests", "dupefilter": f"{base}:dupefilter", "workers": f"{base}:workers"}


# --- dupefilter ---------------------------------------------------------------------------------

try:
    from scrapy_redis.dupefilter import RFPDupeFilter
    from scrapy_redis.queue import PriorityQueue
    from scrapy_redis.scheduler import Scheduler
except ImportError:  # scrapy-redis is only needed when REDIS_URL is set
    RFPDupeFilter = PriorityQueue = Scheduler = object


class CanonicalRedisDupeFilter(RFPDupeFilter):
    """scrapy-redis's dupefilter keyed like the local one (spiders/dupefilter.py): by canonical URL, so
    AMP, mobile and tracking-parameter variants of one article are one request across all workers."""

    def request_fingerprint(self, request: Any) -> str:
        from spiders.dupefilter import request_key

        return hashlib.sha1(request_key(request).encode("utf-8")).hexdigest()

    @classmethod
    def from_spider(cls, spider: Any) -> CanonicalRedisDupeFilter:
        from scrapy_redis.connection import get_redis_from_settings

        settings = spider.settings
        return cls(
            get_redis_from_settings(settings),
            key=_keys(settings, spider)["dupefilter"],
            debug=settings.getbool("DUPEFILTER_DEBUG"),
        )


# --- queue -------------------------------------------------------------------------------------


# pop the best request and file it as in flight, in one step: a worker killed between the two would otherwise
# drop the request (gone from the queue, known to the dupefilter, in no one's in-flight hash)
_POP_INFLIGHT = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0)
if #r == 0 then return false end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
local id = redis.sha1hex(r[1])
redis.call('HSET', KEYS[2], id, r[1])
return {id, r[1]}
"""


class SharedPriorityQueue(PriorityQueue):
    """scrapy-redis's priority queue whose pop also files the request in the worker's in-flight hash
    (`inflight_key`, set by SharedScheduler), atomically and in one round trip; `popped_id` is its key there."""

    inflight_key: str | None = None
    popped_id: str | None = None

    def pop(self, timeout: int = 0) -> Any:
        if self.inflight_key is None:
            return super().pop(timeout)
        script = getattr(self, "_script", None)
        if script is None:
            script = self._script = self.server.register_script(_POP_INFLIGHT)
        result = script(keys=[self.key, self.inflight_key])
        if not result:
            self.popped_id = None
            return None
        popped_id, data = result
        self.popped_id = popped_id.decode() if isinstance(popped_id, bytes) else popped_id
        return self._decode_request(data)


# --- scheduler ----------------------------------------------------------------------------------


class SharedScheduler(Scheduler):
    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedScheduler:
        instance = cls.from_settings(crawler.settings)
        instance.stats = crawler.stats
        instance.crawler = crawler
        return instance

    # -- lifecycle ------------------------------------------------------------------------------
    def open(self, spider: Any) -> None:
        from scrapy import signals
        from twisted.internet.task import LoopingCall

        keys = _keys(self.crawler.settings, spider)
        self.base = keys["base"]
        self.queue_key = keys["queue"]
        self.dupefilter_key = keys["dupefilter"]
        self.workers_key = keys["workers"]
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._pending: dict[str, Any] = {}  # in-flight hash key -> the Request object Scrapy is working on
        super().open(spider)
        if hasattr(self.queue, "inflight_key"):
            self.queue.inflight_key = self._inflight_key(self.worker)
        self._beat()
        # the heartbeat runs in a thread of its own: it says "this process is alive", and must keep saying so
        # while the reactor is busy with a big sitemap or starved of CPU (else a peer would take our requests)
        self._stop_beat = threading.Event()
        self._beat_thread = threading.Thread(target=self._beat_loop, name="newsbot-redis-heartbeat", daemon=True)
        self._beat_thread.start()
        # a dead worker's requests from an earlier (killed) run go back on the queue before we start
        self._reclaim()
        self.crawler.signals.connect(self._on_idle, signal=signals.spider_idle)
        self._loop = LoopingCall(self._tick)
        self._loop.start(HEARTBEAT_INTERVAL, now=False)
        logger.info("shared crawl %s as worker %s (%d requests queued)", self.base, self.worker, len(self.queue))

    def close(self, reason: str) -> None:
        if getattr(self, "_loop", None) is not None and self._loop.running:
            self._loop.stop()
        if getattr(self, "_stop_beat", None) is not None:
            self._stop_beat.set()
            self._beat_thread.join(timeout=5)
        self._sweep()
        if self._pending and reason == "finished":  # cannot happen when finished; keep them queued if it does
            logger.warning("%d requests still in flight at close", len(self._pending))
        if reason != "finished":
            # stopped early (time budget, shutdown): put what we hold back on the queue for whoever goes on
            self._requeue(self._inflight_key(self.worker))
        self.server.delete(self._inflight_key(self.worker), self._alive_key(self.worker))
        self.server.srem(self.workers_key, self.worker)
        # done when nothing is queued and no live worker holds requests (a worker killed with nothing in flight
        # keeps its heartbeat key for HEARTBEAT_TTL: waiting for it to lapse would leave the keys behind)
        if reason == "finished" and not len(self.queue) and not self._others_busy() and not self._orphans():
            # the whole crawl is done: the next run starts afresh (a kept dupefilter would filter its homepage)
            # with the heartbeat keys of workers that died idle (they would lapse by themselves)
            stale = list(self.server.scan_iter(match=f"{self.base}:alive:*"))
            self.server.delete(self.queue_key, self.dupefilter_key, self.workers_key, *stale)
            logger.info("shared crawl %s complete: queue and dupefilter cleared", self.base)

    # -- queue ----------------------------------------------------------------------------------
    def next_request(self) -> Any:
        request = super().next_request()
        if request is not None:
            popped_id = getattr(self.queue, "popped_id", None)
            if popped_id is None:  # another queue class: file it in flight here
                popped_id = self.df.request_fingerprint(request)
                self.server.hset(self._inflight_key(self.worker), popped_id, self.queue._encode_request(request))
            self._pending[popped_id] = request
        return request

    def has_pending_requests(self) -> bool:
        return len(self.queue) > 0

    # -- bookkeeping ----------------------------------------------------------------------------
    def _inflight_key(self, worker: str) -> str:
        return f"{self.base}:inflight:{worker}"

    def _alive_key(self, worker: str) -> str:
        return f"{self.base}:alive:{worker}"

    def _beat_loop(self) -> None:
        while not self._stop_beat.wait(HEARTBEAT_INTERVAL):
            try:
                self._beat()
            except Exception:  # Redis away for a moment: the next beat retries (the TTL leaves room)
                logger.warning("redis heartbeat failed", exc_info=True)

    def _beat(self) -> None:
        self.server.set(self._alive_key(self.worker), "1", ex=HEARTBEAT_TTL)
        # again each time: a worker stalled past the TTL was dropped from the set by a peer; it rejoins
        self.server.sadd(self.workers_key, self.worker)

    def _in_progress(self) -> set | None:
        slot = getattr(getattr(self.crawler, "engine", None), "_slot", None)
        return getattr(slot, "inprogress", None)

    def _sweep(self) -> None:
        """Forget the requests Scrapy has finished with (the engine drops a request from its in-progress
        set only after its response went through the spider and its items through the pipelines)."""
        inprogress = self._in_progress()
        if inprogress is None:
            return
        done = [fp for fp, req in self._pending.items() if req not in inprogress]
        if not done:
            return
        # their articles must be committed before the requests are forgotten, or a kill would lose them:
        # the store pipeline batches its commits, so make it commit now (once a second at most)
        self._flush_pipelines()
        for fp in done:
            del self._pending[fp]
        self.server.hdel(self._inflight_key(self.worker), *done)

    def _flush_pipelines(self) -> None:
        itemproc = getattr(getattr(getattr(self.crawler, "engine", None), "scraper", None), "itemproc", None)
        for pipeline in getattr(itemproc, "middlewares", ()):
            flush = getattr(pipeline, "flush", None)
            if callable(flush):
                flush()

    def _tick(self) -> None:
        try:
            self._sweep()
            self._reclaim()
        except Exception:  # a Redis hiccup must not kill the loop; the next tick retries
            logger.exception("shared scheduler bookkeeping failed")

    def _workers(self) -> list[str]:
        return [w.decode() if isinstance(w, bytes) else w for w in self.server.smembers(self.workers_key)]

    def _orphans(self) -> list[str]:
        return [w for w in self._workers() if w != self.worker and not self.server.exists(self._alive_key(w))]

    def _others_busy(self) -> bool:
        return any(
            w != self.worker and self.server.exists(self._alive_key(w)) and self.server.hlen(self._inflight_key(w))
            for w in self._workers()
        )

    def _reclaim(self) -> int:
        """Put the in-flight requests of dead workers back on the shared queue."""
        moved = 0
        for worker in self._orphans():
            moved += self._requeue(self._inflight_key(worker), claim=True)
            self.server.srem(self.workers_key, worker)
        if moved:
            logger.warning("requeued %d in-flight requests of dead workers", moved)
            if self.stats:
                self.stats.inc_value("newsbot/redis/requeued", moved)
        return moved

    def _requeue(self, key: str, claim: bool = False) -> int:
        if claim:
            # RENAME is atomic: of two workers reclaiming the same orphan, one gets it, the other an error
            tmp = f"{key}:claimed:{self.worker}"
            try:
                self.server.rename(key, tmp)
            except Exception:
                return 0
            key = tmp
        entries = self.server.hgetall(key)
        for data in entries.values():
            # straight onto the queue: the dupefilter has these URLs already (that is why they would be lost)
            self.queue.push(self.queue._decode_request(data))
        self.server.delete(key)
        return len(entries)

    def _on_idle(self, spider: Any) -> None:
        """Keep an idle worker open while the shared crawl may still produce work for it."""
        from scrapy.exceptions import DontCloseSpider
        from twisted.internet import reactor

        self._sweep()
        if len(self.queue) or self._reclaim() or self._others_busy():
            # look again soon rather than at the engine's 5 s heartbeat. Scrapy has no public way to wake its
            # loop without a request to hand it (engine.crawl); so this reads the engine's private slot, guarded:
            # should a Scrapy release move it, an idle worker only looks again at the heartbeat, nothing breaks
            slot = getattr(self.crawler.engine, "_slot", None)
            if slot is not None:
                reactor.callLater(0.5, slot.nextcall.schedule)
            raise DontCloseSpider
