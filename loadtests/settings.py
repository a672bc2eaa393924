"""Production settings plus the benchmark's floor views (``bench/urls.py``: ``/_floor/``).

Only ``make loadtest``'s gunicorn uses this module, so that the floor view's ceiling is
measured on the same server, database and run as the app's; production never does.
"""

from studyapp.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
