"""ATT protocol data units: one dataclass per PDU with encode/decode (Core Vol 3 Part F, 3.3-3.4).

`decode(pdu)` turns a whole ATT PDU (opcode first) into its dataclass and raises `AttDecodeError`
(carrying the opcode) when the body is malformed: wrong fixed length, trailing bytes, bad list
lengths. Unknown opcodes raise `UnknownOpcodeError`, a subclass, so a server can answer Request Not
Supported for requests and ignore commands (Vol 3 Part F 3.4.1.1, 3.3).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from typing import Any, ClassVar, get_args

from aioble_hci.errors import RemoteProtocolError
from aioble_hci.records import dataclass
from aioble_hci.uuid import UUID

ATT_DEFAULT_MTU = 23  # LE default ATT_MTU, Vol 3 Part F 3.2.8
ATT_MAX_VALUE_LEN = 512  # Vol 3 Part F 3.2.9
SIGNATURE_LEN = 12  # SignCounter (4) + MAC (8), Vol 3 Part H 2.4.5

COMMAND_FLAG = 0x40  # Vol 3 Part F 3.3.1
AUTHENTICATION_SIGNATURE_FLAG = 0x80


class Opcode(IntEnum):
    """ATT opcodes (Vol 3 Part F 3.4.8, Table 3.37), spec names without the ATT_ prefix."""

    ERROR_RSP = 0x01
    EXCHANGE_MTU_REQ = 0x02
    EXCHANGE_MTU_RSP = 0x03
    FIND_INFORMATION_REQ = 0x04
    FIND_INFORMATION_RSP = 0x05
    FIND_BY_TYPE_VALUE_REQ = 0x06
    FIND_BY_TYPE_VALUE_RSP = 0x07
    READ_BY_TYPE_REQ = 0x08
    READ_BY_TYPE_RSP = 0x09
    READ_REQ = 0x0A
    READ_RSP = 0x0B
    READ_BLOB_REQ = 0x0C
    READ_BLOB_RSP = 0x0D
    READ_MULTIPLE_REQ = 0x0E
    READ_MULTIPLE_RSP = 0x0F
    READ_BY_GROUP_TYPE_REQ = 0x10
    READ_BY_GROUP_TYPE_RSP = 0x11
    WRITE_REQ = 0x12
    WRITE_RSP = 0x13
    PREPARE_WRITE_REQ = 0x16
    PREPARE_WRITE_RSP = 0x17
    EXECUTE_WRITE_REQ = 0x18
    EXECUTE_WRITE_RSP = 0x19
    HANDLE_VALUE_NTF = 0x1B
    HANDLE_VALUE_IND = 0x1D
    HANDLE_VALUE_CFM = 0x1E
    READ_MULTIPLE_VARIABLE_REQ = 0x20
    READ_MULTIPLE_VARIABLE_RSP = 0x21
    MULTIPLE_HANDLE_VALUE_NTF = 0x23
    WRITE_CMD = 0x52
    SIGNED_WRITE_CMD = 0xD2


class ErrorCode(IntEnum):
    """ATT error codes (Vol 3 Part F 3.4.1.1, Table 3.4; common profile codes from CSS Part B 1.2).

    Unknown values (application errors 0x80-0x9F, reserved codes) still make a member-like object.
    """

    INVALID_HANDLE = 0x01
    READ_NOT_PERMITTED = 0x02
    WRITE_NOT_PERMITTED = 0x03
    INVALID_PDU = 0x04
    INSUFFICIENT_AUTHENTICATION = 0x05
    REQUEST_NOT_SUPPORTED = 0x06
    INVALID_OFFSET = 0x07
    INSUFFICIENT_AUTHORIZATION = 0x08
    PREPARE_QUEUE_FULL = 0x09
    ATTRIBUTE_NOT_FOUND = 0x0A
    ATTRIBUTE_NOT_LONG = 0x0B
    ENCRYPTION_KEY_SIZE_TOO_SHORT = 0x0C
    INVALID_ATTRIBUTE_VALUE_LENGTH = 0x0D
    UNLIKELY_ERROR = 0x0E
    INSUFFICIENT_ENCRYPTION = 0x0F
    UNSUPPORTED_GROUP_TYPE = 0x10
    INSUFFICIENT_RESOURCES = 0x11
    DATABASE_OUT_OF_SYNC = 0x12
    VALUE_NOT_ALLOWED = 0x13
    WRITE_REQUEST_REJECTED = 0xFC
    CLIENT_CHARACTERISTIC_CONFIGURATION_DESCRIPTOR_IMPROPERLY_CONFIGURED = 0xFD
    PROCEDURE_ALREADY_IN_PROGRESS = 0xFE
    OUT_OF_RANGE = 0xFF

    @classmethod
    def _missing_(cls, value: object) -> ErrorCode | None:
        if not isinstance(value, int) or not 0 <= value <= 0xFF:
            return None
        member = int.__new__(cls, value)
        kind = "APPLICATION_ERROR" if 0x80 <= value <= 0x9F else "RESERVED"
        member._name_ = f"{kind}_0x{value:02X}"
        member._value_ = value
        return member


def is_command(opcode: int) -> bool:
    """True for commands (Command Flag set): a server never answers them (Vol 3 Part F 3.3.1)."""
    return bool(opcode & COMMAND_FLAG)


class AttDecodeError(RemoteProtocolError, ValueError):
    """A malformed ATT PDU; `opcode` is the PDU's opcode (0 when the PDU is empty)."""

    def __init__(self, opcode: int, reason: str) -> None:
        name = Opcode(opcode).name if opcode in Opcode._value2member_map_ else f"0x{opcode:02X}"
        super().__init__(f"malformed ATT {name}: {reason}")
        self.opcode = opcode
        self.reason = reason


