"""L2CAP basic frames and LE signalling command codecs (Core Vol 3 Part A, 3.1 and 4).

Every command is a dataclass with `CODE`, `to_bytes()` (the command's data field) and
`from_bytes(data)`, which raises `L2capDecodeError` when the data does not have the exact
length the command needs. `encode_command` / `decode_command` add and strip the 4-octet
signalling header (code, identifier, length).
"""

from __future__ import annotations

import struct
from enum import IntEnum
from typing import ClassVar, Protocol

from aioble_hci.errors import RemoteProtocolError
from aioble_hci.records import dataclass


class L2capDecodeError(RemoteProtocolError, ValueError):
    """A frame or command whose length or fields do not match its format."""


# -- channel identifiers (Vol 3 Part A, 2.1, Table 2.3) -------------------------------------------


class FixedCid(IntEnum):
    """LE-U fixed channel identifiers."""

    ATT = 0x0004
    LE_SIGNALING = 0x0005
    SMP = 0x0006


LE_DYNAMIC_CID_FIRST = 0x0040
"""First CID of the LE-U dynamically allocated range (Vol 3 Part A, 2.1)."""
LE_DYNAMIC_CID_LAST = 0x007F
"""Last CID of the LE-U dynamically allocated range."""

LE_SPSM_FIRST = 0x0001
"""Lowest valid LE SPSM; 0x0001-0x007F are SIG-assigned, 0x0080-0x00FF dynamic (Vol 3 Part A, 4.22)."""
LE_SPSM_LAST = 0x00FF


def is_le_dynamic_cid(cid: int) -> bool:
    """True when `cid` lies in the LE-U dynamic range 0x0040-0x007F."""
    return LE_DYNAMIC_CID_FIRST <= cid <= LE_DYNAMIC_CID_LAST


def is_valid_le_spsm(spsm: int) -> bool:
    """True for an SPSM in the LE range 0x0001-0x00FF."""
    return LE_SPSM_FIRST <= spsm <= LE_SPSM_LAST


# -- basic frame (Vol 3 Part A, 3.1) --------------------------------------------------------------

BASIC_HEADER_SIZE = 4


def encode_basic_frame(cid: int, payload: bytes) -> bytes:
    """Prefix `payload` with the basic L2CAP header (length, channel ID)."""
    return struct.pack("<HH", len(payload), cid) + payload


def decode_basic_frame(frame: bytes) -> tuple[int, bytes]:
    """Split a whole basic frame into (cid, payload); the length must match exactly.

    A frame shorter than its announced length is never treated as complete (the
    "truncated L2CAP" class of bugs); a longer one is malformed too.
    """
    if len(frame) < BASIC_HEADER_SIZE:
        raise L2capDecodeError(f"L2CAP frame of {len(frame)} octets is shorter than its header")
    length, cid = struct.unpack_from("<HH", frame)
    if length != len(frame) - BASIC_HEADER_SIZE:
        raise L2capDecodeError(
            f"L2CAP header announces {length} octets but the frame carries {len(frame) - 4}"
        )
    return cid, bytes(frame[BASIC_HEADER_SIZE:])


# -- signalling codes and result codes (Vol 3 Part A, 4) ------------------------------------------


class SignalingCode(IntEnum):
    """Signalling command codes valid on the LE signalling channel (Vol 3 Part A, Table 4.2)."""

    L2CAP_COMMAND_REJECT_RSP = 0x01
    L2CAP_DISCONNECTION_REQ = 0x06
    L2CAP_DISCONNECTION_RSP = 0x07
    L2CAP_CONNECTION_PARAMETER_UPDATE_REQ = 0x12
    L2CAP_CONNECTION_PARAMETER_UPDATE_RSP = 0x13
    L2CAP_LE_CREDIT_BASED_CONNECTION_REQ = 0x14
    L2CAP_LE_CREDIT_BASED_CONNECTION_RSP = 0x15
    L2CAP_FLOW_CONTROL_CREDIT_IND = 0x16
    L2CAP_CREDIT_BASED_CONNECTION_REQ = 0x17
    L2CAP_CREDIT_BASED_CONNECTION_RSP = 0x18
    L2CAP_CREDIT_BASED_RECONFIGURE_REQ = 0x19
    L2CAP_CREDIT_BASED_RECONFIGURE_RSP = 0x1A


