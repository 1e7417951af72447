"""Events the ATT server and client cores hand to the layer above (sans-I/O outputs).

`ServerEvent` and `ClientEvent` are the unions each side's `take_events()` gives; `AttEvent` is
what one bearer (att/bearer.py) gives. The two kinds both sides produce, `MtuChanged` and
`TransactionTimedOut`, say which side with `role`.
"""

from __future__ import annotations

import enum
from typing import Any, TypeAlias

from aioble_hci.records import dataclass


class Role(enum.Enum):
    """The side of the bearer an event comes from (Vol 3 Part F 3.3: client and server roles)."""

    SERVER = "server"
    CLIENT = "client"


@dataclass(frozen=True, slots=True)
class Written:
    """A peer wrote `value` to `handle` (Write Request/Command, Signed Write or Execute Write)."""

    connection: Any
    handle: int
    value: bytes


@dataclass(frozen=True, slots=True)
class SubscriptionChanged:
    """A peer wrote the CCCD of the characteristic whose value is at `value_handle`."""

    connection: Any
    value_handle: int
    cccd_handle: int
    notify: bool
    indicate: bool


@dataclass(frozen=True, slots=True)
class IndicationConfirmed:
    """The peer confirmed our indication of `handle` (Vol 3 Part F 3.4.7.3)."""

    connection: Any
    handle: int


@dataclass(frozen=True, slots=True)
class ChangeAware:
    """The client is now change-aware of the server's database (Vol 3 Part G 2.5.2.1): it read
    the Database Hash or confirmed a Service Changed indication; persist this for a bonded peer."""

    connection: Any


@dataclass(frozen=True, slots=True)
class MtuChanged:
    """ATT_MTU of the bearer is now `mtu` (Vol 3 Part F 3.4.2): the peer's exchange (SERVER)
    or ours (CLIENT)."""

    connection: Any
    mtu: int
    role: Role


@dataclass(frozen=True, slots=True)
class SignCounterUpdated:
    """A signed write was accepted with `sign_counter`: persist it with the peer's CSRK."""

    connection: Any
    sign_counter: int


@dataclass(frozen=True, slots=True)
class TransactionTimedOut:
    """No response (CLIENT) or confirmation of the indication of `handle` (SERVER; 0 for the
    client) within 30 s: the bearer is dead (Vol 3 Part F 3.3.3)."""

    connection: Any
    handle: int
    role: Role


@dataclass(frozen=True, slots=True)
class NotificationReceived:
    """Client side: a Handle Value Notification (or one tuple of a multiple notification)."""

    handle: int
    value: bytes


@dataclass(frozen=True, slots=True)
class IndicationReceived:
    """Client side: a Handle Value Indication; the client has already queued the confirmation."""

    handle: int
    value: bytes


@dataclass(frozen=True, slots=True)
class ServiceChangedReceived:
    """Client side: the server's Service Changed indication names a range to rediscover."""

    start_handle: int
    end_handle: int


@dataclass(frozen=True, slots=True)
class ProcedureFinished:
    """Client side: a GATT procedure finished (check `procedure.error` / `procedure.result`)."""

    procedure: Any


ServerEvent: TypeAlias = (
    Written | SubscriptionChanged | IndicationConfirmed | ChangeAware | MtuChanged | SignCounterUpdated
    | TransactionTimedOut
)
"""What `AttServer.take_events()` gives."""

ClientEvent: TypeAlias = (
    NotificationReceived | IndicationReceived | ServiceChangedReceived | ProcedureFinished | MtuChanged
    | TransactionTimedOut
)
"""What `AttClient.take_events()` gives."""

AttEvent: TypeAlias = ServerEvent | ClientEvent
"""What one ATT bearer's `take_events()` gives."""

SERVER_ONLY = (Written, SubscriptionChanged, IndicationConfirmed, ChangeAware, SignCounterUpdated)


def role_of(event: AttEvent) -> Role:
    """The side of the bearer `event` comes from."""
    if isinstance(event, (MtuChanged, TransactionTimedOut)):
        return event.role
    return Role.SERVER if isinstance(event, SERVER_ONLY) else Role.CLIENT
