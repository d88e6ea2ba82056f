"""Refuse UPDATE of ledger rows in the database itself, not only in the application.

The ledger is append-only (DESIGN.md "Storage"): a correction is a new row. The
models already refuse save-again, update and delete; these triggers also stop a
stray UPDATE statement. DELETE is left to the application guard so that test
databases can still be emptied; a deleted row breaks `ketacare ledger reconcile`'s
replay of balances and its match against the audit chain.
"""

from django.db import migrations

TABLES = [
    "inventory_ledgerentry",
    "inventory_count",
    "inventory_discrepancy",
    "inventory_discrepancyresolution",
    "inventory_inventory",
]

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION inventory_refuse_update() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'ledger rows are append-only: record a correction instead';
END;
$$ LANGUAGE plpgsql;
"""


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)
    for table in TABLES:
        name = f"{table}_no_update"
        if vendor == "postgresql":
            schema_editor.execute(
                f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION inventory_refuse_update()"
            )
        elif vendor == "sqlite":
            schema_editor.execute(
                f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only: record a correction instead'); END"
            )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        name = f"{table}_no_update"
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS inventory_refuse_update()")


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