class CommandRejectReason(IntEnum):
    """Reason field of L2CAP_COMMAND_REJECT_RSP (Vol 3 Part A, 4.1, Table 4.3)."""

    COMMAND_NOT_UNDERSTOOD = 0x0000
    SIGNALING_MTU_EXCEEDED = 0x0001
    INVALID_CID_IN_REQUEST = 0x0002


class ConnectionParameterUpdateResult(IntEnum):
    """Result of L2CAP_CONNECTION_PARAMETER_UPDATE_RSP (Vol 3 Part A, 4.21)."""

    CONNECTION_PARAMETERS_ACCEPTED = 0x0000
    CONNECTION_PARAMETERS_REJECTED = 0x0001


class LeCreditBasedConnectionResult(IntEnum):
    """Result of L2CAP_LE_CREDIT_BASED_CONNECTION_RSP (Vol 3 Part A, 4.23, Table 4.19)."""

    CONNECTION_SUCCESSFUL = 0x0000
    SPSM_NOT_SUPPORTED = 0x0002
    NO_RESOURCES_AVAILABLE = 0x0004
    INSUFFICIENT_AUTHENTICATION = 0x0005
    INSUFFICIENT_AUTHORIZATION = 0x0006
    ENCRYPTION_KEY_SIZE_TOO_SHORT = 0x0007
    INSUFFICIENT_ENCRYPTION = 0x0008
    INVALID_SOURCE_CID = 0x0009
    SOURCE_CID_ALREADY_ALLOCATED = 0x000A
    UNACCEPTABLE_PARAMETERS = 0x000B


class CreditBasedConnectionResult(IntEnum):
    """Result of L2CAP_CREDIT_BASED_CONNECTION_RSP (Vol 3 Part A, 4.26, Table 4.23).

    The spec's names say whether all or only some of the requested channels were refused.
    """

    ALL_CONNECTIONS_SUCCESSFUL = 0x0000
    ALL_CONNECTIONS_REFUSED_SPSM_NOT_SUPPORTED = 0x0002
    SOME_CONNECTIONS_REFUSED_INSUFFICIENT_RESOURCES = 0x0004
    ALL_CONNECTIONS_REFUSED_INSUFFICIENT_AUTHENTICATION = 0x0005
    ALL_CONNECTIONS_REFUSED_INSUFFICIENT_AUTHORIZATION = 0x0006
    ALL_CONNECTIONS_REFUSED_ENCRYPTION_KEY_SIZE_TOO_SHORT = 0x0007
    ALL_CONNECTIONS_REFUSED_INSUFFICIENT_ENCRYPTION = 0x0008
    SOME_CONNECTIONS_REFUSED_INVALID_SOURCE_CID = 0x0009
    SOME_CONNECTIONS_REFUSED_SOURCE_CID_ALREADY_ALLOCATED = 0x000A
    ALL_CONNECTIONS_REFUSED_UNACCEPTABLE_PARAMETERS = 0x000B
    ALL_CONNECTIONS_REFUSED_INVALID_PARAMETERS = 0x000C
    ALL_CONNECTIONS_PENDING_NO_FURTHER_INFORMATION = 0x000D
    ALL_CONNECTIONS_PENDING_AUTHENTICATION_PENDING = 0x000E
    ALL_CONNECTIONS_PENDING_AUTHORIZATION_PENDING = 0x000F


class CreditBasedReconfigureResult(IntEnum):
    """Result of L2CAP_CREDIT_BASED_RECONFIGURE_RSP (Vol 3 Part A, 4.28, Table 4.26)."""

    RECONFIGURATION_SUCCESSFUL = 0x0000
    RECONFIGURATION_FAILED_REDUCTION_IN_SIZE_OF_MTU_NOT_ALLOWED = 0x0001
    RECONFIGURATION_FAILED_REDUCTION_IN_SIZE_OF_MPS_NOT_ALLOWED = 0x0002
    RECONFIGURATION_FAILED_ONE_OR_MORE_DESTINATION_CIDS_INVALID = 0x0003
    RECONFIGURATION_FAILED_OTHER_UNACCEPTABLE_PARAMETERS = 0x0004