class UnknownOpcodeError(AttDecodeError):
    """An opcode this stack does not know (Request Not Supported for requests)."""


def _u16(data: bytes, offset: int) -> int:
    return data[offset] | (data[offset + 1] << 8)


def _p16(value: int) -> bytes:
    return value.to_bytes(2, "little")


def _exact(opcode: int, body: bytes, size: int) -> None:
    if len(body) != size:
        raise AttDecodeError(opcode, f"body is {len(body)} octets, expected {size}")


def _at_least(opcode: int, body: bytes, size: int) -> None:
    if len(body) < size:
        raise AttDecodeError(opcode, f"body is {len(body)} octets, expected at least {size}")


def _uuid(opcode: int, data: bytes) -> UUID:
    if len(data) not in (2, 16):
        raise AttDecodeError(opcode, f"UUID must be 2 or 16 octets, got {len(data)}")
    return UUID(data)


def uuid_att_bytes(uuid: UUID) -> bytes:
    """The form ATT carries a UUID in: 16-bit if it has one, else 128-bit (Vol 3 Part F 3.2.1)."""
    short = uuid.shortest()
    return short.to_le_bytes() if short.size == 16 else uuid.to_128_le_bytes()


# --------------------------------------------------------------------------------------------
# Error handling and MTU (3.4.1, 3.4.2)


@dataclass(slots=True)
class ErrorRsp:
    """ATT_ERROR_RSP (3.4.1.1)."""

    OPCODE: ClassVar[Opcode] = Opcode.ERROR_RSP
    request_opcode: int
    attribute_handle: int
    error_code: ErrorCode

    def encode(self) -> bytes:
        return bytes((0x01, self.request_opcode)) + _p16(self.attribute_handle) + bytes(
            (int(self.error_code),)
        )

    @classmethod
    def decode_body(cls, body: bytes) -> ErrorRsp:
        _exact(0x01, body, 4)
        return cls(body[0], _u16(body, 1), ErrorCode(body[3]))


