"""Exceptions of the ATT layer, carrying the ATT error code where there is one (Vol 3 Part F 3.4.1.1)."""

from __future__ import annotations

from aioble_hci.att.pdus import ErrorCode
from aioble_hci.errors import RemoteProtocolError, UsageError


class AttError(RemoteProtocolError):
    """An ATT error: from a peer's Error Response (client) or raised by a callback (server).

    Server-side read/write callbacks raise it to reject an access with `code`.
    """

    def __init__(self, code: int, handle: int = 0, message: str = "") -> None:
        self.code = ErrorCode(code)
        self.handle = handle
        text = f"ATT error {self.code.name} (0x{int(self.code):02X}) on handle 0x{handle:04X}"
        super().__init__(f"{text}: {message}" if message else text)


class AttTimeoutError(RemoteProtocolError, TimeoutError):
    """A transaction took longer than 30 s: the bearer is dead (Vol 3 Part F 3.3.3)."""


class BearerClosedError(RemoteProtocolError, RuntimeError):
    """The bearer timed out or was closed; no further ATT PDUs may be sent on it."""


class IndicationPendingError(UsageError, RuntimeError):
    """An indication is still waiting for its confirmation (Vol 3 Part F 3.4.7.2)."""


class IllegalTransitionError(UsageError, RuntimeError):
    """A core was asked for a state change its transition table does not allow (a local bug,
    never peer input: the cores check peer input before they change state)."""