def _result(enum: type[IntEnum], value: int) -> int:
    """An enum member when the value is known, else the raw int (a peer may send RFU values)."""
    try:
        return enum(value)
    except ValueError:
        return value


# -- commands -------------------------------------------------------------------------------------


class Command(Protocol):
    """What every signalling command dataclass offers."""

    CODE: ClassVar[SignalingCode]

    def to_bytes(self) -> bytes: ...


def _exact(data: bytes, size: int, name: str) -> None:
    if len(data) != size:
        raise L2capDecodeError(f"{name} needs {size} data octets, got {len(data)}")


@dataclass(frozen=True)
class CommandRejectRsp:
    """L2CAP_COMMAND_REJECT_RSP (Vol 3 Part A, 4.1): reason plus reason-specific data.

    `actual_mtu` is set for SIGNALING_MTU_EXCEEDED; `local_cid`/`remote_cid` for
    INVALID_CID_IN_REQUEST (the CIDs of the rejected request as seen by the rejecter).
    """

    CODE: ClassVar[SignalingCode] = SignalingCode.L2CAP_COMMAND_REJECT_RSP
    reason: int
    actual_mtu: int | None = None
    local_cid: int | None = None
    remote_cid: int | None = None

    def to_bytes(self) -> bytes:
        data = struct.pack("<H", self.reason)
        if self.reason == CommandRejectReason.SIGNALING_MTU_EXCEEDED:
            data += struct.pack("<H", self.actual_mtu or 0)
        elif self.reason == CommandRejectReason.INVALID_CID_IN_REQUEST:
            data += struct.pack("<HH", self.local_cid or 0, self.remote_cid or 0)
        return data

    @classmethod
    def from_bytes(cls, data: bytes) -> CommandRejectRsp:
        if len(data) < 2:
            raise L2capDecodeError("L2CAP_COMMAND_REJECT_RSP needs at least 2 data octets")
        (reason,) = struct.unpack_from("<H", data)
        if reason == CommandRejectReason.SIGNALING_MTU_EXCEEDED:
            _exact(data, 4, "L2CAP_COMMAND_REJECT_RSP (signalling MTU exceeded)")
            return cls(CommandRejectReason(reason), actual_mtu=struct.unpack_from("<H", data, 2)[0])
        if reason == CommandRejectReason.INVALID_CID_IN_REQUEST:
            _exact(data, 6, "L2CAP_COMMAND_REJECT_RSP (invalid CID)")
            local, remote = struct.unpack_from("<HH", data, 2)
            return cls(CommandRejectReason(reason), local_cid=local, remote_cid=remote)
        if reason == CommandRejectReason.COMMAND_NOT_UNDERSTOOD:
            _exact(data, 2, "L2CAP_COMMAND_REJECT_RSP (command not understood)")
        return cls(_result(CommandRejectReason, reason))


@dataclass(frozen=True)
class DisconnectionReq:
    """L2CAP_DISCONNECTION_REQ (Vol 3 Part A, 4.6): DCID is the receiver's endpoint."""

    CODE: ClassVar[SignalingCode] = SignalingCode.L2CAP_DISCONNECTION_REQ
    destination_cid: int
    source_cid: int

    def to_bytes(self) -> bytes:
        return struct.pack("<HH", self.destination_cid, self.source_cid)

    @classmethod
    def from_bytes(cls, data: bytes) -> DisconnectionReq:
        _exact(data, 4, "L2CAP_DISCONNECTION_REQ")
        return cls(*struct.unpack("<HH", data))


@dataclass(frozen=True)
class DisconnectionRsp:
    """L2CAP_DISCONNECTION_RSP (Vol 3 Part A, 4.7): echoes the request's CIDs."""

    CODE: ClassVar[SignalingCode] = SignalingCode.L2CAP_DISCONNECTION_RSP
    destination_cid: int
    source_cid: int

    def to_bytes(self) -> bytes:
        return struct.pack("<HH", self.destination_cid, self.source_cid)

    @classmethod
    def from_bytes(cls, data: bytes) -> DisconnectionRsp:
        _exact(data, 4, "L2CAP_DISCONNECTION_RSP")
        return cls(*struct.unpack("<HH", data))


