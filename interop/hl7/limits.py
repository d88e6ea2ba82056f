"""The listener's limits (settings with defaults) and the per-connection rate: a token bucket."""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class Limits:
    """How much the listener accepts; every value has a setting (KETACARE_HL7_*) and a default."""

    max_connections: int = 200
    idle_timeout_s: float = 300.0
    rate_per_s: float = 2000.0  # per connection; a burst of one second's worth is allowed
    batch_max: int = 200
    batch_wait_ms: float = 2.0

    @classmethod
    def from_settings(cls, **overrides: Any) -> "Limits":
        values = {
            "max_connections": settings.KETACARE_HL7_MAX_CONNECTIONS,
            "idle_timeout_s": settings.KETACARE_HL7_IDLE_TIMEOUT_S,
            "rate_per_s": settings.KETACARE_HL7_RATE_PER_S,
            "batch_max": settings.KETACARE_HL7_BATCH_MAX,
            "batch_wait_ms": settings.KETACARE_HL7_BATCH_WAIT_MS,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        limits = cls(**values)
        if limits.max_connections < 1 or limits.rate_per_s <= 0 or limits.batch_max < 1 or limits.idle_timeout_s <= 0:
            raise ValueError("HL7 listener limits must be positive")
        return limits


@dataclass
class TokenBucket:
    """`rate` tokens a second up to `burst`; `take(now)` spends one, `wait_s(now)` says how long until the next."""

    rate: float
    burst: float
    tokens: float = field(default=-1.0)
    at: float = 0.0

    def _fill(self, now: float) -> None:
        if self.tokens < 0:
            self.tokens, self.at = self.burst, now
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now

    def take(self, now: float) -> bool:
        self._fill(now)
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def wait_s(self, now: float) -> float:
        self._fill(now)
        return max(0.0, (1 - self.tokens) / self.rate)
