"""Extraction health per site: what the health pipeline counts, the alarm, and the `site_health` table.

    policy.py   HealthPolicy (thresholds), HealthSample (one site's counts in one run), assess (the verdict)
    store.py    HealthStore: the `site_health` table in the store's own database
    runid.py    new_run_id: the id a run files its counts under

Neutral ground between the pipelines (which count) and newsbot/jobs (which runs crawls and reports): neither
imports the other for it. Imports no Scrapy.
"""
