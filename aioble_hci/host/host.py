"""The Host: one controller, its flow control, connections, and event and L2CAP dispatch.

Everything here runs on the host loop (see `host.thread`). The transport hands in
packets; commands go out through `CommandFlow`, L2CAP PDUs through `AclFlow`.
A malformed event or ACL packet from the controller is logged and dropped, never
raised into the loop; loss of the controller fails every pending operation with
`ControllerLostError`.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from aioble_hci.address import Address, AddressType
from aioble_hci.hci import events as ev
from aioble_hci.hci.acl import AclReassembler
from aioble_hci.hci.commands import command_name
from aioble_hci.hci.constants import StatusCode
from aioble_hci.hci.errors import HciDecodeError
from aioble_hci.hci.packets import Direction, PacketType
from aioble_hci.host.capture_hook import CaptureHook
from aioble_hci.host.connection import Connection, Role
from aioble_hci.host.errors import ControllerLostError, ControllerResetError, HciCommandError
from aioble_hci.host.flow import AclFlow, CommandFlow
from aioble_hci.host.startup import (
    DEFAULT_EVENT_MASK,
    DEFAULT_LE_EVENT_MASK,
    ControllerInfo,
    initialise,
)
from aioble_hci.transport.base import Transport

log = logging.getLogger(__name__)

E = TypeVar("E")
EventCallback = Callable[[Any], None]
FixedChannelHandler = Callable[[Connection, bytes], None]
DynamicChannelHandler = Callable[[Connection, int, bytes], None]

_L2CAP_HEADER = struct.Struct("<HH")


@dataclass
class HostConfig:
    """Host settings; `open_host(spec, **config)` takes these names as keywords."""

    command_timeout: float = 5.0
    event_mask: int = DEFAULT_EVENT_MASK
    le_event_mask: int = DEFAULT_LE_EVENT_MASK
    capture_path: str | None = None
    resync_on_desync: bool = True


class Host:
    """Drives one controller over a transport. Construct and use on the host loop."""

    def __init__(self, transport: Transport, config: HostConfig | None = None) -> None:
        self.transport = transport
        self.config = config or HostConfig()
        self.controller_info = ControllerInfo()
        self.connections: dict[int, Connection] = {}
        self.commands = CommandFlow(self._send_command_bytes)
        self.acl = AclFlow(self._send_acl_bytes)
        self._reassembler = AclReassembler()
        self._subscribers: dict[type, list[EventCallback]] = {}
        self._fixed_channels: dict[int, FixedChannelHandler] = {}
        self._dynamic_channel_handler: DynamicChannelHandler | None = None
        self._waiters: set[asyncio.Future[Any]] = set()
        self._lost_callbacks: list[Callable[[BaseException], None]] = []
        self._capture: CaptureHook | None = None
        self._resync_task: asyncio.Task[None] | None = None
        self.lost: BaseException | None = None
        self.gap: Any = None  # the GAP bearer, set by aioble_hci.host.gap.attach_gap
        self.resyncs = 0
        self.dropped_packets = 0
        self._opened = False
        self._closed = False

    # --- life cycle ------------------------------------------------------------

    async def start(self) -> ControllerInfo:
        """Open the transport (if not yet) and run the init sequence."""
        self._capture = CaptureHook.open(self.config.capture_path)
        self.transport.attach(self._on_packet, self._on_lost, self._on_desync)
        if not self._opened:
            await self.transport.open()
            self._opened = True
        await self._initialise()
        return self.controller_info

    async def _initialise(self, urgent: bool = False) -> None:
        send = functools.partial(self.send_command, urgent=urgent)
        info = await initialise(send, self.config.event_mask, self.config.le_event_mask)
        self.controller_info = info
        self.acl.configure(info.acl_data_packet_length, info.total_num_acl_data_packets)

    async def close(self) -> None:
        """Fail what is pending, close the transport and the capture. Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._resync_task is not None:
            self._resync_task.cancel()
        self._fail_everything(ControllerLostError("the host was closed"))
        try:
            await self.transport.close()
        finally:
            if self._capture is not None:
                self._capture.close()

    # --- commands --------------------------------------------------------------

    async def send_command(self, command: Any, timeout: float | None = None, urgent: bool = False) -> Any:
        """Send a command; return its parsed return parameters, or the CommandStatus event.

        Raises HciCommandError on a failing status, HciTimeoutError when the
        controller does not answer in time, ControllerLostError when it is gone.
        """
        if self.lost is not None:
            raise ControllerLostError(f"{command_name(command.OPCODE)}: the controller is gone ({self.lost})")
        answer = await self.commands.submit(command, self.config.command_timeout if timeout is None else timeout, urgent)
        if isinstance(answer, ev.CommandStatus):
            if answer.status != StatusCode.SUCCESS:
                raise HciCommandError(answer.status, command)
            return answer
        params = bytes(answer.return_parameters)
        if params and params[0] != StatusCode.SUCCESS:
            raise HciCommandError(StatusCode(params[0]), command)
        parse = getattr(command, "parse_return", None)
        return parse(params) if parse is not None else params

    def _send_command_bytes(self, packet: bytes) -> None:
        if self.lost is not None:
            raise ControllerLostError(str(self.lost))
        self._write(PacketType.COMMAND, packet)

    # --- ACL / L2CAP -----------------------------------------------------------

    def send_l2cap(self, handle: int, cid: int, pdu: bytes) -> None:
        """Queue one L2CAP basic frame (Vol 3 Part A, 3.1) to a connection; fragments to the ACL size."""
        if self.lost is not None:
            raise ControllerLostError(f"cannot send on handle 0x{handle:03x}: the controller is gone")
        if handle not in self.connections:
            raise ValueError(f"no connection with handle 0x{handle:03x}")
        self.acl.send_pdu(handle, _L2CAP_HEADER.pack(len(pdu), cid) + pdu)

    def _send_acl_bytes(self, packet: bytes) -> None:
        self._write(PacketType.ACL, packet)

    def register_fixed_channel(self, cid: int, handler: FixedChannelHandler) -> None:
        """Receive `(connection, pdu)` for every PDU on an L2CAP fixed channel (ATT 0x0004, SMP 0x0006, ...)."""
        self._fixed_channels[cid] = handler

    def register_dynamic_channels(self, handler: DynamicChannelHandler) -> None:
        """Receive `(connection, cid, pdu)` for CIDs without a fixed-channel handler (the L2CAP layer's CoCs)."""
        self._dynamic_channel_handler = handler

    # --- events ----------------------------------------------------------------

    def on_event(self, event_class: type[E], callback: Callable[[E], None]) -> Callable[[], None]:
        """Call `callback(event)` for every event of that class (or a subclass); returns an unsubscribe function."""
        callbacks = self._subscribers.setdefault(event_class, [])
        callbacks.append(callback)

        def unsubscribe() -> None:
            if callback in callbacks:
                callbacks.remove(callback)

        return unsubscribe

    async def wait_for_event(self, event_class: type[E], predicate: Callable[[E], bool] | None = None,
                             timeout: float | None = None) -> E:
        """The next event of that class matching `predicate`; fails with ControllerLostError on loss."""
        if self.lost is not None:
            raise ControllerLostError(str(self.lost))
        future: asyncio.Future[E] = asyncio.get_running_loop().create_future()

        def check(event: E) -> None:
            if not future.done() and (predicate is None or predicate(event)):
                future.set_result(event)

        unsubscribe = self.on_event(event_class, check)
        self._waiters.add(future)
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            unsubscribe()
            self._waiters.discard(future)

    def on_lost(self, callback: Callable[[BaseException], None]) -> None:
        """Call `callback(error)` once if the controller is lost."""
        self._lost_callbacks.append(callback)

    # --- packets from the controller --------------------------------------------

    def _write(self, packet_type: PacketType, payload: bytes) -> None:
        if self._capture is not None:
            self._capture.write(Direction.HOST_TO_CONTROLLER, packet_type, payload)
        self.transport.send(packet_type, payload)

    def _on_packet(self, packet_type: PacketType, payload: bytes) -> None:
        if self._capture is not None:
            self._capture.write(Direction.CONTROLLER_TO_HOST, packet_type, payload)
        try:
            if packet_type == PacketType.EVENT:
                self._on_event_packet(payload)
            elif packet_type == PacketType.ACL:
                self._on_acl_packet(payload)
            else:
                log.debug("ignoring %s packet of %d bytes", packet_type.name, len(payload))
        except Exception:  # never let one packet kill the host loop
            self.dropped_packets += 1
            log.exception("error handling %s packet %s; dropped", packet_type.name, payload.hex())

    def _on_event_packet(self, payload: bytes) -> None:
        try:
            event = ev.parse_event(payload)
        except HciDecodeError as exc:
            self.dropped_packets += 1
            log.warning("dropping malformed event %s: %s", payload.hex(), exc)
            return
        if log.isEnabledFor(logging.DEBUG):
            log.debug("< %s", event.describe())
        if isinstance(event, (ev.CommandComplete, ev.CommandStatus)):
            self.commands.on_answer(event.command_opcode, event.num_hci_command_packets, event)
        elif isinstance(event, ev.NumberOfCompletedPackets):
            for handle, count in zip(event.connection_handles, event.num_completed_packets, strict=False):
                self.acl.on_completed(handle, count)
        elif isinstance(event, (ev.LeConnectionComplete, ev.LeEnhancedConnectionComplete)):
            self._on_connection_complete(event)
        elif isinstance(event, ev.LeConnectionUpdateComplete):
            self._on_connection_update(event)
        elif isinstance(event, ev.EncryptionChange):
            conn = self.connections.get(event.connection_handle)
            if conn is not None and event.status == StatusCode.SUCCESS:
                conn.encrypted = bool(event.encryption_enabled)
        elif isinstance(event, ev.HardwareError):
            log.error("controller reports hardware error 0x%02x", event.hardware_code)
        elif isinstance(event, ev.DataBufferOverflow):
            log.error("controller reports a data buffer overflow (link type %d)", event.link_type)
        self._dispatch(event)
        if isinstance(event, ev.DisconnectionComplete):
            self._on_disconnection(event)

    def _dispatch(self, event: Any) -> None:
        for cls in type(event).__mro__:
            for callback in list(self._subscribers.get(cls, ())):
                try:
                    callback(event)
                except Exception:
                    log.exception("event callback %r failed on %s", callback, type(event).__name__)

    def _on_connection_complete(self, event: Any) -> None:
        if event.status != StatusCode.SUCCESS:
            log.info("LE connection failed: %s", StatusCode(event.status).name)
            return
        conn = Connection(
            handle=event.connection_handle,
            role=Role(event.role),
            peer_address=event.peer_address,
            interval=event.connection_interval,
            latency=event.peripheral_latency,
            supervision_timeout=event.supervision_timeout,
        )
        if isinstance(event, ev.LeEnhancedConnectionComplete):
            for attr, value in (
                ("local_resolvable_address", event.local_resolvable_private_address),
                ("peer_resolvable_address", event.peer_resolvable_private_address),
            ):
                if isinstance(value, Address) and value.value != bytes(6):
                    setattr(conn, attr, Address(value.value, AddressType.RANDOM))
        if conn.handle in self.connections:
            log.warning("connection handle 0x%03x reused without a Disconnection Complete", conn.handle)
            self._forget_connection(conn.handle, None)
        self.connections[conn.handle] = conn
        log.info("connected: %r", conn)

    def _on_connection_update(self, event: Any) -> None:
        conn = self.connections.get(event.connection_handle)
        if conn is not None and event.status == StatusCode.SUCCESS:
            conn.interval = event.connection_interval
            conn.latency = event.peripheral_latency
            conn.supervision_timeout = event.supervision_timeout

    def _on_disconnection(self, event: Any) -> None:
        if event.status != StatusCode.SUCCESS:
            return
        self._forget_connection(event.connection_handle, int(event.reason))

    def _forget_connection(self, handle: int, reason: int | None, synthesize: StatusCode | None = None) -> None:
        """Drop a connection's state. With `synthesize`, the connection ended without a
        Disconnection Complete (controller reset or lost): subscribers get one with that
        reason, so every bearer cleans up through its usual path."""
        conn = self.connections.pop(handle, None)
        self.acl.on_disconnected(handle)
        self._reassembler = _without_handle(self._reassembler, handle)
        if conn is not None:
            conn.disconnect_reason = reason
            conn.closed.set()
            log.info("disconnected: %r reason %s", conn, None if reason is None else StatusCode(reason).name)
            if synthesize is not None:
                conn.disconnect_reason = int(synthesize)
                self._dispatch(ev.DisconnectionComplete(status=StatusCode.SUCCESS, connection_handle=handle,
                                                        reason=synthesize))

    def _on_acl_packet(self, payload: bytes) -> None:
        try:
            complete = self._reassembler.feed(payload)
        except HciDecodeError as exc:
            self.dropped_packets += 1
            log.warning("dropping malformed ACL packet %s: %s", payload[:32].hex(), exc)
            return
        if complete is None:
            return
        handle, pdu = complete
        if len(pdu) < 4:
            self.dropped_packets += 1
            log.warning("dropping L2CAP PDU on handle 0x%03x shorter than its header", handle)
            return
        length, cid = _L2CAP_HEADER.unpack_from(pdu)
        body = bytes(pdu[4:])
        if length != len(body):
            self.dropped_packets += 1
            log.warning("dropping L2CAP PDU on handle 0x%03x: header says %d bytes, got %d", handle, length, len(body))
            return
        conn = self.connections.get(handle)
        if conn is None:
            self.dropped_packets += 1
            log.warning("dropping L2CAP PDU for unknown connection handle 0x%03x", handle)
            return
        handler = self._fixed_channels.get(cid)
        try:
            if handler is not None:
                handler(conn, body)
            elif self._dynamic_channel_handler is not None:
                self._dynamic_channel_handler(conn, cid, body)
            else:
                log.debug("no handler for L2CAP CID 0x%04x on handle 0x%03x; dropped", cid, handle)
        except Exception:
            log.exception("L2CAP handler for CID 0x%04x failed", cid)

    # --- loss and resynchronisation ----------------------------------------------

    def _on_lost(self, exc: BaseException | None) -> None:
        if self.lost is not None or self._closed:
            return
        reason = ControllerLostError(f"controller lost: {exc or 'the transport closed'}")
        self.lost = reason
        log.error("%s", reason)
        self._fail_everything(reason)

    def _fail_everything(self, reason: BaseException) -> None:
        """Fail every command and waiter, end every connection and tell the on_lost subscribers."""
        if self.lost is None:
            self.lost = reason
        self.commands.fail_all(reason)
        for future in list(self._waiters):
            if not future.done():
                future.set_exception(reason)
        self.acl.clear()
        for handle in list(self.connections):
            self._forget_connection(handle, None, synthesize=StatusCode.HARDWARE_FAILURE)
        callbacks, self._lost_callbacks = self._lost_callbacks, []
        for callback in callbacks:
            try:
                callback(reason)
            except Exception:
                log.exception("lost callback %r failed", callback)

    def _on_desync(self, exc: BaseException) -> None:
        log.warning("H4 stream out of sync (%s): resetting the controller", exc)
        if not self.config.resync_on_desync or self._resync_task is not None or self.lost is not None:
            return
        self._resync_task = asyncio.get_running_loop().create_task(self._resynchronise())

    async def _resynchronise(self) -> None:
        """Reset the controller and run the init sequence again; connections do not survive a reset."""
        try:
            self.resyncs += 1
            self.commands.fail_in_flight(ControllerResetError("the controller was reset after an H4 desync"))
            for handle in list(self.connections):
                self._forget_connection(handle, None, synthesize=StatusCode.HARDWARE_FAILURE)
            self.acl.clear()
            self._reassembler = AclReassembler()
            await self._initialise(urgent=True)
            log.info("resynchronised with the controller")
        except Exception as exc:
            log.error("resynchronising with the controller failed: %s", exc)
        finally:
            self._resync_task = None


def _without_handle(reassembler: AclReassembler, handle: int) -> AclReassembler:
    """Drop a partial PDU of a closed connection, if the reassembler can."""
    drop = getattr(reassembler, "drop", None) or getattr(reassembler, "reset", None)
    if drop is not None:
        try:
            drop(handle)
        except TypeError:
            pass
    return reassembler
