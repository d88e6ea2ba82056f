"""PostgreSQL row-level security: a second guard behind the clinic filter of every query (ADR 0019).

Every table whose rows belong to one clinic (a `clinic` column) gets one policy: a row is visible
and writable only when its `clinic_id` equals the transaction's `app.clinic_id`
(`NULLIF(current_setting('app.clinic_id', true), '')`), so a query that forgets its clinic filter,
run by the app's role, sees nothing rather than another clinic's rows.

Policies bind roles that are neither the tables' owner nor superusers nor BYPASSRLS. So:
- `ketacare migrate` (and the policies, installed after every migrate when KETACARE_DB_RLS is on)
  runs as the owner;
- `ketacare serve` connects as the app role (KETACARE_DB_APP_ROLE, granted its privileges after
  migrate), and each request of a signed-in user runs in one transaction that sets its clinic
  (`ClinicScopeMiddleware`); a job acting for one clinic uses `clinic_transaction(clinic)`;
- system processes that act for every clinic (the HL7 listener, the sealer, cron commands) connect
  as the owner or a role with BYPASSRLS: the explicit, documented bypass.
Off by default (KETACARE_DB_RLS): a deployment switches it on with the roles in place (docs/security.md).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse

POLICY = "ketacare_clinic_isolation"
CLINIC_SETTING = "app.clinic_id"
# Rows read before the clinic is known (sign-in, API tokens, SMART clients, a patient's link), or
# guarded otherwise (the audit trail's keyed hashes), or shared by clinics (null clinic).
EXEMPT = {
    "accounts_membership", "accounts_apitoken", "fhir_smartclient", "measures_patientlink",
    "audit_auditevent", "measures_instrumentwording",
}
MATCH = f"clinic_id = NULLIF(current_setting('{CLINIC_SETTING}', true), '')::bigint"


def guarded_tables() -> list[str]:
    """Every table of one clinic's rows (a non-null `clinic` foreign key) that is not exempt."""
    tables = set()
    for model in apps.get_models():
        field = next((f for f in model._meta.concrete_fields if f.name == "clinic"), None)
        if model._meta.managed and field is not None and field.is_relation and not field.null:
            tables.add(model._meta.db_table)
    return sorted(tables - EXEMPT)


def install_policies(tables: list[str] | None = None) -> list[str]:
    """Enable row-level security and (re)create the clinic policy on each guarded table (as owner)."""
    tables = tables if tables is not None else guarded_tables()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ALTER TABLE {quote(table)} ENABLE ROW LEVEL SECURITY")
            cursor.execute(f"DROP POLICY IF EXISTS {POLICY} ON {quote(table)}")
            cursor.execute(f"CREATE POLICY {POLICY} ON {quote(table)} USING ({MATCH}) WITH CHECK ({MATCH})")
    return tables


def grant_app_role(role: str) -> None:
    """Give the app role what it needs on every table and sequence, and nothing it does not (no DDL)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {quote(role)}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quote(role)}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quote(role)}")


def after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """post_migrate: keep every guarded table's policy in place (new tables too) and the roles' grants."""
    if not settings.KETACARE_DB_RLS or connection.vendor != "postgresql":
        return
    install_policies()
    for role in (settings.KETACARE_DB_APP_ROLE, settings.KETACARE_DB_SYSTEM_ROLE):
        if role:
            grant_app_role(role)


def set_clinic(clinic_id: int | None) -> None:
    """Name the clinic the current transaction acts for (`SET LOCAL app.clinic_id`); None for none."""
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("set_clinic must run inside a transaction (it is SET LOCAL)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [CLINIC_SETTING, "" if clinic_id is None else str(clinic_id)])


def scope_request(clinic_id: int | None) -> None:
    """Scope the request's transaction (opened by ClinicScopeMiddleware) to the clinic it acts in."""
    if settings.KETACARE_DB_RLS and connection.vendor == "postgresql" and connection.in_atomic_block:
        set_clinic(clinic_id)


@contextmanager
def clinic_transaction(clinic: Any) -> Iterator[None]:
    """Run a job's work for one clinic in one transaction that the policies scope to it."""
    with transaction.atomic():
        set_clinic(getattr(clinic, "pk", clinic))
        yield


class ClinicScopeMiddleware:
    """When KETACARE_DB_RLS is on: run each request in one transaction, scoped to no clinic until
    `accounts.access.act_in` names the one it acts in (the session's membership, or the API token's)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.KETACARE_DB_RLS or connection.vendor != "postgresql":
            return self.get_response(request)
        with clinic_transaction(None):
            return self.get_response(request)
