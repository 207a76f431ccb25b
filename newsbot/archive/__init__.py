"""Web archives (WARC/ARC files: CC-NEWS and others) into the same clean records as a crawl.

    reader.py    records of a file, read with warcio in bounded memory, through broken records
    filters.py   what is kept: hosts, registry sites, URL patterns, WARC-Date range, HTTP status and type, script
    process.py   the per-file work: read_chunks -> extract_chunk; process_file writes JSONL (distributed engines)
    run.py       the local run: worker processes, the crawl's pipelines and store, resume points in the store
    report.py    the run report (the crawl's shape, one entry per file) and the progress line
    dask_job.py  the same per-file function mapped over files on a Dask cluster
"""
