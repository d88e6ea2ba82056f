"""Keep the ledger's derived rows (SessionLedger, LotBalance) in step with its entries (ADR 0013).

`record_entry` runs inside `services.common.write_entry`, the one door every ledger entry goes
through, in the entry's transaction and under its lot lock. `rebuild` backfills from the entries
(`ketacare readmodels rebuild`) and `check` compares the stored rows with a fresh replay.
"""

from collections import defaultdict
from decimal import Decimal
from typing import Any

from clinical.ledger import SessionAmount, SessionReconciliation, reconcile_sessions
from toolkit.locking import for_update

from .choices import EntryKind as Kind
from .models import LedgerEntry, LotBalance, SessionLedger
from .queries import in_force, latest_corrections

SESSION_KINDS = (Kind.DRAW, Kind.ADMINISTRATION, Kind.WASTE)
TOTALS = ("drawn_mg", "administered_mg", "wasted_mg", "returned_mg", "difference_mg")
ZERO_LINE: dict[str, Any] = {**dict.fromkeys(TOTALS, Decimal(0)), "unaccounted_mg": Decimal(0), "given": False}


def session_totals(rows: list[LedgerEntry]) -> dict[int, tuple[SessionReconciliation, bool]]:
    """Each session's kernel reconciliation (as corrected) and whether it has an administration."""
    fixes = latest_corrections(rows)
    groups: dict[str, list[SessionAmount]] = defaultdict(list)
    given: set[int] = set()
    for e in rows:
        if e.session_id is None:
            continue
        groups[e.kind].append(SessionAmount(str(e.session_id), in_force(e, fixes)[1], str(e.container_id), str(e.pk)))
        if e.kind == Kind.ADMINISTRATION:
            given.add(e.session_id)
    report = reconcile_sessions(groups[Kind.DRAW], groups[Kind.ADMINISTRATION], groups[Kind.WASTE])
    return {int(s.session_ref): (s, int(s.session_ref) in given) for s in report.sessions}


def _values(result: SessionReconciliation, given: bool) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(result, name) for name in TOTALS}
    return {**values, "unaccounted_mg": abs(result.difference_mg), "given": given}


def refresh_session(session_id: int, clinic_id: int) -> None:
    """Recompute one session's totals from its entries and store them (its line locked first)."""
    SessionLedger.objects.bulk_create([SessionLedger(clinic_id=clinic_id, session_id=session_id)], ignore_conflicts=True)
    line = for_update(SessionLedger.objects.filter(session_id=session_id)).get()
    rows = list(LedgerEntry.objects.filter(session_id=session_id, kind__in=SESSION_KINDS))
    found = session_totals(rows).get(session_id)
    values = _values(found[0], found[1]) if found else dict(ZERO_LINE)
    for name, value in values.items():
        setattr(line, name, value)
    line.save(update_fields=list(values))


def _balance_rows(entry: LedgerEntry) -> list[LotBalance]:
    rows = [LotBalance(clinic_id=entry.clinic_id, lot_id=entry.lot_id, location_id=entry.location_id,
                       ml=entry.balance_after_ml, last_entry=entry)]
    if entry.to_location_id is not None and entry.to_balance_after_ml is not None:
        rows.append(LotBalance(clinic_id=entry.clinic_id, lot_id=entry.lot_id, location_id=entry.to_location_id,
                               ml=entry.to_balance_after_ml, last_entry=entry))
    return rows


def _store_balances(rows: list[LotBalance]) -> None:
    LotBalance.objects.bulk_create(rows, update_conflicts=True, unique_fields=["lot", "location"],
                                   update_fields=["ml", "last_entry"], batch_size=1000)


def record_entry(entry: LedgerEntry) -> None:
    """Bring the lot's balance and the session's totals up to date with a new entry (the caller holds the lot lock)."""
    _store_balances(_balance_rows(entry))
    if entry.session_id is not None and entry.kind in (*SESSION_KINDS, Kind.CORRECTION):
        refresh_session(entry.session_id, entry.clinic_id)


def _expected(clinic: Any) -> tuple[dict[int, dict[str, Any]], dict[tuple[int, int], tuple[Decimal, int]]]:
    """What the stored rows should hold, replayed from the clinic's whole ledger (the check and the backfill)."""
    rows = list(LedgerEntry.objects.in_clinic(clinic).filter(kind__in=SESSION_KINDS))
    lines = {sid: _values(r, g) for sid, (r, g) in session_totals(rows).items()}
    balances: dict[tuple[int, int], tuple[Decimal, int]] = {}
    for pk, lot, loc, to, after, to_after in LedgerEntry.objects.in_clinic(clinic).order_by("pk").values_list(
            "pk", "lot_id", "location_id", "to_location_id", "balance_after_ml", "to_balance_after_ml"):
        balances[(lot, loc)] = (after, pk)
        if to is not None and to_after is not None:
            balances[(lot, to)] = (to_after, pk)
    return lines, balances


def rebuild(clinic: Any) -> int:
    """Backfill one clinic's session totals and lot balances from its entries; return the rows written."""
    lines, balances = _expected(clinic)
    SessionLedger.objects.in_clinic(clinic).delete()
    SessionLedger.objects.bulk_create([SessionLedger(clinic_id=clinic.pk, session_id=sid, **v) for sid, v in lines.items()],
                                      batch_size=1000)
    LotBalance.objects.in_clinic(clinic).delete()
    LotBalance.objects.bulk_create([LotBalance(clinic_id=clinic.pk, lot_id=lot, location_id=loc, ml=ml, last_entry_id=pk)
                                    for (lot, loc), (ml, pk) in balances.items()], batch_size=1000)
    return len(lines) + len(balances)


def check(clinic: Any) -> list[str]:
    """Compare the stored rows with a replay of the ledger; describe every difference."""
    lines, balances = _expected(clinic)
    problems = []
    stored = {r["session_id"]: r for r in SessionLedger.objects.in_clinic(clinic).values("session_id", *TOTALS,
                                                                                          "unaccounted_mg", "given")}
    for sid in sorted(lines.keys() | stored.keys()):
        have = {k: v for k, v in stored.get(sid, ZERO_LINE).items() if k != "session_id"}
        if have != lines.get(sid, ZERO_LINE):
            problems.append(f"session {sid}: stored ledger totals differ from its entries' ({have} != {lines.get(sid)})")
    kept = {(r.lot_id, r.location_id): (r.ml, r.last_entry_id) for r in LotBalance.objects.in_clinic(clinic)}
    for key in sorted(balances.keys() | kept.keys()):
        if kept.get(key) != balances.get(key):
            problems.append(f"lot {key[0]} at location {key[1]}: stored balance {kept.get(key)} differs from "
                            f"the ledger's {balances.get(key)}")
    return problems


def backfill_after_migrate(**kwargs: Any) -> None:
    """After `migrate`: fill the balances and totals of a database that has a ledger but none yet (an upgrade)."""
    from accounts.models import Clinic

    if not LotBalance.objects.exists() and LedgerEntry.objects.exists():
        for clinic in Clinic.objects.order_by("pk"):
            rebuild(clinic)
