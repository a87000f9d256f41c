"""The time one search may take: what runs out of it is reported in ``notes``, never waited for."""
from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass
class Budget:
    """The time one search may take; what ran out of it is reported, not waited for."""

    deadline: float
    exceeded: bool = False

    @classmethod
    def unlimited(cls) -> "Budget":
        return cls(float("inf"))

    @classmethod
    def of(cls, seconds: float) -> "Budget":
        return cls(time.monotonic() + seconds)

    def part(self, seconds: float) -> "Budget":
        """A budget of at most ``seconds`` that ends no later than this one (one search, one time limit)."""
        return Budget(min(self.deadline, time.monotonic() + seconds))

    def spent(self) -> bool:
        if not self.exceeded and time.monotonic() > self.deadline:
            self.exceeded = True
        return self.exceeded
