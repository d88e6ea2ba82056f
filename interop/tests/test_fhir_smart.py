"""SMART Backend Services: discovery, the token endpoint's checks, scopes limiting types, the client commands."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from interop.fhir.models import SmartClient
from interop.fhir.scopes import grant_of, granted_scopes
from interop.fhir.sources import RESOURCE_TYPES
from ketacare.testing import make_patient

from .fhir_keys import assertion, new_key, token_form

pytestmark = pytest.mark.django_db
TOKEN_URL = "http://testserver/fhir/auth/token"


def add_client(world, tmp_path, alg="RS384", scopes="system/*.read"):
    private, jwks, kid = new_key(alg)
    path = tmp_path / f"{kid}.jwks.json"
    path.write_text(json.dumps(jwks))
    out = StringIO()
    call_command("fhir", "client", "add", "--name", f"registry-{kid}", "--clinic", world.a.slug, "--jwks", str(path),
                 "--scopes", scopes, stdout=out)
    client_id = json.loads(out.getvalue())["client_id"]
    return client_id, private, kid


def ask(form):
    return Client().post("/fhir/auth/token", form)


@pytest.mark.parametrize("alg", ["RS384", "ES384"])
def test_a_registered_client_gets_a_short_lived_token_that_reads_its_clinic(world, tmp_path, alg):
    patient = make_patient(world)
    client_id, private, kid = add_client(world, tmp_path, alg)
    response = ask(token_form(assertion(private, client_id, TOKEN_URL, kid, alg)))
    assert response.status_code == 200, response.content
    granted = response.json()
    assert granted["token_type"] == "bearer" and granted["scope"] == "system/*.read" and 0 < granted["expires_in"] <= 300
    read = Client().get(f"/fhir/Patient/{patient.pk}", HTTP_AUTHORIZATION=f"Bearer {granted['access_token']}")
    assert read.status_code == 200 and read.json()["id"] == str(patient.pk)


def test_scopes_limit_the_types_v1_and_v2(world, tmp_path):
    make_patient(world)
    client_id, private, kid = add_client(world, tmp_path, scopes="system/Patient.read system/Observation.rs")
    granted = ask(token_form(assertion(private, client_id, TOKEN_URL, kid), "system/Patient.read system/Observation.rs")).json()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {granted['access_token']}"}
    assert Client().get("/fhir/Patient", **headers).status_code == 200
    assert Client().get("/fhir/Observation", **headers).status_code == 200
    assert Client().get("/fhir/Encounter", **headers).status_code == 403
    wider = ask(token_form(assertion(private, client_id, TOKEN_URL, kid), "system/*.read"))
    assert wider.status_code == 400 and wider.json()["error"] == "invalid_scope"


def test_replayed_expired_and_wrongly_signed_assertions_are_refused(world, tmp_path):
    client_id, private, kid = add_client(world, tmp_path)
    signed = assertion(private, client_id, TOKEN_URL, kid, jti="once")
    assert ask(token_form(signed)).status_code == 200
    replay = ask(token_form(signed))
    assert (replay.status_code, replay.json()["error"]) == (401, "invalid_client")
    assert "replay" in replay.json()["error_description"]
    expired = ask(token_form(assertion(private, client_id, TOKEN_URL, kid, exp_in=timedelta(minutes=-1))))
    assert (expired.status_code, expired.json()["error"]) == (401, "invalid_client")
    other_private, _, _ = new_key()
    forged = ask(token_form(assertion(other_private, client_id, TOKEN_URL, kid)))
    assert (forged.status_code, forged.json()["error"]) == (401, "invalid_client")
    wrong_aud = ask(token_form(assertion(private, client_id, "http://elsewhere/token", kid)))
    assert wrong_aud.json()["error"] == "invalid_client"
    too_long = ask(token_form(assertion(private, client_id, TOKEN_URL, kid, exp_in=timedelta(hours=1))))
    assert too_long.json()["error"] == "invalid_client"
    hs = ask(token_form(__import__("jwt").encode({"iss": client_id, "sub": client_id}, "k" * 32, algorithm="HS256")))
    assert hs.json()["error"] == "invalid_client"


def test_bad_grant_and_request_get_oauth_error_codes(world, tmp_path):
    client_id, private, kid = add_client(world, tmp_path)
    form = token_form(assertion(private, client_id, TOKEN_URL, kid))
    assert ask({**form, "grant_type": "password"}).json()["error"] == "unsupported_grant_type"
    assert ask({**form, "client_assertion_type": "x"}).json()["error"] == "invalid_request"
    assert ask({**form, "scope": "user/*.read"}).json()["error"] == "invalid_scope"
    assert Client().get("/fhir/auth/token").status_code == 405


def test_a_revoked_client_can_neither_get_nor_use_tokens(world, tmp_path):
    client_id, private, kid = add_client(world, tmp_path)
    access = ask(token_form(assertion(private, client_id, TOKEN_URL, kid))).json()["access_token"]
    out = StringIO()
    call_command("fhir", "client", "revoke", client_id, stdout=out)
    assert json.loads(out.getvalue())["revoked_at"]
    assert ask(token_form(assertion(private, client_id, TOKEN_URL, kid))).json()["error"] == "invalid_client"
    assert Client().get("/fhir/Patient", HTTP_AUTHORIZATION=f"Bearer {access}").status_code == 401


def test_client_list_prints_each_client(world, tmp_path):
    client_id, _, _ = add_client(world, tmp_path)
    out = StringIO()
    call_command("fhir", "client", "list", stdout=out)
    listed = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [c["client_id"] for c in listed] == [client_id] and listed[0]["clinic"] == world.a.slug


def test_client_add_refuses_a_private_key_or_bad_scopes(world, tmp_path):
    from django.core.management.base import CommandError

    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"keys": [{"kty": "RSA", "n": "x", "e": "AQAB", "d": "secret"}]}))
    with pytest.raises(CommandError, match="private key"):
        call_command("fhir", "client", "add", "--name", "x", "--clinic", world.a.slug, "--jwks", str(path), "--scopes", "system/*.read")
    _, jwks, _ = new_key()
    path.write_text(json.dumps(jwks))
    with pytest.raises(CommandError, match="scopes"):
        call_command("fhir", "client", "add", "--name", "x", "--clinic", world.a.slug, "--jwks", str(path), "--scopes", "everything")
    assert not SmartClient.objects.exists()


def test_smart_configuration_at_the_root_and_under_fhir():
    for url in ("/.well-known/smart-configuration", "/fhir/.well-known/smart-configuration"):
        config = Client().get(url).json()
        assert config["token_endpoint"] == TOKEN_URL
        assert config["token_endpoint_auth_signing_alg_values_supported"] == ["RS384", "ES384"]
        assert "client-confidential-asymmetric" in config["capabilities"]


@pytest.mark.parametrize(("scopes", "readable"), [
    ("system/*.read", set(RESOURCE_TYPES)), ("system/*.rs", set(RESOURCE_TYPES)),
    ("system/Patient.read system/Observation.read", {"Patient", "Observation"}),
    ("system/Patient.r", {"Patient"}), ("patient/*.read", set()), ("system/Patient.sr", set()),
])
def test_scope_grammar(scopes, readable):
    grant = grant_of(scopes.split(), RESOURCE_TYPES)
    assert {t for t in RESOURCE_TYPES if grant.can_read(t)} == readable


def test_granted_scopes_stay_within_the_registered_ceiling():
    assert granted_scopes(["system/Patient.read", "system/*.read"], ["system/Patient.read"], RESOURCE_TYPES) == ["system/Patient.read"]


def test_a_new_client_id_never_starts_with_a_dash():
    from interop.fhir.services import new_client_id

    ids = {new_client_id() for _ in range(500)}
    assert len(ids) == 500 and not any(i.startswith("-") for i in ids)
