"""The host: one controller driven over a transport, on its own thread (see docs/architecture.md)."""

from aioble_hci.host.errors import (
    ControllerLostError,
    ControllerResetError,
    HciCommandError,
    HciError,
    HciTimeoutError,
)

__all__ = ["ControllerLostError", "ControllerResetError", "HciCommandError", "HciError", "HciTimeoutError"]