@dataclass(slots=True)
class ExchangeMtuReq:
    """ATT_EXCHANGE_MTU_REQ (3.4.2.1)."""

    OPCODE: ClassVar[Opcode] = Opcode.EXCHANGE_MTU_REQ
    client_rx_mtu: int

    def encode(self) -> bytes:
        return b"\x02" + _p16(self.client_rx_mtu)

    @classmethod
    def decode_body(cls, body: bytes) -> ExchangeMtuReq:
        _exact(0x02, body, 2)
        return cls(_u16(body, 0))


@dataclass(slots=True)
class ExchangeMtuRsp:
    """ATT_EXCHANGE_MTU_RSP (3.4.2.2)."""

    OPCODE: ClassVar[Opcode] = Opcode.EXCHANGE_MTU_RSP
    server_rx_mtu: int

    def encode(self) -> bytes:
        return b"\x03" + _p16(self.server_rx_mtu)

    @classmethod
    def decode_body(cls, body: bytes) -> ExchangeMtuRsp:
        _exact(0x03, body, 2)
        return cls(_u16(body, 0))


# --------------------------------------------------------------------------------------------
# Find information (3.4.3)


@dataclass(slots=True)
class _RangeReq:
    """Shared shape of requests carrying a handle range."""

    starting_handle: int
    ending_handle: int


@dataclass(slots=True)
class FindInformationReq(_RangeReq):
    """ATT_FIND_INFORMATION_REQ (3.4.3.1)."""

    OPCODE: ClassVar[Opcode] = Opcode.FIND_INFORMATION_REQ

    def encode(self) -> bytes:
        return b"\x04" + _p16(self.starting_handle) + _p16(self.ending_handle)

    @classmethod
    def decode_body(cls, body: bytes) -> FindInformationReq:
        _exact(0x04, body, 4)
        return cls(_u16(body, 0), _u16(body, 2))


@dataclass(slots=True)
class FindInformationRsp:
    """ATT_FIND_INFORMATION_RSP (3.4.3.2): format 0x01 = 16-bit UUIDs, 0x02 = 128-bit UUIDs."""

    OPCODE: ClassVar[Opcode] = Opcode.FIND_INFORMATION_RSP
    information: tuple[tuple[int, UUID], ...]

    @property
    def format(self) -> int:
        return 1 if all(len(uuid_att_bytes(u)) == 2 for _, u in self.information) else 2

    def encode(self) -> bytes:
        fmt = self.format
        out = bytearray((0x05, fmt))
        for handle, uuid in self.information:
            out += _p16(handle)
            out += uuid.shortest().to_le_bytes() if fmt == 1 else uuid.to_128_le_bytes()
        return bytes(out)

    @classmethod
    def decode_body(cls, body: bytes) -> FindInformationRsp:
        _at_least(0x05, body, 1)
        fmt = body[0]
        if fmt not in (1, 2):
            raise AttDecodeError(0x05, f"unknown format 0x{fmt:02X}")
        size = 4 if fmt == 1 else 18
        data = body[1:]
        if not data or len(data) % size:
            raise AttDecodeError(0x05, f"information data of {len(data)} octets for format {fmt}")
        return cls(
            tuple((_u16(data, i), UUID(data[i + 2 : i + size])) for i in range(0, len(data), size))
        )


@dataclass(slots=True)
class FindByTypeValueReq(_RangeReq):
    """ATT_FIND_BY_TYPE_VALUE_REQ (3.4.3.3): the type is always a 16-bit UUID."""

    OPCODE: ClassVar[Opcode] = Opcode.FIND_BY_TYPE_VALUE_REQ
    attribute_type: UUID
    attribute_value: bytes

    def encode(self) -> bytes:
        return (
            b"\x06"
            + _p16(self.starting_handle)
            + _p16(self.ending_handle)
            + self.attribute_type.shortest().to_le_bytes()[:2]
            + self.attribute_value
        )

    @classmethod
    def decode_body(cls, body: bytes) -> FindByTypeValueReq:
        _at_least(0x06, body, 6)
        return cls(_u16(body, 0), _u16(body, 2), UUID(body[4:6]), bytes(body[6:]))


