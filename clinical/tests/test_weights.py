"""Today's weight against the last recorded one (CLINICAL.md section 2), with worked examples."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinical.errors import ClinicalError
from clinical.weights import WeightPolicy, check_reason, check_weight

POLICY = WeightPolicy()


@pytest.mark.parametrize(("today", "last", "concerns"), [
    (D("70.0"), D("70.0"), 0),
    (D("77.0"), D("70.0"), 0),    # +10.0 % exactly: not more than 10 %
    (D("77.1"), D("70.0"), 1),    # +10.14 %
    (D("63.0"), D("70.0"), 0),    # -10.0 %
    (D("62.9"), D("70.0"), 1),    # -10.14 %
    (D("154.3"), D("70.0"), 2),   # 70 kg typed in pounds (154.3 lb): ratio 2.204, and +120 %
    (D("70.0"), D("154.3"), 2),   # the last one was in pounds
    (D("80.0"), None, 0),         # nothing to compare with
])
def test_worked_examples(today, last, concerns) -> None:
    found = check_weight(today, last, POLICY)
    assert len(found.concerns) == concerns and found.needs_confirmation == bool(concerns)


def test_the_pounds_ratio_is_named_even_when_the_change_limit_is_wide() -> None:
    concerns = check_weight(D("154.3"), D("70.0"), WeightPolicy(max_change_pct=D("100"))).concerns
    assert "typed in pounds" in concerns[0]


def test_the_change_is_reported_signed() -> None:
    assert check_weight(D("63.0"), D("70.0"), POLICY).change_pct == D("-10")


@pytest.mark.parametrize("weight", [D("29.9"), D("300.1"), D("0"), D("700")])
def test_a_weight_outside_30_to_300_kg_is_refused(weight) -> None:
    with pytest.raises(ClinicalError, match="outside 30-300 kg"):
        check_weight(weight, D("70.0"), POLICY)


@pytest.mark.parametrize("weight", [D("30"), D("300")])
def test_the_bounds_are_inclusive(weight) -> None:
    check_weight(weight, None, POLICY)


@pytest.mark.parametrize("pct", [D("0"), D("-1"), D("101")])
def test_the_policy_refuses_a_meaningless_limit(pct) -> None:
    with pytest.raises(ClinicalError):
        WeightPolicy(max_change_pct=pct)


@pytest.mark.parametrize(("reason", "ok"), [("x", False), ("  short note   ", False),
                                            ("Weighed twice on the clinic scale", True)])
def test_a_reason_is_a_real_sentence(reason, ok) -> None:
    if ok:
        assert check_reason(reason, "Confirming") == reason.strip()
    else:
        with pytest.raises(ClinicalError, match="at least 15 characters"):
            check_reason(reason, "Confirming")


@given(last=st.decimals(min_value=30, max_value=300, places=1),
       pct=st.decimals(min_value=-50, max_value=50, places=1))
def test_a_concern_is_raised_exactly_when_the_change_passes_the_limit_or_the_ratio_is_near_2_2(last, pct) -> None:
    today = (last * (1 + pct / 100)).quantize(D("0.1"))
    if not D(30) <= today <= D(300):
        return
    found = check_weight(today, last, POLICY)
    change = abs(today - last) / last * 100
    assert found.needs_confirmation == (change > 10)
