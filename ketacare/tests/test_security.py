"""CSRF, security headers, a strict CSP with no inline script, and production cookie settings."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/accounts/sign-in/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_templates_hold_no_inline_script_style_or_event_handler():
    offenders = []
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    style_attr = re.compile(r"\sstyle\s*=", re.I)
    for path in ROOT.glob("*/templates/**/*.html"):
        text = path.read_text()
        for pattern in (inline_script, handler, style_attr):
            if pattern.search(text):
                offenders.append(f"{path.relative_to(ROOT)}: {pattern.pattern}")
    assert offenders == []


def test_no_template_loads_anything_from_another_host():
    offenders = [str(p.relative_to(ROOT)) for p in ROOT.glob("*/templates/**/*.html")
                 if re.search(r"(src|href)=\"(https?:)?//", p.read_text())]
    assert offenders == []


def test_posts_without_a_csrf_token_are_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.front_desk)
    response = client.post("/patients/new/", {"mrn": "CSRF-1"})
    assert response.status_code == 403


def test_api_session_auth_requires_csrf_but_tokens_do_not(world):
    from accounts.services import issue_token

    body = '{"mrn": "CSRF-2", "given_name": "A", "family_name": "B", "date_of_birth": "1980-01-01", "sex": "male"}'
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.front_desk)
    assert client.post("/api/patients/", data=body, content_type="application/json").status_code == 403
    token = issue_token(user=world.front_desk, clinic=world.a, name="t", by="test")
    machine = Client(enforce_csrf_checks=True)
    response = machine.post("/api/patients/", data=body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 201


def test_production_settings_secure_the_cookies():
    code = ("import os; os.environ['DJANGO_SETTINGS_MODULE']='ketacare.settings';"
            "from django.conf import settings as s;"
            "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, s.DEBUG,"
            " s.SECURE_HSTS_INCLUDE_SUBDOMAINS)")
    env = {"KETACARE_PRODUCTION": "true", "SECRET_KEY": "x" * 50, "PATH": "/usr/bin:/bin", "KETACARE_VAR_DIR": str(ROOT / "var")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    assert out.stdout.split() == ["True", "True", "True", "False", "True"]


def test_production_refuses_to_start_without_a_secret_key():
    code = "import os; os.environ['DJANGO_SETTINGS_MODULE']='ketacare.settings'; from django.conf import settings as s; s.SECRET_KEY"
    env = {"KETACARE_PRODUCTION": "true", "PATH": "/usr/bin:/bin", "KETACARE_VAR_DIR": str(ROOT / "var")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT)
    assert out.returncode != 0 and "SECRET_KEY must be set" in out.stderr


def test_production_sends_hsts_with_include_subdomains(client, settings):
    settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = 31536000, True
    response = client.get("/accounts/sign-in/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
