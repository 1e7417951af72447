"""One LE connection as the lower tester sees it: raw PDUs out, raw PDUs and link events in.

Nothing of our own ATT, SMP or L2CAP cores runs on a tester link: every PDU the IUT sends lands
in the link's inbox and every PDU the tester sends goes out exactly as given (typed PDUs are
encoded with the stack's codecs; bytes go out unchanged, so invalid PDUs are possible). Each PDU
and link event is logged with its time, for the case's report.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aioble_hci.hci import commands as cmd
from aioble_hci.host.connection import Connection
from aioble_hci.host.host import Host
from aioble_hci.l2cap import pdus as l2

from .describe import ATT_CID, SIGNALING_CID, SMP_CID, channel_name, decode, describe
from .verdicts import CaseFailed

TO_IUT = "LT→IUT"
FROM_IUT = "IUT→LT"

Pattern = bytes | type | Callable[[bytes], bool] | None
"""What `expect` accepts: a byte prefix, a PDU class (decoded with the channel's codec), or a predicate."""


@dataclass(frozen=True)
class Exchange:
    """One PDU or link event of a case, for the report."""

    time: float  # time.monotonic() of the send or receipt
    direction: str  # TO_IUT, FROM_IUT, or "link" for events
    channel: str
    data: bytes
    summary: str


@dataclass(frozen=True)
class LinkEvent:
    """Disconnection, encryption change, key refresh, connection update, LTK request."""

    kind: str
    detail: dict[str, Any] = field(default_factory=dict)


def matches(pattern: Pattern, cid: int, data: bytes) -> bool:
    if pattern is None:
        return True
    if isinstance(pattern, bytes):
        return data.startswith(pattern)
    if isinstance(pattern, type):
        try:
            return isinstance(decode(cid, data), pattern)
        except Exception:
            return False
    return bool(pattern(data))


class TesterLink:
    """A connection to the IUT. Use on the host loop (cases run there)."""

    def __init__(self, host: Host, conn: Connection, timeout: float = 2.0) -> None:
        self.host = host
        self.conn = conn
        self.timeout = timeout
        self.exchanges: list[Exchange] = []
        self.events: list[LinkEvent] = []
        self.ltk: bytes | None = None  # LE order: answers the IUT's LTK request when we are peripheral
        self._inbox: list[tuple[int, bytes]] = []
        self._seen = 0  # events already handed out by wait_event
        self._changed = asyncio.Event()
        self._identifier = 0

    # --- state ------------------------------------------------------------------------------

    @property
    def handle(self) -> int:
        return self.conn.handle

    @property
    def connected(self) -> bool:
        return self.conn.connected and not any(e.kind == "disconnected" for e in self.events)

    def _log(self, direction: str, channel: str, data: bytes, summary: str) -> None:
        self.exchanges.append(Exchange(time.monotonic(), direction, channel, data, summary))

    def _wake(self) -> None:
        self._changed.set()

    # --- from the tester's host --------------------------------------------------------------

    def receive(self, cid: int, payload: bytes) -> None:
        self._log(FROM_IUT, channel_name(cid), bytes(payload), describe(cid, payload))
        self._inbox.append((cid, bytes(payload)))
        self._wake()

    def event(self, kind: str, **detail: Any) -> None:
        self._log("link", kind, b"", ", ".join(f"{k}={v}" for k, v in detail.items()))
        self.events.append(LinkEvent(kind, detail))
        self._wake()

    # --- sending ------------------------------------------------------------------------------

    def send(self, cid: int, pdu: Any) -> bytes:
        """Send one PDU on `cid`: bytes as they are, or a typed ATT/SMP PDU (encoded with our codecs)."""
        data = _encode(pdu)
        self._log(TO_IUT, channel_name(cid), data, describe(cid, data))
        self.host.send_l2cap(self.handle, cid, data)
        return data

    def send_att(self, pdu: Any) -> bytes:
        return self.send(ATT_CID, pdu)

    def send_smp(self, pdu: Any) -> bytes:
        return self.send(SMP_CID, pdu)

    def next_identifier(self) -> int:
        self._identifier = self._identifier % 255 + 1
        return self._identifier

    def send_signal(self, command: Any, identifier: int | None = None) -> int:
        """Send an LE signalling command (a dataclass from l2cap.pdus, or its whole bytes); returns its identifier."""
        if isinstance(command, bytes | bytearray):
            self.send(SIGNALING_CID, bytes(command))
            return command[1] if len(command) > 1 else 0
        ident = self.next_identifier() if identifier is None else identifier
        self.send(SIGNALING_CID, l2.encode_command(ident, command))
        return ident

    def send_frame(self, frame: bytes) -> None:
        """Send a whole L2CAP basic frame, header included (for wrong length fields)."""
        cid = frame[2] | frame[3] << 8 if len(frame) >= 4 else 0
        self._log(TO_IUT, channel_name(cid), frame[4:], f"raw frame {frame.hex()}")
        self.host.send_l2cap_frame(self.handle, frame)

    # --- expecting ----------------------------------------------------------------------------

    async def _until(self, ready: Callable[[], Any], timeout: float, what: str) -> Any:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            found = ready()
            if found is not None:
                return found
            if not self.connected:
                reason = next(e.detail.get("reason") for e in self.events if e.kind == "disconnected")
                raise CaseFailed(f"the link dropped (reason 0x{reason:02X}) while waiting for {what}")
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise CaseFailed(f"no {what} from the IUT within {timeout:g} s")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except TimeoutError:
                pass

    def _take(self, cid: int, pattern: Pattern) -> bytes | None:
        for i, (c, data) in enumerate(self._inbox):
            if c == cid and matches(pattern, cid, data):
                del self._inbox[i]
                return data
        return None

    async def expect(self, cid: int, pattern: Pattern = None, timeout: float | None = None,
                     what: str | None = None) -> bytes:
        """The first PDU on `cid` matching `pattern` (others stay in the inbox); a case failure when
        none comes within `timeout` seconds."""
        label = what or f"{channel_name(cid)} PDU" + (f" matching {_pattern_name(pattern)}" if pattern else "")
        result: bytes = await self._until(lambda: self._take(cid, pattern), self.timeout if timeout is None else timeout,
                                          label)
        return result

    async def expect_att(self, pattern: Pattern = None, timeout: float | None = None) -> Any:
        """The next ATT PDU (decoded) matching `pattern`; server-initiated PDUs stay queued unless asked for."""
        if pattern is None:
            pattern = _att_answer
        return decode(ATT_CID, await self.expect(ATT_CID, pattern, timeout))

    async def att_request(self, pdu: Any, timeout: float | None = None) -> Any:
        """Send an ATT request and return the IUT's answer (a response or an Error Response), decoded."""
        self.send_att(pdu)
        data = await self.expect(ATT_CID, _att_answer, timeout, what="ATT response")
        try:
            return decode(ATT_CID, data)
        except Exception as exc:
            raise CaseFailed(f"the IUT's ATT answer {data.hex()} does not decode: {exc}") from None

    async def expect_smp(self, pattern: Pattern = None, timeout: float | None = None) -> Any:
        data = await self.expect(SMP_CID, pattern, timeout)
        try:
            return decode(SMP_CID, data)
        except Exception as exc:
            raise CaseFailed(f"the IUT's SMP PDU {data.hex()} does not decode: {exc}") from None

    async def expect_signal(self, code: int | None = None, identifier: int | None = None,
                            timeout: float | None = None) -> l2.RawCommand:
        """The next signalling command with `code` (and `identifier`), split into header and data."""

        def wanted(data: bytes) -> bool:
            return len(data) >= 4 and (code is None or data[0] == code) and (identifier is None or data[1] == identifier)

        name = l2.SignalingCode(code).name if code is not None and code in l2.SignalingCode._value2member_map_ \
            else "signalling command"
        data = await self.expect(SIGNALING_CID, wanted, timeout, what=name)
        try:
            return l2.split_command(data)
        except l2.L2capDecodeError as exc:
            raise CaseFailed(f"the IUT's {name} is malformed: {exc}") from None

    async def expect_silence(self, cid: int, duration: float = 0.3, pattern: Pattern = None) -> None:
        """Fail if a PDU (matching `pattern`) arrives on `cid` within `duration` seconds."""
        try:
            data = await self._until(lambda: self._take(cid, pattern), duration, "silence")
        except CaseFailed as exc:
            if "within" in str(exc):
                return
            raise
        raise CaseFailed(f"the IUT sent {describe(cid, data)} where it must stay silent")

    def pending(self, cid: int) -> list[bytes]:
        """What the IUT sent on `cid` that no expect has taken yet (left in place)."""
        return [data for c, data in self._inbox if c == cid]

    def take_all(self, cid: int, pattern: Pattern = None) -> list[bytes]:
        """Remove and return every queued PDU on `cid` matching `pattern`."""
        taken = [data for c, data in self._inbox if c == cid and matches(pattern, cid, data)]
        self._inbox = [(c, d) for c, d in self._inbox if not (c == cid and matches(pattern, cid, d))]
        return taken

    async def wait_event(self, kind: str, timeout: float | None = None,
                         predicate: Callable[[LinkEvent], bool] | None = None) -> LinkEvent:
        """The next link event of `kind` not yet returned (disconnection ends the wait only when asked for)."""

        def ready() -> LinkEvent | None:
            for i in range(self._seen, len(self.events)):
                event = self.events[i]
                if event.kind == kind and (predicate is None or predicate(event)):
                    self._seen = i + 1
                    return event
            return None

        limit = self.timeout if timeout is None else timeout
        if kind == "disconnected":
            deadline = asyncio.get_running_loop().time() + limit
            while (found := ready()) is None:
                left = deadline - asyncio.get_running_loop().time()
                if left <= 0:
                    raise CaseFailed(f"the IUT did not disconnect within {limit:g} s")
                self._changed.clear()
                try:
                    await asyncio.wait_for(self._changed.wait(), left)
                except TimeoutError:
                    pass
            return found
        result: LinkEvent = await self._until(ready, limit, kind.replace("-", " "))
        return result

    # --- link control ---------------------------------------------------------------------------

    async def start_encryption(self, ltk: bytes, ediv: int = 0, rand: bytes = bytes(8),
                               timeout: float | None = None) -> LinkEvent:
        """As central: HCI LE Enable Encryption with `ltk` (LE order); returns the encryption event."""
        self._log(TO_IUT, "HCI", ltk, f"LE Enable Encryption ediv={ediv} rand={rand.hex()}")
        await self.host.send_command(cmd.LeEnableEncryption(
            connection_handle=self.handle, random_number=rand, encrypted_diversifier=ediv, long_term_key=ltk))
        return await self.wait_event("encryption", timeout)

    async def disconnect(self, reason: int = 0x13) -> None:
        gap = self.host.gap
        if self.connected and gap is not None:
            try:
                await gap.disconnect(self.conn, reason, timeout=5.0)
            except Exception:  # already gone
                pass


def _encode(pdu: Any) -> bytes:
    if isinstance(pdu, bytes | bytearray | memoryview):
        return bytes(pdu)
    if hasattr(pdu, "encode"):
        return bytes(pdu.encode())
    if hasattr(pdu, "to_bytes"):
        return bytes(pdu.to_bytes())
    raise TypeError(f"cannot encode {pdu!r}: give bytes or a PDU from att/smp/l2cap pdus")


_SERVER_INITIATED = (0x1B, 0x1D, 0x23)


def _att_answer(data: bytes) -> bool:
    """A response or Error Response (odd opcodes, Vol 3 Part F 3.4.8), not a request, command,
    notification or indication the IUT sent on its own."""
    return bool(data) and data[0] & 1 == 1 and data[0] not in _SERVER_INITIATED


def _pattern_name(pattern: Pattern) -> str:
    if isinstance(pattern, bytes):
        return pattern.hex()
    if isinstance(pattern, type):
        return pattern.__name__
    return getattr(pattern, "__name__", "a predicate")
