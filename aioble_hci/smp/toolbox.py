"""The SMP cryptographic toolbox (Core Vol 3 Part H, 2.2) on the `cryptography` package.

Byte order: every function here takes and returns values in the specification's order, most
significant octet first, exactly as the sample data of Vol 3 Part H Appendix D prints them. SMP
PDUs and HCI carry the same values least significant octet first ("on-air" / little-endian);
convert with :func:`swap` (or use the ``*_le`` helpers) at the PDU boundary.

Nothing cryptographic is hand-written: AES-128 (ECB, one block), AES-CMAC and P-256 ECDH all come
from `cryptography`.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives import cmac
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from aioble_hci.errors import RemoteProtocolError

__all__ = [
    "InvalidPublicKeyError",
    "P256KeyPair",
    "aes_cmac",
    "ah",
    "ah_le",
    "c1",
    "e",
    "f4",
    "f5",
    "f6",
    "g2",
    "h6",
    "h7",
    "rpa_matches_le",
    "s1",
    "swap",
    "xor",
]

SALT_F5 = bytes.fromhex("6c888391aaf5a53860370bdb5a6083be")
"""SALT of f5 (Vol 3 Part H, 2.2.7)."""
KEY_ID_F5 = b"btle"


def swap(value: bytes) -> bytes:
    """Reverse the octet order: spec (MSB-first) <-> on-air (LSB-first)."""
    return bytes(reversed(value))


def xor(a: bytes, b: bytes) -> bytes:
    if len(a) != len(b):
        raise ValueError("xor of values of different lengths")
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


def _check(name: str, value: bytes, size: int) -> None:
    if len(value) != size:
        raise ValueError(f"{name} must be {size} octets, got {len(value)}")


def e(key: bytes, plaintext: bytes) -> bytes:
    """Security function e: AES-128 of one block (Vol 3 Part H, 2.2.1). MSB-first in and out."""
    _check("key", key, 16)
    _check("plaintext", plaintext, 16)
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return encryptor.update(plaintext) + encryptor.finalize()


def aes_cmac(key: bytes, message: bytes) -> bytes:
    """AES-CMAC (RFC 4493; Vol 3 Part H, 2.2.5). MSB-first in and out."""
    _check("key", key, 16)
    mac = cmac.CMAC(algorithms.AES(key))
    mac.update(message)
    return mac.finalize()


def c1(
    k: bytes,
    r: bytes,
    preq: bytes,
    pres: bytes,
    iat: int,
    ia: bytes,
    rat: int,
    ra: bytes,
) -> bytes:
    """Legacy confirm value generation c1 (Vol 3 Part H, 2.2.3).

    All byte values MSB-first: ``preq``/``pres`` are the 7-octet Pairing Request/Response PDUs
    reversed (so their last octet, the opcode, comes last); ``ia``/``ra`` are 6-octet addresses;
    ``iat``/``rat`` are 0 (public) or 1 (random).
    """
    _check("preq", preq, 7)
    _check("pres", pres, 7)
    _check("ia", ia, 6)
    _check("ra", ra, 6)
    p1 = pres + preq + bytes([rat & 1, iat & 1])
    p2 = bytes(4) + ia + ra
    return e(k, xor(e(k, xor(r, p1)), p2))


def s1(k: bytes, r1: bytes, r2: bytes) -> bytes:
    """Legacy key generation s1 (Vol 3 Part H, 2.2.4): e(k, low64(r1) || low64(r2)). MSB-first."""
    _check("r1", r1, 16)
    _check("r2", r2, 16)
    return e(k, r1[8:] + r2[8:])


def ah(irk: bytes, prand: bytes) -> bytes:
    """Random address hash ah (Vol 3 Part H, 2.2.2): 24-bit hash of a 24-bit prand.

    MSB-first in and out, as in the spec's sample data (irk ``ec0234a3...``, prand ``708194`` ->
    ``0dfbaa``). For an RPA held on-air / in :class:`aioble_hci.address.Address` (LSB-first) use
    :func:`ah_le`.
    """
    _check("irk", irk, 16)
    _check("prand", prand, 3)
    return e(irk, bytes(13) + prand)[13:]


def ah_le(irk_le: bytes, prand_le: bytes) -> bytes:
    """:func:`ah` with IRK, prand and hash all LSB-first (on-air / HCI / ``Address.value`` order).

    An RPA ``value`` (6 octets LSB-first) is ``hash_le + prand_le``: it resolves with an IRK when
    ``ah_le(irk_le, value[3:]) == value[:3]``.
    """
    return swap(ah(swap(irk_le), swap(prand_le)))


def rpa_matches_le(irk_le: bytes, address_value_le: bytes) -> bool:
    """Whether a resolvable private address (6 octets LSB-first) was made from this IRK (LSB-first)."""
    _check("address", address_value_le, 6)
    return ah_le(irk_le, address_value_le[3:]) == address_value_le[:3]


def f4(u: bytes, v: bytes, x: bytes, z: int) -> bytes:
    """LE SC confirm value f4(U, V, X, Z) (Vol 3 Part H, 2.2.6). MSB-first; ``z`` is one octet.

    ``u``/``v`` are 32-octet values (public key X coordinates in pairing) and are not validated.
    """
    _check("U", u, 32)
    _check("V", v, 32)
    _check("X", x, 16)
    return aes_cmac(x, u + v + bytes([z & 0xFF]))


def f5(w: bytes, n1: bytes, n2: bytes, a1: bytes, a2: bytes) -> tuple[bytes, bytes]:
    """LE SC key generation f5 (Vol 3 Part H, 2.2.7): returns (MacKey, LTK). MSB-first.

    ``a1``/``a2`` are 7 octets: address type (0 public, 1 random) then the address MSB-first.
    """
    _check("W", w, 32)
    _check("N1", n1, 16)
    _check("N2", n2, 16)
    _check("A1", a1, 7)
    _check("A2", a2, 7)
    t = aes_cmac(SALT_F5, w)
    tail = KEY_ID_F5 + n1 + n2 + a1 + a2 + b"\x01\x00"
    return aes_cmac(t, b"\x00" + tail), aes_cmac(t, b"\x01" + tail)


def f6(w: bytes, n1: bytes, n2: bytes, r: bytes, io_cap: bytes, a1: bytes, a2: bytes) -> bytes:
    """LE SC check value f6 (Vol 3 Part H, 2.2.8). MSB-first; ``io_cap`` = AuthReq, OOB, IO."""
    _check("W", w, 16)
    _check("IOcap", io_cap, 3)
    return aes_cmac(w, n1 + n2 + r + io_cap + a1 + a2)


def g2(u: bytes, v: bytes, x: bytes, y: bytes) -> int:
    """LE SC numeric comparison value g2 (Vol 3 Part H, 2.2.9): a 32-bit integer.

    The six-digit number shown to the user is ``g2(...) % 1_000_000``.
    """
    _check("U", u, 32)
    _check("V", v, 32)
    _check("X", x, 16)
    _check("Y", y, 16)
    return int.from_bytes(aes_cmac(x, u + v + y)[12:], "big")


def h6(w: bytes, key_id: bytes) -> bytes:
    """Link key conversion h6 (Vol 3 Part H, 2.2.10). MSB-first; ``key_id`` 4 octets (e.g. b"lebr")."""
    _check("keyID", key_id, 4)
    return aes_cmac(w, key_id)


def h7(salt: bytes, w: bytes) -> bytes:
    """Link key conversion h7 (Vol 3 Part H, 2.2.11). MSB-first."""
    _check("SALT", salt, 16)
    return aes_cmac(salt, w)


class InvalidPublicKeyError(RemoteProtocolError, ValueError):
    """A peer's P-256 public key is not a valid point (Vol 3 Part H, 2.3.5.6.1; CVE-2018-5383)."""


