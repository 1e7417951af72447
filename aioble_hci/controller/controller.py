"""A software LE controller that speaks HCI bytes (Core Vol 4 Part E).

`receive(packet_type, payload)` takes a packet from the host, from any thread;
everything else runs on the air's loop. Controller-to-host packets go to the
sink given to `attach`, called on the air's loop. Commands are answered by the
procedures in the sibling modules, through the table in dispatch.py.
"""

from __future__ import annotations

import logging
import os
import struct
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aioble_hci.address import Address, AddressType
from aioble_hci.controller import connections, dispatch
from aioble_hci.controller import events as ev
from aioble_hci.controller.advertising import Advertising
from aioble_hci.controller.constants import ACL_BUFFERS as ACL_BUFFERS  # re-exported
from aioble_hci.controller.constants import ACL_DATA_LENGTH as ACL_DATA_LENGTH
from aioble_hci.controller.constants import (
    DEFAULT_EVENT_MASK,
    DEFAULT_LE_EVENT_MASK,
    PHY_1M,
    Ev,
    LeSub,
)
from aioble_hci.controller.privacy import Privacy
from aioble_hci.controller.scanning import Scanner
from aioble_hci.hci.packets import PacketType

if TYPE_CHECKING:
    from aioble_hci.controller.air import AdvertisingPdu, Air
    from aioble_hci.controller.link import Connection

log = logging.getLogger(__name__)

ControllerSink = Callable[[PacketType, bytes], None]

MAX_CONNECTIONS = 32
NUM_COMMAND_PACKETS = 1

# Event masks: which bit of which mask gates an event (Vol 4 Part E, 7.3.1, 7.3.69).
_PAGE1_BIT: dict[int, int] = {
    Ev.DISCONNECTION_COMPLETE: 4,
    Ev.ENCRYPTION_CHANGE: 7,
    Ev.READ_REMOTE_VERSION_INFORMATION_COMPLETE: 11,
    Ev.HARDWARE_ERROR: 15,
    Ev.DATA_BUFFER_OVERFLOW: 25,
    Ev.ENCRYPTION_KEY_REFRESH_COMPLETE: 47,
    Ev.LE_META: 61,
}
_PAGE2_BIT: dict[int, int] = {Ev.ENCRYPTION_CHANGE_V2: 25}

_ACL_HEADER = struct.Struct("<HH")  # handle + flags, data length (Vol 4 Part E, 5.4.2)
_ONE_HANDLE_COMPLETED = struct.Struct("<BHH")  # Number Of Completed Packets for one handle (7.7.19)


def random_static_address() -> bytes:
    """A fresh random static address: two top bits set (Vol 6 Part B, 1.3.2.1)."""
    value = bytearray(os.urandom(6))
    value[5] |= 0xC0
    return bytes(value)