@dataclass(slots=True)
class FindByTypeValueRsp:
    """ATT_FIND_BY_TYPE_VALUE_RSP (3.4.3.4): (found attribute handle, group end handle) pairs."""

    OPCODE: ClassVar[Opcode] = Opcode.FIND_BY_TYPE_VALUE_RSP
    handles_information: tuple[tuple[int, int], ...]

    def encode(self) -> bytes:
        out = bytearray(b"\x07")
        for found, end in self.handles_information:
            out += _p16(found) + _p16(end)
        return bytes(out)

    @classmethod
    def decode_body(cls, body: bytes) -> FindByTypeValueRsp:
        if not body or len(body) % 4:
            raise AttDecodeError(0x07, f"handles information list of {len(body)} octets")
        return cls(tuple((_u16(body, i), _u16(body, i + 2)) for i in range(0, len(body), 4)))


# --------------------------------------------------------------------------------------------
# Reading attributes (3.4.4)


@dataclass(slots=True)
class ReadByTypeReq(_RangeReq):
    """ATT_READ_BY_TYPE_REQ (3.4.4.1)."""

    OPCODE: ClassVar[Opcode] = Opcode.READ_BY_TYPE_REQ
    attribute_type: UUID

    def encode(self) -> bytes:
        return (
            b"\x08"
            + _p16(self.starting_handle)
            + _p16(self.ending_handle)
            + uuid_att_bytes(self.attribute_type)
        )

    @classmethod
    def decode_body(cls, body: bytes) -> ReadByTypeReq:
        _at_least(0x08, body, 6)
        return cls(_u16(body, 0), _u16(body, 2), _uuid(0x08, body[4:]))


def _encode_length_list(opcode: int, entries: list[bytes]) -> bytes:
    length = len(entries[0]) if entries else 0
    if any(len(e) != length for e in entries) or length > 255:
        raise ValueError(f"ATT opcode 0x{opcode:02X}: entries must share one length below 256")
    return bytes((opcode, length)) + b"".join(entries)


def _decode_length_list(opcode: int, body: bytes, minimum: int) -> list[bytes]:
    _at_least(opcode, body, 1)
    length = body[0]
    data = body[1:]
    if length < minimum:
        raise AttDecodeError(opcode, f"entry length {length} below {minimum}")
    if not data or len(data) % length:
        raise AttDecodeError(opcode, f"{len(data)} octets of data do not hold entries of {length}")
    return [data[i : i + length] for i in range(0, len(data), length)]


@dataclass(slots=True)
class ReadByTypeRsp:
    """ATT_READ_BY_TYPE_RSP (3.4.4.2): (handle, value) pairs, all values of one length."""

    OPCODE: ClassVar[Opcode] = Opcode.READ_BY_TYPE_RSP
    attribute_data: tuple[tuple[int, bytes], ...]

    def encode(self) -> bytes:
        return _encode_length_list(0x09, [_p16(h) + v for h, v in self.attribute_data])

    @classmethod
    def decode_body(cls, body: bytes) -> ReadByTypeRsp:
        return cls(tuple((_u16(e, 0), bytes(e[2:])) for e in _decode_length_list(0x09, body, 2)))


@dataclass(slots=True)
class ReadReq:
    """ATT_READ_REQ (3.4.4.3)."""

    OPCODE: ClassVar[Opcode] = Opcode.READ_REQ
    attribute_handle: int

    def encode(self) -> bytes:
        return b"\x0a" + _p16(self.attribute_handle)

    @classmethod
    def decode_body(cls, body: bytes) -> ReadReq:
        _exact(0x0A, body, 2)
        return cls(_u16(body, 0))


@dataclass(slots=True)
class ReadRsp:
    """ATT_READ_RSP (3.4.4.4)."""

    OPCODE: ClassVar[Opcode] = Opcode.READ_RSP
    attribute_value: bytes

    def encode(self) -> bytes:
        return b"\x0b" + self.attribute_value

    @classmethod
    def decode_body(cls, body: bytes) -> ReadRsp:
        return cls(bytes(body))


