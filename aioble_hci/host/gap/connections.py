"""Connections around GAP: central connect/cancel, disconnect, parameter, data length and PHY updates.

Connection objects are the Host's (`host.connections`); GAP adds what the link layer
negotiates afterwards in a `LinkState` kept at `connection.data["gap"]`, and tells
subscribers, synchronously on the host loop, when a connection opens or closes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from aioble_hci.address import Address
from aioble_hci.errors import RemoteProtocolError
from aioble_hci.hci import commands as cmd
from aioble_hci.hci import events as ev
from aioble_hci.hci.constants import StatusCode
from aioble_hci.host.connection import Connection, Role
from aioble_hci.host.errors import HciCommandError
from aioble_hci.host.events import subscribe
from aioble_hci.host.gap.addresses import AddressManager
from aioble_hci.host.gap.capabilities import PHY_1M, PHY_2M, PHY_CODED, Capabilities
from aioble_hci.host.gap.config import ConnectionParameters, ParameterLimits
from aioble_hci.l2cap.conn_params import connection_parameters_problem

if TYPE_CHECKING:
    from aioble_hci.host.host import Host

log = logging.getLogger(__name__)

ConnectedCallback = Callable[[Connection], None]
DisconnectedCallback = Callable[[Connection, int], None]
ParameterRequestHandler = Callable[[Connection, int, int, int, int], bool]


class _OutcomeEvent(Protocol):
    """An event that ends a connection procedure: which connection, and how it went."""

    @property
    def status(self) -> int: ...
    @property
    def connection_handle(self) -> int: ...


_E = TypeVar("_E", bound=_OutcomeEvent)


@dataclass
class LinkState:
    """What GAP learns about a connection after it opens (Data Length Change, PHY Update Complete)."""

    tx_phy: int = PHY_1M
    rx_phy: int = PHY_1M
    max_tx_octets: int = 27
    max_tx_time: int = 328
    max_rx_octets: int = 27
    max_rx_time: int = 328


def link_state(conn: Connection) -> LinkState:
    """The connection's LinkState (made on first use)."""
    state = conn.data.get("gap")
    if not isinstance(state, LinkState):
        state = conn.data["gap"] = LinkState()
    return state


class ConnectionCancelled(RemoteProtocolError, ConnectionError):
    """A central connection attempt was cancelled (by the caller or its timeout)."""


def _phy_mask(phy: int) -> int:
    return {PHY_1M: 0x01, PHY_2M: 0x02, PHY_CODED: 0x04}[phy]


