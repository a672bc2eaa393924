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
max_requests = 2000
max_requests_jitter = 200
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
