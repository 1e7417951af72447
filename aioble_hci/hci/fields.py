"""Declarative field codecs for HCI parameter structures.

A command, return-parameters or event dataclass declares each field with an
``Annotated`` type naming its wire codec (``U8``, ``U16``, ``TypedAddress``...);
`HciStruct` walks them in order to encode and decode. Packets with counted or
conditional parts (advertising reports, PHY blocks) write their own codec.
"""

from __future__ import annotations

import dataclasses
import struct
from collections.abc import Sequence
from typing import Annotated, Any, ClassVar, Protocol, TypeVar, get_type_hints

from aioble_hci.address import Address, AddressType
from aioble_hci.hci.constants import StatusCode
from aioble_hci.hci.errors import HciDecodeError

T = TypeVar("T", bound="HciStruct")


class Codec(Protocol):
    """Encodes one field value; decodes one from `data` at `offset`."""

    def encode(self, value: Any) -> bytes: ...

    def decode(self, data: bytes, offset: int) -> tuple[Any, int]: ...


def _need(data: bytes, offset: int, size: int, what: str) -> None:
    if offset + size > len(data):
        raise HciDecodeError(f"{what}: needs {size} more byte(s) at offset {offset}, only {len(data) - offset} left")


class UInt:
    """A little-endian unsigned (or signed) integer of 1, 2, 3, 4 or 8 bytes."""

    _FORMATS = {1: "B", 2: "H", 4: "I", 8: "Q"}

    def __init__(self, size: int, signed: bool = False) -> None:
        self.size = size
        self.signed = signed
        fmt = self._FORMATS.get(size)
        self._struct = struct.Struct("<" + (fmt.lower() if signed else fmt)) if fmt else None

    def encode(self, value: int) -> bytes:
        if self._struct is not None:
            return self._struct.pack(value)
        return int(value).to_bytes(self.size, "little", signed=self.signed)

    def decode(self, data: bytes, offset: int) -> tuple[int, int]:
        _need(data, offset, self.size, "integer")
        if self._struct is not None:
            return self._struct.unpack_from(data, offset)[0], offset + self.size
        end = offset + self.size
        return int.from_bytes(data[offset:end], "little", signed=self.signed), end


class FixedBytes:
    """Exactly `size` octets, kept as bytes in wire order."""

    def __init__(self, size: int) -> None:
        self.size = size

    def encode(self, value: bytes) -> bytes:
        if len(value) != self.size:
            raise ValueError(f"expected {self.size} bytes, got {len(value)}")
        return bytes(value)

    def decode(self, data: bytes, offset: int) -> tuple[bytes, int]:
        _need(data, offset, self.size, "byte string")
        end = offset + self.size
        return bytes(data[offset:end]), end


class RestBytes:
    """Every remaining octet (the last field of a variable-length structure)."""

    def encode(self, value: bytes) -> bytes:
        return bytes(value)

    def decode(self, data: bytes, offset: int) -> tuple[bytes, int]:
        return bytes(data[offset:]), len(data)


class LengthPrefixed:
    """A one-octet length followed by that many octets."""

    def encode(self, value: bytes) -> bytes:
        if len(value) > 255:
            raise ValueError(f"at most 255 bytes, got {len(value)}")
        return bytes((len(value),)) + bytes(value)

    def decode(self, data: bytes, offset: int) -> tuple[bytes, int]:
        _need(data, offset, 1, "length")
        size = data[offset]
        _need(data, offset + 1, size, "length-prefixed data")
        end = offset + 1 + size
        return bytes(data[offset + 1 : end]), end


class PaddedData:
    """A length octet, then a fixed-size field holding that many significant octets.

    Legacy advertising and scan response data (Vol 4 Part E, 7.8.7 and 7.8.8):
    the command always carries 31 octets, only the first Data_Length count.
    """

    def __init__(self, size: int) -> None:
        self.size = size

    def encode(self, value: bytes) -> bytes:
        if len(value) > self.size:
            raise ValueError(f"at most {self.size} bytes, got {len(value)}")
        return bytes((len(value),)) + bytes(value) + bytes(self.size - len(value))

    def decode(self, data: bytes, offset: int) -> tuple[bytes, int]:
        _need(data, offset, 1 + self.size, "padded data")
        size = data[offset]
        if size > self.size:
            raise HciDecodeError(f"data length {size} is over the maximum {self.size}")
        return bytes(data[offset + 1 : offset + 1 + size]), offset + 1 + self.size


class TypedAddressCodec:
    """An address type octet followed by a 6-octet address, as one `Address`."""

    def encode(self, value: Address) -> bytes:
        return bytes((value.type,)) + value.value

    def decode(self, data: bytes, offset: int) -> tuple[Address, int]:
        _need(data, offset, 7, "address")
        kind = data[offset]
        if kind > 3:
            raise HciDecodeError(f"address type 0x{kind:02x} is not one of 0x00-0x03")
        return Address(bytes(data[offset + 1 : offset + 7]), AddressType(kind)), offset + 7


