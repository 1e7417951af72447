"""Two SMP sessions wired back to back, with a stand-in controller and user for each side."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aioble_hci.address import Address
from aioble_hci.smp.config import LocalIdentity, SecurityConfig
from aioble_hci.smp.events import (
    NumericComparison,
    PairingAborted,
    PairingComplete,
    PasskeyDisplay,
    PasskeyRequest,
    ReplyLtk,
    SmpEvent,
    StartEncryption,
)
from aioble_hci.smp.session import SmpSession

CENTRAL_ADDRESS = Address.parse("c0:11:22:33:44:55/random")
PERIPHERAL_ADDRESS = Address.parse("00:1b:dc:01:02:03/public")
CENTRAL_IDENTITY = LocalIdentity(bytes(range(16)), Address.parse("c0:11:22:33:44:55/random"))
PERIPHERAL_IDENTITY = LocalIdentity(bytes(range(16, 32)), Address.parse("00:1b:dc:01:02:03/public"))


@dataclass
class Side:
    name: str
    session: SmpSession
    events: list[SmpEvent] = field(default_factory=list)
    sent: list[bytes] = field(default_factory=list)
    displayed: int | None = None
    passkey_requested: bool = False
    comparison: int | None = None

    def of(self, kind: type) -> list[Any]:
        return [event for event in self.events if isinstance(event, kind)]

    @property
    def complete(self) -> PairingComplete | None:
        found = self.of(PairingComplete)
        return found[-1] if found else None

    @property
    def failed(self) -> PairingAborted | None:
        found = self.of(PairingAborted)
        return found[-1] if found else None


class Link:
    """Delivers each side's PDUs to the other and plays controller and user.

    ``typed_passkey`` is what a user types when both sides input; ``mistype`` turns the passkey
    the other side shows into what the user types instead; ``accept_comparison`` is the users'
    answer to Numeric Comparison; ``tamper`` is the misbehaving peer (see the attribute).
    """

    def __init__(
        self,
        central: SecurityConfig | None = None,
        peripheral: SecurityConfig | None = None,
        *,
        typed_passkey: int = 123456,
        mistype: Callable[[int], int] | None = None,
        accept_comparison: bool = True,
        tamper: Callable[[Side, bytes], bytes | None] | None = None,
        central_kwargs: dict[str, Any] | None = None,
        peripheral_kwargs: dict[str, Any] | None = None,
    ) -> None:
        self.now = 0.0
        self.central = Side(
            "central",
            SmpSession(
                central=True,
                local_address=CENTRAL_ADDRESS,
                peer_address=PERIPHERAL_ADDRESS,
                config=central or SecurityConfig(identity=CENTRAL_IDENTITY),
                **(central_kwargs or {}),
            ),
        )
        self.peripheral = Side(
            "peripheral",
            SmpSession(
                central=False,
                local_address=PERIPHERAL_ADDRESS,
                peer_address=CENTRAL_ADDRESS,
                config=peripheral or SecurityConfig(identity=PERIPHERAL_IDENTITY),
                **(peripheral_kwargs or {}),
            ),
        )
        self.typed_passkey = typed_passkey
        self.mistype = mistype
        self.accept_comparison = accept_comparison
        self._queue: deque[tuple[Side, bytes]] = deque()
        self.encrypted = False
        self.tamper = tamper
        """Rewrites (or drops, returning None) each PDU a side sends: the misbehaving peer."""

    def other(self, side: Side) -> Side:
        return self.peripheral if side is self.central else self.central

    def take(self, side: Side) -> None:
        """Drain what the side's session queued: its PDUs go to the other side, then its events."""
        pdus = side.session.data_to_send()
        events = side.session.take_events()
        side.sent += pdus
        side.events += events
        for pdu in pdus:
            delivered = self.tamper(side, pdu) if self.tamper else pdu
            if delivered is not None:
                self._queue.append((self.other(side), delivered))
        for event in events:
            if isinstance(event, PasskeyDisplay):
                side.displayed = event.passkey
            elif isinstance(event, PasskeyRequest):
                side.passkey_requested = True
            elif isinstance(event, NumericComparison):
                side.comparison = event.value
            elif isinstance(event, StartEncryption):
                self._encrypt(event)

    def _encrypt(self, start: StartEncryption) -> None:
        self.peripheral.session.long_term_key_request(start.ediv, start.rand, self.now)
        self.take(self.peripheral)
        reply = self.peripheral.of(ReplyLtk)[-1]
        ok = reply.ltk is not None and reply.ltk == start.ltk
        self.encrypted = ok
        self.peripheral.session.encryption_changed(ok, self.now)
        self.take(self.peripheral)
        self.central.session.encryption_changed(ok, self.now)
        self.take(self.central)

    def pair(self) -> Link:
        self.central.session.pair(self.now)
        self.take(self.central)
        return self.run()

    def run(self) -> Link:
        while True:
            while self._queue:
                side, pdu = self._queue.popleft()
                side.session.receive(pdu, self.now)
                self.take(side)
            if not self._answer_users():
                return self

    def _answer_users(self) -> bool:
        for side in (self.central, self.peripheral):
            if side.passkey_requested:
                shown = self.other(side).displayed
                if shown is None:
                    passkey = self.typed_passkey
                else:
                    passkey = self.mistype(shown) if self.mistype else shown
                side.passkey_requested = False
                side.session.passkey_reply(passkey, self.now)
                self.take(side)
                return True
        c, p = self.central, self.peripheral
        if c.comparison is not None and p.comparison is not None:
            assert c.comparison == p.comparison
            c.comparison = p.comparison = None
            c.session.numeric_comparison_reply(self.accept_comparison, self.now)
            self.take(c)
            p.session.numeric_comparison_reply(self.accept_comparison, self.now)
            self.take(p)
            return True
        return False


@dataclass
class Output:
    """What one command queued: PDUs (sent first), then events."""

    pdus: list[bytes]
    events: list[SmpEvent]


def drained(session: SmpSession) -> Output:
    """Everything the session queued since the last drain (the core contract's two queues)."""
    return Output(session.data_to_send(), session.take_events())


def run(command: Callable[..., None], *args: Any) -> Output:
    """Call one bound command of a session and return exactly what that call queued."""
    session = command.__self__  # type: ignore[attr-defined]
    assert isinstance(session, SmpSession)
    drained(session)  # nothing queued before leaks into this call's output
    command(*args)
    return drained(session)
