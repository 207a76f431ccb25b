"""Unattended crawl jobs: what cron, a systemd timer, scrapyd or a pool of workers need around a crawl.

    locks.py        one lock per site, so two scheduled runs never crawl the same site at once
    budget.py       a wall-clock budget across the sites of one run (--max-runtime)
    report.py       the run report: JSON for machines, a short summary for the terminal
    exitcodes.py    the documented exit codes (docs/scheduling.md)
    state.py        where a store keeps its locks and run reports (next to the store)
    run.py          CrawlJob: ties the above together for `newsbot crawl`
    workers.py      N local worker processes sharing one crawl through scrapy-redis

Extraction health per site (what a run judges and reports) is in newsbot/health, shared with the pipelines.

Imports no Scrapy: the crawler hands in its stats as a plain dict.
"""
