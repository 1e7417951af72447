"""A separate process on the shared air: advertises as 22:22:22:22:22:22 and echoes ACL data.

Run as `python -m tests.controller.air_peer SOCKET`; prints "advertising" once it is on the air.
Speaks raw H4 over the hub's Unix socket, with packets built by struct.
"""

from __future__ import annotations

import socket
import struct
import sys

from aioble_hci.hci.h4 import H4Framer


def command(opcode: int, params: bytes = b"") -> bytes:
    return b"\x01" + struct.pack("<HB", opcode, len(params)) + params


def main(path: str) -> int:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    framer = H4Framer()
    setup = [
        command(0x0C03),
        command(0x0C01, struct.pack("<Q", 0x3FFFFFFFFFFFFFFF)),
        command(0x2001, struct.pack("<Q", 0xFFFFF)),
        command(0xFC06, bytes.fromhex("222222222222")),
        command(0x2006, struct.pack("<HHBBB6sBB", 0x20, 0x20, 0, 0, 0, bytes(6), 7, 0)),
        command(0x2008, bytes((3,)) + b"\x02\x01\x06".ljust(31, b"\0")),
        command(0x200A, b"\x01"),
    ]
    for packet in setup:
        sock.sendall(packet)
        while True:  # wait for this command's Command Complete
            done = False
            for kind, payload in framer.feed(sock.recv(4096)):
                if kind == 4 and payload[0] == 0x0E:
                    assert payload[5] == 0, f"setup command failed: {payload.hex()}"
                    done = True
            if done:
                break
    print("advertising", flush=True)
    while True:
        data = sock.recv(4096)
        if not data:
            return 0
        for kind, payload in framer.feed(data):
            if kind == 2:
                header, _length = struct.unpack_from("<HH", payload)
                handle = header & 0x0FFF
                echo = payload[4:]
                sock.sendall(b"\x02" + struct.pack("<HH", handle, len(echo)) + echo)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
