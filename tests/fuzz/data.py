"""Turning fuzz bytes into structured inputs (a small FuzzedDataProvider of our own).

Sequence harnesses read their input as length-prefixed chunks; `chunks()` builds such an input
from parts, so seed files and regression tests write exactly what the harness reads.
"""

from __future__ import annotations

from collections.abc import Iterator


class FuzzInput:
    """Consumes fuzz bytes front to back; reading past the end gives zeros / empty bytes."""

    def __init__(self, data: bytes) -> None:
        self.data = bytes(data)
        self.pos = 0

    @property
    def remaining(self) -> int:
        return len(self.data) - self.pos

    def u8(self) -> int:
        if self.pos >= len(self.data):
            return 0
        self.pos += 1
        return self.data[self.pos - 1]

    def u16(self) -> int:
        return self.u8() | self.u8() << 8

    def take(self, n: int) -> bytes:
        out = self.data[self.pos : self.pos + n]
        self.pos += len(out)
        return out

    def rest(self) -> bytes:
        return self.take(self.remaining)

    def chunk(self) -> bytes:
        """One length-prefixed chunk: a length octet, then up to that many octets."""
        return self.take(self.u8())

    def chunks(self, limit: int = 256) -> Iterator[bytes]:
        """Chunks until the input runs out (at most `limit`, so every run is bounded)."""
        for _ in range(limit):
            if not self.remaining:
                return
            yield self.chunk()


def chunks(*parts: bytes) -> bytes:
    """The fuzz input that `FuzzInput.chunks()` reads back as `parts` (each at most 255 octets)."""
    out = bytearray()
    for part in parts:
        if len(part) > 255:
            raise ValueError(f"a chunk holds at most 255 octets, got {len(part)}")
        out.append(len(part))
        out += part
    return bytes(out)
