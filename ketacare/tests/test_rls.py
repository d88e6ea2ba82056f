"""PostgreSQL row-level security: a query that forgets its clinic filter sees no other clinic's rows (issue 14)."""

import uuid

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from ketacare.testing import make_patient
from patients.models import Patient
from toolkit import rls

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db]


@pytest.fixture
def app_role(db):
    """Policies installed and a role that owns nothing, as `ketacare serve` connects (rolled back after the test)."""
    if connection.vendor != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")
    role = f"ketacare_app_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN NOSUPERUSER NOBYPASSRLS")
    rls.grant_app_role(role)
    rls.install_policies()
    return role


def as_app(role, clinic_id, query):
    """Run `query` as the app role in a transaction scoped to `clinic_id` (None: no clinic set)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {role}")
        rls.set_clinic(clinic_id)  # None sets '', what a session's setting reads after its last transaction
        result = query()  # on an error the savepoint's rollback ends the role too
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
        return result


def test_an_unscoped_query_sees_only_the_transactions_clinic(world, app_role):
    mine, theirs = make_patient(world, mrn="A-1"), make_patient(world, clinic=world.b, mrn="B-1")
    unscoped = lambda: set(Patient.objects.values_list("mrn", flat=True))  # noqa: E731 - forgets the clinic on purpose
    assert unscoped() >= {"A-1", "B-1"}  # the owner (migrations, system processes) sees everything
    assert as_app(app_role, world.a.pk, unscoped) == {mine.mrn}
    assert as_app(app_role, world.b.pk, unscoped) == {theirs.mrn}
    assert as_app(app_role, None, unscoped) == set()  # no clinic set: nothing, not everything


def test_the_app_role_cannot_write_a_row_into_another_clinic(world, app_role):
    patient = make_patient(world, mrn="A-1")

    def move_to_b():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE patients_patient SET clinic_id = %s WHERE id = %s", [world.b.pk, patient.pk])

    with pytest.raises(DatabaseError, match="row-level security"):
        as_app(app_role, world.a.pk, move_to_b)
    assert Patient.objects.get(pk=patient.pk).clinic_id == world.a.pk


def test_every_table_of_one_clinics_rows_is_guarded_but_the_sign_in_tables(app_role):
    tables = rls.guarded_tables()
    assert {"patients_patient", "infusions_vitalsign", "inventory_ledgerentry", "courses_treatmentcourse"} <= set(tables)
    assert not {"accounts_membership", "accounts_user", "audit_auditevent"} & set(tables)
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_policies WHERE policyname = %s", [rls.POLICY])
        assert {row[0] for row in cursor.fetchall()} == set(tables)


def test_a_request_runs_in_one_transaction_scoped_to_the_clinic_it_acts_in(world, settings, app_role):
    from accounts.access import act_in
    from accounts.models import Membership

    settings.KETACARE_DB_RLS = True
    seen = {}

    def view(request):
        act_in(request, Membership.objects.get(user=world.users["nurse"], clinic=world.a))
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('app.clinic_id', true)")
            seen["clinic"] = cursor.fetchone()[0]
        seen["atomic"] = connection.in_atomic_block
        return None

    rls.ClinicScopeMiddleware(view)(RequestFactory().get("/"))
    assert seen == {"clinic": str(world.a.pk), "atomic": True}


def test_pages_and_the_api_work_as_the_app_role_with_the_guard_on(client_for, world, settings, app_role):
    """The opt-in switch breaks nothing: sign-in lookups are exempt, and each request names its clinic in time."""
    from ketacare.testing import api_caller, patient_values

    settings.KETACARE_DB_RLS = True
    make_patient(world, clinic=world.b, mrn="B-1")
    desk, nurse = client_for("front_desk"), client_for("nurse")
    call = api_caller(world.nurse, world.a)
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {app_role}")  # until the test's transaction rolls back
    try:
        form = {k: ("" if v is None else str(v)) for k, v in patient_values("RLS-1").items()}
        assert desk.post("/patients/new/", form).status_code == 302
        listing = nurse.get("/patients/")
        assert listing.status_code == 200 and "RLS-1" in listing.content.decode()
        assert [p["mrn"] for p in call("GET", "/patients/").json()] == ["RLS-1"]
        with transaction.atomic():
            rls.set_clinic(None)
            assert not Patient.objects.exists()  # outside a request: nothing
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert set(Patient.objects.values_list("mrn", flat=True)) == {"RLS-1", "B-1"}


def test_migrate_installs_the_policies_and_grants_the_app_role_when_the_guard_is_on(db, settings):
    from django.core.management import call_command

    if connection.vendor != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")
    role = f"ketacare_app_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        cursor.execute("ALTER TABLE patients_patient DISABLE ROW LEVEL SECURITY")
    settings.KETACARE_DB_RLS, settings.KETACARE_DB_APP_ROLE = True, role
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT relrowsecurity FROM pg_class WHERE relname = 'patients_patient'")
        assert cursor.fetchone()[0] is True
        cursor.execute("SELECT has_table_privilege(%s, 'patients_patient', 'SELECT, INSERT, UPDATE, DELETE')", [role])
        assert cursor.fetchone()[0] is True
