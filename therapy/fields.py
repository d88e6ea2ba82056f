"""Fields a therapy session takes from a form or the API."""

FIELDS = {"held_on", "duration_min", "modality", "timing", "goals", "note"}
