# L2CAP file client: finds examples/l2cap_file_server.py, opens an L2CAP connection-oriented
# channel to it, lists its files and fetches one, checking the CRC-32 the server sends after the data.
# Runs unchanged under MicroPython (aioble) and CPython (aioble-hci):
#   python examples/l2cap_file_client.py [NAME [OUTPUT]]
#       (AIOBLE_HCI_TRANSPORT picks the controller; unset: the shared virtual air)
#   mpremote run examples/l2cap_file_client.py      (on a board: fetches the generated blob)
# Without NAME it fetches the server's generated blob ":blob" and also compares every byte with
# its own copy of the pattern; with OUTPUT it writes the file it received there.
# The protocol is described at the top of l2cap_file_server.py. CRC-32 is the zlib one:
# binascii.crc32 where the build has it, else a table-driven fallback with the same result.
# ruff: noqa: UP032, UP041  (MicroPython: str.format rather than f-strings; asyncio.TimeoutError)
import asyncio
import struct
import sys

import aioble
import aioble.l2cap  # aioble imports it lazily; the client catches its errors
import bluetooth

SERVICE_UUID = bluetooth.UUID("8c2a0e3e-5f0b-4c57-9d4a-1f7a3b6e0001")
PSM = 0x0080
L2CAP_MTU = 512
SCAN_MS = 5000
CONNECT_ATTEMPTS = 5  # the server listens only once it has the connection: it may not be ready yet
BLOB_NAME = ":blob"

CMD_LIST = 1
CMD_GET = 2
STATUS_OK = 0

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
    """Bytes offset..offset+n of the server's generated blob."""
    return bytes(((i * 31) ^ (i >> 8)) & 0xFF for i in range(offset, offset + n))


async def find_server():
    async with aioble.scan(SCAN_MS, active=True) as scanner:
        async for result in scanner:
            if SERVICE_UUID in result.services():
                return result.device
    return None


async def open_channel(connection):
    """Connect to the server's PSM, retrying while it is not listening yet."""
    for attempt in range(CONNECT_ATTEMPTS):
        try:
            return await connection.l2cap_connect(PSM, L2CAP_MTU, timeout_ms=5000)
        except aioble.l2cap.L2CAPConnectionError as e:
            if attempt == CONNECT_ATTEMPTS - 1:
                raise
            print("Channel refused ({}), retrying".format(e))
            await asyncio.sleep(0.2)


async def read_exact(channel, n):
    """The next n bytes of the channel's stream."""
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        got += await channel.recvinto(view[got:])
    return bytes(buf)


async def request(channel, command, name, sink):
    """Send one request; pass the response data to sink(offset, chunk).

    Returns (status, size, crc_received, crc_computed)."""
    encoded = name.encode()
    await channel.send(struct.pack("<BH", command, len(encoded)) + encoded)
    status, size = struct.unpack("<BI", await read_exact(channel, 5))
    buf = bytearray(L2CAP_MTU)
    view = memoryview(buf)
    crc = 0
    offset = 0
    while offset < size:
        n = await channel.recvinto(view[: min(len(buf), size - offset)])
        chunk = bytes(view[:n])
        crc = crc32(chunk, crc)
        sink(offset, chunk)
        offset += n
    (crc_received,) = struct.unpack("<I", await read_exact(channel, 4))
    return status, size, crc_received, crc & 0xFFFFFFFF


async def fetch(channel, name, output):
    mismatches = []
    out = open(output, "wb") if output else None

    def sink(offset, chunk):
        if out:
            out.write(chunk)
        if name == BLOB_NAME and chunk != blob_bytes(offset, len(chunk)):
            mismatches.append(offset)

    try:
        status, size, crc_received, crc = await request(channel, CMD_GET, name, sink)
    finally:
        if out:
            out.close()
    if status != STATUS_OK:
        print("Server answered status {} for {!r}".format(status, name))
        return False
    print("Received {}: {} bytes, crc32 0x{:08x}".format(name, size, crc))
    if crc != crc_received:
        print("Checksum mismatch: server sent 0x{:08x}".format(crc_received))
        return False
    if mismatches:
        print("Blob content differs at offsets", mismatches[:5])
        return False
    print("Checksum verified")
    return True


async def main(name, output):
    device = await find_server()
    if device is None:
        print("No L2CAP file server found")
        return False
    print("Found", device)
    async with await device.connect() as connection:
        async with await open_channel(connection) as channel:
            print("Channel open, our MTU {} peer MTU {}".format(channel.our_mtu, channel.peer_mtu))
            lines = []
            await request(channel, CMD_LIST, "", lambda offset, chunk: lines.append(chunk))
            print("Files:")
            for line in b"".join(lines).decode().split("\n"):
                if line:
                    print("  " + line)
            return await fetch(channel, name, output)


argv = getattr(sys, "argv", None) or []
if not asyncio.run(main(argv[1] if len(argv) > 1 else BLOB_NAME, argv[2] if len(argv) > 2 else None)):
    sys.exit(1)
