"""`ketacare serve` runs KetaCare under gunicorn: pages, sign-in and static files, on the suite's database."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from ketacare.server import default_workers, options
from ketacare.testing import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
KETACARE = str(Path(sys.executable).with_name("ketacare"))


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(world):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url(), "KETACARE_FAST_HASHER": "true"}
    proc = subprocess.Popen([KETACARE, "serve", "--port", str(port), "--workers", "2", "--threads", "2"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(360):  # up to 90 s on a busy machine
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)  # noqa: S310 - loopback only
                break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.25)
        yield base
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
        print(out)


def test_serve_answers_with_gunicorn_and_serves_static_files(server):
    health = urllib.request.urlopen(server + "/healthz", timeout=5)  # noqa: S310
    assert health.status == 200 and health.headers["Server"] == "gunicorn"
    css = urllib.request.urlopen(server + "/static/css/ketacare.css", timeout=5)  # noqa: S310
    assert css.status == 200 and css.headers["Content-Type"].startswith("text/css")


def test_a_nurse_signs_in_and_sees_the_dashboard_under_gunicorn(server, world):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    form = opener.open(server + "/accounts/sign-in/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": world.nurse.username,
                                   "password": PASSWORD}).encode()
    request = urllib.request.Request(server + "/accounts/sign-in/", data=body, headers={"Referer": server + "/"})  # noqa: S310
    page = opener.open(request, timeout=60)
    assert page.status == 200 and page.url.rstrip("/") == server
    assert "Test Nurse" in page.read().decode()  # the signed-in header


def test_the_default_worker_count_follows_the_cores_and_the_environment(monkeypatch):
    monkeypatch.delenv("KETACARE_WORKERS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    assert default_workers() == 9
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert default_workers() == 3
    monkeypatch.setenv("KETACARE_WORKERS", "6")
    assert default_workers() == 6
    settings = options(host="127.0.0.1", port=8123, workers=3, threads=4, access_log=False)
    assert (settings["bind"], settings["workers"], settings["worker_class"], settings["threads"]) == (
        "127.0.0.1:8123", 3, "gthread", 4)
