"""Roles and other fixed vocabularies of the accounts app."""

from django.db import models


class Role(models.TextChoices):
    PRESCRIBER = "prescriber", "Prescriber"
    NURSE = "nurse", "Infusion nurse"
    THERAPIST = "therapist", "Therapist"
    FRONT_DESK = "front_desk", "Front desk"
    CLINIC_ADMIN = "clinic_admin", "Clinic admin"
    INVENTORY_OFFICER = "inventory_officer", "Inventory officer"
    RESEARCHER = "researcher", "Researcher"


ALL_ROLES = frozenset(Role.values)
# Roles that see identified patient data (the researcher sees de-identified data only).
CLINICAL_ROLES = frozenset(
    {Role.PRESCRIBER, Role.NURSE, Role.THERAPIST, Role.FRONT_DESK, Role.CLINIC_ADMIN}
)
CARE_ROLES = frozenset({Role.PRESCRIBER, Role.NURSE, Role.THERAPIST})
