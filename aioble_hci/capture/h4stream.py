"""Raw H4 streams: the bytes of a UART link, packet indicator then packet, no timestamps."""

from __future__ import annotations

from collections.abc import Iterator

from aioble_hci.capture.records import CaptureFormatError, CaptureRecord, default_direction
from aioble_hci.hci.h4 import H4DesyncError, H4Framer


def read_h4(data: bytes, path: str | None = None) -> Iterator[CaptureRecord]:
    """Yield every whole packet; directions are implied by packet type (ACL counted as sent)."""
    framer = H4Framer()
    try:
        packets = framer.feed(data)
    except H4DesyncError as exc:
        packets = framer.take_ready()
        for ptype, payload in packets:
            yield CaptureRecord(None, default_direction(ptype), ptype, payload)
        raise CaptureFormatError(
            f"H4 stream out of sync (byte 0x{exc.byte:02x})", exc.offset, path
        ) from None
    for ptype, payload in packets:
        yield CaptureRecord(None, default_direction(ptype), ptype, payload)
    if framer.pending:
        raise CaptureFormatError(
            f"truncated H4 packet ({framer.pending} bytes)", len(data) - framer.pending, path
        )
