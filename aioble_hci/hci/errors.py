"""Errors raised by the HCI codecs."""

from __future__ import annotations

from aioble_hci.errors import RemoteProtocolError


class HciDecodeError(RemoteProtocolError, ValueError):
    """Bytes that do not form the packet they claim to be (truncated, over-long, inconsistent).

    The message names the packet (event, command or ACL handle) so a log line
    says what was dropped and why.
    """
