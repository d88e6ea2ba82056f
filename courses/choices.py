"""Vocabularies of the courses app."""

from django.db import models

from clinical import dosing
from toolkit.vocab import kernel_choices

# Which body weight a dose uses (CLINICAL.md section 2, Policy).
WeightBasis = kernel_choices("WeightBasis", dosing.WeightBasis, {
    "actual": "Actual body weight", "ideal": "Ideal body weight (Devine)", "adjusted": "Adjusted body weight",
})


class CourseStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    STOPPED = "stopped", "Stopped"


# Assessment points anchored to the course (issue 3 defaults; editable per protocol).
DEFAULT_ASSESSMENT_POINTS = [
    {"key": "baseline", "label": "Baseline", "anchor": "first_infusion", "offset_hours": -72, "instruments": ["pcl5", "phq9", "gad7", "cssrs"]},
    {"key": "pre_infusion", "label": "Before each infusion", "anchor": "each_infusion", "offset_hours": -24, "instruments": ["phq9"]},
    {"key": "post_first_24h", "label": "24 h after the first infusion", "anchor": "first_infusion", "offset_hours": 24, "instruments": ["pcl5"]},
    {"key": "end_of_course", "label": "End of course", "anchor": "last_infusion", "offset_hours": 24, "instruments": ["pcl5", "phq9", "gad7"]},
    {"key": "follow_1w", "label": "1 week after", "anchor": "last_infusion", "offset_hours": 168, "instruments": ["pcl5", "phq9"]},
    {"key": "follow_1m", "label": "1 month after", "anchor": "last_infusion", "offset_hours": 720, "instruments": ["pcl5", "phq9"]},
    {"key": "follow_3m", "label": "3 months after", "anchor": "last_infusion", "offset_hours": 2160, "instruments": ["pcl5", "phq9", "gad7"]},
]


# Session states of a booking never held (infusions.choices.NOT_HELD, by value: courses imports no app above
# it; a test keeps the two equal). They do not count towards a course's booked infusions.
NOT_HELD_STATES = ("cancelled", "no_show")
