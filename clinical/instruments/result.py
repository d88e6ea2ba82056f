"""The outcome of scoring one set of answers, and its JSON form."""

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TypeAlias

from clinical.instruments.model import Flag, Output, RiskLevel

JsonValue: TypeAlias = None | bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"]
SubscaleValue: TypeAlias = int | float | None


@dataclass(frozen=True)
class ProvisionalDiagnosis:
    """PCL-5 provisional PTSD, by DSM rule and by cut-point, never merged (CLINICAL.md s4).

    Each is True/False when the missing answers cannot change it, else None.
    """

    dsm_rule: bool | None
    cutpoint: bool | None
    cutpoint_used: int

    def as_dict(self) -> dict[str, JsonValue]:
        """Return the JSON form: both verdicts; the cut-point used stays on the object."""
        return {"dsm_rule": self.dsm_rule, "cutpoint": self.cutpoint}


@dataclass(frozen=True)
class ScoreResult:
    """Scores of one completed or partial questionnaire."""

    instrument: str
    complete: bool
    total: int | None
    total_mean: float | None
    subscales: Mapping[str, SubscaleValue]
    band: str | None
    flags: tuple[Flag, ...]
    answers: tuple[int | None, ...]
    missing: tuple[str, ...] = ()
    outputs: tuple[Output, ...] = ()
    provisional_diagnosis: ProvisionalDiagnosis | None = None
    diagnosis: bool | None = None
    risk_level: RiskLevel | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "subscales", MappingProxyType(dict(self.subscales)))

    def as_dict(self) -> dict[str, JsonValue]:
        """Return the JSON shape printed by `ketacare score` (see docs/instruments.md)."""
        out: dict[str, JsonValue] = {
            "instrument": self.instrument,
            "complete": self.complete,
            "total": self.total,
            "total_mean": self.total_mean,
            "subscales": dict(self.subscales),
            "band": self.band,
            "flags": [flag.value for flag in self.flags],
        }
        for key in self.outputs:
            out[key.value] = self._output(key)
        return out

    def _output(self, key: Output) -> JsonValue:
        if key is Output.PROVISIONAL_DIAGNOSIS:
            pd = self.provisional_diagnosis
            return None if pd is None else pd.as_dict()
        if key is Output.DIAGNOSIS:
            return self.diagnosis
        return None if self.risk_level is None else self.risk_level.label
