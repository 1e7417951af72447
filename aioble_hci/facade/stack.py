"""The state behind one ``bluetooth.BLE``: activation, configuration, connections and IRQ dispatch.

Lives on the host loop (see `runtime` for the threading contract). IRQ handlers
are called inline, on the host thread, one event at a time, with copied data;
whatever they call back into runs at once on the same thread.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import sys
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aioble_hci.address import Address, AddressType
from aioble_hci.facade.irq import Irq
from aioble_hci.facade.runtime import Pending, Runtime
from aioble_hci.gap import privacy
from aioble_hci.hci import commands as cmd
from aioble_hci.hci import events as ev
from aioble_hci.hci.constants import StatusCode
from aioble_hci.host.connection import Connection
from aioble_hci.host.errors import HciError
from aioble_hci.host.host import Host
from aioble_hci.host.l2cap import L2capBearer, attach_l2cap
from aioble_hci.host.smp.link import LOCAL_ADDRESS_KEY

log = logging.getLogger(__name__)

IrqHandler = Callable[[int, tuple[Any, ...]], Any]

DEFAULT_MTU = 256  # NimBLE's preferred ATT MTU in MicroPython builds
DEFAULT_RXBUF = 256
ADDR_MODE_PUBLIC, ADDR_MODE_RANDOM, ADDR_MODE_RPA, ADDR_MODE_NRPA = 0, 1, 2, 3
SEC_TYPE_OUR_IRK = 10  # MicroPython's secret type for our own IRK (NimBLE), key b"irk"
IRK_KEY = b"irk"
ROTATION_RETRY = 1.0  # seconds: a rotation due while initiating a connection is tried again after this

AddressSetter = Callable[[Address], Awaitable[bool]]


def address_bytes(address: Address) -> bytes:
    """MicroPython's address form: display order (most significant octet first)."""
    return bytes(reversed(address.value))


def address_type(address: Address) -> int:
    """0 public, 1 random (identity types reported by address resolution fold onto these)."""
    return int(address.type) & 1


@dataclass
class Settings:
    """What ``config()`` sets; survives ``active(False)``."""

    gap_name: bytes = b"MPY NIMBLE"
    mtu: int = DEFAULT_MTU
    rxbuf: int = DEFAULT_RXBUF
    addr_mode: int | None = None
    bond: bool = False  # MicroPython's NimBLE builds with BLE_SM_BONDING 0: gap_pair does not bond unless config(bond=True)
    mitm: bool = False
    le_secure: bool = True
    io: int = 3
    rpa_timeout: float = privacy.DEFAULT_RPA_TIMEOUT  # seconds between private address changes (modes 2, 3)


@dataclass
class LinkState:
    """One connection as the low-level API sees it."""

    handle: int
    central: bool  # we are the central (IRQ 7/8) or the peripheral (IRQ 1/2)
    peer: Address
    extra: dict[str, Any] = field(default_factory=dict)  # per-bearer state (gatt, l2cap)

    @property
    def peer_tuple(self) -> tuple[int, bytes]:
        return address_type(self.peer), address_bytes(self.peer)


