"""C-SSRS screener: six yes/no questions with skip logic (CLINICAL.md s4, s5)."""

from clinical.instruments.model import (
    YES_NO,
    EnableWhen,
    Flag,
    Instrument,
    InstrumentCodes,
    Item,
    Output,
    RiskLevel,
    RiskRule,
    TotalRule,
    local_code,
    loinc,
)

_IF_Q2_YES = (EnableWhen("cssrs-2", 1),)

# Ask 1 and 2; if 2 is yes ask 3, 4, 5; 6 always; "within 3 months" only when
# 6 is yes (CLINICAL.md s4). LOINC item codes in that order (CLINICAL.md s5).
_ITEMS = (
    Item("cssrs-1", "Wish to be dead", YES_NO, loinc("93246-7", "C-SSRS Q1")),
    Item("cssrs-2", "Thoughts of suicide", YES_NO, loinc("93247-5", "C-SSRS Q2")),
    Item("cssrs-3", "Thought about a method", YES_NO, loinc("93248-3", "C-SSRS Q3"), enable_when=_IF_Q2_YES),
    Item("cssrs-4", "Some intent to act", YES_NO, loinc("93249-1", "C-SSRS Q4"), enable_when=_IF_Q2_YES),
    Item("cssrs-5", "Plan with intent", YES_NO, loinc("93250-9", "C-SSRS Q5"), enable_when=_IF_Q2_YES),
    Item("cssrs-6", "Suicidal behaviour ever", YES_NO, loinc("93267-3", "C-SSRS Q6")),
    Item(
        "cssrs-6-recent",
        "Behaviour within 3 months",
        YES_NO,
        loinc("93269-9", "C-SSRS Q6 within 3 months"),
        enable_when=(EnableWhen("cssrs-6", 1),),
    ),
)

# low = 1 or 2 only; moderate = 3, or 6 longer ago than 3 months; high = 4 or 5,
# or 6 within 3 months (CLINICAL.md s4). Q6 yes alone is "longer ago" (moderate);
# Q6-recent yes lifts it to high. Flag suicide_risk at moderate or high.
_RISK = RiskRule(
    level_if_yes={
        "cssrs-1": RiskLevel.LOW,
        "cssrs-2": RiskLevel.LOW,
        "cssrs-3": RiskLevel.MODERATE,
        "cssrs-4": RiskLevel.HIGH,
        "cssrs-5": RiskLevel.HIGH,
        "cssrs-6": RiskLevel.MODERATE,
        "cssrs-6-recent": RiskLevel.HIGH,
    },
    flag_at=RiskLevel.MODERATE,
    flag=Flag.SUICIDE_RISK,
)

CSSRS = Instrument(
    id="cssrs",
    name="Columbia-Suicide Severity Rating Scale, screener (C-SSRS)",
    version="1",
    source="CLINICAL.md s4 (C-SSRS screener row); C-SSRS screen version triage guide",
    items=_ITEMS,
    codes=InstrumentCodes(
        panel=local_code("cssrs-screener", "C-SSRS screener panel"),
        risk_level=loinc("93374-7", "C-SSRS risk level"),
    ),
    total_rule=TotalRule.NONE,
    risk_rule=_RISK,
    outputs=(Output.RISK_LEVEL,),
    notes="Input: 1/0 for Q1..Q6 then Q6-within-3-months; blank (None) where skipped.",
)
