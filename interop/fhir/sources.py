"""Which KetaCare rows each FHIR resource type comes from, scoped to one clinic.

A Source names a model, how to scope and pre-filter it in the database (patient, date,
last update), and how to map one row to resources. Read, search, $everything and
$export all walk these sources, so a type is served the same way everywhere.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from clinical.instruments import INSTRUMENTS

from . import rows
from .groups import GROUPS, group_rows
from .mappers import audit_event, course, group, organization, patient, safety, session, staff, survey, vitals

Build = Callable[[Any], Iterable[dict[str, Any] | None]]


@dataclass(frozen=True)
class Source:
    resource_type: str
    queryset: Callable[[Any], Any]  # clinic -> rows of that clinic (a QuerySet, or a list for static rows)
    build: Build
    id_prefix: str = ""
    patient_path: str | None = None  # ORM path to the patient's pk
    date_path: str | None = None  # ORM path to the clinical date (search `date` and friends)
    updated_path: str | None = None  # ORM path to the last change (_lastUpdated, _since)
    constants: dict[str, frozenset[str]] = field(default_factory=dict)  # param -> the only values it can match
    keys: frozenset[str] | None = None  # for static rows named by a word (Group ids): the only ids there are
    compartment: bool = True  # in the patient compartment ($everything, Patient/$export) when it has a patient

    def rows_for(self, clinic: Any) -> Any:
        return self.queryset(clinic)

    def resources(self, row: Any) -> Iterator[dict[str, Any]]:
        for resource in self.build(row):
            if resource is not None:
                yield resource

    def pk_of(self, resource_id: str) -> int | str | None:
        """The row key behind a resource id of this source, or None when the id is not of this source."""
        if not resource_id.startswith(self.id_prefix):
            return None
        if self.keys is not None:
            return resource_id if resource_id in self.keys else None
        head = resource_id[len(self.id_prefix):].split("-", 1)[0]
        if self.queryset is _questionnaires:
            return head if head in INSTRUMENTS else None
        return int(head) if head.isdigit() else None


def _in_clinic(label: str, *related: str) -> Callable[[Any], Any]:
    def rows_of(clinic: Any) -> Any:
        return rows.model(label).objects.filter(clinic=clinic).select_related(*related).order_by("pk")

    return rows_of


def _patients(clinic: Any) -> Any:
    return rows.model("patients.Patient").objects.filter(clinic=clinic).select_related("clinic").order_by("pk")


def _practitioners(clinic: Any) -> Any:
    return rows.model("accounts.User").objects.filter(memberships__clinic=clinic).distinct().order_by("pk")


def _organizations(clinic: Any) -> Any:
    return rows.model("accounts.Clinic").objects.filter(pk=clinic.pk)


def _chairs(clinic: Any) -> Any:
    return rows.chair_model().objects.filter(clinic=clinic).select_related("clinic").order_by("pk")


def _allergies(clinic: Any) -> Any:
    model = rows.allergy_model()
    return [] if model is None else model.objects.filter(clinic=clinic).order_by("pk")


def _questionnaires(clinic: Any) -> list[Any]:
    from measures.queries import wording_for

    return [(instrument, wording_for(clinic, instrument.id)) for instrument in INSTRUMENTS.values()]


def _courses(clinic: Any) -> Any:
    from django.db.models import Prefetch

    sessions = Prefetch("sessions", queryset=rows.model("infusions.InfusionSession").objects.order_by("number").only("pk", "course_id"))
    return (rows.model("courses.TreatmentCourse").objects.filter(clinic=clinic)
            .select_related("patient").prefetch_related(sessions).order_by("pk"))


def _sessions(clinic: Any) -> Any:
    return rows.model("infusions.InfusionSession").objects.filter(clinic=clinic).select_related("patient").order_by("pk")


def _vitals(clinic: Any) -> Any:
    from django.db.models import F

    return rows.model("infusions.VitalSign").objects.filter(clinic=clinic).annotate(patient_pk=F("session__patient_id")).order_by("pk")


def _adverse(clinic: Any) -> Any:
    from django.db.models import F

    return (rows.model("infusions.AdverseEvent").objects.filter(clinic=clinic)
            .annotate(infusion_started_at=F("session__started_at")).order_by("pk"))


def _fhir_audit(clinic: Any) -> Any:
    """The clinic's audit rows of reads and writes made through the FHIR API."""
    return rows.model("audit.AuditEvent").objects.filter(clinic=clinic, action__startswith="fhir_").order_by("pk")


VITAL = frozenset({"vital-signs"})
SURVEY = frozenset({"survey"})

