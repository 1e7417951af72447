"""The GATT client of one connection as coroutines (Core Vol 3 Part G 4).

Each call queues a procedure on the connection's ATT bearer (one outstanding request, the rest
wait) and returns its result; an Error Response raises `AttError` carrying the ATT status,
a 30 s silence `AttTimeoutError`, a lost link `BearerClosedError`. Notifications and
indications are routed per value handle to callbacks and queues.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aioble_hci.att import procedures as proc
from aioble_hci.att.gatt import CLIENT_CHARACTERISTIC_CONFIGURATION
from aioble_hci.att.procedures import (
    CharacteristicInfo,
    DescriptorInfo,
    IncludedServiceInfo,
    ServiceInfo,
)
from aioble_hci.host.events import subscribe
from aioble_hci.uuid import UUID

if TYPE_CHECKING:
    from aioble_hci.host.gatt.bearer import AttBearer

log = logging.getLogger(__name__)

Signer = Callable[[], "tuple[bytes, int]"]
"""Returns our CSRK and the next SignCounter for this peer (the SMP bearer's ``next_signature``)."""

ValueCallback = Callable[[bytes, bool], None]
"""Called with (value, is_indication) on the host loop."""


class GattClient:
    """Client-side GATT procedures on one connection; use on the host loop."""

    def __init__(self, bearer: AttBearer, signer: Signer | None = None) -> None:
        self._bearer = bearer
        self._signer = signer
        self.connection = bearer.connection
        self._queues: dict[int, asyncio.Queue[tuple[bytes, bool]]] = {}
        self._callbacks: dict[int, list[ValueCallback]] = {}

    @property
    def mtu(self) -> int:
        return self._bearer.mtu

    async def _run(self, procedure: proc.Procedure) -> Any:
        return await self._bearer.submit(procedure)

    # -- MTU and discovery ---------------------------------------------------------------------

    async def exchange_mtu(self) -> int:
        """Exchange MTU (4.3.1) with the preferred MTU; returns the new ATT_MTU. The request goes
        out once per connection (Vol 3 Part F 3.4.2.1): later calls return the negotiated ATT_MTU."""
        return int(await self._run(proc.ExchangeMtu(self._bearer.client.rx_mtu)))

    async def discover_services(self, uuid: UUID | None = None) -> list[ServiceInfo]:
        """All primary services (4.4.1) or those with `uuid` (4.4.2)."""
        return list(await self._run(proc.DiscoverPrimaryServices(uuid)))

    async def find_included_services(self, service: ServiceInfo) -> list[IncludedServiceInfo]:
        return list(await self._run(proc.FindIncludedServices(service.start_handle, service.end_handle)))

    async def discover_characteristics(
        self, service: ServiceInfo, uuid: UUID | None = None
    ) -> list[CharacteristicInfo]:
        """All characteristics of `service` (4.6.1) or those with `uuid` (4.6.2)."""
        return list(
            await self._run(proc.DiscoverCharacteristics(service.start_handle, service.end_handle, uuid))
        )

    async def discover_descriptors(self, characteristic: CharacteristicInfo) -> list[DescriptorInfo]:
        """The descriptors after a characteristic's value, up to its end handle (4.7.1)."""
        return list(
            await self._run(
                proc.DiscoverDescriptors(characteristic.value_handle + 1, characteristic.end_handle)
            )
        )

    # -- reads and writes ----------------------------------------------------------------------

    async def read(self, handle: int, long: bool = False) -> bytes:
        """Read a value (4.8.1); with `long`, Read Blob until the end (4.8.3)."""
        return bytes(await self._run(proc.Read(handle, long)))

    async def read_by_uuid(
        self, uuid: UUID, start: int = 0x0001, end: int = 0xFFFF
    ) -> list[tuple[int, bytes]]:
        """Read Using Characteristic UUID (4.8.2): (handle, value) pairs."""
        return [(h, bytes(v)) for h, v in await self._run(proc.ReadByUuid(uuid, start, end))]

    async def read_multiple(self, handles: list[int], variable: bool = False) -> Any:
        """Read Multiple (4.8.4: concatenated bytes) or Read Multiple Variable (4.8.5: a list)."""
        return await self._run(proc.ReadMultiple(handles, variable))

    async def write(self, handle: int, value: bytes, response: bool = True) -> None:
        """Write Request (4.9.3), or Write Command (4.9.1) with `response=False`."""
        if response:
            await self._run(proc.Write(handle, bytes(value)))
        else:
            self._bearer.write_command(handle, bytes(value))

    async def write_signed(self, handle: int, value: bytes) -> None:
        """Signed Write Without Response (4.9.2) with the CSRK we distributed to this bonded peer.

        On an encrypted link a plain Write Without Response is sent instead, as 4.9.2 requires.
        Raises RuntimeError without the SMP bearer, its NoBondError without a distributed CSRK.
        """
        if self._bearer.security.encrypted:
            self._bearer.write_command(handle, bytes(value))
            return
        if self._signer is None:
            raise RuntimeError("signed writes need the SMP bearer (attach_smp) for the CSRK")
        csrk, counter = self._signer()
        self._bearer.signed_write_command(handle, bytes(value), csrk, counter)

    async def write_long(self, handle: int, value: bytes, offset: int = 0) -> None:
        """Write Long Characteristic Values (4.9.4) with Prepare/Execute Write."""
        await self._run(proc.write_long(handle, bytes(value), offset))

    async def reliable_write(self, writes: list[tuple[int, bytes]]) -> None:
        """Reliable Writes (4.9.5): every echo is checked, all or nothing."""
        await self._run(proc.reliable_write(writes))

    # -- notifications and indications ---------------------------------------------------------

    async def find_cccd(self, characteristic: CharacteristicInfo) -> int:
        """The handle of a characteristic's CCCD (discovered); raises LookupError if it has none."""
        for descriptor in await self.discover_descriptors(characteristic):
            if descriptor.uuid == CLIENT_CHARACTERISTIC_CONFIGURATION:
                return descriptor.handle
        raise LookupError(f"characteristic {characteristic.uuid} has no CCCD")

    async def subscribe(
        self,
        characteristic: CharacteristicInfo,
        notify: bool = True,
        indicate: bool = False,
        cccd_handle: int | None = None,
    ) -> None:
        """Write the CCCD (4.12.3); values then arrive via `on_value` / `values`."""
        cccd = cccd_handle if cccd_handle is not None else await self.find_cccd(characteristic)
        await self._run(proc.subscribe(cccd, notify, indicate))

    async def unsubscribe(self, characteristic: CharacteristicInfo, cccd_handle: int | None = None) -> None:
        await self.subscribe(characteristic, False, False, cccd_handle)

    def on_value(self, value_handle: int, callback: ValueCallback) -> Callable[[], None]:
        """Call `callback(value, is_indication)` for every value of `value_handle`."""
        unsubscribe = subscribe(self._callbacks.setdefault(value_handle, []), callback)
        self._route(value_handle)
        return unsubscribe

    def values(self, value_handle: int) -> asyncio.Queue[tuple[bytes, bool]]:
        """A queue of (value, is_indication) of `value_handle` from now on."""
        queue = self._queues.get(value_handle)
        if queue is None:
            queue = self._queues[value_handle] = asyncio.Queue()
            self._route(value_handle)
        return queue

    def _route(self, value_handle: int) -> None:
        def deliver(value: bytes, indication: bool) -> None:
            for callback in list(self._callbacks.get(value_handle, ())):
                try:
                    callback(value, indication)
                except Exception:  # an application callback never breaks the bearer
                    log.exception("value callback %r failed for handle 0x%04x", callback, value_handle)
            queue = self._queues.get(value_handle)
            if queue is not None:
                queue.put_nowait((value, indication))

        self._bearer.client.route(value_handle, deliver)