class ConnectionManager:
    """Central connection set-up, tear-down and connection procedures for one Host."""

    def __init__(self, host: Host, caps: Capabilities, addresses: AddressManager,
                 default_parameters: ConnectionParameters, limits: ParameterLimits,
                 on_idle: Callable[[], None]) -> None:
        self.host = host
        self.caps = caps
        self.addresses = addresses
        self.default_parameters = default_parameters
        self.limits = limits
        self._on_idle = on_idle
        self.connecting = False
        self._attempt: asyncio.Future[Any] | None = None
        self._lock = asyncio.Lock()
        self._connected_callbacks: list[ConnectedCallback] = []
        self._disconnected_callbacks: list[DisconnectedCallback] = []
        self.parameter_request_handler: ParameterRequestHandler | None = None

    # --- subscriptions ---------------------------------------------------------------

    def on_connected(self, callback: ConnectedCallback) -> Callable[[], None]:
        """Call `callback(conn)` for every new connection, either role, on the host loop."""
        return subscribe(self._connected_callbacks, callback)

    def on_disconnected(self, callback: DisconnectedCallback) -> Callable[[], None]:
        """Call `callback(conn, reason)` when a connection closes, on the host loop."""
        return subscribe(self._disconnected_callbacks, callback)

    async def wait_for_connection(self, role: Role | None = None, timeout: float | None = None) -> Connection:
        """The next connection to open (of that role, if given)."""
        future: asyncio.Future[Connection] = asyncio.get_running_loop().create_future()

        def check(conn: Connection) -> None:
            if not future.done() and (role is None or conn.role == role):
                future.set_result(conn)

        unsubscribe = self.on_connected(check)
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            unsubscribe()

    async def wait_for_disconnection(self, conn: Connection, timeout: float | None = None) -> int:
        """Wait until the connection closes; the reason (None only when the controller was lost)."""
        await asyncio.wait_for(conn.closed.wait(), timeout)
        return -1 if conn.disconnect_reason is None else conn.disconnect_reason

    # --- central -------------------------------------------------------------------------

    async def connect(self, address: Address, params: ConnectionParameters | None = None,
                      timeout: float | None = 10.0, phys: tuple[int, ...] = (PHY_1M,)) -> Connection:
        """Connect to an advertiser as central (LE Create Connection, Vol 4 Part E, 7.8.12).

        On timeout (or `cancel_connect()`) the attempt is cancelled with LE Create
        Connection Cancel and ConnectionCancelled raised; the controller stays usable.
        """
        params = params or self.default_parameters
        problem = connection_parameters_problem(params.interval_min, params.interval_max, params.latency,
                                                params.supervision_timeout)
        if problem is not None:
            raise ValueError(f"connection parameters: {problem}")
        for phy in phys:
            self.caps.check_phy(phy, "initiating PHY")
        async with self._lock:
            await self.addresses.apply_pending()
            loop = asyncio.get_running_loop()
            attempt: asyncio.Future[Any] = loop.create_future()
            self._attempt = attempt
            self.connecting = True
            try:
                await self._create(address, params, phys)
                try:
                    event = await asyncio.wait_for(asyncio.shield(attempt), timeout)
                except asyncio.CancelledError:
                    if not attempt.done():
                        await asyncio.shield(self._cancel(attempt))
                    raise
                except TimeoutError:
                    event = await self._cancel(attempt)
                    if event.status == StatusCode.SUCCESS:  # connected while the cancel was on its way
                        return self._connection(event)
                    raise ConnectionCancelled(f"connecting to {address} timed out after {timeout} s") from None
                if event.status == StatusCode.UNKNOWN_CONNECTION_IDENTIFIER:
                    raise ConnectionCancelled(f"connecting to {address} was cancelled")
                if event.status != StatusCode.SUCCESS:
                    raise ConnectionError(f"connecting to {address} failed: {StatusCode(event.status).name}")
                return self._connection(event)
            finally:
                self.connecting = False
                self._attempt = None
                self._on_idle()

    def _connection(self, event: Any) -> Connection:
        conn = self.host.connections.get(event.connection_handle)
        if conn is None:
            raise ConnectionError(f"connection 0x{event.connection_handle:03x} closed before it could be used")
        return conn

    async def _create(self, address: Address, params: ConnectionParameters, phys: tuple[int, ...]) -> None:
        own = self.addresses.own_address_type
        if self.caps.extended_connect:
            block = cmd.InitiatingPhyParameters(
                params.scan_interval, params.scan_window, params.interval_min, params.interval_max,
                params.latency, params.supervision_timeout, params.min_ce_length, params.max_ce_length)
            mask = 0
            for phy in phys:
                mask |= _phy_mask(phy)
            await self.host.send_command(cmd.LeExtendedCreateConnection(
                own_address_type=own, peer_address=address, initiating_phys=mask,
                phy_parameters=(block,) * bin(mask).count("1")))
        else:
            if phys != (PHY_1M,):
                raise ValueError("initiating on LE 2M/Coded needs the extended create connection command")
            await self.host.send_command(cmd.LeCreateConnection(
                le_scan_interval=params.scan_interval, le_scan_window=params.scan_window,
                peer_address=address, own_address_type=own,
                connection_interval_min=params.interval_min, connection_interval_max=params.interval_max,
                max_latency=params.latency, supervision_timeout=params.supervision_timeout,
                min_ce_length=params.min_ce_length, max_ce_length=params.max_ce_length))

    async def _cancel(self, attempt: asyncio.Future[Any]) -> Any:
        """LE Create Connection Cancel (7.8.13), then the Connection Complete it causes (or a late success)."""
        try:
            await self.host.send_command(cmd.LeCreateConnectionCancel())
        except HciCommandError as exc:
            if exc.status != StatusCode.COMMAND_DISALLOWED:  # disallowed: the connection just completed
                raise
        return await asyncio.wait_for(asyncio.shield(attempt), self.host.config.command_timeout)

    async def cancel_connect(self) -> bool:
        """Cancel a pending connect(); True if one was pending."""
        attempt = self._attempt
        if attempt is None or attempt.done():
            return False
        await self._cancel(attempt)
        return True

    # --- either role -----------------------------------------------------------------------

    async def disconnect(self, conn: Connection | int,
                         reason: int = StatusCode.REMOTE_USER_TERMINATED_CONNECTION,
                         timeout: float | None = 10.0) -> int:
        """Disconnect (Vol 4 Part E, 7.1.6) and wait for it; the local reason reported (0x16 normally)."""
        connection = conn if isinstance(conn, Connection) else self.host.connections.get(conn)
        if connection is None:
            raise ValueError(f"no connection with handle {conn!r}")
        if connection.connected:
            await self.host.send_command(cmd.Disconnect(connection_handle=connection.handle, reason=StatusCode(reason)))
        return await self.wait_for_disconnection(connection, timeout)

    async def update_parameters(self, conn: Connection, params: ConnectionParameters,
                                timeout: float | None = 10.0) -> None:
        """LE Connection Update (7.8.18): as central, or as peripheral through the Connection Parameters
        Request procedure; waits for LE Connection Update Complete and raises on a failing status."""
        problem = connection_parameters_problem(params.interval_min, params.interval_max, params.latency,
                                                params.supervision_timeout)
        if problem is not None:
            raise ValueError(f"connection parameters: {problem}")
        if conn.role == Role.PERIPHERAL and not self.caps.parameters_request:
            raise HciCommandError(StatusCode.UNSUPPORTED_FEATURE_OR_PARAMETER_VALUE,
                                  cmd.LeConnectionUpdate(conn.handle, 0, 0, 0, 0))
        await self._run_procedure(conn, cmd.LeConnectionUpdate(
            connection_handle=conn.handle, connection_interval_min=params.interval_min,
            connection_interval_max=params.interval_max, max_latency=params.latency,
            supervision_timeout=params.supervision_timeout,
            min_ce_length=params.min_ce_length, max_ce_length=params.max_ce_length),
            ev.LeConnectionUpdateComplete, "connection update", timeout)

    async def _run_procedure(self, conn: Connection, command: Any, outcome: type[_E], what: str,
                             timeout: float | None) -> _E:
        """Send `command` and wait for the `outcome` event of `conn` it leads to (subscribed before
        sending, so a fast answer is not missed); a failing status raises ConnectionError."""
        waiter = asyncio.ensure_future(self.host.wait_for_event(
            outcome, lambda e: e.connection_handle == conn.handle, timeout))
        try:
            await self.host.send_command(command)
        except BaseException:
            waiter.cancel()
            raise
        event = await waiter
        if event.status != StatusCode.SUCCESS:
            raise ConnectionError(f"{what} on 0x{conn.handle:03x} failed: {StatusCode(event.status).name}")
        return event

    def parameters_acceptable(self, interval_min: int, interval_max: int, latency: int, timeout: int) -> str | None:
        """Why requested parameters are refused (invalid, or outside the configured limits), or None."""
        problem = connection_parameters_problem(interval_min, interval_max, latency, timeout)
        if problem is not None:
            return problem
        lim = self.limits
        if interval_max < lim.interval_min or interval_min > lim.interval_max:
            return f"interval {interval_min}-{interval_max} outside the accepted {lim.interval_min}-{lim.interval_max}"
        if latency > lim.max_latency:
            return f"latency {latency} above the accepted {lim.max_latency}"
        if not lim.timeout_min <= timeout <= lim.timeout_max:
            return f"timeout {timeout} outside the accepted {lim.timeout_min}-{lim.timeout_max}"
        return None

    def _decide(self, conn: Connection, interval_min: int, interval_max: int, latency: int, timeout: int) -> bool:
        problem = self.parameters_acceptable(interval_min, interval_max, latency, timeout)
        if problem is not None:
            log.info("refusing connection parameters on 0x%03x: %s", conn.handle, problem)
            return False
        handler = self.parameter_request_handler
        if handler is not None:
            try:
                return bool(handler(conn, interval_min, interval_max, latency, timeout))
            except Exception:
                log.exception("parameter request handler failed; refusing")
                return False
        return True

    def accept_l2cap_parameter_request(self, conn: Connection, interval_min: int, interval_max: int,
                                       latency: int, timeout: int) -> ConnectionParameters | None:
        """For the L2CAP bearer (central): decide an L2CAP Connection Parameter Update Request.

        Returns the parameters to apply, narrowed to the configured limits, or None to refuse
        (Vol 3 Part A, 4.20-4.21). Nothing is sent here: the bearer answers the request and
        then runs the one LE Connection Update (Vol 4 Part E, 7.8.18) with these values.
        """
        if conn.role != Role.CENTRAL or not self._decide(conn, interval_min, interval_max, latency, timeout):
            return None
        return ConnectionParameters(*self._clamped_interval(interval_min, interval_max), latency, timeout)

    def _clamped_interval(self, interval_min: int, interval_max: int) -> tuple[int, int]:
        """The requested interval range narrowed to the accepted one (they overlap once `_decide` agreed)."""
        return max(interval_min, self.limits.interval_min), min(interval_max, self.limits.interval_max)

    def on_remote_parameter_request(self, event: ev.LeRemoteConnectionParameterRequest) -> None:
        """LE Remote Connection Parameter Request (7.7.65.6): reply within the limits, else negative reply."""
        conn = self.host.connections.get(event.connection_handle)
        if conn is None:
            return
        if self._decide(conn, event.interval_min, event.interval_max, event.max_latency, event.timeout):
            interval_min, interval_max = self._clamped_interval(event.interval_min, event.interval_max)
            command: Any = cmd.LeRemoteConnectionParameterRequestReply(
                connection_handle=conn.handle, interval_min=interval_min, interval_max=interval_max,
                max_latency=event.max_latency, timeout=event.timeout)
        else:
            command = cmd.LeRemoteConnectionParameterRequestNegativeReply(
                connection_handle=conn.handle, reason=StatusCode.UNACCEPTABLE_CONNECTION_PARAMETERS)
        task = asyncio.get_running_loop().create_task(self.host.send_command(command))
        task.add_done_callback(_log_failure)

    async def set_data_length(self, conn: Connection, tx_octets: int = 251, tx_time: int = 2120) -> None:
        """LE Set Data Length (7.8.33); LE Data Length Change updates `link_state(conn)` if anything changes."""
        await self.host.send_command(cmd.LeSetDataLength(connection_handle=conn.handle, tx_octets=tx_octets,
                                                         tx_time=tx_time))

    async def set_phy(self, conn: Connection, tx_phys: int = 0x02, rx_phys: int = 0x02, options: int = 0,
                      timeout: float | None = 10.0) -> tuple[int, int]:
        """LE Set PHY (7.8.49) with PHY bitmasks; waits for LE PHY Update Complete, returns (tx_phy, rx_phy)."""
        for mask, name in ((tx_phys, "tx"), (rx_phys, "rx")):
            if mask & 0x02:
                self.caps.check_phy(PHY_2M, f"{name} PHY")
            if mask & 0x04:
                self.caps.check_phy(PHY_CODED, f"{name} PHY")
        event = await self._run_procedure(conn, cmd.LeSetPhy(
            connection_handle=conn.handle, all_phys=0, tx_phys=tx_phys, rx_phys=rx_phys, phy_options=options),
            ev.LePhyUpdateComplete, "PHY update", timeout)
        return event.tx_phy, event.rx_phy

    # --- events (called by Gap on the host loop) ----------------------------------------------

    def on_connection_complete(self, event: Any) -> Connection | None:
        """Either LE (Enhanced) Connection Complete; returns the new Connection on success."""
        if event.role == Role.CENTRAL and self._attempt is not None and not self._attempt.done():
            self._attempt.set_result(event)
        if event.status != StatusCode.SUCCESS:
            return None
        conn = self.host.connections.get(event.connection_handle)
        if conn is None:
            return None
        link_state(conn)
        for callback in list(self._connected_callbacks):
            try:
                callback(conn)
            except Exception:
                log.exception("connected callback %r failed", callback)
        return conn

    def on_disconnection(self, event: ev.DisconnectionComplete) -> None:
        if event.status != StatusCode.SUCCESS:
            return
        conn = self.host.connections.get(event.connection_handle)
        if conn is None:
            return
        for callback in list(self._disconnected_callbacks):
            try:
                callback(conn, int(event.reason))
            except Exception:
                log.exception("disconnected callback %r failed", callback)

    def on_data_length_change(self, event: ev.LeDataLengthChange) -> None:
        conn = self.host.connections.get(event.connection_handle)
        if conn is not None:
            state = link_state(conn)
            state.max_tx_octets, state.max_tx_time = event.max_tx_octets, event.max_tx_time
            state.max_rx_octets, state.max_rx_time = event.max_rx_octets, event.max_rx_time

    def on_phy_update(self, event: ev.LePhyUpdateComplete) -> None:
        conn = self.host.connections.get(event.connection_handle)
        if conn is not None and event.status == StatusCode.SUCCESS:
            state = link_state(conn)
            state.tx_phy, state.rx_phy = event.tx_phy, event.rx_phy

    def on_reset(self, error: BaseException) -> None:
        """The controller was reset: a pending connect() will never see its Connection Complete."""
        if self._attempt is not None and not self._attempt.done():
            self._attempt.set_exception(error)

    def on_lost(self, error: BaseException) -> None:
        if self._attempt is not None and not self._attempt.done():
            self._attempt.set_exception(error)


def _log_failure(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("GAP background command failed: %s", task.exception())
