"""What the SMP session asks of the host and the application, and its results.

HCI requests: :class:`StartEncryption` (central) and :class:`ReplyLtk` (peripheral). Application
prompts: :class:`PasskeyDisplay`, :class:`PasskeyRequest`, :class:`NumericComparison`. Results:
:class:`PairingComplete` and :class:`PairingAborted`. Keys are on-air order (LSB-first), as HCI
LE Enable Encryption and LE Long Term Key Request Reply take them.
"""

from __future__ import annotations

from dataclasses import field

from aioble_hci.address import Address
from aioble_hci.records import dataclass
from aioble_hci.smp.methods import PairingMethod
from aioble_hci.smp.pdus import AuthReq, KeypressNotificationType, PairingFailedReason


@dataclass(frozen=True)
class DistributedKeys:
    """Keys one side handed over in phase 3 (Vol 3 Part H, 3.6.1). Absent keys are None."""

    ltk: bytes | None = None
    ediv: int = 0
    rand: bytes = bytes(8)
    irk: bytes | None = None
    identity_address: Address | None = None
    csrk: bytes | None = None


@dataclass(frozen=True)
class PairingKeys:
    """All keys of a finished pairing.

    ``ltk`` is the LE Secure Connections LTK (both sides hold it; EDIV and Rand are 0), None after
    legacy pairing, where each side's LTK is in ``local``/``peer`` with its EDIV and Rand.
    """

    ltk: bytes | None
    local: DistributedKeys = field(default_factory=DistributedKeys)
    peer: DistributedKeys = field(default_factory=DistributedKeys)


@dataclass(frozen=True)
class StartEncryption:
    """Central: run HCI LE Enable Encryption with this key (STK: ediv 0, rand zero)."""

    ltk: bytes
    ediv: int
    rand: bytes


@dataclass(frozen=True)
class ReplyLtk:
    """Peripheral: answer the LE Long Term Key Request; ``ltk`` None means Negative Reply."""

    ltk: bytes | None


@dataclass(frozen=True)
class PasskeyDisplay:
    """Show this six-digit passkey to the user (Vol 3 Part H, 2.3.5.3)."""

    passkey: int


@dataclass(frozen=True)
class PasskeyRequest:
    """Ask the user to type the passkey; answer with ``SmpSession.passkey_reply``."""


@dataclass(frozen=True)
class NumericComparison:
    """Ask the user whether both sides show this number; answer ``numeric_comparison_reply``."""

    value: int


@dataclass(frozen=True)
class PeerKeypress:
    """The peer sent a Keypress Notification (informational only)."""

    notification_type: KeypressNotificationType | int


@dataclass(frozen=True)
class SecurityRequested:
    """Central: the peripheral sent a Security Request; encrypt with a bond's LTK or pair."""

    auth_req: AuthReq


@dataclass(frozen=True)
class PairingComplete:
    """Pairing succeeded: the keys, the method used and the security they give."""

    keys: PairingKeys
    method: PairingMethod
    authenticated: bool
    sc: bool
    key_size: int
    bonded: bool


@dataclass(frozen=True)
class PairingAborted:
    """The pairing procedure stopped without keys (Vol 3 Part H, 3.5.5: "the pairing procedure
    has been stopped"). ``remote`` when the peer sent the Pairing Failed PDU, ``timed_out`` when
    the 30 s SMP timeout ran out (3.4, no PDU at all); otherwise we sent Pairing Failed.

    Named apart from the :class:`aioble_hci.smp.pdus.PairingFailed` PDU: the PDU is one of the
    three ways a pairing ends like this, and one name must mean one thing.
    """

    reason: PairingFailedReason
    remote: bool = False
    timed_out: bool = False


SmpEvent = (
    StartEncryption
    | ReplyLtk
    | PasskeyDisplay
    | PasskeyRequest
    | NumericComparison
    | PeerKeypress
    | SecurityRequested
    | PairingComplete
    | PairingAborted
)
"""Everything :meth:`SmpSession.take_events` returns."""