class LowLevelStack:
    """Everything ``bluetooth.BLE`` does, on the host loop. Bearer glue registers through `listeners`."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        runtime.stack = self
        self.settings = Settings()
        self.active = False
        self.handler: IrqHandler | None = None
        self.links: dict[int, LinkState] = {}
        self.own_address: Address | None = None
        self._static: Address | None = None
        self.local_irk: bytes | None = None
        self.rotation: privacy.PrivateAddressRotation | None = None
        self._rotation_timer: asyncio.TimerHandle | None = None
        self.set_random_address: AddressSetter = self._set_random_address
        """How a new random address reaches the controller (GAP pauses advertising/scanning around it)."""
        self._subscribed = False
        self.l2cap: L2capBearer | None = None
        self.on_activate: list[Callable[[], None]] = []
        self.on_deactivate: list[Callable[[], None]] = []
        self.on_reinit: list[Callable[[], None]] = []
        self.security_of: Callable[[Any], Any] | None = None  # connection -> SMP SecurityState
        self.peer_bonded: Callable[[Any], bool] | None = None  # connection -> an LTK is stored for the peer
        self.on_link_up_pre: list[Callable[[Any], None]] = []  # every LE Connection Complete, before IRQs
        self.on_link_up: list[Callable[[LinkState], None]] = []
        self.on_link_down: list[Callable[[LinkState, int], None]] = []
        self.on_event_hooks: list[tuple[type, Callable[[Any], None]]] = []

    @property
    def host(self) -> Host:
        host = self.runtime.host
        if host is None or not self.active:
            raise OSError(errno.ENODEV, "BLE is not active")
        return host

    def connection(self, conn_handle: int) -> Connection:
        """The host's connection behind `conn_handle`; OSError ENOTCONN when there is none."""
        host = self.runtime.host
        connection = None if host is None else host.connections.get(conn_handle)
        if connection is None:
            raise OSError(errno.ENOTCONN, "not connected")
        return connection

    # --- IRQ delivery ----------------------------------------------------------

    def irq(self, event: int, data: tuple[Any, ...] = ()) -> Any:
        """Call the application's handler (host thread); returns its result, None when inactive."""
        handler = self.handler
        if not self.active or handler is None:
            return None
        try:
            return handler(int(event), data)
        except Exception:  # MicroPython prints it and switches the handler off; the host thread lives on
            if self.handler is handler:
                self.handler = None  # no more IRQs until the application calls irq() again
            report_irq_exception()
            return None

    # --- activation ------------------------------------------------------------

    def activate(self) -> Pending | None:
        """Host loop: subscribe to the host's events (once) and program our own address."""
        host = self.runtime.host
        assert host is not None
        if not self._subscribed:
            self._subscribed = True
            # The L2CAP bearer subscribes first: its links exist before our connect IRQs, and its
            # channels close (IRQ 24) before our disconnect IRQs.
            self.l2cap = attach_l2cap(host)
            host.on_reinitialised(self._reinitialised)
            host.on_event(ev.LeConnectionComplete, self._on_connection_complete)
            host.on_event(ev.LeEnhancedConnectionComplete, self._on_connection_complete)
            host.on_event(ev.DisconnectionComplete, self._on_disconnection)
            host.on_event(ev.LeConnectionUpdateComplete, self._on_connection_update)
            for event_class, event_callback in self.on_event_hooks:
                host.on_event(event_class, event_callback)
        if self.active:
            return None
        self.active = True
        self._load_local_irk()
        for hook in list(self.on_activate):
            try:
                hook()
            except Exception:
                log.exception("activation hook %r failed", hook)
        return Pending(self.runtime.ops.submit(self._program_address))

    async def _program_address(self) -> None:
        host = self.runtime.host
        assert host is not None
        info = host.controller_info
        mode = self.settings.addr_mode
        if mode is None:
            mode = ADDR_MODE_PUBLIC if info.has_public_address else ADDR_MODE_RANDOM
        self._stop_rotation()
        if mode == ADDR_MODE_PUBLIC:
            if not info.has_public_address:
                raise OSError(errno.EINVAL, "this controller has no public address; use addr_mode=1")
            assert info.bd_addr is not None
            self.own_address = info.bd_addr
            return
        if mode == ADDR_MODE_RANDOM:
            address = self.identity_address
        else:
            # Resolvable (from our IRK) or non-resolvable private address, renewed every rpa_timeout
            # (Vol 3 Part C, 10.7.1 and Appendix A TGAP(private_addr_int); Vol 6 Part B, 1.3.2).
            irk = self.our_irk() if mode == ADDR_MODE_RPA else None
            self.rotation = privacy.PrivateAddressRotation(irk, self.settings.rpa_timeout)
            address = self.rotation.rotate(asyncio.get_running_loop().time())
            self._arm_rotation(self.settings.rpa_timeout)
        if not await self.set_random_address(address):
            raise OSError(errno.EBUSY, "cannot change the address while a connection is being made")
        self.own_address = address

    @property
    def identity_address(self) -> Address:
        """Our identity: the public address, else a static random one kept for the whole process."""
        host = self.runtime.host
        info = None if host is None else host.controller_info
        if info is not None and info.has_public_address and self.settings.addr_mode in (None, 0, 2, 3):
            assert info.bd_addr is not None
            return info.bd_addr
        if self._static is None:
            self._static = (info.static_address if info is not None else None) or privacy.generate_static_address()
        return self._static

    def our_irk(self) -> bytes:
        if self.local_irk is None:
            self.local_irk = os.urandom(16)
        return self.local_irk

    def _load_local_irk(self) -> None:
        """Our IRK from the application's secrets (GET_SECRET 10 b"irk"), else a new one handed to SET_SECRET.

        As MicroPython's NimBLE binding does at each start, so RPAs stay resolvable by bonded
        peers across restarts (Vol 3 Part H, 2.4.2.1).
        """
        stored = self.irq(Irq.GET_SECRET, (SEC_TYPE_OUR_IRK, 0, IRK_KEY))
        try:
            irk = None if stored is None else bytes(stored)
        except TypeError:
            irk = None
        if irk is not None and len(irk) == 16:
            self.local_irk = irk
            return
        if irk is not None:
            log.warning("stored IRK has %d octets, not 16: making a new one", len(irk))
        self.irq(Irq.SET_SECRET, (SEC_TYPE_OUR_IRK, IRK_KEY, self.our_irk()))

    # --- private address rotation ---------------------------------------------------

    def _arm_rotation(self, delay: float) -> None:
        if self._rotation_timer is not None:
            self._rotation_timer.cancel()
        self._rotation_timer = asyncio.get_running_loop().call_later(delay, self._rotation_due)

    def _stop_rotation(self) -> None:
        if self._rotation_timer is not None:
            self._rotation_timer.cancel()
            self._rotation_timer = None
        self.rotation = None

    def _rotation_due(self) -> None:
        self._rotation_timer = None
        if self.active and self.rotation is not None:
            self.runtime.ops.submit(self.rotate_address)

    async def rotate_address(self) -> Address | None:
        """Give the controller a fresh private address now (modes 2 and 3); None when not rotating."""
        rotation = self.rotation
        if not self.active or rotation is None:
            return None
        address = rotation.rotate(asyncio.get_running_loop().time())
        try:
            applied = await self.set_random_address(address)
        except HciError as exc:
            log.info("private address change failed (%s); trying again later", exc)
            applied = False
        if not applied:
            self._arm_rotation(ROTATION_RETRY)
            return None
        self.own_address = address
        log.debug("own private address is now %s", address)
        self._arm_rotation(rotation.timeout)
        return address

    async def _set_random_address(self, address: Address) -> bool:
        await self.host.send_command(cmd.LeSetRandomAddress(random_address=address))
        return True

    def _reinitialised(self, reason: str) -> None:
        """The host reset the controller (hardware error): put our address and activity back."""
        log.info("controller re-initialised (%s): restoring address, advertising and scanning", reason)
        if not self.active:
            return
        self.runtime.ops.submit(self._program_address)
        for hook in list(self.on_reinit):
            try:
                hook()
            except Exception:
                log.exception("re-initialisation hook %r failed", hook)

    @property
    def own_address_type(self) -> int:
        """Own_Address_Type for advertising, scanning and initiating (Vol 4 Part E, 7.8.5)."""
        return 0 if self.own_address is None or self.own_address.is_public else 1

    def deactivate(self) -> Pending | None:
        """Host loop: stop delivering events at once, then tear down the radio's activity."""
        if not self.active:
            return None
        self.active = False
        self._stop_rotation()
        for callback in list(self.on_deactivate):
            try:
                callback()
            except Exception:
                log.exception("deactivation hook %r failed", callback)
        return Pending(self.runtime.ops.submit(self._teardown))

    async def _teardown(self) -> None:
        host = self.runtime.host
        if host is None:
            return
        for command in (cmd.LeSetAdvertisingEnable(advertising_enable=0), cmd.LeSetScanEnable(le_scan_enable=0),
                        cmd.LeCreateConnectionCancel()):
            try:
                await host.send_command(command)
            except HciError:
                pass  # nothing of that kind was running
        waits = []
        for handle, conn in list(host.connections.items()):
            try:
                await host.send_command(cmd.Disconnect(connection_handle=handle))
                waits.append(conn.closed.wait())
            except HciError:
                log.debug("disconnect 0x%03x on deactivation failed", handle)
        if waits:
            try:
                await asyncio.wait_for(asyncio.gather(*waits), 2.0)
            except TimeoutError:
                log.info("links still up 2 s after active(False)")
        self.links.clear()

    # --- connections -------------------------------------------------------------

    def _on_connection_complete(self, event: Any) -> None:
        for callback in list(self.on_link_up_pre):
            callback(event)
        if event.status != StatusCode.SUCCESS:
            return
        link = LinkState(event.connection_handle, central=event.role == 0, peer=event.peer_address)
        if not self.active:
            return
        host = self.runtime.host
        connection = None if host is None else host.connections.get(link.handle)
        if connection is not None and self.own_address is not None:
            # The address we used on air for this link (SMP's pairing inputs, Vol 3 Part H, 2.2.5-2.2.8).
            connection.data.setdefault(LOCAL_ADDRESS_KEY, self.own_address)
        self.links[link.handle] = link
        for callback in list(self.on_link_up):
            callback(link)
        code = Irq.PERIPHERAL_CONNECT if link.central else Irq.CENTRAL_CONNECT
        self.irq(code, (link.handle, *link.peer_tuple))

    def _on_connection_update(self, event: Any) -> None:
        """CONNECTION_UPDATE (27) in either role, as the NimBLE binding raises it for
        BLE_GAP_EVENT_CONN_UPDATE: the link's parameters now in force (interval in 1.25 ms units,
        latency, supervision timeout in 10 ms units) and status 0, or 1 when the update failed
        (Vol 4 Part E, 7.7.65.3: the old parameters stay)."""
        if event.connection_handle not in self.links:
            return
        host = self.runtime.host
        connection = None if host is None else host.connections.get(event.connection_handle)
        if connection is None:
            return
        failed = event.status != StatusCode.SUCCESS
        self.irq(Irq.CONNECTION_UPDATE, (connection.handle, connection.interval, connection.latency,
                                         connection.supervision_timeout, 1 if failed else 0))

    def _on_disconnection(self, event: Any) -> None:
        if event.status != StatusCode.SUCCESS:
            return
        link = self.links.pop(event.connection_handle, None)
        if link is None:
            return
        for callback in list(self.on_link_down):
            try:
                callback(link, int(event.reason))
            except Exception:
                log.exception("link-down hook %r failed", callback)
        code = Irq.PERIPHERAL_DISCONNECT if link.central else Irq.CENTRAL_DISCONNECT
        self.irq(code, (link.handle, *link.peer_tuple))


