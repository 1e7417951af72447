"""Serve a DeviceModel on a Host: the recorded device as a connectable peripheral.

`DeviceEmulator.start(transport)` runs on a host loop: it opens a Host, takes the recorded
address (see addressing.py), installs the recorded attribute database in place of the host's own
(no GAP/GATT services are added: the recorded ones are served), advertises the recorded data,
and for each connection replays what the device did: read values in order, write answers, and
the notifications that followed each write and subscription, at their recorded delays divided by
`speed`. Notifications of a characteristic with a CCCD go out only while the client is
subscribed, as a device following Vol 3 Part G 3.3.3.3 would.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aioble_hci.address import Address
from aioble_hci.att.errors import AttError
from aioble_hci.att.events import SubscriptionChanged
from aioble_hci.att.pdus import ErrorCode
from aioble_hci.emulate.addressing import take_address
from aioble_hci.emulate.behaviour import Responder
from aioble_hci.emulate.database import build_database
from aioble_hci.emulate.model import DeviceModel, Notification
from aioble_hci.host.api import start_host
from aioble_hci.host.connection import Connection
from aioble_hci.host.gap import attach_gap
from aioble_hci.host.gap.advertising import AdvertisingParameters
from aioble_hci.host.gatt import attach_gatt
from aioble_hci.host.host import Host, HostConfig
from aioble_hci.transport.base import Transport
from aioble_hci.uuid import UUID

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 0.1  # seconds, when the capture shows no advertising
DEFAULT_MTU = 247
FLAGS_GENERAL_DISCOVERABLE = bytes((2, 0x01, 0x06))  # LE General Discoverable, BR/EDR not supported
AD_COMPLETE_LOCAL_NAME = 0x09  # Core Specification Supplement Part A 1.2


class DeviceEmulator:
    """One recorded device served on one controller; every method runs on the host loop."""

    def __init__(self, model: DeviceModel, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError(f"--speed must be above 0, got {speed}")
        self.model = model
        self.speed = speed
        self.host: Host | None = None
        self.address: Address | None = None
        self.notes: list[str] = []
        """What the serving had to approximate (address, advertising data)."""
        self._responders: dict[int, Responder] = {}
        self._tasks: dict[int, set[asyncio.Task[None]]] = {}
        self._closing = False
        self._advertising: asyncio.Task[None] | None = None
        self._unsubscribe: list[Any] = []
        self.sent: list[tuple[int, int, bytes]] = []
        """(connection handle, attribute handle, value) of every notification/indication sent."""

    async def start(self, transport: str | Transport) -> Address:
        host = self.host = await start_host(transport, HostConfig())
        try:
            gap_config, address, notes = await take_address(host, self.model.address)
            self.notes.extend(notes)
            gap = await attach_gap(host, gap_config)
            await address.apply(host)
            self.address = address.address
            mtu = min(max(self.model.server_mtu or DEFAULT_MTU, 23), 517)
            gatt = attach_gatt(host, preferred_mtu=mtu)
            gatt.server.services = []
            gatt.server.database = build_database(self.model, self)
            self._unsubscribe += [
                gap.on_connected(self._connected),
                gap.on_disconnected(self._disconnected),
                gatt.events.on(SubscriptionChanged, self._subscribed),
            ]
            await self._advertise()
        except BaseException:
            await host.close()
            raise
        return self.address

    async def close(self) -> None:
        self._closing = True
        for off in self._unsubscribe:
            off()
        for tasks in self._tasks.values():
            for task in tasks:
                task.cancel()
        if self._advertising is not None:
            self._advertising.cancel()
        if self.host is not None:
            await self.host.close()

    # -- advertising ----------------------------------------------------------------------------------

    def advertising_data(self) -> tuple[bytes, bytes]:
        """The recorded advertising data and scan response, or flags and the recorded name."""
        adv = self.model.advertiser
        if adv is not None and (adv.adv_data or adv.scan_response):
            return adv.adv_data, adv.scan_response
        name = self._device_name()
        data = FLAGS_GENERAL_DISCOVERABLE
        if name:
            encoded = name.encode()[: 31 - len(data) - 2]
            data += bytes((len(encoded) + 1, AD_COMPLETE_LOCAL_NAME)) + encoded
        note = "advertising data not in the capture: advertising flags" + (f" and the name {name!r}" if name else "")
        if note not in self.notes:
            self.notes.append(note)
        return data, b""

    def _device_name(self) -> str | None:
        for ch in self.model.characteristics():
            if ch.uuid.shortest() == _DEVICE_NAME and self.model.reads.get(ch.value_handle):
                value = self.model.reads[ch.value_handle][-1].value
                return value.decode("utf-8", "replace") if value else None
        return None

    async def _advertise(self) -> None:
        assert self.host is not None and self.host.gap is not None  # attached by start()
        data, scan = self.advertising_data()
        adv = self.model.advertiser
        interval = adv.interval if adv is not None and adv.interval is not None else DEFAULT_INTERVAL
        interval = min(max(interval, 0.02), 10.24)
        params = AdvertisingParameters.from_ms(interval * 1000, connectable=True)
        await self.host.gap.advertise(data, scan, params)

    def _readvertise(self) -> None:
        if self._closing:
            return
        task = asyncio.get_running_loop().create_task(self._advertise())
        task.add_done_callback(_log_failure)
        self._advertising = task

    # -- connections ----------------------------------------------------------------------------------

    def _connected(self, connection: Connection) -> None:
        responder = self._responders[connection.handle] = Responder(self.model)
        self._tasks[connection.handle] = set()
        log.info("emulated device: %s connected", connection.peer_address)
        self._play(connection, responder.on_connect())

    def _disconnected(self, connection: Connection, reason: int) -> None:
        self._responders.pop(connection.handle, None)
        for task in self._tasks.pop(connection.handle, set()):
            task.cancel()
        log.info("emulated device: %s disconnected (0x%02x)", connection.peer_address, reason)
        self._readvertise()

    def _responder(self, connection: Any) -> Responder:
        responder = self._responders.get(connection.handle)
        if responder is None:  # a connection the GAP callback has not announced yet
            responder = self._responders[connection.handle] = Responder(self.model)
            self._tasks.setdefault(connection.handle, set())
        return responder

    # -- the Hooks the database calls -----------------------------------------------------------------

    def read(self, connection: Any, handle: int) -> bytes:
        assert self.host is not None and self.host.gatt is not None  # attached by start()
        try:
            value, error = self._responder(connection).read(handle, self.host.gatt.mtu(connection))
        except Exception:  # a replay fault answers Unlikely Error, never breaks the host thread
            log.exception("emulated device: read of 0x%04x failed", handle)
            raise AttError(ErrorCode.UNLIKELY_ERROR, handle) from None
        if error is not None:
            raise AttError(error, handle)
        return value or b""

    def write(self, connection: Any, handle: int, value: bytes) -> None:
        try:
            answer = self._responder(connection).write(handle, value)
            self._play(connection, answer.notifications)
        except Exception:  # a replay fault answers Unlikely Error, never breaks the host thread
            log.exception("emulated device: write of 0x%04x failed", handle)
            raise AttError(ErrorCode.UNLIKELY_ERROR, handle) from None
        if answer.error is not None:
            raise AttError(answer.error, handle)

    def _subscribed(self, event: SubscriptionChanged) -> None:
        bits = int(event.notify) | int(event.indicate) << 1
        answer = self._responder(event.connection).write(event.cccd_handle, bits.to_bytes(2, "little"))
        self._play(event.connection, answer.notifications)

    # -- notifications --------------------------------------------------------------------------------

    def _play(self, connection: Any, script: list[Notification]) -> None:
        """Send `script` after the current PDU's answer, each at its delay / speed from now."""
        if not script or self._closing:
            return
        tasks = self._tasks.setdefault(connection.handle, set())
        task = asyncio.get_running_loop().create_task(self._run(connection, script))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        task.add_done_callback(_log_failure)

    async def _run(self, connection: Any, script: list[Notification]) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        await asyncio.sleep(0)  # the Write Response goes first
        for n in script:
            wait = start + n.delay / self.speed - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if not connection.connected:
                return
            await self._send(connection, n)

    async def _send(self, connection: Any, n: Notification) -> None:
        assert self.host is not None and self.host.gatt is not None  # attached by start()
        server = self.host.gatt.server
        ch = self.model.characteristic_of(n.handle)
        if ch is not None and ch.cccd_handle is not None:
            bits = server.subscription(connection, n.handle)
            if not bits:
                log.debug("not sending 0x%04x: the client has not subscribed", n.handle)
                return
            indicate = bool(bits & 0x02) and (n.indication or not bits & 0x01)
        else:
            indicate = n.indication
        try:
            if indicate:
                await server.indicate(connection, n.handle, n.value)
            else:
                server.notify(connection, n.handle, n.value)
        except (ConnectionError, KeyError, RuntimeError, AttError, TimeoutError) as exc:
            log.info("notification of 0x%04x not sent: %s", n.handle, exc)
            return
        self.sent.append((connection.handle, n.handle, n.value))


_DEVICE_NAME = UUID(0x2A00)


def _log_failure(task: asyncio.Task[None]) -> None:
    with contextlib.suppress(asyncio.CancelledError):
        if task.exception() is not None:
            log.warning("emulated device: %s", task.exception())
