"""Draw before start, the amount given (pauses excluded) and the waste bound (ADR 0015). Synthetic data only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinical.errors import ClinicalError
from clinical.ledger import (
    EntryKind,
    LedgerEntryIn,
    LotInfo,
    SessionAmount,
    reconcile_sessions,
    validate_entry,
)
from clinical.ledger.session_amounts import (
    check_waste,
    draw_shortfall,
    given_by_pump_volume,
    given_by_rate,
    infusing_minutes,
    waste_allowed_mg,
)

D = Decimal
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


# Worked by hand: 0.5 mg/kg x 81.4 kg = 40.7 mg in a 100 mL bag over 40 min -> 150 mL/h.
RATE_EXAMPLES = [
    # (rate mL/h, total mg, bag mL, stop min, pauses [(from, to)], given mg, volume mL)
    (D("150.0"), D("40.7"), D("100"), 40, [], D("40.70"), D("100.00")),  # the whole bag
    (D("150.0"), D("40.7"), D("100"), 20, [], D("20.35"), D("50.00")),  # stopped half way: 50 mL of 100
    (D("150.0"), D("40.7"), D("100"), 30, [(10, 20)], D("20.35"), D("50.00")),  # 30 min less a 10 min pause
    (D("150.0"), D("40.7"), D("100"), 50, [(10, 20)], D("40.70"), D("100.00")),  # 40 min run after a pause
    (D("150.0"), D("40.7"), D("100"), 60, [], D("40.70"), D("100.00")),  # stopped late: never more than the bag
    (D("150.0"), D("40.7"), D("100"), 35, [(5, 10), (20, 25)], D("25.44"), D("62.50")),  # two pauses: 25 min
    (D("133.3"), D("35.0"), D("100"), 45, [], D("34.99"), D("99.98")),  # rate rounded to 0.1 mL/h: 99.975 mL
    (D("150.0"), D("40.7"), D("100"), 30, [(20, None)], D("20.35"), D("50.00")),  # stopped while paused
    (D("150.0"), D("40.7"), D("100"), 0, [], D("0.00"), D("0.00")),  # stopped at once
]


@pytest.mark.parametrize(("rate", "total", "bag", "stop", "pauses", "mg", "ml"), RATE_EXAMPLES)
def test_given_by_rate_matches_the_worked_examples(rate, total, bag, stop, pauses, mg, ml) -> None:
    spans = [(at(p), None if r is None else at(r)) for p, r in pauses]
    result = given_by_rate(rate_ml_per_h=rate, total_mg=total, bag_volume_ml=bag, started_at=T0, ended_at=at(stop),
                           pauses=spans)
    assert (result.mg, result.volume_ml, result.source) == (mg, ml, "rate_time")
    assert result.steps[-1].endswith(f"= {mg} mg")


def test_infusing_minutes_excludes_pauses() -> None:
    assert infusing_minutes(T0, at(50), [(at(10), at(20))]) == D(40)
    assert infusing_minutes(T0, at(50), [(at(10), at(20)), (at(30), None)]) == D(20)


def test_infusing_minutes_counts_elapsed_time_across_a_daylight_saving_change() -> None:
    zone = ZoneInfo("America/New_York")  # 2026-03-08 02:00 local -> 03:00
    start = datetime(2026, 3, 8, 1, 40, tzinfo=zone)
    stop = datetime(2026, 3, 8, 3, 20, tzinfo=zone)  # 40 real minutes, 100 on the wall clock
    assert infusing_minutes(start, stop) == D(40)


@pytest.mark.parametrize(("stop", "pauses", "words"), [
    (-1, [], "before the start"),
    (40, [(20, 10)], "not within"),
    (40, [(10, 50)], "not within"),
    (40, [(10, 20), (15, 25)], "not within"),
    (40, [(-5, 5)], "not within"),
])
def test_infusing_minutes_refuses_impossible_times(stop, pauses, words) -> None:
    with pytest.raises(ClinicalError, match=words):
        infusing_minutes(T0, at(stop), [(at(p), at(r)) for p, r in pauses])


def test_infusing_minutes_refuses_naive_times() -> None:
    with pytest.raises(ClinicalError, match="time zone"):
        infusing_minutes(datetime(2026, 3, 2, 9, 0), at(10))  # noqa: DTZ001 - the naive time is the point


@pytest.mark.parametrize(("pump", "mg"), [(D("100"), D("40.70")), (D("62.5"), D("25.44")), (D("0"), D("0.00")),
                                          (D("0.01"), D("0.00")), (D("99.99"), D("40.70"))])
def test_given_by_pump_volume_matches_the_worked_examples(pump, mg) -> None:
    result = given_by_pump_volume(pump_volume_ml=pump, total_mg=D("40.7"), bag_volume_ml=D("100"))
    assert (result.mg, result.source, result.infusing_min) == (mg, "pump_volume", None)


@pytest.mark.parametrize(("pump", "words"), [(D("100.01"), "more than the bag"), (D("-1"), "0 mL or more"),
                                             (D("50.001"), "0.01 mL"), (D("NaN"), "0 mL or more")])
def test_given_by_pump_volume_refuses_what_the_bag_cannot_hold(pump, words) -> None:
    with pytest.raises(ClinicalError, match=words):
        given_by_pump_volume(pump_volume_ml=pump, total_mg=D("40.7"), bag_volume_ml=D("100"))


@pytest.mark.parametrize(("drawn", "planned", "tolerance", "words"), [
    (D("0"), D("40.7"), D("0.5"), "No ketamine is drawn"),
    (D("20.00"), D("40.7"), D("0.5"), "short by 20.70 mg"),
    (D("40.19"), D("40.7"), D("0.5"), "short by 0.51 mg"),
    (D("40.50"), D("40.7"), D("0.0"), "short by 0.20 mg"),
])
def test_draw_shortfall_names_what_is_missing(drawn, planned, tolerance, words) -> None:
    message = draw_shortfall(drawn_mg=drawn, planned_mg=planned, tolerance_mg=tolerance)
    assert message is not None and words in message


@pytest.mark.parametrize(("drawn", "planned", "tolerance"), [
    (D("40.70"), D("40.7"), D("0.5")),
    (D("40.50"), D("40.7"), D("0.5")),  # 0.81 mL at 50 mg/mL: the nearest 0.01 mL below 40.7 mg
    (D("50.00"), D("40.7"), D("0")),
])
def test_draw_shortfall_is_none_when_the_draw_covers_the_dose(drawn, planned, tolerance) -> None:
    assert draw_shortfall(drawn_mg=drawn, planned_mg=planned, tolerance_mg=tolerance) is None


def test_the_issue_example_waste_of_100_mg_on_40_7_drawn_is_refused_with_the_figures() -> None:
    with pytest.raises(ClinicalError) as caught:
        check_waste(waste_mg=D("100.00"), drawn_mg=D("40.70"), administered_mg=D("0.00"))
    assert "drawn 40.70 mg - administered 0.00 mg - already wasted 0.00 mg = 40.70 mg" in str(caught.value)


@pytest.mark.parametrize(("waste", "drawn", "given_mg", "wasted", "ok"), [
    (D("9.30"), D("50.00"), D("40.70"), D("0"), True),
    (D("9.31"), D("50.00"), D("40.70"), D("0"), False),
    (D("4.30"), D("50.00"), D("40.70"), D("5.00"), True),
    (D("4.31"), D("50.00"), D("40.70"), D("5.00"), False),
    (D("0.01"), D("40.70"), D("40.70"), D("0"), False),
])
def test_check_waste_allows_at_most_drawn_minus_administered_minus_wasted(waste, drawn, given_mg, wasted, ok) -> None:
    if ok:
        assert check_waste(waste_mg=waste, drawn_mg=drawn, administered_mg=given_mg, wasted_mg=wasted) == waste
    else:
        with pytest.raises(ClinicalError, match="more than is left"):
            check_waste(waste_mg=waste, drawn_mg=drawn, administered_mg=given_mg, wasted_mg=wasted)


cents = st.integers(min_value=0, max_value=200_000).map(lambda n: D(n) / 100)
minutes = st.integers(min_value=0, max_value=240)


@given(rate=st.integers(min_value=1, max_value=6000).map(lambda n: D(n) / 10),
       total=st.integers(min_value=1, max_value=20_000).map(lambda n: D(n) / 10),
       bag=st.sampled_from([D(50), D(100), D(250)]), stop=minutes,
       cuts=st.lists(st.integers(min_value=0, max_value=240), max_size=6))
def test_given_by_rate_never_exceeds_the_dose_and_pauses_only_lower_it(rate, total, bag, stop, cuts) -> None:
    marks = sorted(c for c in cuts if c <= stop)
    pauses = [(at(marks[i]), at(marks[i + 1])) for i in range(0, len(marks) - 1, 2)]
    paused = given_by_rate(rate_ml_per_h=rate, total_mg=total, bag_volume_ml=bag, started_at=T0, ended_at=at(stop),
                           pauses=pauses)
    straight = given_by_rate(rate_ml_per_h=rate, total_mg=total, bag_volume_ml=bag, started_at=T0, ended_at=at(stop))
    assert D(0) <= paused.mg <= straight.mg <= total
    assert paused.volume_ml <= bag
    assert paused.infusing_min == D(stop - sum((r - p).total_seconds() / 60 for p, r in pauses))


@given(drawn=cents, given_mg=cents, wasted=cents, waste=cents.filter(lambda x: x > 0))
def test_a_waste_is_accepted_exactly_when_it_fits_in_what_is_left(drawn, given_mg, wasted, waste) -> None:
    left = waste_allowed_mg(drawn_mg=drawn, administered_mg=given_mg, wasted_mg=wasted)
    assert left >= 0
    if waste <= drawn - given_mg - wasted:
        assert check_waste(waste_mg=waste, drawn_mg=drawn, administered_mg=given_mg, wasted_mg=wasted) == waste
        assert given_mg + wasted + waste <= drawn  # the session can still reconcile
    else:
        with pytest.raises(ClinicalError):
            check_waste(waste_mg=waste, drawn_mg=drawn, administered_mg=given_mg, wasted_mg=wasted)


@given(drawn=cents, planned=cents.filter(lambda x: x > 0), tolerance=st.sampled_from([D("0"), D("0.5"), D("2")]))
def test_a_start_is_allowed_exactly_when_the_draw_covers_the_dose_within_tolerance(drawn, planned, tolerance) -> None:
    message = draw_shortfall(drawn_mg=drawn, planned_mg=planned, tolerance_mg=tolerance)
    assert (message is None) == (drawn > 0 and drawn + tolerance >= planned)


# --- reconciliation lists every session that infused; an expired lot is not received without a reason -----



def test_a_session_that_infused_with_nothing_drawn_is_listed_and_never_reconciles() -> None:
    report = reconcile_sessions([SessionAmount("1", D("40.00"))], [SessionAmount("1", D("40.00"))], [],
                                infused=["1", "2"])
    by_ref = {s.session_ref: s for s in report.sessions}
    assert by_ref["1"].ok and not by_ref["1"].infused_without_draw
    assert (by_ref["2"].drawn_mg, by_ref["2"].difference_mg, by_ref["2"].ok) == (D(0), D(0), False)
    assert by_ref["2"].infused_without_draw and report.failing == (by_ref["2"],) and not report.ok


@given(drawn=st.dictionaries(st.sampled_from("abcdef"), cents, max_size=6), ran=st.sets(st.sampled_from("abcdefgh")))
def test_every_session_that_infused_is_listed(drawn, ran) -> None:
    report = reconcile_sessions([SessionAmount(k, v) for k, v in drawn.items()], [], [], infused=sorted(ran))
    listed = {s.session_ref: s for s in report.sessions}
    assert ran <= listed.keys()
    assert all(listed[r].infused_without_draw == (r not in drawn) for r in ran)
    assert all(not s.ok for s in report.sessions if s.infused_without_draw)


LOT = LotInfo(strength_mg_per_ml=D(10), expires_on=date(2026, 6, 30), container_ml=D(10))


def _receipt(on: date, reason: str | None = None) -> LedgerEntryIn:
    return LedgerEntryIn(kind=EntryKind.RECEIPT, lot="L1", location="safe", quantity=D(20), actor_id="officer",
                         occurred_on=on, supplier_ref="SUP-1", containers=2, reason=reason)


@pytest.mark.parametrize(("on", "reason", "refused"), [
    (date(2026, 6, 30), None, False),  # the last day it may be drawn: still good
    (date(2026, 7, 1), None, True),
    (date(2026, 7, 1), "  ", True),
    (date(2026, 7, 1), "Taken in for destruction by a reverse distributor", False),
])
def test_a_lot_already_expired_is_received_only_with_a_reason(on, reason, refused) -> None:
    def run() -> object:
        return validate_entry(_receipt(on, reason), balances={}, lot=LOT, today=date(2026, 7, 2))

    if refused:
        with pytest.raises(ClinicalError, match="expired on 2026-06-30, before this receipt on 2026-07-01"):
            run()
    else:
        assert run() is not None
