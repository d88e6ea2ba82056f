"""Published trials beside the clinic's own figures, each computed under that trial's definition (CLINICAL.md s1)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from clinical.outcomes_charts import TrialMark

from .text import days_text, mean_text, proportion_text


@dataclass(frozen=True)
class Benchmark:
    study: str
    design: str
    schedule: str
    outcome: str
    clinic_definition: str
    clinic_figure: Callable[[dict[str, Any], dict[str, Any]], str]  # (clinic report, 30%-only report) -> text


def _feder_2021(_: dict[str, Any], pct_only: dict[str, Any]) -> str:
    r = pct_only["response_end_of_course"]
    return (f"ITT {proportion_text(r['itt'])}; completers {proportion_text(r['completers'])}; "
            f"durability {days_text(pct_only['durability'])}")


def _albott(report: dict[str, Any], _: dict[str, Any]) -> str:
    return (f"remission ITT {proportion_text(report['remission_end_of_course']['itt'])}; "
            f"time to loss of response {days_text(report['durability'])}")


BENCHMARKS = (
    Benchmark("Feder et al. 2014, JAMA Psychiatry 71(6):681", "crossover RCT, n=41, vs midazolam",
              "single 0.5 mg/kg over 40 min", "IES-R at 24 h 12.7 points lower than midazolam (p=0.02); short-lived",
              "mean PCL-5 change from baseline to 24 h after the first infusion (no control arm)",
              lambda report, _: mean_text(report["change_24h"])),
    Benchmark("Feder et al. 2021, Am J Psychiatry", "RCT, n=30, vs midazolam",
              "6 x 0.5 mg/kg over 40 min, 3 a week for 2 weeks",
              "CAPS-5 11.88 points lower at week 2 (d=1.13); response (>=30% CAPS-5 reduction) 67% vs 20%; "
              "responders' median time to loss of response 27.5 days",
              "response = >= 30% PCL-5 reduction at end of course alone (no points criterion); KM from the last "
              "infusion", _feder_2021),
    Benchmark("Abdallah et al. 2022, Neuropsychopharmacology 47:1574", "multisite RCT, n=158 veterans",
              "8 infusions twice weekly; 0.2 vs 0.5 mg/kg vs placebo",
              "no significant effect on PCL-5 or CAPS-5; 0.5 mg/kg improved MADRS",
              "mean PCL-5 change, baseline to end of course, t 95% CI",
              lambda report, _: mean_text(report["change_end_of_course"])),
    Benchmark("Albott et al. 2018 (open label, PTSD + TRD)", "n=15", "6 x 0.5 mg/kg over 12 days",
              "80% PTSD remission; median time to relapse 41 days",
              "remission = PCL-5 below the cut-point at end of course among baselines at or above it", _albott),
    Benchmark("Meta-analysis, Eur J Psychotraumatology 2024;15:2299124", "6 RCTs, n=221", "—",
              "pooled g=0.27 (95% CI 0.03-0.51); 0.20 after bias correction",
              "a between-group effect size needs a control arm",
              lambda report, _: "not computable from one open-label clinic"),
)

TRIAL_MARKS = (TrialMark(27.5, "Feder 2021: 27.5 d"), TrialMark(41, "Albott 2018: 41 d"))

# Yale, 2,342 infusions (CLINICAL.md s3), and the typical CADSS during IV ketamine.
YALE = {"bp_rise": "+16/+11 mmHg", "severe_hypertension_per_100": 0.98, "surges_in_first_three": 0.43,
        "cadss_mean": 7.7, "cadss_sd": 9.2}
