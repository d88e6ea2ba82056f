"""Instrument definitions as data: items, subscales, bands, flags, codes.

Scoring (scoring.py) reads these structures and holds no per-instrument
numbers of its own. Every number here comes from CLINICAL.md section 4 (rules)
or section 5 (codes).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

LOINC = "http://loinc.org"
LOCAL_SYSTEM = "https://ketacare.example/fhir/CodeSystem/instruments"


class Aggregate(enum.StrEnum):
    """How a subscale combines its items."""

    SUM = "sum"
    MEAN = "mean"


class TotalRule(enum.StrEnum):
    """How the instrument's total is formed."""

    SUM = "sum"  # sum of the scored items, None unless all are answered
    NONE = "none"  # no total exists (C-SSRS screener: CLINICAL.md s4 "total: -")


class Flag(enum.StrEnum):
    """Alerts a score can raise."""

    SUICIDE_RISK = "suicide_risk"


class RiskLevel(enum.IntEnum):
    """C-SSRS screener risk level, ordered so that max() gives the worst."""

    NONE = 0
    LOW = 1
    MODERATE = 2
    HIGH = 3

    @property
    def label(self) -> str:
        """Return the lower-case name used in JSON output."""
        return self.name.lower()


class Output(enum.StrEnum):
    """Extra keys an instrument adds to its result (see result.as_dict)."""

    PROVISIONAL_DIAGNOSIS = "provisional_diagnosis"
    DIAGNOSIS = "diagnosis"
    RISK_LEVEL = "risk_level"


@dataclass(frozen=True)
class Coding:
    """A coded concept: maps one to one onto a FHIR Coding."""

    system: str
    code: str
    display: str


@dataclass(frozen=True)
class ResponseOption:
    """One allowed answer: the stored value and the project's own short label."""

    value: int
    label: str


@dataclass(frozen=True)
class EnableWhen:
    """Skip logic: the item is asked only when `item_id` was answered `answer`."""

    item_id: str
    answer: int


@dataclass(frozen=True)
class Item:
    """One question: `id` doubles as the FHIR linkId; `label` is our own words."""

    id: str
    label: str
    options: tuple[ResponseOption, ...]
    code: Coding | None = None
    scored: bool = True  # False: recorded, never summed (PHQ-9 item 10)
    required: bool = True  # False: may be left blank without making it incomplete
    enable_when: tuple[EnableWhen, ...] = ()

    @property
    def min_value(self) -> int:
        """Return the lowest allowed answer."""
        return min(o.value for o in self.options)

    @property
    def max_value(self) -> int:
        """Return the highest allowed answer."""
        return max(o.value for o in self.options)


@dataclass(frozen=True)
class Subscale:
    """A named group of items combined by sum or by mean."""

    id: str
    label: str
    item_ids: tuple[str, ...]
    aggregate: Aggregate


@dataclass(frozen=True)
class Band:
    """An inclusive total range with its severity label."""

    low: int
    high: int
    label: str


@dataclass(frozen=True)
class ItemFlag:
    """Raise `flag` when item `item_id` is at least `at_least`, whatever the total."""

    item_id: str
    at_least: int
    flag: Flag


@dataclass(frozen=True)
class ClusterRule:
    """DSM-5 cluster rule: per subscale, how many items must reach `endorsed_at`.

    `also_yes` lists yes/no items that must be yes (CAPS-5 criteria F and G).
    """

    endorsed_at: int
    minimum_per_subscale: Mapping[str, int]
    also_yes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RiskRule:
    """Risk level as the worst level among items answered yes (C-SSRS screener)."""

    level_if_yes: Mapping[str, RiskLevel]
    flag_at: RiskLevel
    flag: Flag


@dataclass(frozen=True)
class InstrumentCodes:
    """Codes for the instrument as a whole and for its total score."""

    panel: Coding
    total: Coding | None = None
    risk_level: Coding | None = None


@dataclass(frozen=True)
class Instrument:
    """A questionnaire or rating scale, fully described as data."""

    id: str
    name: str
    version: str
    source: str
    items: tuple[Item, ...]
    codes: InstrumentCodes
    total_rule: TotalRule = TotalRule.SUM
    subscales: tuple[Subscale, ...] = ()
    bands: tuple[Band, ...] = ()
    item_flags: tuple[ItemFlag, ...] = ()
    cluster_rule: ClusterRule | None = None
    risk_rule: RiskRule | None = None
    outputs: tuple[Output, ...] = ()
    notes: str = ""
    _index: Mapping[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {it.id: i for i, it in enumerate(self.items)})

    def position(self, item_id: str) -> int:
        """Return the 0-based position of an item in the value list."""
        return self._index[item_id]

    @property
    def scored_items(self) -> tuple[Item, ...]:
        """Return the items that count towards the total."""
        return tuple(it for it in self.items if it.scored)

    @property
    def accepted_counts(self) -> tuple[int, ...]:
        """Return the value-list lengths accepted: all items, or without trailing optional ones."""
        n = len(self.items)
        while n > 0 and not self.items[n - 1].required:
            n -= 1
        return tuple(sorted({n, len(self.items)}))

    @property
    def total_range(self) -> tuple[int, int] | None:
        """Return the lowest and highest possible total, or None without a total."""
        if self.total_rule is TotalRule.NONE:
            return None
        items = self.scored_items
        return sum(it.min_value for it in items), sum(it.max_value for it in items)


def scale(labels: tuple[str, ...], start: int = 0) -> tuple[ResponseOption, ...]:
    """Build consecutive integer options starting at `start` with the given labels."""
    return tuple(ResponseOption(start + i, label) for i, label in enumerate(labels))


YES_NO = (ResponseOption(0, "no"), ResponseOption(1, "yes"))


def local_code(code: str, display: str) -> Coding:
    """Return a code in the project's local instrument code system (CLINICAL.md s5)."""
    return Coding(LOCAL_SYSTEM, code, display)


def loinc(code: str, display: str) -> Coding:
    """Return a LOINC code (CLINICAL.md s5)."""
    return Coding(LOINC, code, display)
