"""Tenant limits: ``--rate-limit reads=R,writes=W,period=S`` (off by default).

As Commvault's SaaS documents it, a tenant may make so many read and so many write calls
per period; past a budget the API answers 429 with ``Retry-After``, ``X-RateLimit-Limit``
and ``X-RateLimit-Period``. The emulator has one tenant. Each budget is a fixed window that
opens with the first call counted against it and closes ``period`` seconds later
(UNCERTAIN: Commvault does not say whether its window is fixed or sliding). Writes are the
endpoints marked ``writes`` in the endpoint table (they start or change jobs); every other
API call, Login included, is a read (UNCERTAIN: the SaaS may count by HTTP method). A
refused call is counted as rejected, not as used. Not thread-safe: the state lock guards it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from commvault_emulator.integers import as_int

READS = "reads"
WRITES = "writes"
KINDS = (READS, WRITES)


@dataclass(frozen=True)
class RateLimitPolicy:
    reads: int
    writes: int
    period_s: float

    def limit(self, kind: str) -> int:
        return self.reads if kind == READS else self.writes


def parse_rate_limit(text: str) -> RateLimitPolicy:
    """``reads=R,writes=W,period=S``; raises ``ValueError`` naming the part that is wrong."""
    values: dict[str, str] = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        key = key.strip().casefold()
        if not sep or key not in (READS, WRITES, "period"):
            raise ValueError(
                f"--rate-limit: {part.strip()!r} is not reads=N, writes=N or period=SECONDS"
            )
        values[key] = value.strip()
    missing = [k for k in (READS, WRITES, "period") if k not in values]
    if missing:
        raise ValueError(f"--rate-limit: {', '.join(missing)} missing (reads=R,writes=W,period=S)")
    return policy_from(values[READS], values[WRITES], values["period"], "--rate-limit: ")


def policy_from(reads: Any, writes: Any, period: Any, where: str = "") -> RateLimitPolicy:
    """A policy from its three values; raises ``ValueError`` naming a bad one."""
    counts = {}
    for key, raw in ((READS, reads), (WRITES, writes)):
        number = as_int(raw)
        if number is None or number < 0:
            raise ValueError(f"{where}{key} must be a whole number >= 0, not {raw!r}")
        counts[key] = number
    try:
        period_s = float(period)
    except (TypeError, ValueError):
        period_s = -1.0
    if isinstance(period, bool) or not math.isfinite(period_s) or period_s <= 0:
        raise ValueError(f"{where}period must be a number of seconds > 0, not {period!r}")
    return RateLimitPolicy(counts[READS], counts[WRITES], period_s)


@dataclass
class Budget:
    used: int = 0
    rejected: int = 0
    window_start: float | None = None


@dataclass(frozen=True)
class Refusal:
    """Why a call is refused: the headers of its 429."""

    limit: int
    period_s: float
    retry_after_s: int

    def headers(self) -> tuple[tuple[str, str], ...]:
        return (
            ("Retry-After", str(self.retry_after_s)),
            ("X-RateLimit-Limit", str(self.limit)),
            ("X-RateLimit-Period", f"{self.period_s:g}"),
        )


@dataclass
class RateLimiter:
    policy: RateLimitPolicy | None = None
    budgets: dict[str, Budget] = field(default_factory=lambda: {k: Budget() for k in KINDS})

    def reset(self) -> None:
        """Every counter to zero; the windows reopen with the next call."""
        self.budgets = {kind: Budget() for kind in KINDS}

    def take(self, kind: str, now: float) -> Refusal | None:
        """Count one call of ``kind``; a ``Refusal`` when its budget is spent."""
        if self.policy is None:
            return None
        budget = self.budgets[kind]
        period = self.policy.period_s
        if budget.window_start is None or now >= budget.window_start + period:
            budget.used, budget.window_start = 0, now
        limit = self.policy.limit(kind)
        if budget.used >= limit:
            budget.rejected += 1
            retry_after = max(1, math.ceil(budget.window_start + period - now))
            return Refusal(limit, period, retry_after)
        budget.used += 1
        return None

    def to_dict(self, now: float) -> dict[str, Any]:
        """The control plane's view: the policy and, per budget, used, rejected, resets_in."""
        policy = self.policy
        answer: dict[str, Any] = {
            "enabled": policy is not None,
            "period_seconds": policy.period_s if policy else None,
        }
        for kind in KINDS:
            budget = self.budgets[kind]
            open_window = (
                policy is not None
                and budget.window_start is not None
                and now < budget.window_start + policy.period_s
            )
            answer[kind] = {
                "limit": policy.limit(kind) if policy else None,
                "used": budget.used if open_window else 0,
                "rejected": budget.rejected,
                "resets_in": (
                    budget.window_start + policy.period_s - now
                    if open_window and policy is not None and budget.window_start is not None
                    else None
                ),
            }
        return answer
