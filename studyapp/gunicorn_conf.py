"""gunicorn settings for `make serve` (override with GUNICORN_* variables)."""

import multiprocessing
import os

import gunicorn.http.wsgi

# No "Server: gunicorn" (software and, with a version, its age) in responses: the workers are
# forked from this process, so they inherit the name. The proxy sends its own (docs/deploy.md:
# `server_tokens off`).
gunicorn.http.wsgi.SERVER = "studyapp"

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: each request holds one database connection; (2 × cores) + 1 is gunicorn's
# rule of thumb for I/O-bound Django apps.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Recycling bounds a worker's memory should anything grow per request; cheap because of
# preload_app below.
max_requests = 2000
max_requests_jitter = 200
# The app is imported once, in the master, and every worker is forked from it: a worker that
# max_requests recycles (or that replaces one the timeout killed) serves at once instead of
# spending ~0.5 s of CPU on imports, the URL map and the catalogs on the cores the other
# workers are serving from; the code is shared copy-on-write. A new release therefore needs a
# restart, not a HUP (docs/deploy.md, "Serving").
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server):
    """In the master, before the first worker is forked: load what each worker would load on
    its first request (the URL map with every view module, the translation catalogs), then
    close any database connection, so that no worker inherits a socket it shares."""
    if not server.cfg.preload_app:
        return
    from django.conf import settings
    from django.db import connections
    from django.urls import get_resolver
    from django.utils.translation import trans_real

    get_resolver().url_patterns  # noqa: B018 (imports the URL map and the views)
    for code, _name in settings.LANGUAGES:
        trans_real.translation(code)
    connections.close_all()
