"""`serial:DEVICE[,BAUD][,rtscts]`: H4 over a UART via pyserial (Core Vol 4 Part A).

Zephyr's hci_uart runs at 1000000 baud with RTS/CTS, the defaults here. A reader
thread blocks on the port and hands bytes to the host loop with
`call_soon_threadsafe`; a writer thread drains a queue so `send` never blocks.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import queue
import threading

import serial

from aioble_hci.hci.h4 import encode
from aioble_hci.hci.packets import PacketType
from aioble_hci.transport.base import Transport, TransportError
from aioble_hci.transport.h4stream import H4Receiver
from aioble_hci.transport.spec import ACCEPTED_FORMS, parse_serial

log = logging.getLogger(__name__)

_STOP = object()


def _available_ports() -> str:
    try:
        from serial.tools import list_ports

        ports = [p.device for p in list_ports.comports()]
    except Exception:  # listing is only a hint
        ports = []
    return ", ".join(ports) if ports else "none found"


def permission_hint(device: str) -> str:
    return (
        f"permission denied opening {device}: add your user to the group owning it "
        f"(usually 'dialout': `sudo usermod -aG dialout $USER`, then log out and in again), "
        f"or run `sudo chmod a+rw {device}` for this session"
    )


class SerialTransport(Transport):
    """H4 over a serial port."""

    def __init__(self, spec: str) -> None:
        super().__init__(spec)
        self.options = parse_serial(spec)
        self._port: serial.Serial | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._receiver = H4Receiver(self)
        self._writes: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._closing = False
        self._lost_reported = False

    async def open(self) -> None:
        device = self.options.device
        if not os.path.exists(device):
            raise TransportError(
                f"serial device {device} does not exist (is the board plugged in? serial ports here: "
                f"{_available_ports()})\n{ACCEPTED_FORMS}"
            )
        try:
            port = serial.Serial(
                device,
                baudrate=self.options.baudrate,
                rtscts=self.options.rtscts,
                timeout=None,
                exclusive=True,
            )
        except serial.SerialException as exc:
            if exc.errno == errno.EACCES or not os.access(device, os.R_OK | os.W_OK):
                raise TransportError(permission_hint(device)) from exc
            if exc.errno == errno.EBUSY:
                raise TransportError(f"{device} is in use by another program (close it and retry)") from exc
            raise TransportError(f"cannot open serial port {device}: {exc}") from exc
        self._port = port
        self._loop = asyncio.get_running_loop()
        log.info("opened %s at %d baud, rtscts=%s", device, self.options.baudrate, self.options.rtscts)
        for target, name in ((self._read_loop, "reader"), (self._write_loop, "writer")):
            thread = threading.Thread(target=target, name=f"aioble-hci serial {name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def send(self, packet_type: PacketType, payload: bytes) -> None:
        if self._port is None or self._closing:
            raise TransportError(f"{self.spec} is not open")
        self._writes.put(encode(packet_type, payload))

    async def close(self) -> None:
        if self._port is None or self._closing:
            return
        self._closing = True
        self._writes.put(_STOP)
        port = self._port
        try:
            port.cancel_read()
        except Exception:  # cancel_read is best effort on some platforms
            log.debug("cancel_read failed", exc_info=True)
        threads = list(self._threads)
        await asyncio.get_running_loop().run_in_executor(None, _join_all, threads)
        port.close()
        log.info("closed %s", self.options.device)

    # --- threads ---------------------------------------------------------------

    def _read_loop(self) -> None:
        port = self._port
        assert port is not None and self._loop is not None
        while not self._closing:
            try:
                data = port.read(max(1, port.in_waiting))
            except (serial.SerialException, OSError, TypeError) as exc:
                if not self._closing:
                    self._report_lost(exc)
                return
            if data:
                self._call(self._receiver.feed, bytes(data))

    def _write_loop(self) -> None:
        port = self._port
        assert port is not None
        while True:
            item = self._writes.get()
            if item is _STOP:
                return
            assert isinstance(item, bytes)
            try:
                port.write(item)
            except (serial.SerialException, OSError) as exc:
                if not self._closing:
                    self._report_lost(exc)
                return

    def _call(self, func: object, *args: object) -> None:
        assert self._loop is not None
        try:
            self._loop.call_soon_threadsafe(func, *args)  # type: ignore[arg-type]
        except RuntimeError:  # the host loop is closed; nothing left to tell
            self._closing = True

    def _report_lost(self, exc: BaseException) -> None:
        if self._lost_reported:
            return
        self._lost_reported = True
        log.error("%s: controller lost: %s", self.options.device, exc)
        self._call(self._lost, TransportError(f"serial port {self.options.device} failed: {exc}"))


def _join_all(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.join(timeout=2.0)
