"""The lower tester: a Host with only the GAP bearer, whose fixed channels the tester owns.

`LowerTester` connects to an IUT with chosen parameters (or advertises and accepts an IUT
central) and hands out `TesterLink`s. Our ATT, SMP and L2CAP cores are never attached to the
tester's Host, so the ATT (0x0004), LE signalling (0x0005) and SMP (0x0006) fixed channels and
every dynamic CID reach the tester raw, and what the tester sends is exactly what the case wrote.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aioble_hci.address import Address
from aioble_hci.gap.privacy import generate_static_address
from aioble_hci.gap.scan_results import AdvertisingReport
from aioble_hci.hci import commands as cmd
from aioble_hci.hci import events as ev
from aioble_hci.host.connection import Connection, Role
from aioble_hci.host.gap import Gap, GapConfig, attach_gap
from aioble_hci.host.gap.advertising import AdvertisingParameters
from aioble_hci.host.gap.config import ConnectionParameters
from aioble_hci.host.gap.scanning import ScanParameters
from aioble_hci.host.host import Host, HostConfig
from aioble_hci.transport.base import Transport

from .describe import ATT_CID, SIGNALING_CID, SMP_CID
from .link import TesterLink
from .verdicts import CaseInconclusive

log = logging.getLogger(__name__)

ADV_FLAGS_GENERAL = b"\x02\x01\x06"


class LowerTester:
    """Owns a started Host (with GAP) on the host loop; every method runs there."""

    def __init__(self, host: Host, timeout: float = 2.0) -> None:
        if host.gap is None:
            raise ValueError("the lower tester needs the Host's GAP bearer: await attach_gap(host) first")
        for bearer, slot in (("l2cap", host.l2cap), ("gatt", host.gatt), ("smp", host.smp)):
            if slot is not None:
                raise ValueError(f"the lower tester's Host must not have the {bearer} bearer attached: "
                                 "it sends and checks raw PDUs on those channels itself")
        self.host = host
        self.gap: Gap = host.gap
        self.timeout = timeout
        self.links: dict[int, TesterLink] = {}
        for cid in (ATT_CID, SIGNALING_CID, SMP_CID):
            host.register_fixed_channel(cid, self._fixed(cid))
        host.register_dynamic_channels(lambda conn, cid, pdu: self.link_for(conn).receive(cid, pdu))
        self._unsubscribe = [
            host.on_event(ev.DisconnectionComplete, self._on_disconnection),
            host.on_event(ev.EncryptionChange, self._on_encryption),
            host.on_event(ev.EncryptionKeyRefreshComplete, self._on_key_refresh),
            host.on_event(ev.LeConnectionUpdateComplete, self._on_update),
            host.on_event(ev.LeLongTermKeyRequest, self._on_ltk_request),
        ]
        self._tasks: set[asyncio.Task[Any]] = set()

    @classmethod
    async def open(cls, transport: Transport, *, command_timeout: float = 5.0, capture_path: str | None = None,
                   gap: GapConfig | None = None, timeout: float = 2.0) -> LowerTester:
        """Start a Host on `transport` with only GAP attached (call on the host loop)."""
        host = Host(transport, HostConfig(command_timeout=command_timeout, capture_path=capture_path))
        await host.start()
        await attach_gap(host, gap or GapConfig())
        return cls(host, timeout)

    async def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self.gap.close()
        await self.host.close()

    # --- links -----------------------------------------------------------------------------

    def link_for(self, conn: Connection) -> TesterLink:
        link = self.links.get(conn.handle)
        if link is None or link.conn is not conn:
            link = self.links[conn.handle] = TesterLink(self.host, conn, self.timeout)
        return link

    def _link(self, handle: int) -> TesterLink | None:
        return self.links.get(handle)

    def _fixed(self, cid: int) -> Any:
        return lambda conn, pdu: self.link_for(conn).receive(cid, pdu)

    async def connect(self, address: Address, params: ConnectionParameters | None = None,
                      timeout: float = 10.0) -> TesterLink:
        """Connect to a peripheral IUT as central with `params` (LE Create Connection)."""
        try:
            conn = await self.gap.connect(address, params, timeout=timeout)
        except Exception as exc:
            raise CaseInconclusive(f"could not connect to the IUT {address}: {exc}") from None
        return self.link_for(conn)

    async def accept(self, timeout: float = 10.0, adv_data: bytes = ADV_FLAGS_GENERAL) -> TesterLink:
        """Advertise connectable and return the link once the IUT central connects."""
        waiting = asyncio.ensure_future(self.gap.wait_for_connection(Role.PERIPHERAL, timeout))
        adv = await self.gap.advertise(adv_data, params=AdvertisingParameters(interval_min=0x20))
        try:
            conn = await waiting
        except TimeoutError:
            raise CaseInconclusive(f"no IUT central connected within {timeout:g} s") from None
        finally:
            if adv.active:  # legacy connectable advertising ends with the connection
                await self.gap.stop_advertising(adv)
        return self.link_for(conn)

    async def scan_for(self, address: Address, timeout: float = 3.0, active: bool = True,
                       count: int = 1) -> list[AdvertisingReport]:
        """Scan until `count` reports from `address` (or the timeout); the reports seen."""
        seen: list[AdvertisingReport] = []
        enough = asyncio.Event()

        def on_report(report: AdvertisingReport) -> None:
            if report.address == address:
                seen.append(report)
                if len(seen) >= count:
                    enough.set()

        unsubscribe = self.gap.on_scan_report(on_report)
        await self.gap.start_scan(ScanParameters(active=active, interval=0x20, window=0x20))
        try:
            await asyncio.wait_for(enough.wait(), timeout)
        except TimeoutError:
            pass
        finally:
            unsubscribe()
            await self.gap.stop_scan()
        return seen

    async def new_address(self) -> Address:
        """Use a new random static address (Vol 6 Part B 1.3.2.1) from now on.

        A qualification tester resets the IUT between cases; over the air the tester cannot, so
        it becomes a stranger instead: the IUT holds no bond, no CCCD state and no Repeated
        Attempts record (Vol 3 Part H 2.3.6) for the new address."""
        address = generate_static_address()
        await self.host.send_command(cmd.LeSetRandomAddress(random_address=address))
        addresses = self.gap.addresses
        addresses.identity = addresses.random_address = address
        return address

    def capture_to(self, path: str | None) -> str | None:
        """Record the tester's HCI traffic to `path` from now on (one btsnoop per case)."""
        return self.host.capture_to(path)

    # --- link events ----------------------------------------------------------------------------

    def _on_disconnection(self, event: Any) -> None:
        link = self._link(event.connection_handle)
        if link is not None and event.status == 0:
            link.event("disconnected", reason=int(event.reason))

    def _on_encryption(self, event: Any) -> None:
        link = self._link(event.connection_handle)
        if link is not None:
            link.event("encryption", status=int(event.status), enabled=int(event.encryption_enabled))

    def _on_key_refresh(self, event: Any) -> None:
        link = self._link(event.connection_handle)
        if link is not None:
            link.event("encryption", status=int(event.status), enabled=1, refresh=1)

    def _on_update(self, event: Any) -> None:
        link = self._link(event.connection_handle)
        if link is not None:
            link.event("connection-update", status=int(event.status), interval=event.connection_interval,
                       latency=event.peripheral_latency if hasattr(event, "peripheral_latency") else None,
                       timeout=event.supervision_timeout)

    def _on_ltk_request(self, event: Any) -> None:
        """As peripheral: answer with the key the case set on the link, else a negative reply."""
        link = self._link(event.connection_handle)
        if link is None:
            return
        link.event("ltk-request", ediv=event.encrypted_diversifier, rand=bytes(event.random_number).hex())
        command: Any
        if link.ltk is not None:
            command = cmd.LeLongTermKeyRequestReply(connection_handle=link.handle, long_term_key=link.ltk)
        else:
            command = cmd.LeLongTermKeyRequestNegativeReply(connection_handle=link.handle)
        task = asyncio.get_running_loop().create_task(self._reply(command))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _reply(self, command: Any) -> None:
        try:
            await self.host.send_command(command)
        except Exception as exc:
            log.warning("answering the LTK request failed: %s", exc)
