"""The Host: one controller, its flow control, connections, and event and L2CAP dispatch.

Everything here runs on the host loop (see `host.thread`). The transport hands in
packets; commands go out through `CommandFlow`, L2CAP PDUs through `AclFlow`.
A malformed event or ACL packet from the controller is logged and dropped, never
raised into the loop; loss of the controller fails every pending operation with
`ControllerLostError`.

Controller faults (Vol 4 Part E): a Hardware Error event (7.7.16) or a controller
that resets itself (an unsolicited Command Complete for HCI_Reset) makes the host
reset and re-initialise it, ending every connection with a synthetic Disconnection
Complete; a Data Buffer Overflow (7.7.26) re-reads the ACL buffers and restarts
the credit count; a controller that leaves `max_consecutive_timeouts` commands in
a row unanswered is declared lost. No exception from a transport, a capture file
or a subscriber escapes into the event loop.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from aioble_hci.address import Address, AddressType
from aioble_hci.hci import events as ev
from aioble_hci.hci.acl import AclReassembler
from aioble_hci.hci.commands import command_name
from aioble_hci.hci.constants import OpCode, StatusCode
from aioble_hci.hci.errors import HciDecodeError
from aioble_hci.hci.packets import Direction, PacketType
from aioble_hci.host.capture_hook import CaptureHook
from aioble_hci.host.connection import Connection, Role
from aioble_hci.host.errors import (
    ControllerLostError,
    ControllerResetError,
    HciCommandError,
    HciTimeoutError,
)
from aioble_hci.host.events import EventHub, subscribe
from aioble_hci.host.flow import AclFlow, CommandFlow
from aioble_hci.host.startup import (
    DEFAULT_EVENT_MASK,
    DEFAULT_LE_EVENT_MASK,
    ControllerInfo,
    initialise,
    read_buffer_sizes,
)
from aioble_hci.transport.base import Transport

if TYPE_CHECKING:
    from aioble_hci.host.gap.gap import Gap
    from aioble_hci.host.gatt.layer import Gatt
    from aioble_hci.host.l2cap.bearer import L2capBearer
    from aioble_hci.host.smp.bearer import Smp

log = logging.getLogger(__name__)

# Events the host acts on itself before its subscribers hear them (see _on_event_packet).
_HOST_EVENTS = (
    ev.CommandComplete, ev.CommandStatus, ev.NumberOfCompletedPackets, ev.LeConnectionComplete,
    ev.LeEnhancedConnectionComplete, ev.LeConnectionUpdateComplete, ev.EncryptionChange, ev.HardwareError,
    ev.DataBufferOverflow, ev.DisconnectionComplete,
)

E = TypeVar("E")
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
    max_consecutive_timeouts: int = 3  # commands left unanswered in a row before the controller is lost


class Host:
    """Drives one controller over a transport. Construct and use on the host loop."""

    def __init__(self, transport: Transport, config: HostConfig | None = None) -> None:
        self.transport = transport
        self.config = config or HostConfig()
        self.controller_info = ControllerInfo()
        self.connections: dict[int, Connection] = {}
        self.commands = CommandFlow(self._send_command_bytes, self._on_command_timeout)
        self.acl = AclFlow(self._send_acl_bytes)
        self._reassembler = AclReassembler()
        self.events = EventHub()
        # Per event class, whether the host itself acts on it: looked up once per class.
        self._host_handles: dict[type, bool] = {}
        self._fixed_channels: dict[int, FixedChannelHandler] = {}
        self._dynamic_channel_handler: DynamicChannelHandler | None = None
        self._waiters: set[asyncio.Future[Any]] = set()
        self._lost_callbacks: list[Callable[[BaseException], None]] = []
        self._hardware_error_callbacks: list[Callable[[int], None]] = []
        self._reinitialised_callbacks: list[Callable[[str], None]] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._capture: CaptureHook | None = None
        self._resync_task: asyncio.Task[None] | None = None
        self.lost: BaseException | None = None
        # The bearers, set by attach_gap / attach_l2cap / attach_gatt / attach_smp.
        self.gap: Gap | None = None
        self.l2cap: L2capBearer | None = None
        self.gatt: Gatt | None = None
        self.smp: Smp | None = None
        self.resyncs = 0  # re-initialisations of the controller (desync, hardware error, self-reset)
        self.hardware_errors = 0
        self.buffer_overflows = 0
        self.dropped_packets = 0
        self._opened = False
        self._ready = False  # the first init sequence finished: faults after this re-initialise
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
        self._ready = True
        return self.controller_info

    async def _initialise(self, urgent: bool = False) -> None:
        send = functools.partial(self.send_command, urgent=urgent)
        info = await initialise(send, self.config.event_mask, self.config.le_event_mask)
        self.controller_info = info
        self.acl.configure(info.acl_data_packet_length, info.total_num_acl_data_packets)

    async def close(self) -> None:
        """Fail what is pending, close the transport and the capture, and end every task
        the host started (none is left behind). Idempotent."""
        if self._closed:
            return
        self._closed = True
        tasks = [t for t in self._tasks if not t.done()]
        for task in tasks:
            task.cancel()
        self._fail_everything(ControllerLostError("the host was closed"))
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        try:
            await self.transport.close()
        except Exception as exc:  # closing always finishes
            log.warning("closing the transport %r failed: %s", self.transport, exc)
        finally:
            if self._capture is not None:
                try:
                    self._capture.close()
                except Exception as exc:
                    log.warning("closing the capture failed: %s", exc)

    def capture_to(self, path: str | None) -> str | None:
        """Close the current capture and record every packet from now on to `path` (None: stop);
        returns the path actually opened. The conformance tester keeps one btsnoop file per case."""
        old, self._capture = self._capture, None
        if old is not None:
            old.close()
        self._capture = CaptureHook.open(path) if path else None
        return self._capture.path if self._capture is not None else None

    def _spawn(self, coro: Any, name: str) -> asyncio.Task[None]:
        """A background task the host owns: kept until done, cancelled and awaited by close()."""
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

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
        """Queue `pdu` on channel `cid` as one L2CAP basic frame (Vol 3 Part A, 3.1) to a connection;
        fragments to the ACL size."""
        self.send_l2cap_frame(handle, _L2CAP_HEADER.pack(len(pdu), cid) + pdu)

    def send_l2cap_frame(self, handle: int, frame: bytes) -> None:
        """Queue one L2CAP basic frame that already carries its header (an L2CAP core's output)."""
        if self.lost is not None:
            raise ControllerLostError(f"cannot send on handle 0x{handle:03x}: the controller is gone")
        if handle not in self.connections:
            raise ValueError(f"no connection with handle 0x{handle:03x}")
        self.acl.send_pdu(handle, frame)

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
        return self.events.on(event_class, callback)

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

    def on_hardware_error(self, callback: Callable[[int], None]) -> Callable[[], None]:
        """Call `callback(hardware_code)` on every HCI Hardware Error event (Vol 4 Part E, 7.7.16),
        before the host resets the controller; returns an unsubscribe function."""
        return subscribe(self._hardware_error_callbacks, callback)

    def on_reinitialised(self, callback: Callable[[str], None]) -> Callable[[], None]:
        """Call `callback(reason)` each time the host has reset and re-initialised the controller
        (after an H4 desync, a hardware error or a self-reset): bearers re-apply controller state
        (advertising, resolving list, ...) here. Returns an unsubscribe function."""
        return subscribe(self._reinitialised_callbacks, callback)

    # --- packets from the controller --------------------------------------------

    def _write(self, packet_type: PacketType, payload: bytes) -> None:
        if self._capture is not None:  # checked here: every packet passes
            self._record(Direction.HOST_TO_CONTROLLER, packet_type, payload)
        self.transport.send(packet_type, payload)

    def _record(self, direction: Direction, packet_type: PacketType, payload: bytes) -> None:
        """Write to the capture file; a failing capture is closed, never the host's problem."""
        if self._capture is None:
            return
        try:
            self._capture.write(direction, packet_type, payload)
        except Exception as exc:
            log.error("capture write failed (%s): capture stopped", exc)
            capture, self._capture = self._capture, None
            try:
                capture.close()
            except Exception:
                pass

    def _on_packet(self, packet_type: PacketType, payload: bytes) -> None:
        try:
            if self._capture is not None:
                self._record(Direction.CONTROLLER_TO_HOST, packet_type, payload)
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
        kind = type(event)
        handled = self._host_handles.get(kind)
        if handled is None:
            handled = self._host_handles[kind] = issubclass(kind, _HOST_EVENTS)
        if not handled:  # advertising reports and the like go straight to the subscribers
            self._dispatch(event)
            return
        if isinstance(event, ev.NumberOfCompletedPackets):  # the most frequent: one per ACL packet sent
            for handle, count in zip(event.connection_handles, event.num_completed_packets, strict=False):
                self.acl.on_completed(handle, count)
        elif isinstance(event, (ev.CommandComplete, ev.CommandStatus)):
            self_reset = (isinstance(event, ev.CommandComplete) and event.command_opcode == OpCode.RESET
                          and not self.commands.is_in_flight(OpCode.RESET))
            self.commands.on_answer(event.command_opcode, event.num_hci_command_packets, event)
            if self_reset:
                log.error("the controller reset itself (a Command Complete for a Reset never sent): re-initialising")
                self._reinitialise("the controller reset itself")
        elif isinstance(event, (ev.LeConnectionComplete, ev.LeEnhancedConnectionComplete)):
            self._on_connection_complete(event)
        elif isinstance(event, ev.LeConnectionUpdateComplete):
            self._on_connection_update(event)
        elif isinstance(event, ev.EncryptionChange):
            conn = self.connections.get(event.connection_handle)
            if conn is not None and event.status == StatusCode.SUCCESS:
                conn.encrypted = bool(event.encryption_enabled)
        elif isinstance(event, ev.HardwareError):
            self._on_hardware_error(event.hardware_code)
        elif isinstance(event, ev.DataBufferOverflow):
            self._on_buffer_overflow(event.link_type)
        self._dispatch(event)
        if isinstance(event, ev.DisconnectionComplete):
            self._on_disconnection(event)

    def _dispatch(self, event: Any) -> None:
        self.events.emit(event)

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
            # Bearers hear the stale link end before they hear the new one (dispatch follows this).
            self._forget_connection(conn.handle, None, synthesize=StatusCode.HARDWARE_FAILURE)
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
        self._reassembler.reset(handle)  # drop a partial PDU of the closed connection
        if conn is not None:
            conn.disconnect_reason = reason
            conn.closed.set()
            log.info("disconnected: %r reason %s", conn, None if reason is None else StatusCode(reason).name)
            if synthesize is not None:
                conn.disconnect_reason = int(synthesize)
                self._dispatch(ev.DisconnectionComplete(status=StatusCode.SUCCESS, connection_handle=handle,
                                                        reason=synthesize))

    def _on_acl_packet(self, payload: bytes) -> None:
        """One ACL packet from the controller (Vol 4 Part E, 5.4.2): reassemble, then hand the
        L2CAP PDU (Vol 3 Part A, 3.1) to its channel. The reassembler checks both length fields,
        so a PDU it returns is at least a whole basic L2CAP header with a matching length."""
        conn = None
        if len(payload) >= 2:
            handle = payload[0] | (payload[1] & 0x0F) << 8
            conn = self.connections.get(handle)
            if conn is None:  # never keep reassembly state for a handle we do not know
                self.dropped_packets += 1
                log.warning("dropping ACL packet for unknown connection handle 0x%03x (%d bytes)", handle, len(payload))
                return
        try:
            complete = self._reassembler.feed(payload)
        except HciDecodeError as exc:
            self.dropped_packets += 1
            log.warning("dropping malformed ACL packet %s: %s", payload[:32].hex(), exc)
            return
        if complete is None or conn is None:
            return
        pdu = complete[1]
        cid = pdu[2] | pdu[3] << 8
        body = pdu[4:]
        handler = self._fixed_channels.get(cid)
        try:
            if handler is not None:
                handler(conn, body)
            elif self._dynamic_channel_handler is not None:
                self._dynamic_channel_handler(conn, cid, body)
            else:
                log.debug("no handler for L2CAP CID 0x%04x on handle 0x%03x; dropped", cid, conn.handle)
        except Exception:
            log.exception("L2CAP handler for CID 0x%04x failed", cid)

    # --- controller faults, loss and re-initialisation ------------------------------

    def _on_hardware_error(self, code: int) -> None:
        """Vol 4 Part E, 7.7.16: the controller failed; tell the subscribers, then reset it."""
        self.hardware_errors += 1
        log.error("controller reports hardware error 0x%02x: resetting and re-initialising it", code)
        _notify(self._hardware_error_callbacks, code, "hardware error")
        self._reinitialise(f"hardware error 0x{code:02x}")

    def _on_buffer_overflow(self, link_type: int) -> None:
        """Vol 4 Part E, 7.7.26: the controller dropped data the host sent beyond its buffers, so
        the credit count is wrong. Hold ACL, re-read the buffer sizes, restart the count."""
        self.buffer_overflows += 1
        log.error("controller reports a data buffer overflow (link type %d): resynchronising ACL credits", link_type)
        if link_type != 0x01 or self._resync_task is not None or self.lost is not None or self._closed:
            return
        self.acl.hold()
        self._spawn(self._resync_acl_credits(), "aioble-hci acl credit resync")

    async def _resync_acl_credits(self) -> None:
        info = self.controller_info
        try:
            await read_buffer_sizes(functools.partial(self.send_command, urgent=True), info)
        except Exception as exc:
            log.error("re-reading the ACL buffer sizes failed (%s): keeping %d x %d", exc,
                      info.total_num_acl_data_packets, info.acl_data_packet_length)
        self.acl.configure(info.acl_data_packet_length, info.total_num_acl_data_packets)
        log.info("ACL credits resynchronised: %d buffers of %d bytes", self.acl.credits, self.acl.max_length)

    def _on_command_timeout(self, error: HciTimeoutError, consecutive: int) -> None:
        limit = self.config.max_consecutive_timeouts
        if limit and consecutive >= limit:
            self._on_lost(f"the controller stopped answering: {consecutive} commands in a row timed out, "
                          f"the last {error}")

    def _on_lost(self, exc: BaseException | str | None) -> None:
        if self.lost is not None or self._closed:
            return
        try:
            reason = ControllerLostError(f"controller lost: {exc or 'the transport closed'}")
            self.lost = reason
            log.error("%s", reason)
            self._fail_everything(reason)
        except Exception:  # called by transports on the loop: never raise into it
            log.exception("handling the loss of the controller failed")

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
        _notify(callbacks, reason, "lost")

    def _on_desync(self, exc: BaseException) -> None:
        log.warning("H4 stream out of sync (%s): resetting the controller", exc)
        if self.config.resync_on_desync:
            self._reinitialise(f"H4 desync ({exc})")

    def _reinitialise(self, why: str) -> None:
        """Start a reset and re-initialisation unless one is running or the host is done."""
        if self._resync_task is not None or self.lost is not None or self._closed or not self._ready:
            log.info("not re-initialising (%s): %s", why, "the init sequence is still running"
                     if not self._ready else "already re-initialising, lost or closed")
            return
        self._resync_task = self._spawn(self._resynchronise(why), "aioble-hci re-initialise")

    async def _resynchronise(self, why: str = "H4 desync") -> None:
        """Reset the controller and run the init sequence again; connections do not survive a reset.

        Only the init sequence's commands go out until it finishes; commands queued by
        others wait, those already in flight fail with ControllerResetError."""
        self.commands.exclusive = True
        try:
            self.resyncs += 1
            self.commands.fail_in_flight(ControllerResetError(f"the controller was reset: {why}"))
            for handle in list(self.connections):
                self._forget_connection(handle, None, synthesize=StatusCode.HARDWARE_FAILURE)
            self.acl.clear()
            self._reassembler = AclReassembler()
            await self._initialise(urgent=True)
            log.info("re-initialised the controller after %s", why)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.error("re-initialising the controller after %s failed: %s", why, exc)
            self._on_lost(f"re-initialising after {why} failed: {exc}")
            return
        finally:
            self._resync_task = None
            self.commands.exclusive = False
            self.commands.pump()
        _notify(self._reinitialised_callbacks, why, "re-initialised")


def _notify(callbacks: list[Callable[[Any], None]], arg: Any, what: str) -> None:
    """Call each callback with `arg`; one that raises is logged, never stops the others or the host."""
    for callback in list(callbacks):
        try:
            callback(arg)
        except Exception:
            log.exception("%s callback %r failed", what, callback)


