"""The root of every exception aioble_hci raises, split by who broke the rule (as h11 does).

`except AiobleHciError` catches anything the stack raises on purpose. Each concrete error also
derives from exactly one of two branches:

- `UsageError`: something on this side is wrong. The caller asked for what the API or the
  current state does not allow (an indication while one is pending, data too long for an
  advertisement, a bond that exists), or the local configuration or environment is wrong (a
  transport spec, a capture file that holds nothing to emulate). The fix is local.
- `RemoteProtocolError`: the other side broke a rule or stopped keeping it: a peer's malformed
  PDU, an Error Response, a failed pairing, a controller's failing status, silence past a
  protocol timeout, a lost link. Nothing the caller did was wrong.

Errors keep the builtin bases their callers catch them by (a decode error is still a
ValueError, a timeout still a TimeoutError). This module imports nothing, so the virtual
controller can derive from it and stay independent of hci/ and host/.
"""


class AiobleHciError(Exception):
    """Base of every exception aioble_hci defines."""


class UsageError(AiobleHciError):
    """Local misuse: the caller, its configuration or its environment asked for what is not allowed."""


class RemoteProtocolError(AiobleHciError):
    """The peer or the controller broke a protocol rule, refused, went silent or went away."""


__all__ = ["AiobleHciError", "RemoteProtocolError", "UsageError"]
