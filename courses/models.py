"""Protocol templates and course orders."""

from decimal import Decimal

from django.conf import settings
from django.db import models

from toolkit.constraints import above_zero, one_of
from toolkit.scoping import ClinicManager

from . import defaults as d
from .choices import DEFAULT_ASSESSMENT_POINTS, CourseStatus, WeightBasis


def _default_thresholds() -> dict[str, Decimal | int]:
    return dict(d.DEFAULT_THRESHOLDS)


def _default_points() -> list[dict[str, object]]:
    return [dict(p) for p in DEFAULT_ASSESSMENT_POINTS]


class Protocol(models.Model):
    """A course template; defaults from CLINICAL.md section 2 (Feder 2021)."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="protocols")
    name = models.CharField(max_length=80)
    n_infusions = models.PositiveSmallIntegerField(default=d.N_INFUSIONS)
    min_hours_between = models.PositiveSmallIntegerField(default=d.MIN_HOURS_BETWEEN)
    max_span_days = models.PositiveSmallIntegerField(default=d.MAX_SPAN_DAYS)
    mg_per_kg = models.DecimalField(max_digits=4, decimal_places=2, default=d.MG_PER_KG)
    infusion_min = models.PositiveSmallIntegerField(default=d.INFUSION_MIN)
    max_mg_per_kg = models.DecimalField(max_digits=4, decimal_places=2, default=d.MAX_MG_PER_KG)
    max_total_mg = models.DecimalField(max_digits=6, decimal_places=1, default=d.MAX_TOTAL_MG)
    weight_basis = models.CharField(max_length=16, choices=WeightBasis.choices, default=d.WEIGHT_BASIS)
    vial_mg_per_ml = models.DecimalField(max_digits=5, decimal_places=1, default=d.VIAL_MG_PER_ML)
    bag_volume_ml = models.DecimalField(max_digits=6, decimal_places=1, default=d.BAG_VOLUME_ML)
    bp_every_min_infusing = models.PositiveSmallIntegerField(default=d.BP_EVERY_MIN_INFUSING)
    bp_every_min_recovering = models.PositiveSmallIntegerField(default=d.BP_EVERY_MIN_RECOVERING)
    thresholds = models.JSONField(default=_default_thresholds)
    assessment_points = models.JSONField(default=_default_points)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClinicManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            above_zero("n_infusions"), above_zero("mg_per_kg"), above_zero("infusion_min"), above_zero("max_mg_per_kg"),
            above_zero("max_total_mg"), above_zero("vial_mg_per_ml"), above_zero("bag_volume_ml"),
            above_zero("bp_every_min_infusing"), above_zero("bp_every_min_recovering"),
            one_of("weight_basis", WeightBasis.values),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.n_infusions} x {self.mg_per_kg} mg/kg over {self.infusion_min} min)"


class TreatmentCourse(models.Model):
    """A prescriber's order of a course for an eligible patient; the protocol is copied at order time."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="courses")
    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="courses")
    protocol_snapshot = models.JSONField(default=dict)
    screening = models.ForeignKey("patients.EligibilityScreening", on_delete=models.PROTECT, related_name="+")
    mg_per_kg = models.DecimalField(max_digits=4, decimal_places=2)
    weight_basis = models.CharField(max_length=16, choices=WeightBasis.choices)
    status = models.CharField(max_length=16, choices=CourseStatus.choices, default=CourseStatus.ACTIVE)
    override_reason = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ordered_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = ClinicManager()

    class Meta:
        ordering = ["-ordered_at"]
        constraints = [above_zero("mg_per_kg"), one_of("weight_basis", WeightBasis.values),
                       one_of("status", CourseStatus.values)]

    def __str__(self) -> str:
        return f"Course {self.pk} · {self.patient} · {self.mg_per_kg} mg/kg"