@dataclass(slots=True)
class ReadBlobReq:
    """ATT_READ_BLOB_REQ (3.4.4.5)."""

    OPCODE: ClassVar[Opcode] = Opcode.READ_BLOB_REQ
    attribute_handle: int
    value_offset: int

    def encode(self) -> bytes:
        return b"\x0c" + _p16(self.attribute_handle) + _p16(self.value_offset)

    @classmethod
    def decode_body(cls, body: bytes) -> ReadBlobReq:
        _exact(0x0C, body, 4)
        return cls(_u16(body, 0), _u16(body, 2))


@dataclass(slots=True)
class ReadBlobRsp:
    """ATT_READ_BLOB_RSP (3.4.4.6)."""

    OPCODE: ClassVar[Opcode] = Opcode.READ_BLOB_RSP
    part_attribute_value: bytes

    def encode(self) -> bytes:
        return b"\x0d" + self.part_attribute_value

    @classmethod
    def decode_body(cls, body: bytes) -> ReadBlobRsp:
        return cls(bytes(body))


def _decode_handle_set(opcode: int, body: bytes) -> tuple[int, ...]:
    if len(body) < 4 or len(body) % 2:
        raise AttDecodeError(opcode, f"set of handles of {len(body)} octets (need two or more)")
    return tuple(_u16(body, i) for i in range(0, len(body), 2))


@dataclass(slots=True)
class ReadMultipleReq:
    """ATT_READ_MULTIPLE_REQ (3.4.4.7): two or more handles."""

    OPCODE: ClassVar[Opcode] = Opcode.READ_MULTIPLE_REQ
    set_of_handles: tuple[int, ...]

    def encode(self) -> bytes:
        return b"\x0e" + b"".join(_p16(h) for h in self.set_of_handles)

    @classmethod
    def decode_body(cls, body: bytes) -> ReadMultipleReq:
        return cls(_decode_handle_set(0x0E, body))


@dataclass(slots=True)
class ReadMultipleRsp:
    """ATT_READ_MULTIPLE_RSP (3.4.4.8): the values concatenated."""

    OPCODE: ClassVar[Opcode] = Opcode.READ_MULTIPLE_RSP
    set_of_values: bytes

    def encode(self) -> bytes:
        return b"\x0f" + self.set_of_values

    @classmethod
    def decode_body(cls, body: bytes) -> ReadMultipleRsp:
        return cls(bytes(body))


@dataclass(slots=True)
class ReadMultipleVariableReq:
    """ATT_READ_MULTIPLE_VARIABLE_REQ (3.4.4.11): two or more handles."""

    OPCODE: ClassVar[Opcode] = Opcode.READ_MULTIPLE_VARIABLE_REQ
    set_of_handles: tuple[int, ...]

    def encode(self) -> bytes:
        return b"\x20" + b"".join(_p16(h) for h in self.set_of_handles)

    @classmethod
    def decode_body(cls, body: bytes) -> ReadMultipleVariableReq:
        return cls(_decode_handle_set(0x20, body))


@dataclass(slots=True)
class ReadMultipleVariableRsp:
    """ATT_READ_MULTIPLE_VARIABLE_RSP (3.4.4.12): (value length, value) tuples.

    The last value may be truncated to fit ATT_MTU, so its length field can exceed its octets.
    """

    OPCODE: ClassVar[Opcode] = Opcode.READ_MULTIPLE_VARIABLE_RSP
    length_value_tuples: tuple[tuple[int, bytes], ...]

    def encode(self) -> bytes:
        return b"\x21" + b"".join(_p16(n) + v for n, v in self.length_value_tuples)

    @classmethod
    def decode_body(cls, body: bytes) -> ReadMultipleVariableRsp:
        tuples = []
        i = 0
        while i < len(body):
            if len(body) - i < 2:
                raise AttDecodeError(0x21, "length field cut short")
            length = _u16(body, i)
            value = bytes(body[i + 2 : i + 2 + length])
            if len(value) < length and i + 2 + len(value) != len(body):
                raise AttDecodeError(0x21, "truncated value before the last tuple")
            tuples.append((length, value))
            i += 2 + len(value)
        return cls(tuple(tuples))