SOURCES: dict[str, tuple[Source, ...]] = {
    "Patient": (Source("Patient", _patients, lambda p: [patient.patient_resource(p)], patient_path="pk",
                       date_path="date_of_birth", updated_path="created_at"),),
    "Practitioner": (Source("Practitioner", _practitioners, lambda u: [staff.practitioner_resource(u)],
                            updated_path="date_joined"),),
    "PractitionerRole": (Source("PractitionerRole", _in_clinic("accounts.Membership"),
                                lambda m: [staff.practitioner_role_resource(m)]),),
    "Organization": (Source("Organization", _organizations, lambda c: [organization.organization_resource(c)],
                            updated_path="created_at"),),
    "Location": (Source("Location", _chairs, lambda c: [organization.location_resource(c)]),),
    "Condition": (Source("Condition", lambda c: _patients(c).exclude(diagnosis_code=""),
                         lambda p: [patient.condition_resource(p)], patient_path="pk", date_path="created_at",
                         updated_path="created_at"),),
    "MedicationRequest": (Source("MedicationRequest", _courses, lambda c: [course.medication_request_resource(c)],
                                 patient_path="patient_id", date_path="ordered_at", updated_path="ordered_at"),),
    "CarePlan": (Source("CarePlan", _courses,
                        lambda c: [course.care_plan_resource(c, [s.pk for s in c.sessions.all()])],
                        patient_path="patient_id", date_path="ordered_at", updated_path="ordered_at"),),
    "Encounter": (Source("Encounter", _sessions, lambda s: [session.encounter_resource(s)], patient_path="patient_id",
                         date_path="scheduled_start", updated_path="created_at"),),
    "MedicationAdministration": (Source("MedicationAdministration", lambda c: _sessions(c).filter(started_at__isnull=False),
                                        lambda s: [session.medication_administration_resource(s)],
                                        patient_path="patient_id", date_path="started_at", updated_path="started_at"),),
    "Observation": (
        Source("Observation", _vitals, lambda v: vitals.vital_resources(v, v.patient_pk), id_prefix="vs-",
               patient_path="session__patient_id", date_path="measured_at", updated_path="created_at",
               constants={"category": VITAL}),
        Source("Observation", lambda c: _sessions(c).filter(checkin_weight_kg__isnull=False, checked_in_at__isnull=False),
               lambda s: [vitals.weight_resource(s)], id_prefix="wt-", patient_path="patient_id",
               date_path="checked_in_at", updated_path="checked_in_at", constants={"category": VITAL}),
        Source("Observation", _in_clinic("measures.Assessment"), lambda a: [survey.score_resource(a)], id_prefix="score-",
               patient_path="patient_id", date_path="assessed_at", updated_path="created_at",
               constants={"category": SURVEY}),
    ),
    "QuestionnaireResponse": (Source("QuestionnaireResponse", _in_clinic("measures.Assessment"),
                                     lambda a: [survey.questionnaire_response_resource(a)], patient_path="patient_id",
                                     date_path="assessed_at", updated_path="created_at"),),
    "Questionnaire": (Source("Questionnaire", _questionnaires, lambda pair: [survey.questionnaire_resource(*pair)]),),
    "AdverseEvent": (Source("AdverseEvent", _adverse,
                            lambda e: [safety.adverse_event_resource(e, e.infusion_started_at is not None)],
                            patient_path="patient_id", date_path="onset_at", updated_path="recorded_at"),),
    "AllergyIntolerance": (Source("AllergyIntolerance", _allergies, lambda a: [safety.allergy_resource(a)],
                                  patient_path="patient_id", updated_path="created_at"),),
    "MedicationStatement": (Source("MedicationStatement", _in_clinic("patients.CurrentMedication"),
                                   lambda m: [safety.medication_statement_resource(m)], patient_path="patient_id",
                                   updated_path="created_at"),),
    "Group": (Source("Group", group_rows, lambda g: [group.group_resource(g)], keys=frozenset(GROUPS)),),
    "AuditEvent": (Source("AuditEvent", _fhir_audit, lambda e: [audit_event.audit_event_resource(e)],
                          patient_path="patient_id", date_path="at", updated_path="at", compartment=False),),
}

RESOURCE_TYPES = tuple(SOURCES)
# Types that belong to one patient (the patient compartment served by $everything and Patient/$export).
PATIENT_TYPES = tuple(t for t, srcs in SOURCES.items() if srcs[0].patient_path and srcs[0].compartment)
# Types a staff member reads only with the audit-log permission.
AUDIT_TYPES = ("AuditEvent",)


def source_for_id(resource_type: str, resource_id: str) -> tuple[Source, Any] | None:
    """The source and row key a resource id stands for, or None."""
    for source in sorted(SOURCES.get(resource_type, ()), key=lambda s: -len(s.id_prefix)):
        pk = source.pk_of(resource_id)
        if pk is not None:
            return source, pk
    return None


def row_for(source: Source, clinic: Any, pk: Any) -> Any:
    """The clinic's row behind a resource, or None (also for another clinic's row)."""
    found = source.rows_for(clinic)
    if isinstance(found, list):
        return next((r for r in found if r[0].id == pk), None) if source.queryset is _questionnaires else \
            next((r for r in found if r.pk == pk), None)
    return found.filter(pk=pk).first()
