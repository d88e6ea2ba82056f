"""Vocabularies of the scheduling app."""

# Python's weekday numbers (Monday 0), as shift patterns and patient availability store them.
WEEKDAY_CHOICES = [(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"), (4, "Friday"),
                   (5, "Saturday"), (6, "Sunday")]
