"""SMP PDU codecs (Core Vol 3 Part H, 3.3-3.6).

Each PDU is a dataclass with ``to_bytes()``; :func:`parse_pdu` turns the payload of the SMP fixed
channel (CID 0x0006) into one, raising :class:`SmpDecodeError` carrying the Pairing Failed reason
to answer with. Multi-octet values (confirm, random, keys, public key coordinates) are kept in
on-air order, least significant octet first; :mod:`aioble_hci.smp.toolbox` works MSB-first.
"""

from __future__ import annotations

import struct
from enum import IntEnum, IntFlag
from typing import ClassVar

from aioble_hci.address import Address, AddressType
from aioble_hci.errors import RemoteProtocolError
from aioble_hci.records import dataclass

SMP_CID = 0x0006
"""LE Security Manager fixed channel (Vol 3 Part A, 2.1)."""


class SmpCode(IntEnum):
    """SMP command codes (Vol 3 Part H, 3.3, table 3.3)."""

    PAIRING_REQUEST = 0x01
    PAIRING_RESPONSE = 0x02
    PAIRING_CONFIRM = 0x03
    PAIRING_RANDOM = 0x04
    PAIRING_FAILED = 0x05
    ENCRYPTION_INFORMATION = 0x06
    CENTRAL_IDENTIFICATION = 0x07
    IDENTITY_INFORMATION = 0x08
    IDENTITY_ADDRESS_INFORMATION = 0x09
    SIGNING_INFORMATION = 0x0A
    SECURITY_REQUEST = 0x0B
    PAIRING_PUBLIC_KEY = 0x0C
    PAIRING_DHKEY_CHECK = 0x0D
    PAIRING_KEYPRESS_NOTIFICATION = 0x0E


class IoCapability(IntEnum):
    """IO Capability field (Vol 3 Part H, 3.5.1, table 3.4)."""

    DISPLAY_ONLY = 0x00
    DISPLAY_YES_NO = 0x01
    KEYBOARD_ONLY = 0x02
    NO_INPUT_NO_OUTPUT = 0x03
    KEYBOARD_DISPLAY = 0x04


class OobDataFlag(IntEnum):
    """OOB data flag (Vol 3 Part H, 3.5.1, table 3.5)."""

    OOB_AUTH_DATA_NOT_PRESENT = 0x00
    OOB_AUTH_DATA_FROM_REMOTE_DEVICE_PRESENT = 0x01


class AuthReq(IntFlag):
    """AuthReq field (Vol 3 Part H, 3.5.1, figure 3.3). Bits 1, 6 and 7 are RFU."""

    BONDING = 0x01
    MITM = 0x04
    SC = 0x08
    KEYPRESS = 0x10
    CT2 = 0x20

    @classmethod
    def known(cls, value: int) -> AuthReq:
        """Keep only the defined bits: RFU bits are ignored on receipt (SM/PER/JW/BI-03-C)."""
        return cls(value & 0x3D)


class KeyDistribution(IntFlag):
    """Initiator/Responder Key Distribution fields (Vol 3 Part H, 3.6.1). Bits 4-7 are RFU."""

    ENC_KEY = 0x01
    ID_KEY = 0x02
    SIGN_KEY = 0x04
    LINK_KEY = 0x08

    @classmethod
    def known(cls, value: int) -> KeyDistribution:
        return cls(value & 0x0F)


class PairingFailedReason(IntEnum):
    """Pairing Failed reason codes (Vol 3 Part H, 3.5.5, table 3.7)."""

    PASSKEY_ENTRY_FAILED = 0x01
    OOB_NOT_AVAILABLE = 0x02
    AUTHENTICATION_REQUIREMENTS = 0x03
    CONFIRM_VALUE_FAILED = 0x04
    PAIRING_NOT_SUPPORTED = 0x05
    ENCRYPTION_KEY_SIZE = 0x06
    COMMAND_NOT_SUPPORTED = 0x07
    UNSPECIFIED_REASON = 0x08
    REPEATED_ATTEMPTS = 0x09
    INVALID_PARAMETERS = 0x0A
    DHKEY_CHECK_FAILED = 0x0B
    NUMERIC_COMPARISON_FAILED = 0x0C
    BR_EDR_PAIRING_IN_PROGRESS = 0x0D
    CROSS_TRANSPORT_KEY_DERIVATION_NOT_ALLOWED = 0x0E
    KEY_REJECTED = 0x0F
    BUSY = 0x10

    @classmethod
    def _missing_(cls, value: object) -> PairingFailedReason:
        if not isinstance(value, int):
            raise ValueError(value)
        member = int.__new__(cls, value)
        member._name_ = f"REASON_0x{value:02X}"
        member._value_ = value
        return member