@dataclass(slots=True)
class ReadByGroupTypeReq(_RangeReq):
    """ATT_READ_BY_GROUP_TYPE_REQ (3.4.4.9)."""

    OPCODE: ClassVar[Opcode] = Opcode.READ_BY_GROUP_TYPE_REQ
    attribute_group_type: UUID

    def encode(self) -> bytes:
        return (
            b"\x10"
            + _p16(self.starting_handle)
            + _p16(self.ending_handle)
            + uuid_att_bytes(self.attribute_group_type)
        )

    @classmethod
    def decode_body(cls, body: bytes) -> ReadByGroupTypeReq:
        _at_least(0x10, body, 6)
        return cls(_u16(body, 0), _u16(body, 2), _uuid(0x10, body[4:]))


@dataclass(slots=True)
class ReadByGroupTypeRsp:
    """ATT_READ_BY_GROUP_TYPE_RSP (3.4.4.10): (handle, end group handle, value) triples."""

    OPCODE: ClassVar[Opcode] = Opcode.READ_BY_GROUP_TYPE_RSP
    attribute_data: tuple[tuple[int, int, bytes], ...]

    def encode(self) -> bytes:
        return _encode_length_list(
            0x11, [_p16(h) + _p16(e) + v for h, e, v in self.attribute_data]
        )

    @classmethod
    def decode_body(cls, body: bytes) -> ReadByGroupTypeRsp:
        entries = _decode_length_list(0x11, body, 4)
        return cls(tuple((_u16(e, 0), _u16(e, 2), bytes(e[4:])) for e in entries))


# --------------------------------------------------------------------------------------------
# Writing attributes (3.4.5) and queued writes (3.4.6)


@dataclass(slots=True)
class _HandleValue:
    """Shared shape of PDUs carrying a handle then a value."""

    attribute_handle: int
    attribute_value: bytes


@dataclass(slots=True)
class WriteReq(_HandleValue):
    """ATT_WRITE_REQ (3.4.5.1)."""

    OPCODE: ClassVar[Opcode] = Opcode.WRITE_REQ

    def encode(self) -> bytes:
        return b"\x12" + _p16(self.attribute_handle) + self.attribute_value

    @classmethod
    def decode_body(cls, body: bytes) -> WriteReq:
        _at_least(0x12, body, 2)
        return cls(_u16(body, 0), bytes(body[2:]))


@dataclass(slots=True)
class WriteRsp:
    """ATT_WRITE_RSP (3.4.5.2)."""

    OPCODE: ClassVar[Opcode] = Opcode.WRITE_RSP

    def encode(self) -> bytes:
        return b"\x13"

    @classmethod
    def decode_body(cls, body: bytes) -> WriteRsp:
        _exact(0x13, body, 0)
        return cls()


@dataclass(slots=True)
class WriteCmd(_HandleValue):
    """ATT_WRITE_CMD (3.4.5.3)."""

    OPCODE: ClassVar[Opcode] = Opcode.WRITE_CMD

    def encode(self) -> bytes:
        return b"\x52" + _p16(self.attribute_handle) + self.attribute_value

    @classmethod
    def decode_body(cls, body: bytes) -> WriteCmd:
        _at_least(0x52, body, 2)
        return cls(_u16(body, 0), bytes(body[2:]))


@dataclass(slots=True)
class SignedWriteCmd(_HandleValue):
    """ATT_SIGNED_WRITE_CMD (3.4.5.4): value followed by a 12-octet authentication signature."""

    OPCODE: ClassVar[Opcode] = Opcode.SIGNED_WRITE_CMD
    authentication_signature: bytes

    def encode(self) -> bytes:
        return (
            b"\xd2"
            + _p16(self.attribute_handle)
            + self.attribute_value
            + self.authentication_signature
        )

    @property
    def signed_part(self) -> bytes:
        """The octets the signature covers: opcode, handle and value (Vol 3 Part F 3.4.5.4)."""
        return b"\xd2" + _p16(self.attribute_handle) + self.attribute_value

    @classmethod
    def decode_body(cls, body: bytes) -> SignedWriteCmd:
        _at_least(0xD2, body, 2 + SIGNATURE_LEN)
        return cls(_u16(body, 0), bytes(body[2:-SIGNATURE_LEN]), bytes(body[-SIGNATURE_LEN:]))


