"""Open capture files by content (readers) or by extension (writers), and convert between them."""

from __future__ import annotations

import os
import struct
from collections.abc import Callable, Iterator
from typing import BinaryIO, Protocol

from aioble_hci.capture.btsnoop import MAGIC as BTSNOOP_MAGIC
from aioble_hci.capture.btsnoop import BtsnoopWriter, read_btsnoop
from aioble_hci.capture.h4stream import read_h4
from aioble_hci.capture.pcap import MAGIC_NS, MAGIC_US, PcapWriter, read_pcap
from aioble_hci.capture.pcapng import BLOCK_SHB, read_pcapng
from aioble_hci.capture.pklg import looks_like_pklg, read_pklg
from aioble_hci.capture.records import CaptureFormatError, CaptureRecord

Reader = Callable[[bytes, "str | None"], Iterator[CaptureRecord]]
WRITER_EXTENSIONS: dict[str, type[BtsnoopWriter] | type[PcapWriter]] = {
    ".btsnoop": BtsnoopWriter,
    ".log": BtsnoopWriter,
    ".cfa": BtsnoopWriter,
    ".pcap": PcapWriter,
}


class CaptureWriter(Protocol):
    """A capture file being written: `write` returns False for records the format cannot hold."""

    def write(self, record: CaptureRecord) -> bool: ...
    def close(self) -> None: ...


def detect_format(data: bytes, path: str | None = None) -> str:
    """Name the format of capture bytes from magic numbers, then the extension: btsnoop, pcap, pcapng, pklg, h4."""
    if data.startswith(BTSNOOP_MAGIC):
        return "btsnoop"
    if len(data) >= 4:
        if struct.unpack_from("<I", data)[0] == BLOCK_SHB:
            return "pcapng"
        if {struct.unpack_from("<I", data)[0], struct.unpack_from(">I", data)[0]} & {
            MAGIC_US,
            MAGIC_NS,
        }:
            return "pcap"
    ext = os.path.splitext(path or "")[1].lower()
    if ext == ".pklg" or (ext != ".h4" and looks_like_pklg(data)):
        return "pklg"
    if ext == ".h4" or (data and 1 <= data[0] <= 5):
        return "h4"
    raise CaptureFormatError(
        "unknown capture format (not btsnoop, pcap, pcapng, PacketLogger or H4)", 0, path
    )


_READERS: dict[str, Reader] = {
    "btsnoop": read_btsnoop,
    "pcap": read_pcap,
    "pcapng": read_pcapng,
    "pklg": read_pklg,
    "h4": read_h4,
}


def read_bytes(data: bytes, path: str | None = None) -> Iterator[CaptureRecord]:
    """Records of in-memory capture bytes, format detected by content."""
    return _READERS[detect_format(data, path)](data, path)


def open_reader(path: str | os.PathLike[str]) -> Iterator[CaptureRecord]:
    """A generator of the file's records; it raises CaptureFormatError after the last good record."""
    name = os.fspath(path)
    with open(name, "rb") as f:
        data = f.read()
    return read_bytes(data, name)


def read_all(path: str | os.PathLike[str]) -> tuple[list[CaptureRecord], CaptureFormatError | None]:
    """Every readable record and the error that stopped reading, if any."""
    records: list[CaptureRecord] = []
    try:
        for record in open_reader(path):
            records.append(record)
    except CaptureFormatError as exc:
        return records, exc
    return records, None


def open_writer(path: str | os.PathLike[str]) -> CaptureWriter:
    """A writer chosen by extension (.btsnoop/.log/.cfa: btsnoop H4, .pcap: pcap link type 201)."""
    name = os.fspath(path)
    ext = os.path.splitext(name)[1].lower()
    cls = WRITER_EXTENSIONS.get(ext)
    if cls is None:
        raise ValueError(
            f"cannot write captures as {ext or 'no extension'!r}: use one of {', '.join(WRITER_EXTENSIONS)}"
        )
    stream: BinaryIO = open(name, "wb")  # noqa: SIM115 - the writer owns and closes it
    return cls(stream)


def convert(
    source: str | os.PathLike[str], destination: str | os.PathLike[str]
) -> tuple[int, int, CaptureFormatError | None]:
    """Copy HCI records from one capture to another: (written, skipped non-HCI, read error)."""
    writer = open_writer(destination)
    written = skipped = 0
    error: CaptureFormatError | None = None
    try:
        try:
            for record in open_reader(source):
                if writer.write(record):
                    written += 1
                else:
                    skipped += 1
        except CaptureFormatError as exc:
            error = exc
    finally:
        writer.close()
    return written, skipped, error