class KeypressNotificationType(IntEnum):
    """Keypress Notification types (Vol 3 Part H, 3.5.8, table 3.9)."""

    PASSKEY_ENTRY_STARTED = 0x00
    PASSKEY_DIGIT_ENTERED = 0x01
    PASSKEY_DIGIT_ERASED = 0x02
    PASSKEY_CLEARED = 0x03
    PASSKEY_ENTRY_COMPLETED = 0x04


class PairingError(RemoteProtocolError):
    """Pairing must fail with this Pairing Failed reason."""

    def __init__(self, reason: PairingFailedReason, message: str = "") -> None:
        super().__init__(message or reason.name)
        self.reason = reason


class SmpDecodeError(PairingError):
    """A malformed SMP PDU: answer with ``reason`` (Vol 3 Part H, 3.3)."""


@dataclass(frozen=True)
class _PairingFeatures:
    """Common body of Pairing Request and Response (Vol 3 Part H, 3.5.1-3.5.2)."""

    CODE: ClassVar[SmpCode]
    io_capability: IoCapability
    oob_data_flag: OobDataFlag
    auth_req: int
    max_encryption_key_size: int
    initiator_key_distribution: int
    responder_key_distribution: int

    def to_bytes(self) -> bytes:
        return bytes(
            [
                self.CODE,
                self.io_capability,
                self.oob_data_flag,
                self.auth_req,
                self.max_encryption_key_size,
                self.initiator_key_distribution,
                self.responder_key_distribution,
            ]
        )

    @property
    def flags(self) -> AuthReq:
        return AuthReq.known(self.auth_req)

    @classmethod
    def _parse(cls, body: bytes) -> _PairingFeatures:
        io, oob, auth, size, ikd, rkd = body
        if io not in IoCapability._value2member_map_:
            raise SmpDecodeError(
                PairingFailedReason.INVALID_PARAMETERS, f"reserved IO capability {io}"
            )
        if oob not in OobDataFlag._value2member_map_:
            raise SmpDecodeError(PairingFailedReason.INVALID_PARAMETERS, f"reserved OOB flag {oob}")
        return cls(IoCapability(io), OobDataFlag(oob), auth, size, ikd, rkd)


@dataclass(frozen=True)
class PairingRequest(_PairingFeatures):
    """Vol 3 Part H, 3.5.1: the initiator's IO capability, OOB flag, AuthReq, key size and keys."""

    CODE: ClassVar[SmpCode] = SmpCode.PAIRING_REQUEST


@dataclass(frozen=True)
class PairingResponse(_PairingFeatures):
    """Vol 3 Part H, 3.5.2: the responder's features, answering a Pairing Request."""

    CODE: ClassVar[SmpCode] = SmpCode.PAIRING_RESPONSE


@dataclass(frozen=True)
class PairingConfirm:
    """Vol 3 Part H, 3.5.3: 16-octet confirm value, on-air order."""

    CODE: ClassVar[SmpCode] = SmpCode.PAIRING_CONFIRM
    confirm_value: bytes

    def to_bytes(self) -> bytes:
        return bytes([self.CODE]) + self.confirm_value


@dataclass(frozen=True)
class PairingRandom:
    """Vol 3 Part H, 3.5.4: 16-octet random value, on-air order."""

    CODE: ClassVar[SmpCode] = SmpCode.PAIRING_RANDOM
    random_value: bytes

    def to_bytes(self) -> bytes:
        return bytes([self.CODE]) + self.random_value


