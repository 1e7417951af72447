"""The attribute database a server exposes: attributes, permissions, value buffers (Vol 3 Part F 3.2).

The database is shared by every connection; state that is per connection (CCCD values, prepared
writes, MTU) lives in the `AttServer` of that connection. Values are either a `ValueBuffer` (stored
bytes with a maximum length, optionally append-mode) or computed by read/write callbacks.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import IntFlag
from typing import Any

from aioble_hci.att.errors import AttError
from aioble_hci.att.pdus import ATT_MAX_VALUE_LEN, ErrorCode
from aioble_hci.security import LinkSecurity as SecurityState  # the one link-security type
from aioble_hci.uuid import UUID


class AttPermissions(IntFlag):
    """Attribute permissions (Vol 3 Part F 3.2.5): access, encryption, authentication, authorization."""

    NONE = 0
    READABLE = 0x01
    WRITEABLE = 0x02
    READ_ENCRYPTED = 0x04
    READ_AUTHENTICATED = 0x08
    READ_AUTHORIZED = 0x10
    WRITE_ENCRYPTED = 0x20
    WRITE_AUTHENTICATED = 0x40
    WRITE_AUTHORIZED = 0x80


OPEN_LINK = SecurityState()


@dataclass(slots=True)
class ValueBuffer:
    """Stored bytes of an attribute value: at most `max_len` octets, optionally append-mode.

    A remote write longer than `max_len` is rejected with Invalid Attribute Value Length unless
    `truncate` is set (MicroPython's behaviour: silently cut). With `append`, remote writes add to
    the buffer and `take()` returns and clears it. A local `set()` grows `max_len` when needed.
    """

    data: bytes = b""
    max_len: int = ATT_MAX_VALUE_LEN
    append: bool = False
    truncate: bool = False

    def set(self, value: bytes) -> None:
        """A local write (the application's): grows the buffer if the value is longer."""
        self.data = bytes(value)
        if len(self.data) > self.max_len:
            self.max_len = len(self.data)

    def take(self) -> bytes:
        """Read by the application; append-mode buffers are cleared by reading."""
        data = self.data
        if self.append:
            self.data = b""
        return data

    def remote_write(self, value: bytes, handle: int) -> bytes:
        """Apply a peer's write; returns the stored value. Raises AttError if too long."""
        room = self.max_len - len(self.data) if self.append else self.max_len
        if len(value) > room:
            if not self.truncate:
                raise AttError(ErrorCode.INVALID_ATTRIBUTE_VALUE_LENGTH, handle)
            value = value[: max(room, 0)]
        self.data = self.data + value if self.append else bytes(value)
        return self.data


ReadCallback = Callable[[Any], bytes]
"""Called with the connection; returns the whole value or raises AttError to reject."""

WriteCallback = Callable[[Any, bytes], None]
"""Called with the connection and the complete new value; raises AttError to reject."""


@dataclass(eq=False, slots=True)
class Attribute:
    """One attribute: handle, type, permissions and where its value comes from (Vol 3 Part F 3.2)."""

    handle: int
    type: UUID
    permissions: AttPermissions
    value: ValueBuffer = field(default_factory=ValueBuffer)
    read_callback: ReadCallback | None = None
    write_callback: WriteCallback | None = None
    min_key_size: int = 0
    fixed_length: bool = False
    end_group_handle: int | None = None
    """For grouping attributes (service declarations): the last handle of the group."""
    is_cccd: bool = False
    characteristic_value_handle: int = 0
    """For a CCCD: the value handle of its characteristic."""
    cccd_allowed: int = 0
    """For a CCCD: which bits (1 notify, 2 indicate) the characteristic's properties allow."""
    per_connection: bool = False
    """The value is kept per connection by the server (e.g. Client Supported Features)."""

    def read_value(self, connection: Any) -> bytes:
        """The value as a peer reads it (callback first, else the buffer, not cleared)."""
        if self.read_callback is not None:
            return bytes(self.read_callback(connection))
        return self.value.data


def security_error(
    sec: SecurityState, *, encrypt: bool, authenticate: bool, authorize: bool, min_key_size: int
) -> ErrorCode | None:
    """The error an access gets on a link that does not meet the attribute's needs, else None.

    Vol 3 Part C 10.3.1 and Part F 3.2.5: without encryption a bonded peer is told to encrypt
    (0x0F) and an unbonded one to pair (0x05); then MITM (0x05), key size (0x0C), authorization (0x08).
    """
    if (encrypt or authenticate or min_key_size) and not sec.encrypted:
        return (
            ErrorCode.INSUFFICIENT_ENCRYPTION if sec.bonded else ErrorCode.INSUFFICIENT_AUTHENTICATION
        )
    if authenticate and not sec.authenticated:
        return ErrorCode.INSUFFICIENT_AUTHENTICATION
    if min_key_size and sec.key_size < min_key_size:
        return ErrorCode.ENCRYPTION_KEY_SIZE_TOO_SHORT
    if authorize and not sec.authorized:
        return ErrorCode.INSUFFICIENT_AUTHORIZATION
    return None


def check_read(attr: Attribute, sec: SecurityState) -> ErrorCode | None:
    """Read permission check (Vol 3 Part F 3.2.5): 0x02 then the security checks."""
    p = attr.permissions
    if not p & AttPermissions.READABLE:
        return ErrorCode.READ_NOT_PERMITTED
    return security_error(
        sec,
        encrypt=bool(p & AttPermissions.READ_ENCRYPTED),
        authenticate=bool(p & AttPermissions.READ_AUTHENTICATED),
        authorize=bool(p & AttPermissions.READ_AUTHORIZED),
        min_key_size=attr.min_key_size,
    )


def check_write(attr: Attribute, sec: SecurityState) -> ErrorCode | None:
    """Write permission check (Vol 3 Part F 3.2.5): 0x03 then the security checks."""
    p = attr.permissions
    if not p & AttPermissions.WRITEABLE:
        return ErrorCode.WRITE_NOT_PERMITTED
    return security_error(
        sec,
        encrypt=bool(p & AttPermissions.WRITE_ENCRYPTED),
        authenticate=bool(p & AttPermissions.WRITE_AUTHENTICATED),
        authorize=bool(p & AttPermissions.WRITE_AUTHORIZED),
        min_key_size=attr.min_key_size,
    )


class AttributeDatabase:
    """Attributes ordered by handle, with range queries for the discovery requests."""

    def __init__(self) -> None:
        self._handles: list[int] = []
        self._by_handle: dict[int, Attribute] = {}
        self.generation = 0
        """Bumped on every change: servers compare it to send Service Changed."""

    def __len__(self) -> int:
        return len(self._handles)

    def __iter__(self) -> Iterator[Attribute]:
        return (self._by_handle[h] for h in self._handles)

    @property
    def last_handle(self) -> int:
        return self._handles[-1] if self._handles else 0

    def add(self, attr: Attribute) -> Attribute:
        """Add an attribute; handles must be unique and in 0x0001..0xFFFF."""
        if not 0 < attr.handle <= 0xFFFF:
            raise ValueError(f"attribute handle 0x{attr.handle:04X} outside 0x0001-0xFFFF")
        if attr.handle in self._by_handle:
            raise ValueError(f"attribute handle 0x{attr.handle:04X} already used")
        bisect.insort(self._handles, attr.handle)
        self._by_handle[attr.handle] = attr
        self.generation += 1
        return attr

    def remove_range(self, start: int, end: int) -> None:
        """Remove every attribute in start..end (a service going away)."""
        for handle in [h for h in self._handles if start <= h <= end]:
            del self._by_handle[handle]
            self._handles.remove(handle)
        self.generation += 1

    def get(self, handle: int) -> Attribute | None:
        return self._by_handle.get(handle)

    def range(self, start: int, end: int) -> Iterator[Attribute]:
        """Attributes with start <= handle <= end, in handle order."""
        i = bisect.bisect_left(self._handles, start)
        handles = self._handles
        while i < len(handles) and handles[i] <= end:
            yield self._by_handle[handles[i]]
            i += 1

    # Local (application) access, as MicroPython's gatts_read / gatts_write / gatts_set_buffer.

    def read_local(self, handle: int) -> bytes:
        """The stored value for the application; append-mode buffers are cleared by reading."""
        return self._require(handle).value.take()

    def write_local(self, handle: int, value: bytes) -> None:
        """Store a value locally (no notification: the server's notify/indicate send it)."""
        self._require(handle).value.set(value)

    def set_buffer(self, handle: int, max_len: int, append: bool = False) -> None:
        """Resize a value buffer and choose append mode; the stored value is cleared."""
        attr = self._require(handle)
        attr.value = ValueBuffer(b"", max_len, append, attr.value.truncate)

    def _require(self, handle: int) -> Attribute:
        attr = self._by_handle.get(handle)
        if attr is None:
            raise KeyError(f"no attribute at handle 0x{handle:04X}")
        return attr
