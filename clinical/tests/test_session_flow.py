"""Infusion session states and actions (infusions issue; decisions in clinical/session_flow.py)."""

from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinical.errors import ClinicalError
from clinical.session_flow import Action, SessionState, allowed_actions, transition

S, A = SessionState, Action

# The whole legal table, written out independently of the module's own.
LEGAL: dict[tuple[SessionState, Action], SessionState] = {
    (S.SCHEDULED, A.CHECK_IN): S.CHECKED_IN,
    (S.CHECKED_IN, A.VERIFY_DOSE): S.DOSE_VERIFIED,
    (S.CHECKED_IN, A.STOP_EARLY): S.STOPPED_EARLY,
    (S.CHECKED_IN, A.TRANSFER): S.TRANSFERRED,
    (S.DOSE_VERIFIED, A.START): S.INFUSING,
    (S.DOSE_VERIFIED, A.STOP_EARLY): S.STOPPED_EARLY,
    (S.DOSE_VERIFIED, A.TRANSFER): S.TRANSFERRED,
    (S.INFUSING, A.PAUSE): S.PAUSED,
    (S.INFUSING, A.STOP_INFUSION): S.RECOVERING,
    (S.INFUSING, A.STOP_EARLY): S.RECOVERING,  # drug given: observe before discharge
    (S.INFUSING, A.TRANSFER): S.TRANSFERRED,
    (S.PAUSED, A.RESUME): S.INFUSING,
    (S.PAUSED, A.STOP_EARLY): S.RECOVERING,
    (S.PAUSED, A.TRANSFER): S.TRANSFERRED,
    (S.RECOVERING, A.DISCHARGE): S.DISCHARGED,
    (S.RECOVERING, A.TRANSFER): S.TRANSFERRED,
}
TERMINAL: set[SessionState] = {S.DISCHARGED, S.STOPPED_EARLY, S.TRANSFERRED}
ALL_PAIRS = list(product(SessionState, Action))
ILLEGAL = [pair for pair in ALL_PAIRS if pair not in LEGAL]


def test_table_covers_every_state_and_action() -> None:
    assert len(ALL_PAIRS) == 81
    assert len(LEGAL) + len(ILLEGAL) == 81


@pytest.mark.parametrize(("state", "action"), list(LEGAL))
def test_every_legal_transition_reaches_its_state(state: SessionState, action: Action) -> None:
    assert transition(state, action, reason="Synthetic reason") is LEGAL[(state, action)]


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_every_illegal_transition_is_refused_with_a_specific_message(state: SessionState, action: Action) -> None:
    with pytest.raises(ClinicalError, match=r"^Cannot .+: .+\.$") as caught:
        transition(state, action, reason="Synthetic reason")
    assert "not possible while" not in str(caught.value)


@pytest.mark.parametrize(
    ("state", "action", "message"),
    [
        (S.CHECKED_IN, A.START, "Cannot start: the dose has not been verified."),
        (S.SCHEDULED, A.START, "Cannot start: the patient has not been checked in."),
        (S.PAUSED, A.START, "Cannot start: the infusion is paused; resume it instead."),
        (S.INFUSING, A.START, "Cannot start: the infusion is already running."),
        (S.INFUSING, A.DISCHARGE, "Cannot discharge: the infusion is still running; stop it first."),
        (S.RECOVERING, A.STOP_EARLY,
         "Cannot stop early: the infusion has already ended; discharge or transfer the patient."),
        (S.DOSE_VERIFIED, A.VERIFY_DOSE, "Cannot verify the dose: the dose is already verified."),
        (S.PAUSED, A.STOP_INFUSION,
         "Cannot stop the infusion: it is paused; resume it to complete the dose, or stop early with a reason."),
        (S.DISCHARGED, A.CHECK_IN,
         "Cannot check in: the session has ended (discharged); no further actions are possible."),
    ],
)
def test_refusal_says_why_in_the_nurses_terms(state: SessionState, action: Action, message: str) -> None:
    with pytest.raises(ClinicalError) as caught:
        transition(state, action, reason="Synthetic reason")
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("state", "action", "purpose"),
    [
        (S.INFUSING, A.PAUSE, "to pause the infusion"),
        (S.INFUSING, A.STOP_EARLY, "to stop early"),
        (S.DOSE_VERIFIED, A.STOP_EARLY, "to stop early"),
        (S.RECOVERING, A.TRANSFER, "to transfer the patient"),
    ],
)
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_pause_stop_early_and_transfer_need_a_written_reason(
    state: SessionState, action: Action, purpose: str, reason: str | None
) -> None:
    with pytest.raises(ClinicalError, match=f"^A reason is required {purpose}.$"):
        transition(state, action, reason=reason)


@pytest.mark.parametrize(("state", "action"), [pair for pair in LEGAL if pair[1] not in {A.PAUSE, A.STOP_EARLY,
                                                                                        A.TRANSFER}])
def test_other_actions_need_no_reason(state: SessionState, action: Action) -> None:
    assert transition(state, action) is LEGAL[(state, action)]


def test_illegal_action_is_reported_before_a_missing_reason() -> None:
    with pytest.raises(ClinicalError, match="^Cannot pause: the infusion is already paused.$"):
        transition(S.PAUSED, A.PAUSE)


@pytest.mark.parametrize("state", list(SessionState))
def test_allowed_actions_are_exactly_the_legal_ones(state: SessionState) -> None:
    assert allowed_actions(state) == [action for action in Action if (state, action) in LEGAL]


@pytest.mark.parametrize("state", [state for state in SessionState if state in TERMINAL])
def test_terminal_states_have_no_actions(state: SessionState) -> None:
    assert allowed_actions(state) == []


def test_the_usual_session_runs_from_booking_to_discharge() -> None:
    state = S.SCHEDULED
    for action in (A.CHECK_IN, A.VERIFY_DOSE, A.START, A.PAUSE, A.RESUME, A.STOP_INFUSION, A.DISCHARGE):
        state = transition(state, action, reason="BP 182/95, recheck in 5 min")
    assert state is S.DISCHARGED


@given(st.lists(st.sampled_from(list(Action)), max_size=30))
def test_a_patient_given_drug_leaves_only_by_discharge_from_recovery_or_transfer(actions: list[Action]) -> None:
    state, history = S.SCHEDULED, [S.SCHEDULED]
    for action in actions:
        try:
            state = transition(state, action, reason="Synthetic reason")
        except ClinicalError:
            continue
        history.append(state)
    if S.INFUSING in history:
        assert history.index(S.DOSE_VERIFIED) < history.index(S.INFUSING)
        assert S.STOPPED_EARLY not in history
        if state is S.DISCHARGED:
            assert history[-2] is S.RECOVERING
    if state in TERMINAL:
        assert allowed_actions(state) == []