@dataclass(slots=True)
class _PrepareWrite:
    attribute_handle: int
    value_offset: int
    part_attribute_value: bytes


@dataclass(slots=True)
class PrepareWriteReq(_PrepareWrite):
    """ATT_PREPARE_WRITE_REQ (3.4.6.1)."""

    OPCODE: ClassVar[Opcode] = Opcode.PREPARE_WRITE_REQ

    def encode(self) -> bytes:
        return (
            b"\x16" + _p16(self.attribute_handle) + _p16(self.value_offset)
            + self.part_attribute_value
        )

    @classmethod
    def decode_body(cls, body: bytes) -> PrepareWriteReq:
        _at_least(0x16, body, 4)
        return cls(_u16(body, 0), _u16(body, 2), bytes(body[4:]))


@dataclass(slots=True)
class PrepareWriteRsp(_PrepareWrite):
    """ATT_PREPARE_WRITE_RSP (3.4.6.2): echoes the request."""

    OPCODE: ClassVar[Opcode] = Opcode.PREPARE_WRITE_RSP

    def encode(self) -> bytes:
        return (
            b"\x17" + _p16(self.attribute_handle) + _p16(self.value_offset)
            + self.part_attribute_value
        )

    @classmethod
    def decode_body(cls, body: bytes) -> PrepareWriteRsp:
        _at_least(0x17, body, 4)
        return cls(_u16(body, 0), _u16(body, 2), bytes(body[4:]))


class ExecuteWriteFlags(IntEnum):
    """Execute Write flags (3.4.6.3); other values are reserved."""

    CANCEL_ALL_PREPARED_WRITES = 0x00
    IMMEDIATELY_WRITE_ALL_PENDING_PREPARED_VALUES = 0x01


@dataclass(slots=True)
class ExecuteWriteReq:
    """ATT_EXECUTE_WRITE_REQ (3.4.6.3). Reserved flag values decode; the server rejects them."""

    OPCODE: ClassVar[Opcode] = Opcode.EXECUTE_WRITE_REQ
    flags: int

    def encode(self) -> bytes:
        return bytes((0x18, self.flags))

    @classmethod
    def decode_body(cls, body: bytes) -> ExecuteWriteReq:
        _exact(0x18, body, 1)
        return cls(body[0])


@dataclass(slots=True)
class ExecuteWriteRsp:
    """ATT_EXECUTE_WRITE_RSP (3.4.6.4)."""

    OPCODE: ClassVar[Opcode] = Opcode.EXECUTE_WRITE_RSP

    def encode(self) -> bytes:
        return b"\x19"

    @classmethod
    def decode_body(cls, body: bytes) -> ExecuteWriteRsp:
        _exact(0x19, body, 0)
        return cls()


# --------------------------------------------------------------------------------------------
# Server initiated (3.4.7)


@dataclass(slots=True)
class HandleValueNtf(_HandleValue):
    """ATT_HANDLE_VALUE_NTF (3.4.7.1)."""

    OPCODE: ClassVar[Opcode] = Opcode.HANDLE_VALUE_NTF

    def encode(self) -> bytes:
        return b"\x1b" + _p16(self.attribute_handle) + self.attribute_value

    @classmethod
    def decode_body(cls, body: bytes) -> HandleValueNtf:
        if len(body) < 2:
            raise AttDecodeError(0x1B, f"body is {len(body)} octets, expected at least 2")
        return cls(body[0] | (body[1] << 8), bytes(body[2:]))