@dataclass(frozen=True)
class PairingFailed:
    """Vol 3 Part H, 3.5.5."""

    CODE: ClassVar[SmpCode] = SmpCode.PAIRING_FAILED
    reason: PairingFailedReason

    def to_bytes(self) -> bytes:
        return bytes([self.CODE, self.reason])


@dataclass(frozen=True)
class PairingPublicKey:
    """Vol 3 Part H, 3.5.6: P-256 public key X and Y, each 32 octets on-air order."""

    CODE: ClassVar[SmpCode] = SmpCode.PAIRING_PUBLIC_KEY
    x: bytes
    y: bytes

    def to_bytes(self) -> bytes:
        return bytes([self.CODE]) + self.x + self.y


@dataclass(frozen=True)
class PairingDhKeyCheck:
    """Vol 3 Part H, 3.5.7: 16-octet DHKey check value, on-air order."""

    CODE: ClassVar[SmpCode] = SmpCode.PAIRING_DHKEY_CHECK
    dhkey_check: bytes

    def to_bytes(self) -> bytes:
        return bytes([self.CODE]) + self.dhkey_check


@dataclass(frozen=True)
class PairingKeypressNotification:
    """Vol 3 Part H, 3.5.8."""

    CODE: ClassVar[SmpCode] = SmpCode.PAIRING_KEYPRESS_NOTIFICATION
    notification_type: int

    def to_bytes(self) -> bytes:
        return bytes([self.CODE, self.notification_type])


@dataclass(frozen=True)
class EncryptionInformation:
    """Vol 3 Part H, 3.6.2: the LTK, on-air order."""

    CODE: ClassVar[SmpCode] = SmpCode.ENCRYPTION_INFORMATION
    long_term_key: bytes

    def to_bytes(self) -> bytes:
        return bytes([self.CODE]) + self.long_term_key


@dataclass(frozen=True)
class CentralIdentification:
    """Vol 3 Part H, 3.6.3: EDIV and Rand identifying the distributed LTK."""

    CODE: ClassVar[SmpCode] = SmpCode.CENTRAL_IDENTIFICATION
    ediv: int
    rand: bytes

    def to_bytes(self) -> bytes:
        return struct.pack("<BH", self.CODE, self.ediv) + self.rand


@dataclass(frozen=True)
class IdentityInformation:
    """Vol 3 Part H, 3.6.4: the IRK, on-air order."""

    CODE: ClassVar[SmpCode] = SmpCode.IDENTITY_INFORMATION
    identity_resolving_key: bytes

    def to_bytes(self) -> bytes:
        return bytes([self.CODE]) + self.identity_resolving_key


@dataclass(frozen=True)
class IdentityAddressInformation:
    """Vol 3 Part H, 3.6.5: address type (0 public, 1 random static) and address."""

    CODE: ClassVar[SmpCode] = SmpCode.IDENTITY_ADDRESS_INFORMATION
    address_type: int
    address: bytes

    def to_bytes(self) -> bytes:
        return bytes([self.CODE, self.address_type]) + self.address

    @property
    def identity_address(self) -> Address:
        kind = AddressType.PUBLIC if self.address_type == 0 else AddressType.RANDOM
        return Address(self.address, kind)

    @classmethod
    def for_address(cls, address: Address) -> IdentityAddressInformation:
        return cls(0 if address.is_public else 1, address.value)


@dataclass(frozen=True)
class SigningInformation:
    """Vol 3 Part H, 3.6.6: the CSRK, on-air order."""

    CODE: ClassVar[SmpCode] = SmpCode.SIGNING_INFORMATION
    signature_key: bytes

    def to_bytes(self) -> bytes:
        return bytes([self.CODE]) + self.signature_key


@dataclass(frozen=True)
class SecurityRequest:
    """Vol 3 Part H, 3.6.7: a peripheral asks the central to secure the link."""

    CODE: ClassVar[SmpCode] = SmpCode.SECURITY_REQUEST
    auth_req: int

    def to_bytes(self) -> bytes:
        return bytes([self.CODE, self.auth_req])

    @property
    def flags(self) -> AuthReq:
        return AuthReq.known(self.auth_req)