class BareAddressCodec:
    """A 6-octet address whose type is implied by the field (e.g. BD_ADDR is public)."""

    def __init__(self, kind: AddressType) -> None:
        self.kind = kind

    def encode(self, value: Address) -> bytes:
        return value.value

    def decode(self, data: bytes, offset: int) -> tuple[Address, int]:
        _need(data, offset, 6, "address")
        return Address(bytes(data[offset : offset + 6]), self.kind), offset + 6


class StatusCodec:
    """A one-octet error code (Vol 1 Part F) as a `StatusCode`."""

    def encode(self, value: int) -> bytes:
        return bytes((value,))

    def decode(self, data: bytes, offset: int) -> tuple[StatusCode, int]:
        _need(data, offset, 1, "status")
        return StatusCode(data[offset]), offset + 1


class CountedList:
    """A one-octet count, then that many structures of `item` (interleaved fields)."""

    def __init__(self, item: type[HciStruct]) -> None:
        self.item = item

    def encode(self, value: Sequence[HciStruct]) -> bytes:
        return bytes((len(value),)) + b"".join(v.encode_fields() for v in value)

    def decode(self, data: bytes, offset: int) -> tuple[tuple[HciStruct, ...], int]:
        _need(data, offset, 1, "count")
        count = data[offset]
        offset += 1
        items = []
        for _ in range(count):
            item, offset = self.item.decode_fields_at(data, offset)
            items.append(item)
        return tuple(items), offset


U8 = Annotated[int, UInt(1)]
U16 = Annotated[int, UInt(2)]
U24 = Annotated[int, UInt(3)]
U32 = Annotated[int, UInt(4)]
U64 = Annotated[int, UInt(8)]
S8 = Annotated[int, UInt(1, signed=True)]
Bytes8 = Annotated[bytes, FixedBytes(8)]
Bytes16 = Annotated[bytes, FixedBytes(16)]
Bytes64 = Annotated[bytes, FixedBytes(64)]
Rest = Annotated[bytes, RestBytes()]
VarBytes = Annotated[bytes, LengthPrefixed()]
AdvData31 = Annotated[bytes, PaddedData(31)]
TypedAddress = Annotated[Address, TypedAddressCodec()]
PublicAddress = Annotated[Address, BareAddressCodec(AddressType.PUBLIC)]
RandomAddress = Annotated[Address, BareAddressCodec(AddressType.RANDOM)]
Status = Annotated[StatusCode, StatusCodec()]


class HciStruct:
    """Base of dataclasses whose fields are declared with codec annotations."""

    __slots__ = ()
    _codec_cache: ClassVar[dict[type, tuple[tuple[str, Codec], ...]]] = {}

    @classmethod
    def field_codecs(cls) -> tuple[tuple[str, Codec], ...]:
        """(field name, codec) in wire order, worked out once per class."""
        codecs = HciStruct._codec_cache.get(cls)
        if codecs is None:
            hints = get_type_hints(cls, include_extras=True)
            found = []
            for f in dataclasses.fields(cls):  # type: ignore[arg-type]
                meta = getattr(hints[f.name], "__metadata__", ())
                codec = next((m for m in meta if hasattr(m, "decode")), None)
                if codec is None:
                    raise TypeError(f"{cls.__name__}.{f.name} has no wire codec annotation")
                found.append((f.name, codec))
            codecs = tuple(found)
            HciStruct._codec_cache[cls] = codecs
        return codecs

    def encode_fields(self) -> bytes:
        """The fields in wire order."""
        return b"".join(codec.encode(getattr(self, name)) for name, codec in self.field_codecs())

    @classmethod
    def decode_fields_at(cls: type[T], data: bytes, offset: int) -> tuple[T, int]:
        """Decode one structure at `offset`; return it and the offset after it."""
        values = {}
        for name, codec in cls.field_codecs():
            try:
                values[name], offset = codec.decode(data, offset)
            except HciDecodeError as e:
                raise HciDecodeError(f"{cls.__name__}.{name}: {e}") from None
        return cls(**values), offset

    @classmethod
    def decode_fields(cls: type[T], data: bytes) -> T:
        """Decode a structure that must fill `data` exactly."""
        value, end = cls.decode_fields_at(data, 0)
        if end != len(data):
            raise HciDecodeError(f"{cls.__name__}: {len(data) - end} unexpected trailing byte(s) (expected {end}, got {len(data)})")
        return value

    def field_items(self) -> list[tuple[str, Any]]:
        """(name, value) for each field, for logs."""
        return [(f.name, getattr(self, f.name)) for f in dataclasses.fields(self)]  # type: ignore[arg-type]

    def describe_fields(self) -> str:
        """The fields as `name=value` pairs for logs, e.g. 'connection_handle=3 reason=...'."""
        return " ".join(f"{k}={format_value(v)}" for k, v in self.field_items())


def format_value(value: Any) -> str:
    """A field value as a compact log string."""
    if isinstance(value, bytes | bytearray):
        return value.hex() if value else "''"
    if isinstance(value, StatusCode):
        return f"{value.name}(0x{value.value:02x})"
    if isinstance(value, Address):
        return f"{value}/{value.type_name}"
    if isinstance(value, HciStruct):
        return "{" + value.describe_fields() + "}"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    return str(int(value)) if isinstance(value, int) else repr(value)
