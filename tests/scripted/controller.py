"""A scripted Zephyr-like controller speaking H4 over a byte stream (pty master or socket).

It answers the host's init sequence with its own `struct` code (independent of
`aioble_hci.hci`), grants a configurable number of command credits and ACL
buffers, records what the host sent, and lets a test inject raw bytes, hold back
answers, and complete ACL packets by hand. Runs on its own thread.
"""

from __future__ import annotations

import os
import select
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

ZEPHYR = 0x05F1
STATIC_ADDRESS = bytes.fromhex("c0ffee123456")[::-1]  # c0:ff:ee:12:34:56, top bits 0b11

# Supported_Commands octet/bit (Vol 4 Part E, 6.27) of the commands this controller answers.
SUPPORTED = {
    "SET_EVENT_MASK": (5, 6),
    "RESET": (5, 7),
    "READ_LOCAL_VERSION": (14, 3),
    "READ_LOCAL_FEATURES": (14, 5),
    "READ_BUFFER_SIZE": (14, 7),
    "READ_BD_ADDR": (15, 1),
    "LE_SET_EVENT_MASK": (25, 0),
    "LE_READ_BUFFER_SIZE": (25, 1),
    "LE_READ_LOCAL_FEATURES": (25, 2),
    "LE_SET_RANDOM_ADDRESS": (25, 4),
    "LE_SET_ADV_PARAMS": (25, 5),
    "LE_SET_SCAN_PARAMS": (26, 2),
    "LE_CREATE_CONNECTION": (26, 4),
}
LE_READ_BUFFER_SIZE_V2 = (41, 5)


@dataclass
class ControllerConfig:
    num_command_packets: int = 1
    acl_buffers: int = 2
    acl_size: int = 27
    manufacturer: int = ZEPHYR
    hci_version: int = 0x0D  # 5.4
    hci_revision: int = 0x0001
    lmp_version: int = 0x0D
    lmp_subversion: int = 0x1234
    bd_addr: bytes = bytes(6)
    static_address: bytes = STATIC_ADDRESS
    le_features: int = 0x0000_0000_0000_41FF
    buffer_size_v2: bool = False
    zephyr_vendor_commands: bool = True
    auto_complete_acl: bool = True
    silent_opcodes: set[int] = field(default_factory=set)


def event(code: int, params: bytes) -> bytes:
    return bytes((0x04, code, len(params))) + params


def command_complete(ncmd: int, opcode: int, ret: bytes) -> bytes:
    return event(0x0E, struct.pack("<BH", ncmd, opcode) + ret)


def command_status(ncmd: int, opcode: int, status: int) -> bytes:
    return event(0x0F, struct.pack("<BBH", status, ncmd, opcode))


def acl(handle: int, pb: int, data: bytes) -> bytes:
    return bytes((0x02,)) + struct.pack("<HH", handle | pb << 12, len(data)) + data


def le_connection_complete(handle: int, peer: bytes, role: int = 1) -> bytes:
    params = struct.pack("<BBHBB6sHHHB", 0x01, 0x00, handle, role, 0x01, peer, 24, 0, 400, 0)
    return event(0x3E, params)


def disconnection_complete(handle: int, reason: int = 0x13) -> bytes:
    return event(0x05, struct.pack("<BHB", 0, handle, reason))


def number_of_completed_packets(handle: int, count: int) -> bytes:
    return event(0x13, struct.pack("<BHH", 1, handle, count))


