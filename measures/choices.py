"""Vocabularies of the measures app."""

from django.db import models


class LinkOrigin(models.TextChoices):
    STAFF = "staff", "Issued by staff"
    REMINDER = "reminder", "Sent by the reminder run"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


# Instruments a patient fills in alone from a link. CAPS-5, MADRS and CADSS are
# clinician-administered ratings (CLINICAL.md s3, s4), so they are entered by staff only.
PATIENT_REPORTED = ("pcl5", "phq9", "gad7", "iesr", "cssrs")

# Instruments whose total can be followed over time (the C-SSRS screener has no total).
TRACKED = ("pcl5", "phq9", "gad7", "iesr", "madrs", "caps5", "cadss")

SUICIDE_RISK = "suicide_risk"  # the kernel's flag value and alerts.AlertKind value

SHORT_NAMES = {"pcl5": "PCL-5", "phq9": "PHQ-9", "gad7": "GAD-7", "iesr": "IES-R", "cssrs": "C-SSRS",
               "madrs": "MADRS", "caps5": "CAPS-5", "cadss": "CADSS"}


def short_name(instrument_id: str) -> str:
    return SHORT_NAMES.get(instrument_id, instrument_id)