@dataclass(frozen=True)
class ConnectionParameterUpdateReq:
    """L2CAP_CONNECTION_PARAMETER_UPDATE_REQ (Vol 3 Part A, 4.20), sent by a peripheral.

    Intervals in 1.25 ms units, timeout in 10 ms units.
    """

    CODE: ClassVar[SignalingCode] = SignalingCode.L2CAP_CONNECTION_PARAMETER_UPDATE_REQ
    interval_min: int
    interval_max: int
    latency: int
    timeout: int

    def to_bytes(self) -> bytes:
        return struct.pack(
            "<HHHH", self.interval_min, self.interval_max, self.latency, self.timeout
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> ConnectionParameterUpdateReq:
        _exact(data, 8, "L2CAP_CONNECTION_PARAMETER_UPDATE_REQ")
        return cls(*struct.unpack("<HHHH", data))


@dataclass(frozen=True)
class ConnectionParameterUpdateRsp:
    """L2CAP_CONNECTION_PARAMETER_UPDATE_RSP (Vol 3 Part A, 4.21)."""

    CODE: ClassVar[SignalingCode] = SignalingCode.L2CAP_CONNECTION_PARAMETER_UPDATE_RSP
    result: int

    def to_bytes(self) -> bytes:
        return struct.pack("<H", self.result)

    @classmethod
    def from_bytes(cls, data: bytes) -> ConnectionParameterUpdateRsp:
        _exact(data, 2, "L2CAP_CONNECTION_PARAMETER_UPDATE_RSP")
        (result,) = struct.unpack("<H", data)
        return cls(_result(ConnectionParameterUpdateResult, result))


@dataclass(frozen=True)
class LeCreditBasedConnectionReq:
    """L2CAP_LE_CREDIT_BASED_CONNECTION_REQ (Vol 3 Part A, 4.22)."""

    CODE: ClassVar[SignalingCode] = SignalingCode.L2CAP_LE_CREDIT_BASED_CONNECTION_REQ
    spsm: int
    source_cid: int
    mtu: int
    mps: int
    initial_credits: int

    def to_bytes(self) -> bytes:
        return struct.pack(
            "<HHHHH", self.spsm, self.source_cid, self.mtu, self.mps, self.initial_credits
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> LeCreditBasedConnectionReq:
        _exact(data, 10, "L2CAP_LE_CREDIT_BASED_CONNECTION_REQ")
        return cls(*struct.unpack("<HHHHH", data))


@dataclass(frozen=True)
class LeCreditBasedConnectionRsp:
    """L2CAP_LE_CREDIT_BASED_CONNECTION_RSP (Vol 3 Part A, 4.23)."""

    CODE: ClassVar[SignalingCode] = SignalingCode.L2CAP_LE_CREDIT_BASED_CONNECTION_RSP
    destination_cid: int
    mtu: int
    mps: int
    initial_credits: int
    result: int

    def to_bytes(self) -> bytes:
        return struct.pack(
            "<HHHHH", self.destination_cid, self.mtu, self.mps, self.initial_credits, self.result
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> LeCreditBasedConnectionRsp:
        _exact(data, 10, "L2CAP_LE_CREDIT_BASED_CONNECTION_RSP")
        dcid, mtu, mps, credits, result = struct.unpack("<HHHHH", data)
        return cls(dcid, mtu, mps, credits, _result(LeCreditBasedConnectionResult, result))


@dataclass(frozen=True)
class FlowControlCreditInd:
    """L2CAP_FLOW_CONTROL_CREDIT_IND (Vol 3 Part A, 4.24): `cid` is the sender's receive endpoint."""

    CODE: ClassVar[SignalingCode] = SignalingCode.L2CAP_FLOW_CONTROL_CREDIT_IND
    cid: int
    credits: int

    def to_bytes(self) -> bytes:
        return struct.pack("<HH", self.cid, self.credits)

    @classmethod
    def from_bytes(cls, data: bytes) -> FlowControlCreditInd:
        _exact(data, 4, "L2CAP_FLOW_CONTROL_CREDIT_IND")
        return cls(*struct.unpack("<HH", data))


MAX_ECFC_CHANNELS = 5
"""Most channels one credit-based (ECFC) request may open or reconfigure (Vol 3 Part A, 4.25)."""


def _cid_list(data: bytes, offset: int, name: str) -> tuple[int, ...]:
    rest = len(data) - offset
    if rest < 2 or rest % 2 or rest // 2 > MAX_ECFC_CHANNELS:
        raise L2capDecodeError(
            f"{name} carries {rest} CID octets; it needs 1 to {MAX_ECFC_CHANNELS} CIDs"
        )
    return struct.unpack_from(f"<{rest // 2}H", data, offset)


@dataclass(frozen=True)
class CreditBasedConnectionReq:
    """L2CAP_CREDIT_BASED_CONNECTION_REQ (Vol 3 Part A, 4.25): opens 1 to 5 channels at once."""

    CODE: ClassVar[SignalingCode] = SignalingCode.L2CAP_CREDIT_BASED_CONNECTION_REQ
    spsm: int
    mtu: int
    mps: int
    initial_credits: int
    source_cids: tuple[int, ...]

    def to_bytes(self) -> bytes:
        return struct.pack(
            f"<HHHH{len(self.source_cids)}H",
            self.spsm,
            self.mtu,
            self.mps,
            self.initial_credits,
            *self.source_cids,
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> CreditBasedConnectionReq:
        if len(data) < 8:
            raise L2capDecodeError("L2CAP_CREDIT_BASED_CONNECTION_REQ needs at least 10 octets")
        spsm, mtu, mps, credits = struct.unpack_from("<HHHH", data)
        return cls(spsm, mtu, mps, credits, _cid_list(data, 8, "L2CAP_CREDIT_BASED_CONNECTION_REQ"))


@dataclass(frozen=True)
class CreditBasedConnectionRsp:
    """L2CAP_CREDIT_BASED_CONNECTION_RSP (Vol 3 Part A, 4.26); a refused channel has DCID 0."""

    CODE: ClassVar[SignalingCode] = SignalingCode.L2CAP_CREDIT_BASED_CONNECTION_RSP
    mtu: int
    mps: int
    initial_credits: int
    result: int
    destination_cids: tuple[int, ...]

    def to_bytes(self) -> bytes:
        return struct.pack(
            f"<HHHH{len(self.destination_cids)}H",
            self.mtu,
            self.mps,
            self.initial_credits,
            self.result,
            *self.destination_cids,
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> CreditBasedConnectionRsp:
        if len(data) < 8:
            raise L2capDecodeError("L2CAP_CREDIT_BASED_CONNECTION_RSP needs at least 8 octets")
        mtu, mps, credits, result = struct.unpack_from("<HHHH", data)
        rest = len(data) - 8
        if rest % 2 or rest // 2 > MAX_ECFC_CHANNELS:
            raise L2capDecodeError(f"L2CAP_CREDIT_BASED_CONNECTION_RSP carries {rest} DCID octets")
        dcids = struct.unpack_from(f"<{rest // 2}H", data, 8)
        return cls(mtu, mps, credits, _result(CreditBasedConnectionResult, result), dcids)


@dataclass(frozen=True)
class CreditBasedReconfigureReq:
    """L2CAP_CREDIT_BASED_RECONFIGURE_REQ (Vol 3 Part A, 4.27).

    The CIDs are the sender's own endpoints (the receiver's destination CIDs).
    """

    CODE: ClassVar[SignalingCode] = SignalingCode.L2CAP_CREDIT_BASED_RECONFIGURE_REQ
    mtu: int
    mps: int
    destination_cids: tuple[int, ...]

    def to_bytes(self) -> bytes:
        return struct.pack(
            f"<HH{len(self.destination_cids)}H", self.mtu, self.mps, *self.destination_cids
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> CreditBasedReconfigureReq:
        if len(data) < 4:
            raise L2capDecodeError("L2CAP_CREDIT_BASED_RECONFIGURE_REQ needs at least 6 octets")
        mtu, mps = struct.unpack_from("<HH", data)
        return cls(mtu, mps, _cid_list(data, 4, "L2CAP_CREDIT_BASED_RECONFIGURE_REQ"))


@dataclass(frozen=True)
class CreditBasedReconfigureRsp:
    """L2CAP_CREDIT_BASED_RECONFIGURE_RSP (Vol 3 Part A, 4.28)."""

    CODE: ClassVar[SignalingCode] = SignalingCode.L2CAP_CREDIT_BASED_RECONFIGURE_RSP
    result: int

    def to_bytes(self) -> bytes:
        return struct.pack("<H", self.result)

    @classmethod
    def from_bytes(cls, data: bytes) -> CreditBasedReconfigureRsp:
        _exact(data, 2, "L2CAP_CREDIT_BASED_RECONFIGURE_RSP")
        (result,) = struct.unpack("<H", data)
        return cls(_result(CreditBasedReconfigureResult, result))


AnyCommand = (
    CommandRejectRsp
    | DisconnectionReq
    | DisconnectionRsp
    | ConnectionParameterUpdateReq
    | ConnectionParameterUpdateRsp
    | LeCreditBasedConnectionReq
    | LeCreditBasedConnectionRsp
    | FlowControlCreditInd
    | CreditBasedConnectionReq
    | CreditBasedConnectionRsp
    | CreditBasedReconfigureReq
    | CreditBasedReconfigureRsp
)

COMMAND_CLASSES: dict[int, type[AnyCommand]] = {
    cls.CODE: cls
    for cls in (
        CommandRejectRsp,
        DisconnectionReq,
        DisconnectionRsp,
        ConnectionParameterUpdateReq,
        ConnectionParameterUpdateRsp,
        LeCreditBasedConnectionReq,
        LeCreditBasedConnectionRsp,
        FlowControlCreditInd,
        CreditBasedConnectionReq,
        CreditBasedConnectionRsp,
        CreditBasedReconfigureReq,
        CreditBasedReconfigureRsp,
    )
}

RESPONSE_CODES = frozenset(
    {
        SignalingCode.L2CAP_COMMAND_REJECT_RSP,
        SignalingCode.L2CAP_DISCONNECTION_RSP,
        SignalingCode.L2CAP_CONNECTION_PARAMETER_UPDATE_RSP,
        SignalingCode.L2CAP_LE_CREDIT_BASED_CONNECTION_RSP,
        SignalingCode.L2CAP_CREDIT_BASED_CONNECTION_RSP,
        SignalingCode.L2CAP_CREDIT_BASED_RECONFIGURE_RSP,
    }
)
"""Codes that answer a request: matched to a pending request by identifier."""


# -- signalling header (Vol 3 Part A, 4) ----------------------------------------------------------

SIGNALING_HEADER_SIZE = 4


@dataclass(frozen=True)
class RawCommand:
    """A signalling command split from its header but not yet decoded."""

    code: int
    identifier: int
    data: bytes


def encode_command(identifier: int, command: Command) -> bytes:
    """Build a signalling command: code, identifier, length, data."""
    data = command.to_bytes()
    return struct.pack("<BBH", command.CODE, identifier, len(data)) + data


def split_command(payload: bytes) -> RawCommand:
    """Split one LE signalling C-frame into its header fields and data.

    On LE-U a C-frame carries exactly one command (Vol 3 Part A, 4), so a length field that
    disagrees with the frame in either direction is malformed.
    """
    if len(payload) < SIGNALING_HEADER_SIZE:
        raise L2capDecodeError(f"signalling frame of {len(payload)} octets has no full header")
    code, identifier, length = struct.unpack_from("<BBH", payload)
    if length != len(payload) - SIGNALING_HEADER_SIZE:
        raise L2capDecodeError(
            f"signalling command 0x{code:02X} announces {length} data octets, "
            f"frame carries {len(payload) - SIGNALING_HEADER_SIZE}"
        )
    return RawCommand(code, identifier, bytes(payload[SIGNALING_HEADER_SIZE:]))


def decode_command(raw: RawCommand) -> AnyCommand:
    """Decode a known command's data; raises KeyError for unknown codes, L2capDecodeError if bad."""
    return COMMAND_CLASSES[raw.code].from_bytes(raw.data)
