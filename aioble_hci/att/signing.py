"""ATT data signing with the CSRK (Vol 3 Part H 2.4.5; signed writes Vol 3 Part F 3.4.5.4).

The signature is SignCounter (4 octets, LE) followed by the 64 most significant bits of
AES-CMAC(CSRK, m || SignCounter). The spec's CMAC works MSB first, the wire is LSB first, so key,
message and MAC are byte-reversed around the `cryptography` AES-CMAC.
"""

from __future__ import annotations

import hmac

from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.cmac import CMAC

from aioble_hci.att.pdus import SIGNATURE_LEN


def _cmac(key: bytes, message: bytes) -> bytes:
    mac = CMAC(algorithms.AES(key))
    mac.update(message)
    return mac.finalize()


def sign(csrk: bytes, message: bytes, sign_counter: int) -> bytes:
    """The 12-octet wire signature of `message` (the PDU without signature); CSRK in wire order."""
    counter = sign_counter.to_bytes(4, "little")
    mac = _cmac(csrk[::-1], (message + counter)[::-1])
    return counter + mac[:8][::-1]


def verify(csrk: bytes, message: bytes, signature: bytes) -> int | None:
    """The SignCounter if `signature` is valid for `message`, else None."""
    if len(signature) != SIGNATURE_LEN:
        return None
    counter = int.from_bytes(signature[:4], "little")
    expected = sign(csrk, message, counter)
    return counter if hmac.compare_digest(expected, signature) else None
