"""Repeated Attempts back-off (Core Vol 3 Part H, 2.3.6).

After a failed pairing with a peer, a waiting interval must pass before another attempt with it
is allowed; each further failure doubles the interval (up to a cap). A success resets it. One
instance is shared by all connections of a host, keyed by peer address.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass


@dataclass
class _Record:
    failures: int
    blocked_until: float


class RepeatedAttempts:
    """Per-peer waiting intervals after failed pairings, doubled per failure up to ``max_interval``."""

    def __init__(self, initial_interval: float = 2.0, max_interval: float = 600.0) -> None:
        self.initial_interval = initial_interval
        self.max_interval = max_interval
        self._records: dict[Hashable, _Record] = {}

    def failed(self, peer: Hashable, now: float) -> float:
        """Record a failure; returns the waiting interval now in force."""
        record = self._records.get(peer)
        failures = 1 if record is None else record.failures + 1
        interval = min(self.initial_interval * 2 ** (failures - 1), self.max_interval)
        self._records[peer] = _Record(failures, now + interval)
        return interval

    def succeeded(self, peer: Hashable) -> None:
        self._records.pop(peer, None)

    def blocked(self, peer: Hashable, now: float) -> bool:
        record = self._records.get(peer)
        return record is not None and now < record.blocked_until

    def blocked_until(self, peer: Hashable) -> float | None:
        record = self._records.get(peer)
        return None if record is None else record.blocked_until