def report_irq_exception() -> None:
    """What MicroPython's modbluetooth.c does with an exception escaping the IRQ handler: print
    ``Unhandled exception in IRQ callback handler`` and the traceback on the console (stdout,
    where a board's console shows both), in one write so no other line lands inside it; the
    caller has already switched the handler off. Also logged at debug level."""
    _, exc, tb = sys.exc_info()
    assert exc is not None
    # From the handler's frame down, as MicroPython shows it (not our dispatching frame).
    frames = tb.tb_next if tb is not None and tb.tb_next is not None else tb
    text = "Unhandled exception in IRQ callback handler\n" + "".join(
        traceback.format_exception(type(exc), exc, frames))
    try:
        print(text, end="", flush=True)  # under `aioble-hci run`, the whole-line print (one write)
    except (AttributeError, ValueError, OSError):
        pass  # no usable stdout (closed at exit): the log still has it
    log.debug("exception in IRQ handler", exc_info=True)


def mac(stack: LowLevelStack) -> tuple[int, bytes]:
    """``config('mac')``: (addr_type, MSB-first bytes) of the address in use."""
    if not stack.active or stack.own_address is None:
        raise OSError(errno.ENODEV, "BLE is not active")
    return address_type(stack.own_address), address_bytes(stack.own_address)


__all__ = ["LowLevelStack", "LinkState", "Settings", "address_bytes", "address_type", "mac", "AddressType"]
