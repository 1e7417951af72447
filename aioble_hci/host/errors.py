"""Exceptions the host raises to its callers."""

from __future__ import annotations

from typing import Any

from aioble_hci.errors import RemoteProtocolError


def _command_label(command: Any) -> str:
    name = getattr(command, "name", None)
    opcode = getattr(command, "OPCODE", getattr(command, "opcode", None))
    if name is None:
        name = type(command).__name__
    return f"{name} (0x{opcode:04x})" if isinstance(opcode, int) else str(name)


class HciError(RemoteProtocolError):
    """Base of the host's HCI errors."""


class HciCommandError(HciError):
    """The controller answered a command with a failing status (Vol 1 Part F)."""

    def __init__(self, status: Any, command: Any) -> None:
        self.status = status
        self.command = command
        name = getattr(status, "name", None) or f"0x{int(status):02x}"
        super().__init__(f"{_command_label(command)} failed: {name} (0x{int(status):02x})")


class HciTimeoutError(HciError, TimeoutError):
    """The controller did not answer a command in time."""

    def __init__(self, command: Any, timeout: float, waiting_for_credit: bool = False) -> None:
        self.command = command
        self.timeout = timeout
        self.waiting_for_credit = waiting_for_credit
        what = ("never sent: no command credit from the controller (Num_HCI_Command_Packets stayed 0)"
                if waiting_for_credit else "no answer from the controller")
        super().__init__(f"{_command_label(command)}: {what} within {timeout:g} s")


class ControllerLostError(HciError, ConnectionError):
    """The controller went away (port closed, USB unplugged, socket EOF) or the host closed."""


class ControllerResetError(HciError):
    """The host reset the controller (after an H4 desync) while this operation was pending."""
