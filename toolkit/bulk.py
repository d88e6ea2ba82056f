"""Insert many rows of one model in one statement without the ORM's per-field machinery (the monitor feed's hot path).

`insert_rows` is what `Model.objects.bulk_create` does for plain columns, minus building a model
instance and compiling every field of every row: the values are adapted once per column type
(datetimes and decimals as the backend stores them) and sent as one multi-row
`INSERT ... RETURNING id`, which SQLite (3.35+) and PostgreSQL both run. It is for services only,
inside their transaction; it runs no `save()` and no signal, so a model whose save does more must
not use it. Column names come from the model, never from input.
"""

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models

CHUNK_VARIABLES = 30_000  # below SQLite's limit of 32,766 bound variables per statement


def _adapter(field: models.Field) -> Callable[[Any], Any]:
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DecimalField):
        digits, places = field.max_digits, field.decimal_places
        return lambda v: ops.adapt_decimalfield_value(v, digits, places)
    if isinstance(field, models.JSONField):
        return lambda v: field.get_db_prep_save(v, connection)
    return lambda v: v


def _concrete(field: Any) -> models.Field:
    if not isinstance(field, models.Field) or not field.column:
        raise TypeError(f"{field} is not a column")
    return field


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[int]:
    """Insert `rows` (values in `columns` order; field names, `_id` for keys) and return their new ids in order."""
    if not rows:
        return []
    meta = model._meta
    fields = [_concrete(meta.get_field(name)) for name in columns]  # a key by its attname (`session_id`) too
    adapters = [_adapter(f) for f in fields]
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(str(f.column)) for f in fields)}) VALUES "  # noqa: S608 - names from the model
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per_chunk = max(1, CHUNK_VARIABLES // len(columns))
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_chunk):
            chunk = rows[start:start + per_chunk]
            params = [adapt(value) for row in chunk for adapt, value in zip(adapters, row, strict=True)]
            cursor.execute(head + ", ".join([one] * len(chunk)) + f" RETURNING {quote(meta.pk.column)}", params)
            ids.extend(int(row[0]) for row in cursor.fetchall())
    return ids
