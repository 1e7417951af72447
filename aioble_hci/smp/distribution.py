"""Phase 3: transport-specific key distribution (Core Vol 3 Part H, 2.4.3 and 3.6).

Keys go in a fixed order, responder first: Encryption Information and Central Identification
(legacy only; with LE SC the LTK is not distributed), Identity Information and Identity Address
Information, Signing Information. Only the keys negotiated in phase 1 are sent or accepted.
"""

from __future__ import annotations

from dataclasses import replace

from aioble_hci.address import Address, AddressType
from aioble_hci.smp.config import LocalIdentity
from aioble_hci.smp.entropy import RandomSource, system_random
from aioble_hci.smp.events import DistributedKeys
from aioble_hci.smp.pdus import (
    CentralIdentification,
    EncryptionInformation,
    IdentityAddressInformation,
    IdentityInformation,
    KeyDistribution,
    PairingError,
    PairingFailedReason,
    SigningInformation,
    SmpPdu,
)

KEY_DISTRIBUTION_PDUS: tuple[type[SmpPdu], ...] = (
    EncryptionInformation,
    CentralIdentification,
    IdentityInformation,
    IdentityAddressInformation,
    SigningInformation,
)
"""The PDUs of phase 3: taken only over the encrypted link (Vol 3 Part H, 3.6.1)."""


def expected_pdus(keys: KeyDistribution, sc: bool) -> list[type]:
    """The PDU classes that distribute ``keys``, in the order they must arrive."""
    order: list[type] = []
    if KeyDistribution.ENC_KEY in keys and not sc:
        order += [EncryptionInformation, CentralIdentification]
    if KeyDistribution.ID_KEY in keys:
        order += [IdentityInformation, IdentityAddressInformation]
    if KeyDistribution.SIGN_KEY in keys:
        order.append(SigningInformation)
    return order


def random_ltk(key_size: int, random: RandomSource = system_random) -> bytes:
    """A fresh legacy LTK of ``key_size`` octets of entropy, on-air order (high octets zero)."""
    return random(key_size) + bytes(16 - key_size)


def local_key_pdus(
    keys: KeyDistribution,
    *,
    sc: bool,
    key_size: int,
    identity: LocalIdentity | None,
    csrk: bytes | None,
    random: RandomSource = system_random,
) -> tuple[DistributedKeys, list[SmpPdu]]:
    """Make the keys we distribute (fresh values drawn from ``random``) and the PDUs that carry them."""
    result = DistributedKeys()
    pdus: list[SmpPdu] = []
    if KeyDistribution.ENC_KEY in keys and not sc:
        ltk = random_ltk(key_size, random)
        ediv = int.from_bytes(random(2), "little")
        rand = random(8)
        result = replace(result, ltk=ltk, ediv=ediv, rand=rand)
        pdus += [EncryptionInformation(ltk), CentralIdentification(ediv, rand)]
    if KeyDistribution.ID_KEY in keys:
        if identity is None:
            raise PairingError(PairingFailedReason.UNSPECIFIED_REASON, "no local identity to send")
        result = replace(result, irk=identity.irk, identity_address=identity.address)
        pdus += [
            IdentityInformation(identity.irk),
            IdentityAddressInformation.for_address(identity.address),
        ]
    if KeyDistribution.SIGN_KEY in keys:
        key = csrk if csrk is not None else random(16)
        result = replace(result, csrk=key)
        pdus.append(SigningInformation(key))
    return result, pdus


class KeyReceiver:
    """Accepts the peer's key PDUs in the negotiated order and builds its :class:`DistributedKeys`."""

    def __init__(self, keys: KeyDistribution, sc: bool) -> None:
        self._expected = expected_pdus(keys, sc)
        self.keys = DistributedKeys()

    @property
    def done(self) -> bool:
        return not self._expected

    @property
    def remaining(self) -> int:
        """How many key PDUs the peer still has to send."""
        return len(self._expected)

    def accepts(self, pdu: SmpPdu) -> bool:
        return bool(self._expected) and isinstance(pdu, self._expected[0])

    def receive(self, pdu: SmpPdu) -> None:
        if not self.accepts(pdu):
            raise PairingError(
                PairingFailedReason.UNSPECIFIED_REASON,
                f"{type(pdu).__name__} was not negotiated or is out of order",
            )
        self._expected.pop(0)
        if isinstance(pdu, EncryptionInformation):
            self.keys = replace(self.keys, ltk=pdu.long_term_key)
        elif isinstance(pdu, CentralIdentification):
            self.keys = replace(self.keys, ediv=pdu.ediv, rand=pdu.rand)
        elif isinstance(pdu, IdentityInformation):
            self.keys = replace(self.keys, irk=pdu.identity_resolving_key)
        elif isinstance(pdu, IdentityAddressInformation):
            self.keys = replace(self.keys, identity_address=_identity_address(pdu))
        elif isinstance(pdu, SigningInformation):
            self.keys = replace(self.keys, csrk=pdu.signature_key)


def _identity_address(pdu: IdentityAddressInformation) -> Address:
    """A public or random static address, else Invalid Parameters (Vol 3 Part H, 3.6.5)."""
    if pdu.address_type == 0:
        return Address(pdu.address, AddressType.PUBLIC)
    address = Address(pdu.address, AddressType.RANDOM)
    if pdu.address_type != 1 or not address.is_static:
        raise PairingError(
            PairingFailedReason.INVALID_PARAMETERS, f"{address} is not an identity address"
        )
    return address
