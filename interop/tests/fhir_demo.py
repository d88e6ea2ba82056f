"""The FHIR tests' world: the small demo clinic (A) plus an adverse event, and clinic B with a patient."""

from datetime import UTC, datetime, timedelta
from typing import Any

from accounts import services as accounts


def add_fhir_extras(ctx: Any) -> dict[str, Any]:
    """An adverse event in DEMO-0001's running infusion, one FHIR read; clinic B with its own patient and nurse token."""
    from infusions import services as infusions
    from infusions.models import InfusionSession
    from ketacare.testing import patient_values
    from patients import services as patients

    session = InfusionSession.objects.filter(clinic=ctx.clinic, state="infusing").order_by("pk").first()
    now = datetime.now(UTC).replace(microsecond=0)
    infusions.record_adverse_event(session=session, by=ctx.users["nurse"], at=now - timedelta(minutes=1), values={
        "description": "Transient dizziness", "severity": "mild", "serious": False, "relatedness": "possible",
        "action_taken": "none", "outcome": "resolved", "onset_at": now - timedelta(minutes=3)})
    # One read through the FHIR API, so the clinic has an AuditEvent to serve.
    from django.test import Client

    a_token = accounts.issue_token(user=ctx.users["nurse"], clinic=ctx.clinic, name="fhir-read", by="test")
    assert Client().get(f"/fhir/Patient/{session.patient_id}", HTTP_AUTHORIZATION=f"Bearer {a_token}").status_code == 200
    b = accounts.create_clinic(name="Clinic B", slug="clinic-b", by="test")
    b_nurse = accounts.create_staff(clinic=b, username="b_nurse_fhir", password="x" * 12, role="nurse", by="test")
    b_patient = patients.register_patient(clinic=b, values=patient_values("B-0001", family_name="Otherclinic"), by=b_nurse)
    return {"b": b, "b_nurse": b_nurse, "b_patient": b_patient,
            "b_token": accounts.issue_token(user=b_nurse, clinic=b, name="fhir", by="test")}
