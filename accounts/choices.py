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