_ORDER_BYTES = 32


@dataclass(frozen=True)
class P256KeyPair:
    """A local P-256 key pair for LE Secure Connections (Vol 3 Part H, 2.3.5.6.1).

    ``x``/``y`` are the public coordinates, 32 octets MSB-first.
    """

    private_key: ec.EllipticCurvePrivateKey
    x: bytes
    y: bytes

    @classmethod
    def generate(cls) -> P256KeyPair:
        return cls._from_key(ec.generate_private_key(ec.SECP256R1()))

    @classmethod
    def from_private_value(cls, d: int) -> P256KeyPair:
        """A key pair from a known private value (tests, the debug key)."""
        return cls._from_key(ec.derive_private_key(d, ec.SECP256R1()))

    @classmethod
    def debug(cls) -> P256KeyPair:
        """The SMP debug key pair (Vol 3 Part H, 2.3.5.6.1): lets a sniffer decrypt the link; tests only."""
        return cls.from_private_value(DEBUG_PRIVATE_KEY)

    @classmethod
    def _from_key(cls, key: ec.EllipticCurvePrivateKey) -> P256KeyPair:
        numbers = key.public_key().public_numbers()
        return cls(
            key,
            numbers.x.to_bytes(_ORDER_BYTES, "big"),
            numbers.y.to_bytes(_ORDER_BYTES, "big"),
        )

    def dh_key(self, peer_x: bytes, peer_y: bytes) -> bytes:
        """The shared DHKey (32 octets MSB-first) with a peer public key (MSB-first coordinates).

        Raises :class:`InvalidPublicKeyError` when the point is not on the curve, or when it
        shares our X coordinate (our own key reflected, or its negation: CVE-2020-26558,
        CVE-2021-37577).
        """
        _check("peer X", peer_x, 32)
        _check("peer Y", peer_y, 32)
        if peer_x == self.x:
            raise InvalidPublicKeyError("peer public key has our own X coordinate (reflection)")
        try:
            peer = ec.EllipticCurvePublicNumbers(
                int.from_bytes(peer_x, "big"), int.from_bytes(peer_y, "big"), ec.SECP256R1()
            ).public_key()
        except ValueError as error:
            raise InvalidPublicKeyError(f"peer public key is not on P-256: {error}") from None
        return self.private_key.exchange(ec.ECDH(), peer)


DEBUG_PRIVATE_KEY = int("3f49f6d4a3c55f3874c9b3e3d2103f504aff607beb40b7995899b8a6cd3c1abd", 16)
"""The SMP debug private key (Vol 3 Part H, 2.3.5.6.1): pairings using it are insecure."""
DEBUG_PUBLIC_X = bytes.fromhex("20b003d2f297be2c5e2c83a7e9f9a5b9eff49111acf4fddbcc0301480e359de6")
DEBUG_PUBLIC_Y = bytes.fromhex("dc809c49652aeb6d63329abf5a52155c766345c28fed3024741c8ed01589d28b")