@dataclass(slots=True)
class HandleValueInd(_HandleValue):
    """ATT_HANDLE_VALUE_IND (3.4.7.2)."""

    OPCODE: ClassVar[Opcode] = Opcode.HANDLE_VALUE_IND

    def encode(self) -> bytes:
        return b"\x1d" + _p16(self.attribute_handle) + self.attribute_value

    @classmethod
    def decode_body(cls, body: bytes) -> HandleValueInd:
        _at_least(0x1D, body, 2)
        return cls(_u16(body, 0), bytes(body[2:]))


@dataclass(slots=True)
class HandleValueCfm:
    """ATT_HANDLE_VALUE_CFM (3.4.7.3)."""

    OPCODE: ClassVar[Opcode] = Opcode.HANDLE_VALUE_CFM

    def encode(self) -> bytes:
        return b"\x1e"

    @classmethod
    def decode_body(cls, body: bytes) -> HandleValueCfm:
        _exact(0x1E, body, 0)
        return cls()


@dataclass(slots=True)
class MultipleHandleValueNtf:
    """ATT_MULTIPLE_HANDLE_VALUE_NTF (3.4.7.4): (handle, length, value) tuples."""

    OPCODE: ClassVar[Opcode] = Opcode.MULTIPLE_HANDLE_VALUE_NTF
    handle_length_value_tuples: tuple[tuple[int, bytes], ...]

    def encode(self) -> bytes:
        return b"\x23" + b"".join(
            _p16(h) + _p16(len(v)) + v for h, v in self.handle_length_value_tuples
        )

    @classmethod
    def decode_body(cls, body: bytes) -> MultipleHandleValueNtf:
        tuples = []
        i = 0
        while i < len(body):
            if len(body) - i < 4:
                raise AttDecodeError(0x23, "tuple header cut short")
            length = _u16(body, i + 2)
            if i + 4 + length > len(body):
                raise AttDecodeError(0x23, "value runs past the PDU")
            tuples.append((_u16(body, i), bytes(body[i + 4 : i + 4 + length])))
            i += 4 + length
        if not tuples:
            raise AttDecodeError(0x23, "no tuples")
        return cls(tuple(tuples))


AttPdu = (
    ErrorRsp
    | ExchangeMtuReq
    | ExchangeMtuRsp
    | FindInformationReq
    | FindInformationRsp
    | FindByTypeValueReq
    | FindByTypeValueRsp
    | ReadByTypeReq
    | ReadByTypeRsp
    | ReadReq
    | ReadRsp
    | ReadBlobReq
    | ReadBlobRsp
    | ReadMultipleReq
    | ReadMultipleRsp
    | ReadMultipleVariableReq
    | ReadMultipleVariableRsp
    | ReadByGroupTypeReq
    | ReadByGroupTypeRsp
    | WriteReq
    | WriteRsp
    | WriteCmd
    | SignedWriteCmd
    | PrepareWriteReq
    | PrepareWriteRsp
    | ExecuteWriteReq
    | ExecuteWriteRsp
    | HandleValueNtf
    | HandleValueInd
    | HandleValueCfm
    | MultipleHandleValueNtf
)

PDU_CLASSES: tuple[Any, ...] = get_args(AttPdu)

_DECODERS: dict[int, Callable[[bytes], AttPdu]] = {
    int(cls.OPCODE): cls.decode_body for cls in PDU_CLASSES
}

REQUEST_OPCODES = frozenset(
    op for op in Opcode if op.name.endswith("_REQ")
)


def decode(pdu: bytes) -> AttPdu:
    """Decode one ATT PDU; raises AttDecodeError / UnknownOpcodeError (Vol 3 Part F 3.3)."""
    if not pdu:
        raise AttDecodeError(0, "empty PDU")
    opcode = pdu[0]
    if opcode == 0x1B and len(pdu) >= 3:  # hot path: notifications
        return HandleValueNtf(pdu[1] | (pdu[2] << 8), bytes(pdu[3:]))
    decoder = _DECODERS.get(opcode)
    if decoder is None:
        raise UnknownOpcodeError(opcode, "unknown opcode")
    return decoder(pdu[1:])