class ScriptedController:
    """The far end of a transport; `link` reads and writes the raw H4 byte stream."""

    def __init__(self, read: Callable[[], bytes], write: Callable[[bytes], None], close: Callable[[], None],
                 config: ControllerConfig | None = None) -> None:
        self.config = config or ControllerConfig()
        self._read = read
        self._write = write
        self._close = close
        self.lock = threading.Condition()
        self.commands: list[tuple[int, bytes]] = []
        self.acl_packets: list[bytes] = []
        self.outstanding_acl = 0
        self.max_outstanding_acl = 0
        self.held: list[tuple[int, bytes]] = []
        self.hold_commands = False
        self.in_flight_commands = 0
        self.max_in_flight_commands = 0
        self.closed = False
        self._buffer = bytearray()
        self._thread = threading.Thread(target=self._run, name="scripted controller", daemon=True)

    def start(self) -> ScriptedController:
        self._thread.start()
        return self

    # --- test controls ----------------------------------------------------

    def send_raw(self, data: bytes) -> None:
        self._write(data)

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        with self.lock:
            if not self.lock.wait_for(predicate, timeout):
                raise AssertionError("scripted controller: condition not met in time")

    def opcodes(self) -> list[int]:
        with self.lock:
            return [op for op, _ in self.commands]

    def release_held(self) -> None:
        """Answer every command held back while `hold_commands` was set."""
        with self.lock:
            held, self.held = self.held, []
        for opcode, params in held:
            self._answer(opcode, params)

    def complete_acl(self, handle: int, count: int) -> None:
        with self.lock:
            self.outstanding_acl -= count
        self._write(number_of_completed_packets(handle, count))

    def close(self) -> None:
        self.closed = True
        self._close()

    # --- the controller ---------------------------------------------------

    def _run(self) -> None:
        while True:  # until the link reports EOF (the link closes itself on its reader's thread)
            try:
                data = self._read()
            except OSError:
                return
            if not data:
                return
            self._buffer += data
            self._parse()

    def _parse(self) -> None:
        buf = self._buffer
        while buf:
            kind = buf[0]
            if kind == 0x01 and len(buf) >= 4 and len(buf) >= 4 + buf[3]:
                opcode = struct.unpack_from("<H", buf, 1)[0]
                params = bytes(buf[4 : 4 + buf[3]])
                del buf[: 4 + buf[3]]
                self._on_command(opcode, params)
            elif kind == 0x02 and len(buf) >= 5:
                length = struct.unpack_from("<H", buf, 3)[0]
                if len(buf) < 5 + length:
                    return
                packet = bytes(buf[1 : 5 + length])
                del buf[: 5 + length]
                self._on_acl(packet)
            elif kind in (0x01, 0x02):
                return
            else:
                raise AssertionError(f"host sent bad H4 byte 0x{kind:02x}")

    def _on_command(self, opcode: int, params: bytes) -> None:
        with self.lock:
            self.commands.append((opcode, params))
            self.in_flight_commands += 1
            self.max_in_flight_commands = max(self.max_in_flight_commands, self.in_flight_commands)
            if opcode == 0x0C03:  # Reset clears any held state
                self.outstanding_acl = 0
            hold = self.hold_commands
            if hold:
                self.held.append((opcode, params))
            self.lock.notify_all()
        if not hold:
            self._answer(opcode, params)

    def _on_acl(self, packet: bytes) -> None:
        handle = struct.unpack_from("<H", packet)[0] & 0x0FFF
        with self.lock:
            self.acl_packets.append(packet)
            self.outstanding_acl += 1
            self.max_outstanding_acl = max(self.max_outstanding_acl, self.outstanding_acl)
            self.lock.notify_all()
        if self.config.auto_complete_acl:
            self.complete_acl(handle, 1)

    def _answer(self, opcode: int, params: bytes) -> None:
        c = self.config
        with self.lock:
            self.in_flight_commands -= 1
        if opcode in c.silent_opcodes:
            return
        ok = b"\x00"
        ret: bytes | None
        if opcode in (0x0C03, 0x0C01, 0x2001, 0x2005, 0x2006, 0x200B):
            ret = ok
        elif opcode == 0x1001:
            ret = ok + struct.pack("<BHBHH", c.hci_version, c.hci_revision, c.lmp_version, c.manufacturer, c.lmp_subversion)
        elif opcode == 0x1002:
            bitmap = bytearray(64)
            for octet, bit in SUPPORTED.values():
                bitmap[octet] |= 1 << bit
            if c.buffer_size_v2:
                bitmap[LE_READ_BUFFER_SIZE_V2[0]] |= 1 << LE_READ_BUFFER_SIZE_V2[1]
            ret = ok + bytes(bitmap)
        elif opcode == 0x1003:
            ret = ok + bytes.fromhex("0000000060000000")  # LE supported (controller), no BR/EDR
        elif opcode == 0x2003:
            ret = ok + struct.pack("<Q", c.le_features)
        elif opcode == 0x1009:
            ret = ok + c.bd_addr
        elif opcode == 0x2002:
            ret = ok + struct.pack("<HB", c.acl_size, c.acl_buffers)
        elif opcode == 0x2060 and c.buffer_size_v2:
            ret = ok + struct.pack("<HBHB", c.acl_size, c.acl_buffers, 0, 0)
        elif opcode == 0x1005:
            ret = ok + struct.pack("<HBHH", 0, 0, 0, 0)
        elif opcode == 0xFC02 and c.zephyr_vendor_commands:
            vendor = bytearray(64)
            vendor[0] = 0b0000_0111  # Read Version Information, Supported Commands, Supported Features
            if c.static_address:
                vendor[1] = 0b0000_0001  # Read Static Addresses
            ret = ok + bytes(vendor)
        elif opcode == 0xFC09 and c.zephyr_vendor_commands and c.static_address:
            ret = ok + bytes((1,)) + c.static_address + bytes(16)
        elif opcode == 0x200D:
            self._write(command_status(c.num_command_packets, opcode, 0))
            return
        else:
            ret = b"\x01"  # Unknown HCI Command
        self._write(command_complete(c.num_command_packets, opcode, ret))


def open_pty_controller(config: ControllerConfig | None = None) -> tuple[ScriptedController, str]:
    """A scripted controller on a pty master; returns it and the slave path for `serial:`."""
    master, slave = os.openpty()
    path = os.ttyname(slave)
    import tty

    tty.setraw(slave)
    state = {"closed": False, "master_open": True}
    write_lock = threading.Lock()

    def read() -> bytes:
        # Only this (the controller's) thread closes the master, so its fd number
        # cannot be reused by another pty while we still select on it.
        while not state["closed"]:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    return os.read(master, 4096)
                except OSError:
                    break
        with write_lock:
            if state["master_open"]:
                state["master_open"] = False
                os.close(master)
        return b""

    def write(data: bytes) -> None:
        with write_lock:
            if not state["closed"]:
                os.write(master, data)

    def close() -> None:
        with write_lock:
            if state["closed"]:
                return
            state["closed"] = True
            os.close(slave)
        controller._thread.join(timeout=2.0)

    controller = ScriptedController(read, write, close, config)
    controller.slave_fd = slave  # type: ignore[attr-defined]
    return controller.start(), path


def socket_controller(sock: socket.socket, config: ControllerConfig | None = None) -> ScriptedController:
    """A scripted controller on a connected stream socket."""
    write_lock = threading.Lock()

    def read() -> bytes:
        return sock.recv(4096)

    def write(data: bytes) -> None:
        with write_lock:
            sock.sendall(data)

    def close() -> None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()

    return ScriptedController(read, write, close, config).start()
