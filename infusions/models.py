"""Infusion sessions, their dose, vitals, events, adverse events and monitor messages (alerts live in the alerts app)."""

from django.conf import settings
from django.db import models

from toolkit.constraints import above_zero, at_least_zero, one_of
from toolkit.scoping import ClinicManager

from .choices import (
    IN_PROGRESS,
    NOT_HELD,
    AdverseAction,
    AdverseOutcome,
    ReadingSource,
    Relatedness,
    SessionState,
    Severity,
)


class InfusionSession(models.Model):
    """One booked infusion of a course, on a chair, and what happened in it."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey("courses.TreatmentCourse", on_delete=models.PROTECT, related_name="sessions")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="infusion_sessions")
    number = models.PositiveSmallIntegerField(help_text="1 for the first infusion of the course")
    chair = models.ForeignKey("scheduling.Chair", on_delete=models.PROTECT, related_name="sessions")
    scheduled_start = models.DateTimeField()
    scheduled_end = models.DateTimeField()
    state = models.CharField(max_length=16, choices=SessionState.choices, default=SessionState.SCHEDULED)
    checkin_weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    dose = models.JSONField(default=dict, blank=True, help_text="The kernel's dose plan with its arithmetic")
    total_mg = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    rate_ml_per_h = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    dose_verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    dose_verified_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    infusion_ended_at = models.DateTimeField(null=True, blank=True)
    # How the infusion ended: minutes infused (pauses excluded), planned, early or not with the reason, and the dose
    # given, the same figure as `given_mg` below (clinical.chair_rules; ADR 0016, ADR 0015).
    infusion_stop = models.JSONField(default=dict, blank=True)
    # What the infusion actually gave, worked out at its stop (ADR 0015), beside the planned `total_mg`.
    given_mg = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    given_volume_ml = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    given_source = models.CharField(max_length=12, blank=True, choices=[("rate_time", "rate x infusing time"),
                                                                        ("pump_volume", "pump volume confirmed")])
    discharged_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Check-in: who, the escort, and the checklist as confirmed (identity, consent, fasting, pregnancy test, waivers).
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    escort_name = models.CharField(max_length=120, blank=True)
    escort_phone = models.CharField(max_length=32, blank=True)
    checklist = models.JSONField(default=dict, blank=True)
    # A prescriber's override of a dose above the protocol limits.
    dose_override_reason = models.TextField(blank=True)
    dose_override_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # After the infusion: CADSS, the side-effect checklist, the discharge decision.
    cadss = models.JSONField(default=dict, blank=True)
    side_effects = models.JSONField(default=dict, blank=True)
    discharge = models.JSONField(default=dict, blank=True)
    discharged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cosigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cosigned_at = models.DateTimeField(null=True, blank=True)

    objects = ClinicManager()

    class Meta:
        ordering = ["scheduled_start"]
        indexes = [models.Index(fields=["clinic", "scheduled_start"]), models.Index(fields=["chair", "scheduled_start"])]
        constraints = [
            models.UniqueConstraint(fields=["course", "number"], name="one_session_number_per_course"),
            # The last guard against a double booking: overlaps are refused by the kernel rule in the scheduling
            # service under the chair lock; this stops two live bookings of one chair at the same start.
            models.UniqueConstraint(fields=["chair", "scheduled_start"], condition=~models.Q(state__in=NOT_HELD),
                                    name="one_live_booking_per_chair_and_start"),
            models.CheckConstraint(condition=models.Q(scheduled_end__gt=models.F("scheduled_start")),
                                   name="session_ends_after_it_starts"),
            above_zero("number"), one_of("state", SessionState.values), above_zero("checkin_weight_kg", nullable=True),
            at_least_zero("total_mg", nullable=True), at_least_zero("rate_ml_per_h", nullable=True),
            # Never more given than the bag held: the planned dose (ADR 0015).
            models.CheckConstraint(condition=models.Q(given_mg__isnull=True)
                                   | models.Q(given_mg__gte=0, total_mg__isnull=False, given_mg__lte=models.F("total_mg")),
                                   name="session_given_at_most_planned"),
            at_least_zero("given_volume_ml", nullable=True),
        ]

    def __str__(self) -> str:
        return f"Infusion {self.number} · {self.patient} · {self.scheduled_start:%Y-%m-%d %H:%M}"

    @property
    def in_progress(self) -> bool:
        """Whether the session is under way in the clinic (the kernel's in-clinic states)."""
        return self.state in IN_PROGRESS


class VitalSign(models.Model):
    """One set of readings at one time; narrow, indexed by (session, time)."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(InfusionSession, on_delete=models.PROTECT, related_name="vitals")
    measured_at = models.DateTimeField()
    systolic_mmhg = models.PositiveSmallIntegerField(null=True, blank=True)
    diastolic_mmhg = models.PositiveSmallIntegerField(null=True, blank=True)
    heart_rate_bpm = models.PositiveSmallIntegerField(null=True, blank=True)
    spo2_pct = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    resp_rate_per_min = models.PositiveSmallIntegerField(null=True, blank=True)
    etco2_mmhg = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    source = models.CharField(max_length=8, choices=ReadingSource.choices, default=ReadingSource.TYPED)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    device = models.CharField(max_length=80, blank=True)
    message_control_id = models.CharField(max_length=64, blank=True)
    # The interop message this reading came from (interop.Hl7Message; an id, so infusions never depends on interop).
    hl7_message_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClinicManager()

    class Meta:
        ordering = ["measured_at"]
        indexes = [models.Index(fields=["session", "measured_at"])]
        constraints = [at_least_zero("spo2_pct", nullable=True), at_least_zero("etco2_mmhg", nullable=True),
                       one_of("source", ReadingSource.values)]


class SessionEvent(models.Model):
    """One transition of a session: who moved it, when, from which state to which, and why."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(InfusionSession, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=24)
    from_state = models.CharField(max_length=16, choices=SessionState.choices)
    to_state = models.CharField(max_length=16, choices=SessionState.choices)
    reason = models.TextField(blank=True)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = ClinicManager()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["session", "at"])]
        constraints = [one_of("from_state", SessionState.values), one_of("to_state", SessionState.values)]


class AdverseEvent(models.Model):
    """An adverse event during or after an infusion (maps to FHIR AdverseEvent)."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(InfusionSession, on_delete=models.PROTECT, related_name="adverse_events")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="adverse_events")
    onset_at = models.DateTimeField()
    description = models.CharField(max_length=300)
    severity = models.CharField(max_length=16, choices=Severity.choices)
    serious = models.BooleanField(default=False)
    relatedness = models.CharField(max_length=16, choices=Relatedness.choices)
    action_taken = models.CharField(max_length=16, choices=AdverseAction.choices)
    outcome = models.CharField(max_length=24, choices=AdverseOutcome.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    objects = ClinicManager()

    class Meta:
        ordering = ["onset_at", "pk"]
