"""Events the ATT server and client cores hand to the layer above (sans-I/O outputs)."""

from __future__ import annotations

from typing import Any

from aioble_hci.records import dataclass


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
    """ATT_MTU of the bearer is now `mtu` (Vol 3 Part F 3.4.2)."""

    connection: Any
    mtu: int


@dataclass(frozen=True, slots=True)
class SignCounterUpdated:
    """A signed write was accepted with `sign_counter`: persist it with the peer's CSRK."""

    connection: Any
    sign_counter: int


@dataclass(frozen=True, slots=True)
class TransactionTimedOut:
    """No response/confirmation within 30 s: the bearer is dead (Vol 3 Part F 3.3.3)."""

    connection: Any
    handle: int = 0


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
