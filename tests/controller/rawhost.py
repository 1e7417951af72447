"""A minimal test host that drives a VirtualController with raw HCI bytes built with struct.

Deliberately independent of aioble_hci.hci: the bytes here are written from the
Core spec (Vol 4 Part E, 5.4 and 7) so that the controller is checked against
the spec and not against the host's codec.
"""

from __future__ import annotations

import asyncio
import struct
from dataclasses import dataclass

from aioble_hci.controller.controller import VirtualController
from aioble_hci.hci.packets import PacketType

WAIT = 5.0  # seconds before a missing event fails the test (a guard, not a timing assertion)

COMMAND_COMPLETE = 0x0E
COMMAND_STATUS = 0x0F
LE_META = 0x3E


@dataclass
class Event:
    code: int
    params: bytes

    @property
    def subevent(self) -> int | None:
        return self.params[0] if self.code == LE_META else None


def command_packet(opcode: int, params: bytes = b"") -> bytes:
    return struct.pack("<HB", opcode, len(params)) + params


class RawHost:
    """Collects events and ACL from one controller; sends commands and waits for answers."""

    def __init__(self, controller: VirtualController) -> None:
        self.controller = controller
        self.events: list[Event] = []
        self.acl: list[tuple[int, int, bytes]] = []  # (handle, pb flag, data)
        self.raw_events: list[bytes] = []
        self._arrived = asyncio.Event()
        controller.attach(self._sink)

    def _sink(self, packet_type: PacketType, payload: bytes) -> None:
        if packet_type == PacketType.EVENT:
            self.raw_events.append(payload)
            self.events.append(Event(payload[0], payload[2:]))
        elif packet_type == PacketType.ACL:
            header, length = struct.unpack_from("<HH", payload)
            self.acl.append((header & 0x0FFF, header >> 12 & 0x3, payload[4:]))
        self._arrived.set()

    def send_raw(self, packet_type: PacketType, payload: bytes) -> None:
        self.controller.receive(packet_type, payload)

    async def wait_for(self, predicate, what: str = "event"):  # type: ignore[no-untyped-def]
        async def search():  # type: ignore[no-untyped-def]
            while True:
                for index, item in enumerate(self.events):
                    if predicate(item):
                        del self.events[index]
                        return item
                self._arrived.clear()
                await self._arrived.wait()

        try:
            return await asyncio.wait_for(search(), WAIT)
        except TimeoutError:
            raise AssertionError(f"no {what} arrived; pending events: {self.events}") from None

    async def event(self, code: int, subevent: int | None = None) -> bytes:
        """Parameters of the next event with this code (and LE subevent), without the subevent byte."""
        ev = await self.wait_for(
            lambda e: e.code == code and (subevent is None or e.subevent == subevent),
            f"event 0x{code:02x}/{subevent}",
        )
        return ev.params[1:] if subevent is not None else ev.params

    async def le_event(self, subevent: int) -> bytes:
        return await self.event(LE_META, subevent)

    def pending(self, code: int, subevent: int | None = None) -> list[bytes]:
        return [
            e.params[1:] if subevent is not None else e.params
            for e in self.events
            if e.code == code and (subevent is None or e.subevent == subevent)
        ]

    async def command_answer(self, opcode: int, params: bytes = b"") -> Event:
        """Send a command; return its Command Complete or Command Status event."""
        self.send_raw(PacketType.COMMAND, command_packet(opcode, params))

        def answers(e: Event) -> bool:
            if e.code == COMMAND_COMPLETE:
                return struct.unpack_from("<H", e.params, 1)[0] == opcode
            if e.code == COMMAND_STATUS:
                return struct.unpack_from("<H", e.params, 2)[0] == opcode
            return False

        return await self.wait_for(answers, f"answer to 0x{opcode:04x}")

    async def command(self, opcode: int, params: bytes = b"") -> bytes:
        """Return parameters of Command Complete (status first), or the status of Command Status."""
        answer = await self.command_answer(opcode, params)
        if answer.code == COMMAND_COMPLETE:
            return answer.params[3:]
        return answer.params[:1]

    async def ok(self, opcode: int, params: bytes = b"") -> bytes:
        result = await self.command(opcode, params)
        assert result[0] == 0, f"command 0x{opcode:04x} failed with status 0x{result[0]:02x}"
        return result[1:]

    # -- scenarios' building blocks ------------------------------------------------
    async def init(self, le_mask: int = 0xFFFFF, event_mask: int = 0x3FFFFFFFFFFFFFFF) -> None:
        await self.ok(0x0C03)
        await self.ok(0x0C01, struct.pack("<Q", event_mask))
        await self.ok(0x2001, struct.pack("<Q", le_mask))

    async def address(self) -> tuple[int, bytes]:
        public = await self.ok(0x1009)
        if public != bytes(6):
            return 0, public
        static = await self.ok(0xFC09)
        await self.ok(0x2005, static[1:7])
        return 1, static[1:7]

    async def advertise(self, adv_type: int = 0, data: bytes = b"", scan_response: bytes = b"", own: int = 0,
                        peer: tuple[int, bytes] = (0, bytes(6))) -> None:
        await self.ok(0x2006, struct.pack("<HHBBB6sBB", 0x20, 0x20, adv_type, own, peer[0], peer[1], 7, 0))
        await self.ok(0x2008, bytes((len(data),)) + data.ljust(31, b"\0"))
        await self.ok(0x2009, bytes((len(scan_response),)) + scan_response.ljust(31, b"\0"))
        await self.ok(0x200A, b"\x01")

    async def scan(self, active: bool = False, filter_duplicates: bool = True, own: int = 0) -> None:
        await self.ok(0x200B, struct.pack("<BHHBB", int(active), 0x10, 0x10, own, 0))
        await self.ok(0x200C, bytes((1, int(filter_duplicates))))

    def create_connection_params(self, peer: tuple[int, bytes], own: int = 0, interval: int = 24,
                                 timeout: int = 400) -> bytes:
        return struct.pack("<HHBB6sBHHHHHH", 0x10, 0x10, 0, peer[0], peer[1], own, interval, interval + 16, 0,
                           timeout, 0, 0)

    async def connect(self, peer: tuple[int, bytes], own: int = 0) -> int:
        """Create a connection and return its handle from LE Enhanced Connection Complete."""
        status = await self.command(0x200D, self.create_connection_params(peer, own))
        assert status == b"\x00"
        complete = await self.le_event(0x0A)
        assert complete[0] == 0, f"connection failed: 0x{complete[0]:02x}"
        return int(struct.unpack_from("<H", complete, 1)[0])

    async def accepted(self) -> int:
        """Handle of the next connection accepted as peripheral."""
        complete = await self.le_event(0x0A)
        assert complete[0] == 0 and complete[3] == 1
        return int(struct.unpack_from("<H", complete, 1)[0])

    def send_acl(self, handle: int, data: bytes, pb_flag: int = 0b00) -> None:
        self.send_raw(PacketType.ACL, struct.pack("<HH", handle | pb_flag << 12, len(data)) + data)

    async def receive_acl(self) -> tuple[int, int, bytes]:
        async def first():  # type: ignore[no-untyped-def]
            while not self.acl:
                self._arrived.clear()
                await self._arrived.wait()
            return self.acl.pop(0)

        try:
            return await asyncio.wait_for(first(), WAIT)  # type: ignore[no-any-return]
        except TimeoutError:
            raise AssertionError("no ACL data arrived") from None
