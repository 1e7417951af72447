# L2CAP file server: advertises, accepts one L2CAP connection-oriented channel per connection
# and serves the files of one directory over it (see l2cap_file_client.py for the protocol).
# Runs unchanged under MicroPython (aioble) and CPython (aioble-hci):
#   python examples/l2cap_file_server.py [DIRECTORY]
#       (AIOBLE_HCI_TRANSPORT picks the controller, e.g. serial:/dev/ttyACM0; unset: the shared
#       virtual air, where examples/l2cap_file_client.py finds it)
#   mpremote run examples/l2cap_file_server.py      (on a board: serves the board's "/" directory)
#
# Protocol, over the channel seen as a byte stream (recvinto never crosses an SDU, so a
# reader asks for exactly the bytes it expects and the rest of an SDU waits for the next call):
#   request:  command (1 byte: 1 = LIST, 2 = GET), name length (uint16 LE), name (UTF-8)
#   response: status (1 byte: 0 = OK, 1 = not found, 2 = bad request), size (uint32 LE),
#             then `size` bytes of data, then the CRC-32 of the data (uint32 LE).
# LIST answers with "name size\n" lines. The name ":blob" is a generated blob of BLOB_SIZE bytes
# (boards often have no files); both sides can regenerate it byte for byte.
# CRC-32 is the zlib/PNG one: binascii.crc32 where the build has it (CPython, most MicroPython
# ports), else a small table-driven fallback with the same result.
# ruff: noqa: UP032, UP041  (MicroPython: str.format rather than f-strings; asyncio.TimeoutError)
import asyncio
import os
import struct
import sys

import aioble
import aioble.l2cap  # aioble imports it lazily; the server catches its errors
import bluetooth

SERVICE_UUID = bluetooth.UUID("8c2a0e3e-5f0b-4c57-9d4a-1f7a3b6e0001")  # this example's own service
PSM = 0x0080  # first LE dynamic PSM (Core Vol 3 Part A 4.22)
L2CAP_MTU = 512  # largest SDU each side accepts
ADV_INTERVAL_US = 100000
BLOB_NAME = ":blob"
BLOB_SIZE = 32768

CMD_LIST = 1
CMD_GET = 2
STATUS_OK = 0
STATUS_NOT_FOUND = 1
STATUS_BAD_REQUEST = 2

try:
    from binascii import crc32
except ImportError:
    crc32 = None

if crc32 is None:
    _CRC_TABLE = []
    for _n in range(256):
        _c = _n
        for _ in range(8):
            _c = (_c >> 1) ^ 0xEDB88320 if _c & 1 else _c >> 1
        _CRC_TABLE.append(_c)

    def crc32(data, crc=0):
        crc ^= 0xFFFFFFFF
        for b in data:
            crc = _CRC_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
        return crc ^ 0xFFFFFFFF


def blob_bytes(offset, n):
    """Bytes offset..offset+n of the generated blob (a pattern that is not periodic in 256)."""
    return bytes(((i * 31) ^ (i >> 8)) & 0xFF for i in range(offset, offset + n))


def is_regular_file(path):
    try:
        return not (os.stat(path)[0] & 0x4000)  # S_IFDIR
    except OSError:
        return False


class FileSource:
    """Where the bytes of one response come from: a file, the blob, or a bytes object."""

    def __init__(self, size, read_at):
        self.size = size
        self.read_at = read_at  # read_at(offset, n) -> bytes

    def close(self):
        pass


def open_source(directory, name):
    if name == BLOB_NAME:
        return FileSource(BLOB_SIZE, blob_bytes)
    if not name or "/" in name or name in (".", ".."):
        return None  # only plain names of files directly in the directory
    path = directory.rstrip("/") + "/" + name
    if not is_regular_file(path):
        return None
    f = open(path, "rb")
    size = os.stat(path)[6]

    def read_at(offset, n):
        return f.read(n)  # called with increasing, contiguous offsets

    source = FileSource(size, read_at)
    source.close = f.close
    return source


def listing(directory):
    lines = ["{} {}\n".format(BLOB_NAME, BLOB_SIZE)]
    for name in sorted(os.listdir(directory)):
        path = directory.rstrip("/") + "/" + name
        if is_regular_file(path):
            lines.append("{} {}\n".format(name, os.stat(path)[6]))
    data = "".join(lines).encode()
    return FileSource(len(data), lambda offset, n: data[offset : offset + n])


async def read_exact(channel, n):
    """The next n bytes of the channel's stream."""
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        got += await channel.recvinto(view[got:])
    return bytes(buf)


async def send_response(channel, status, source):
    size = source.size if source else 0
    await channel.send(struct.pack("<BI", status, size))
    crc = 0
    offset = 0
    chunk = channel.peer_mtu
    while offset < size:
        data = source.read_at(offset, min(chunk, size - offset))
        if not data:
            raise OSError("file shrank while being sent")
        crc = crc32(data, crc)
        await channel.send(data)
        offset += len(data)
    await channel.send(struct.pack("<I", crc & 0xFFFFFFFF))
    await channel.flush()
    return size, crc & 0xFFFFFFFF


async def serve_channel(channel, directory):
    while True:
        command, name_len = struct.unpack("<BH", await read_exact(channel, 3))
        name = (await read_exact(channel, name_len)).decode() if name_len else ""
        if command == CMD_LIST:
            source, status = listing(directory), STATUS_OK
        elif command == CMD_GET:
            source = open_source(directory, name)
            status = STATUS_OK if source else STATUS_NOT_FOUND
        else:
            source, status = None, STATUS_BAD_REQUEST
        try:
            size, crc = await send_response(channel, status, source)
        finally:
            if source:
                source.close()
        print("Request {} {!r}: status {}, {} bytes, crc32 0x{:08x}".format(command, name, status, size, crc))


async def serve_connection(connection, directory):
    try:
        channel = await connection.l2cap_accept(PSM, L2CAP_MTU, timeout_ms=10000)
        print("Channel open, our MTU {} peer MTU {}".format(channel.our_mtu, channel.peer_mtu))
        await serve_channel(channel, directory)
    except aioble.l2cap.L2CAPDisconnectedError:
        print("Channel closed")
    except aioble.DeviceDisconnectedError:
        print("Peer disconnected")
    except asyncio.TimeoutError:
        print("No channel opened")


async def main(directory):
    print("Serving", directory)
    while True:
        connection = await aioble.advertise(ADV_INTERVAL_US, name="l2cap-files", services=[SERVICE_UUID])
        print("Connection from", connection.device)
        async with connection:
            await serve_connection(connection, directory)


argv = getattr(sys, "argv", None) or []
asyncio.run(main(argv[1] if len(argv) > 1 else ("." if sys.implementation.name != "micropython" else "/")))
