"""Real app servers for the scale and fault tests: gunicorn processes with debug off,
and a small HTTP client (requests) that logs in like a browser and speaks htmx."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

BASE_DIR = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
STATIC_MANIFEST = BASE_DIR / "staticfiles" / "staticfiles.json"

CARD = re.compile(r'data-card="(\d+)"')
TOKEN = re.compile(r'name="token" value="([^"]+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def production_env(database_url: str, **extra: str) -> dict[str, str]:
    """Production settings (debug off, secure defaults) over plain HTTP on loopback."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="studyapp.settings",
        DJANGO_SECRET_KEY="scale-test-secret-key-not-for-production-0123456789",
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DATABASE_URL=database_url,
        **extra,
    )
    return env


def collectstatic(env: dict[str, str]) -> None:
    """Debug off serves hashed static names from the manifest: build it when it is missing
    or older than a file under static/ (it takes a few seconds)."""
    newest = max(path.stat().st_mtime for path in (BASE_DIR / "static").rglob("*"))
    if STATIC_MANIFEST.exists() and STATIC_MANIFEST.stat().st_mtime >= newest:
        return
    subprocess.run(
        [str(BIN / "python"), "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """``gunicorn studyapp.wsgi`` with the project's config file, on a free loopback port."""

    def __init__(self, env: dict[str, str], *, workers: int = 2, threads: int = 2, log_dir: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log_dir / f"gunicorn-{self.port}.log"
        command = [
            str(BIN / "gunicorn"),
            "studyapp.wsgi:application",
            "-c",
            "studyapp/gunicorn_conf.py",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--access-logfile",
            str(self.log) + ".access",
            # Idle keep-alive connections live longer than a loaded machine's gaps between
            # one tab's requests: with gunicorn's 2 s default the server could close one
            # while the client reused it ("Connection reset by peer"; nothing to do with
            # the app).
            "--keep-alive",
            "60",
        ]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        self.wait_until_serving()

    def wait_until_serving(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log.read_text()[-3000:]}")
            try:
                if requests.get(self.url + "/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or workers still booting
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer /healthz:\n{self.log.read_text()[-3000:]}")

    def worker_pids(self) -> list[int]:
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:  # fields: state, ppid, ...
                pids.append(int(stat.parent.name))
        return pids

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def errors(self) -> str:
        """Tracebacks gunicorn logged (a 500 logs one)."""
        text = self.log.read_text(errors="replace")
        return text if "Traceback" in text else ""


class Client:
    """One browser: a cookie jar, a CSRF token, htmx requests when asked."""

    def __init__(self, base_url: str, session: requests.Session | None = None):
        self.base_url = base_url
        self.http = session or requests.Session()

    def tab(self, base_url: str) -> Client:
        """Another tab of the same browser (same cookies), maybe on another app server."""
        tab = Client(base_url, requests.Session())
        tab.http.cookies.update(self.http.cookies)
        return tab

    def login(self, username: str, password: str) -> None:
        page = self.http.get(self.base_url + "/accounts/login/", timeout=10)
        token = CSRF.search(page.text).group(1)
        response = self.http.post(
            self.base_url + "/accounts/login/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": token},
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 302, (response.status_code, response.text[:500])

    def get(self, path: str, htmx: bool = False) -> requests.Response:
        headers = {"HX-Request": "true"} if htmx else {}
        return self.http.get(self.base_url + path, headers=headers, timeout=20)

    def post(self, path: str, data: dict, htmx: bool = False) -> requests.Response:
        headers = {"X-CSRFToken": self.http.cookies["csrftoken"]}
        if htmx:
            headers["HX-Request"] = "true"
        return self.http.post(
            self.base_url + path, data=data, headers=headers, allow_redirects=False, timeout=20
        )

    def shown_card(self, card_id: int | None = None) -> tuple[int, str]:
        """(card id, one-time token) of the card the study page shows."""
        path = f"/study/?card={card_id}&reveal=1" if card_id else "/study/?reveal=1"
        page = self.get(path)
        assert page.status_code == 200, page.status_code
        return int(CARD.search(page.text).group(1)), TOKEN.search(page.text).group(1)
