"""The states of one infusion session and the actions that move between them.

Path (infusions issue): scheduled -> checked_in -> dose_verified -> infusing
(<-> paused) -> recovering -> discharged. Decisions made here:

* ``stop_early`` (reason required) before any drug is given (checked_in,
  dose_verified) ends the session: ``stopped_early``, terminal. During the
  infusion (infusing, paused) it ends the infusion early and moves to
  ``recovering``: a patient who has had any ketamine must be observed and
  pass the discharge check (CLINICAL.md section 3) or be transferred, never
  leave the flow straight from a running infusion. The reason stays in the
  service's record of the action.
* ``transfer`` to emergency care (reason required) is possible whenever the
  patient is in the clinic: checked_in, dose_verified, infusing, paused,
  recovering. ``transferred`` is terminal.
* ``stop_infusion`` (the dose completed) only from infusing; a paused
  infusion is resumed or stopped early.
* A scheduled session has only check_in; cancelling a booking belongs to
  scheduling, not to the chairside flow.
* Terminal states (discharged, stopped_early, transferred) allow no action.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from types import MappingProxyType

from clinical.errors import ClinicalError


class SessionState(Enum):
    """Where an infusion session is."""

    SCHEDULED = "scheduled"
    CHECKED_IN = "checked_in"
    DOSE_VERIFIED = "dose_verified"
    INFUSING = "infusing"
    PAUSED = "paused"
    RECOVERING = "recovering"
    DISCHARGED = "discharged"
    STOPPED_EARLY = "stopped_early"
    TRANSFERRED = "transferred"


class Action(Enum):
    """What the chairside team can do to a session; the UI shows one button each."""

    CHECK_IN = "check_in"
    VERIFY_DOSE = "verify_dose"
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    STOP_INFUSION = "stop_infusion"
    STOP_EARLY = "stop_early"
    TRANSFER = "transfer"
    DISCHARGE = "discharge"


_S, _A = SessionState, Action
TERMINAL_STATES = frozenset({_S.DISCHARGED, _S.STOPPED_EARLY, _S.TRANSFERRED})
REASON_REQUIRED = frozenset({_A.PAUSE, _A.STOP_EARLY, _A.TRANSFER})
_IN_CLINIC = (_S.CHECKED_IN, _S.DOSE_VERIFIED, _S.INFUSING, _S.PAUSED, _S.RECOVERING)
IN_CLINIC_STATES: tuple[SessionState, ...] = _IN_CLINIC
"""States of a session under way in the clinic: checked in and not yet ended."""

TRANSITIONS: Mapping[tuple[SessionState, Action], SessionState] = MappingProxyType({
    (_S.SCHEDULED, _A.CHECK_IN): _S.CHECKED_IN,
    (_S.CHECKED_IN, _A.VERIFY_DOSE): _S.DOSE_VERIFIED,
    (_S.DOSE_VERIFIED, _A.START): _S.INFUSING,
    (_S.INFUSING, _A.PAUSE): _S.PAUSED,
    (_S.PAUSED, _A.RESUME): _S.INFUSING,
    (_S.INFUSING, _A.STOP_INFUSION): _S.RECOVERING,
    (_S.CHECKED_IN, _A.STOP_EARLY): _S.STOPPED_EARLY,
    (_S.DOSE_VERIFIED, _A.STOP_EARLY): _S.STOPPED_EARLY,
    (_S.INFUSING, _A.STOP_EARLY): _S.RECOVERING,
    (_S.PAUSED, _A.STOP_EARLY): _S.RECOVERING,
    **{(state, _A.TRANSFER): _S.TRANSFERRED for state in _IN_CLINIC},
    (_S.RECOVERING, _A.DISCHARGE): _S.DISCHARGED,
})

_VERB = {
    _A.CHECK_IN: "check in",
    _A.VERIFY_DOSE: "verify the dose",
    _A.START: "start",
    _A.PAUSE: "pause",
    _A.RESUME: "resume",
    _A.STOP_INFUSION: "stop the infusion",
    _A.STOP_EARLY: "stop early",
    _A.TRANSFER: "transfer",
    _A.DISCHARGE: "discharge",
}
_REASON_PURPOSE = {
    _A.PAUSE: "to pause the infusion",
    _A.STOP_EARLY: "to stop early",
    _A.TRANSFER: "to transfer the patient",
}


def _why_not(state: SessionState, action: Action) -> str:
    """Say, in the nurse's terms, why an action is not possible in a state."""
    if state in TERMINAL_STATES:
        return f"the session has ended ({state.value.replace('_', ' ')}); no further actions are possible."
    if state is _S.SCHEDULED:
        return "the patient has not been checked in."
    if action is _A.CHECK_IN:
        return "the patient is already checked in."
    if state is _S.RECOVERING:
        return "the infusion has already ended; discharge or transfer the patient."
    if action is _A.VERIFY_DOSE:
        return "the dose is already verified." if state is _S.DOSE_VERIFIED else "the infusion has already started."
    if state in (_S.INFUSING, _S.PAUSED):
        return _why_not_running(state, action)
    if action is _A.START:
        return "the dose has not been verified."
    if action is _A.DISCHARGE:
        return "the infusion has not started; to end the session, stop early with a reason."
    return "the infusion has not started."


def _why_not_running(state: SessionState, action: Action) -> str:
    paused = state is _S.PAUSED
    if action is _A.START:
        return "the infusion is paused; resume it instead." if paused else "the infusion is already running."
    if action is _A.PAUSE:
        return "the infusion is already paused."
    if action is _A.RESUME:
        return "the infusion is not paused."
    if action is _A.STOP_INFUSION:
        return "it is paused; resume it to complete the dose, or stop early with a reason."
    return f"the infusion is {'paused' if paused else 'still running'}; stop it first."


def allowed_actions(state: SessionState) -> list[Action]:
    """Return the actions possible in a state, in a stable order (none for a terminal state)."""
    return [action for action in Action if (state, action) in TRANSITIONS]


def transition(current: SessionState, action: Action, *, reason: str | None = None) -> SessionState:
    """Return the state an action leads to, or refuse it with the reason it is not possible.

    Pause, stop early and transfer need a written (non-blank) reason; the
    caller records it with the action.
    """
    target = TRANSITIONS.get((current, action))
    if target is None:
        raise ClinicalError(f"Cannot {_VERB[action]}: {_why_not(current, action)}")
    if action in REASON_REQUIRED and not (reason and reason.strip()):
        raise ClinicalError(f"A reason is required {_REASON_PURPOSE[action]}.")
    return target
