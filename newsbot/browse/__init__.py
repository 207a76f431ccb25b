"""`newsbot browse` and `newsbot inspect`: a read-only local web app over the store, and the extraction inspector.

    queries.py     the reads (read-only connections, keyset-paginated lists), shared with `show` and `ls`
    app.py         the Flask app (Jinja2 templates, autoescaped; strict Content-Security-Policy) and its server
    plots.py       static SVG plots drawn on the server
    inspector.py   one page's extraction trace as a self-contained HTML report
"""
