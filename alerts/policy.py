"""Clinic settings of the alerts app (escalation timing and the on-call prescriber stay in measures' settings)."""

from accounts.policy import Setting

SETTINGS = [
    Setting("alerts_oncall_phone", "On-call phone for critical alerts (text message)", "text", "",
            help="Empty: no text messages. Otherwise a suicide-risk or serious adverse-event alert, and each "
                 "escalation, is texted to this number (no clinical detail). An invalid number is never texted."),
]