SmpPdu = (
    PairingRequest
    | PairingResponse
    | PairingConfirm
    | PairingRandom
    | PairingFailed
    | PairingPublicKey
    | PairingDhKeyCheck
    | PairingKeypressNotification
    | EncryptionInformation
    | CentralIdentification
    | IdentityInformation
    | IdentityAddressInformation
    | SigningInformation
    | SecurityRequest
)

_LENGTHS = {
    SmpCode.PAIRING_REQUEST: 7,
    SmpCode.PAIRING_RESPONSE: 7,
    SmpCode.PAIRING_CONFIRM: 17,
    SmpCode.PAIRING_RANDOM: 17,
    SmpCode.PAIRING_FAILED: 2,
    SmpCode.ENCRYPTION_INFORMATION: 17,
    SmpCode.CENTRAL_IDENTIFICATION: 11,
    SmpCode.IDENTITY_INFORMATION: 17,
    SmpCode.IDENTITY_ADDRESS_INFORMATION: 8,
    SmpCode.SIGNING_INFORMATION: 17,
    SmpCode.SECURITY_REQUEST: 2,
    SmpCode.PAIRING_PUBLIC_KEY: 65,
    SmpCode.PAIRING_DHKEY_CHECK: 17,
    SmpCode.PAIRING_KEYPRESS_NOTIFICATION: 2,
}


def parse_pdu(data: bytes) -> SmpPdu:
    """Decode one SMP PDU; the length must be exact for its code (Vol 3 Part H, 3.3).

    Raises :class:`SmpDecodeError` with COMMAND_NOT_SUPPORTED for an unknown code and
    INVALID_PARAMETERS for a wrong length or a reserved IO capability / OOB flag value.
    """
    if not data:
        raise SmpDecodeError(PairingFailedReason.INVALID_PARAMETERS, "empty SMP PDU")
    try:
        code = SmpCode(data[0])
    except ValueError:
        raise SmpDecodeError(
            PairingFailedReason.COMMAND_NOT_SUPPORTED, f"unknown SMP code 0x{data[0]:02x}"
        ) from None
    if len(data) != _LENGTHS[code]:
        raise SmpDecodeError(
            PairingFailedReason.INVALID_PARAMETERS,
            f"{code.name} must be {_LENGTHS[code]} octets, got {len(data)}",
        )
    body = bytes(data[1:])
    if code is SmpCode.PAIRING_REQUEST:
        return PairingRequest._parse(body)  # type: ignore[return-value]
    if code is SmpCode.PAIRING_RESPONSE:
        return PairingResponse._parse(body)  # type: ignore[return-value]
    if code is SmpCode.PAIRING_CONFIRM:
        return PairingConfirm(body)
    if code is SmpCode.PAIRING_RANDOM:
        return PairingRandom(body)
    if code is SmpCode.PAIRING_FAILED:
        return PairingFailed(PairingFailedReason(body[0]))
    if code is SmpCode.ENCRYPTION_INFORMATION:
        return EncryptionInformation(body)
    if code is SmpCode.CENTRAL_IDENTIFICATION:
        return CentralIdentification(int.from_bytes(body[:2], "little"), body[2:])
    if code is SmpCode.IDENTITY_INFORMATION:
        return IdentityInformation(body)
    if code is SmpCode.IDENTITY_ADDRESS_INFORMATION:
        return IdentityAddressInformation(body[0], body[1:])
    if code is SmpCode.SIGNING_INFORMATION:
        return SigningInformation(body)
    if code is SmpCode.SECURITY_REQUEST:
        return SecurityRequest(body[0])
    if code is SmpCode.PAIRING_PUBLIC_KEY:
        return PairingPublicKey(body[:32], body[32:])
    if code is SmpCode.PAIRING_DHKEY_CHECK:
        return PairingDhKeyCheck(body)
    return PairingKeypressNotification(body[0])
