"""GAP settings: address policy, advertising/scanning choices, connection parameter limits.

Times are in the spec's units where the HCI commands use them (1.25 ms connection
intervals, 10 ms supervision timeouts) so the limits can be compared with what a
peer asks for without rounding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from aioble_hci.gap.privacy import DEFAULT_RPA_TIMEOUT


def duration_10ms(seconds: float) -> int:
    """A Duration parameter in 10 ms units, 0 (none) for 0 s, else clamped to 1..0xFFFF
    (LE Set Extended Advertising Enable and LE Set Extended Scan Enable, Vol 4 Part E, 7.8.56 and 7.8.65)."""
    return max(1, min(0xFFFF, round(seconds * 100))) if seconds > 0 else 0


class AddressMode(StrEnum):
    """Which address the device uses on air (Core Vol 3 Part C, 10.8 and Vol 6 Part B, 1.3)."""

    IDENTITY = "identity"  # public if the controller has one, else the static random address
    PUBLIC = "public"
    STATIC = "static"  # random static: the controller's (Zephyr) one, else generated and persisted
    NRPA = "nrpa"  # non-resolvable private, rotated
    RPA = "rpa"  # resolvable private from `irk`, rotated


@dataclass(frozen=True)
class ConnectionParameters:
    """Parameters for LE (Extended) Create Connection and LE Connection Update (Vol 4 Part E, 7.8.12).

    Defaults: a 30-50 ms interval, no latency, 4 s supervision timeout (NimBLE's defaults).
    """

    interval_min: int = 24  # x 1.25 ms = 30 ms
    interval_max: int = 40  # x 1.25 ms = 50 ms
    latency: int = 0
    supervision_timeout: int = 400  # x 10 ms = 4 s
    scan_interval: int = 0x0060  # x 0.625 ms, while initiating
    scan_window: int = 0x0060
    min_ce_length: int = 0
    max_ce_length: int = 0

    @classmethod
    def from_ms(cls, interval_min_ms: float, interval_max_ms: float | None = None, latency: int = 0,
                supervision_timeout_ms: float = 4000.0) -> ConnectionParameters:
        """Build from milliseconds (rounded to the spec units)."""
        imax = interval_min_ms if interval_max_ms is None else interval_max_ms
        return cls(round(interval_min_ms / 1.25), round(imax / 1.25), latency, round(supervision_timeout_ms / 10))


@dataclass(frozen=True)
class ParameterLimits:
    """What a central accepts when a peripheral asks for new connection parameters.

    Applied to the Remote Connection Parameter Request (Vol 4 Part E, 7.7.65.6) and to
    the L2CAP Connection Parameter Update Request (Vol 3 Part A, 4.20).
    """

    interval_min: int = 6  # 7.5 ms
    interval_max: int = 3200  # 4 s
    max_latency: int = 499
    timeout_min: int = 10  # 100 ms
    timeout_max: int = 3200  # 32 s


@dataclass(frozen=True)
class PeripheralPreferredParameters:
    """The PPCP characteristic value (Vol 3 Part C, 12.3); 0xFFFF means no preference."""

    interval_min: int = 0xFFFF
    interval_max: int = 0xFFFF
    latency: int = 0
    supervision_timeout: int = 0xFFFF

    def to_bytes(self) -> bytes:
        return b"".join(v.to_bytes(2, "little") for v in (self.interval_min, self.interval_max, self.latency,
                                                           self.supervision_timeout))


@dataclass
class GapConfig:
    """How the GAP bearer drives the controller.

    `force_legacy` uses only the legacy advertising, scanning and connection commands
    even when the controller has the extended ones (MicroPython/NimBLE behaviour).
    `static_address_path` is the JSON file keeping a generated random static address (None:
    the controller's Zephyr static address if it has one, else ``static_address.json`` beside
    the local IRK in the data directory; never a new address per start, Vol 6 Part B, 1.3.2.1).
    """

    force_legacy: bool = False
    address_mode: AddressMode = AddressMode.IDENTITY
    static_address_path: Path | None = None
    irk: bytes | None = None
    rpa_timeout: float = DEFAULT_RPA_TIMEOUT
    connection_parameters: ConnectionParameters = field(default_factory=ConnectionParameters)
    accept_parameters: ParameterLimits = field(default_factory=ParameterLimits)
    device_name: str = "aioble-hci"
    appearance: int = 0
    preferred_parameters: PeripheralPreferredParameters = field(default_factory=PeripheralPreferredParameters)
