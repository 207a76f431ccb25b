"""The Scrapy add-on that puts a crawl on the shared scrapy-redis scheduler when REDIS_URL is set.

newsbot/settings.py lists it in ADDONS; Scrapy calls `update_settings` when a crawler starts (`scrapy crawl`,
scrapyd, `newsbot crawl`), so the project settings module imports nothing from spiders/ and a crawl without
Redis never loads scrapy-redis. The components themselves are in spiders/redis_support.py.
"""

from __future__ import annotations

from typing import Any


class RedisAddon:
    def update_settings(self, settings: Any) -> None:
        url = (settings.get("REDIS_URL") or "").strip()
        if not url:
            return
        from spiders.redis_support import redis_settings

        # "project" priority: the shared scheduler and dupefilter replace the project's own (set at that priority
        # in newsbot/settings.py); settings given on the command line or by the runner still win
        for name, value in redis_settings(url, settings.get("NEWSBOT_REDIS_JOB")).items():
            settings.set(name, value, priority="project")
