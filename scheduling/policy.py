"""Clinic settings of the calendar and the planner (issue 12; Policy values with their defaults)."""

from accounts.policy import Setting

CLOCK_CHOICES = tuple(f"{m // 60:02d}:{m % 60:02d}" for m in range(0, 24 * 60 + 1, 30))
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

SETTINGS = [
    Setting("schedule_nurse_ratio", "Patients one nurse watches at once", "int", 3, min=1, max=8, unit="patients",
            help="Nurse-to-patient ratio during infusion and recovery."),
    Setting("schedule_setup_min", "Set-up before each infusion (nurse exclusive)", "int", 15, min=0, max=120, unit="minutes",
            help="A nurse sets up one patient at a time."),
    Setting("schedule_discharge_min", "Discharge after recovery (nurse exclusive)", "int", 10, min=0,
            max=120, unit="minutes", help="A nurse discharges one patient at a time."),
    Setting("schedule_turnover_min", "Chair turnover between patients", "int", 10, min=0, max=120, unit="minutes",
            help="A chair stays free this long after one patient leaves, to clean and reset it."),
    Setting("schedule_open", "Clinic opens at", "choice", "08:00", choices=CLOCK_CHOICES, unit="clinic time",
            help="No infusion is planned to start before this time."),
    Setting("schedule_close", "Clinic closes at", "choice", "18:00", choices=CLOCK_CHOICES, unit="clinic time",
            help="Every planned infusion, recovery and discharge ends by this time."),
    Setting("schedule_closed_weekdays", "Closed weekdays", "list", ["saturday", "sunday"],
            help="Weekday names in English, e.g. saturday, sunday."),
]