class VirtualController:
    """An LE controller on an Air. `address` is a public or random static Address (random when None).

    Construct it on the air's loop (or before that loop runs); afterwards only
    `receive` and `power_off` may be called from other threads.
    """

    def __init__(self, air: Air, address: Address | None = None) -> None:
        self.air = air
        self.loop = air.loop
        self.public_address = bytes(6)
        self.static_address = random_static_address()
        if address is not None:
            if address.is_public:
                self.public_address = address.value
            elif address.is_static:
                self.static_address = address.value
            else:
                raise ValueError(f"a controller's own address is public or random static, not {address!r}")
        self._sink: ControllerSink | None = None
        self._inbox: deque[tuple[int, bytes]] = deque()
        self._drain_scheduled = False
        self._corrupt: tuple[Callable[[bytes], bytes] | None, int | None] | None = None
        self.powered = True
        self.connections: dict[int, Connection] = {}
        self.advertising = Advertising(self)
        self.scanner = Scanner(self)
        self.initiator = connections.Initiator(self)
        self.privacy = Privacy(self)
        self._reset_state()
        air.add(self)

    def _reset_state(self) -> None:
        self.event_mask = DEFAULT_EVENT_MASK
        self.event_mask_page_2 = 0
        self.le_event_mask = DEFAULT_LE_EVENT_MASK
        self.random_address: bytes | None = None
        self.acl_in_use = 0
        self.suggested_tx_octets = 27
        self.suggested_tx_time = 328
        self.default_phys = (PHY_1M, PHY_1M)

    def reset(self) -> None:
        """HCI_Reset (Vol 4 Part E, 7.3.2): stop everything, drop links, back to defaults."""
        self.advertising.reset()
        self.scanner.reset()
        self.initiator.reset()
        self.privacy.reset()
        for conn in list(self.connections.values()):
            if conn.link is not None:
                conn.link.lose(vanished=self)
        self.connections.clear()
        self._reset_state()

    # -- host side ----------------------------------------------------------
    def attach(self, sink: ControllerSink | None) -> None:
        """Say where controller-to-host packets go (called on the air's loop)."""
        self._sink = sink

    def receive(self, packet_type: PacketType | int, payload: bytes) -> None:
        """Take one packet from the host; thread-safe, handled on the air's loop.

        Packets wait in an inbox that one scheduled call drains, so a burst from the host costs
        one hop to the air's loop, not one per packet. The flag is cleared before draining: a
        packet added while a drain runs is either taken by it or by the drain it schedules.
        """
        self._inbox.append((int(packet_type), bytes(payload)))
        if not self._drain_scheduled:
            self._drain_scheduled = True
            self.air.call(self._drain_inbox)

    def _drain_inbox(self) -> None:
        self._drain_scheduled = False
        self.air.run_batch(self._process_inbox)

    def _process_inbox(self) -> None:
        inbox, process = self._inbox, self.process
        while inbox:
            process(*inbox.popleft())

    def power_off(self) -> None:
        """The controller vanishes from the air (thread-safe): its peers see a supervision timeout."""
        self.air.call(self.vanish)

    def vanish(self) -> None:
        """power_off, on the air's loop."""
        if not self.powered:
            return
        self.powered = False
        self.advertising.reset()
        self.scanner.reset()
        self.initiator.reset()
        self.air.remove(self)
        self._sink = None

    def process(self, packet_type: int, payload: bytes) -> None:
        """receive, on the air's loop: handle one packet from the host now."""
        if not self.powered:
            return
        try:
            if packet_type == PacketType.COMMAND:
                dispatch.dispatch(self, payload)
            elif packet_type == PacketType.ACL:
                connections.acl_from_host(self, payload)
            else:
                log.warning("controller: ignoring packet type 0x%02x from host", packet_type)
        except Exception:  # never let a host's bytes take the air down
            log.exception("controller: failed to handle a packet from the host")

    # -- to the host ----------------------------------------------------------
    def _to_host(self, packet_type: PacketType, payload: bytes) -> None:
        if self._sink is not None:
            self._sink(packet_type, payload)

    def send_event(self, code: int, params: bytes) -> None:
        """Send an event unless the host masked it out."""
        bit = _PAGE1_BIT.get(code)  # IntEnum keys: a plain int finds them
        if bit is not None and not self.event_mask >> bit & 1:
            return
        bit2 = _PAGE2_BIT.get(code)
        if bit2 is not None and not self.event_mask_page_2 >> bit2 & 1:
            return
        packet = bytes((code, len(params))) + params
        if self._corrupt is not None and self._corrupt[1] in (None, code):
            mutate = self._corrupt[0] or (lambda p: p[:-1])
            self._corrupt = None
            packet = mutate(packet)
        self._to_host(PacketType.EVENT, packet)

    def le_event_enabled(self, subevent: int) -> bool:
        return bool(self.event_mask >> 61 & 1) and bool(self.le_event_mask >> (subevent - 1) & 1)

    def send_le_event(self, subevent: LeSub, params: bytes) -> None:
        if self.le_event_enabled(subevent):
            self.send_event(Ev.LE_META, bytes((subevent,)) + params)

    def command_complete(self, opcode: int, return_parameters: bytes) -> None:
        self.send_event(Ev.COMMAND_COMPLETE, ev.command_complete(NUM_COMMAND_PACKETS, opcode, return_parameters))

    @property
    def supported_commands(self) -> bytes:
        """The Supported_Commands bitmask of exactly the commands the dispatcher handles (Vol 4 Part E, 6.27)."""
        return dispatch.SUPPORTED_COMMANDS

    def command_status(self, status: int, opcode: int) -> None:
        self.send_event(Ev.COMMAND_STATUS, ev.command_status(status, NUM_COMMAND_PACKETS, opcode))

    def soon(self, func: Callable[..., Any], *args: Any) -> None:
        """Run after the current command's Command Status/Complete has gone out."""
        self.loop.call_soon(func, *args)

    def hardware_error(self, code: int = 0x00) -> None:
        """Fault injection (thread-safe): report a Hardware Error (Vol 4 Part E, 7.7.16), as a
        controller whose firmware failed does; it keeps its state until the host resets it."""
        self.air.call(self.send_event, Ev.HARDWARE_ERROR, bytes((code,)))

    def corrupt_next_event(self, mutate: Callable[[bytes], bytes] | None, event_code: int | None) -> None:
        self._corrupt = (mutate, event_code)

    # -- addresses ------------------------------------------------------------
    def identity(self) -> tuple[int, bytes]:
        """The controller's identity address: public if it has one, else its static address."""
        if self.public_address != bytes(6):
            return AddressType.PUBLIC, self.public_address
        return AddressType.RANDOM, self.static_address

    def own_address(self, own_address_type: int, random_address: bytes | None = None) -> tuple[int, bytes] | None:
        """The address used on air for Own_Address_Type; None when the random address is unset."""
        if own_address_type in (0x00, 0x02):
            return AddressType.PUBLIC, self.public_address
        chosen = random_address if random_address is not None else self.random_address
        if chosen is None:
            return None
        return AddressType.RANDOM, chosen

    def is_own_address(self, address_type: int, address: bytes) -> bool:
        if address_type & 1 == AddressType.PUBLIC:
            return address == self.public_address and address != bytes(6)
        return address in (self.random_address, self.static_address) or self.advertising.uses_address(address)

    # -- the air side ----------------------------------------------------------
    def on_advertising_pdu(self, pdu: AdvertisingPdu) -> None:
        if not self.powered:
            return
        self.scanner.on_pdu(pdu)
        self.initiator.on_pdu(pdu)

    def new_handle(self) -> int | None:
        if len(self.connections) >= MAX_CONNECTIONS:
            return None
        handle = 0
        while handle in self.connections:
            handle += 1
        return handle

    def packets_completed(self, handle: int, count: int) -> None:
        """ACL packets from this host have gone over the air: return the buffers (7.7.19)."""
        self.acl_in_use = max(0, self.acl_in_use - count)
        self.send_event(Ev.NUMBER_OF_COMPLETED_PACKETS, _ONE_HANDLE_COMPLETED.pack(1, handle, count))

    def acl_from_air(self, handle: int, pb_flag: int, data: bytes) -> None:
        if self._sink is not None:
            self._sink(PacketType.ACL, _ACL_HEADER.pack((handle & 0x0FFF) | (pb_flag << 12), len(data)) + data)

    def forget_connection(self, conn: Connection) -> None:
        """Drop a connection without telling the host (this controller vanished)."""
        conn.open = False
        self.acl_in_use = max(0, self.acl_in_use - len(conn.tx))
        conn.tx.clear()
        if self.connections.get(conn.handle) is conn:
            del self.connections[conn.handle]

    def connection_closed(self, conn: Connection, reason: int) -> None:
        """The link ended: free its buffers and tell the host (Disconnection Complete, 7.7.5)."""
        if not conn.open or not self.powered:
            return
        self.forget_connection(conn)
        self.send_event(Ev.DISCONNECTION_COMPLETE, ev.disconnection_complete(0, conn.handle, reason))

    def __repr__(self) -> str:
        kind, addr = self.identity()
        return f"<VirtualController {Address(addr, AddressType(kind))}>"
