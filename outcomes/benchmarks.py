"""Published trials to set beside a clinic's own figures (CLINICAL.md section 1)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Benchmark:
    study: str
    design: str
    schedule: str
    outcome: str
    response_rate: float | None = None  # comparable response proportion, where the paper gives one


BENCHMARKS = (
    Benchmark("Feder et al. 2014, JAMA Psychiatry 71(6):681", "crossover RCT, n=41, vs midazolam",
              "single 0.5 mg/kg over 40 min", "IES-R at 24 h 12.7 points lower than midazolam (p=0.02); short-lived"),
    Benchmark("Feder et al. 2021, Am J Psychiatry", "RCT, n=30, vs midazolam",
              "6 x 0.5 mg/kg over 40 min, 3 a week for 2 weeks",
              "CAPS-5 11.88 points lower at week 2 (d=1.13); response (>=30% CAPS-5 reduction) 67% vs 20%; "
              "responders' median time to loss of response 27.5 days", 0.67),
    Benchmark("Abdallah et al. 2022, Neuropsychopharmacology 47:1574", "multisite RCT, n=158 veterans",
              "8 infusions twice weekly; 0.2 vs 0.5 mg/kg vs placebo",
              "no significant effect on PCL-5 or CAPS-5; 0.5 mg/kg improved MADRS"),
    Benchmark("Albott et al. 2018 (open label, PTSD + TRD)", "n=15", "6 x 0.5 mg/kg over 12 days",
              "80% PTSD remission; median time to relapse 41 days"),
    Benchmark("Meta-analysis, Eur J Psychotraumatology 2024;15:2299124", "6 RCTs, n=221", "—",
              "pooled g=0.27 (95% CI 0.03-0.51); 0.20 after bias correction"),
)
