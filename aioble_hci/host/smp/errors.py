"""Errors the SMP bearer raises to callers of pair() and encrypt()."""

from __future__ import annotations

from aioble_hci.errors import RemoteProtocolError
from aioble_hci.hci.constants import StatusCode
from aioble_hci.smp.pdus import PairingFailedReason


class SmpError(RemoteProtocolError):
    """Base of the SMP bearer's errors."""


class PairingFailedError(SmpError):
    """Pairing ended with Pairing Failed (sent or received) or the 30 s SMP timeout."""

    def __init__(self, reason: PairingFailedReason, *, remote: bool = False, timed_out: bool = False) -> None:
        self.reason = reason
        self.remote = remote
        self.timed_out = timed_out
        who = "the peer" if remote else "we"
        detail = "SMP timeout" if timed_out else f"{who} sent Pairing Failed: {reason.name}"
        super().__init__(f"pairing failed ({detail})")


class EncryptionError(SmpError):
    """Encryption did not start: the controller or peer refused it (e.g. PIN or Key Missing)."""

    def __init__(self, status: int, message: str | None = None) -> None:
        self.status = StatusCode(status)
        super().__init__(message or f"encryption failed: {self.status.name} (0x{int(status):02x})")


class LinkLostError(SmpError):
    """The connection closed while pairing or encrypting (0x3D: MIC failure, keys mismatched)."""

    def __init__(self, reason: int | None) -> None:
        self.reason = None if reason is None else StatusCode(reason)
        name = "unknown reason" if self.reason is None else f"{self.reason.name} (0x{int(self.reason):02x})"
        hint = ": the peer's key differs from ours (stale bond?)" if reason == 0x3D else ""
        super().__init__(f"the connection closed: {name}{hint}")


class NoBondError(SmpError):
    """Encryption with a stored key was asked for, but no bond with that peer exists."""


class BondOverwriteError(SmpError):
    """A pairing distributed the identity of an existing bond and overwriting is not allowed (P11)."""


class BondDowngradeError(SmpError):
    """A pairing gave weaker keys than the peer's bond and downgrades are not allowed."""
