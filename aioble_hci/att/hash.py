"""GATT Database Hash (Vol 3 Part G 7.3): AES-CMAC with a zero key over the database layout.

M concatenates, in handle order and in wire (little-endian) form: handle, type and value of
service, include and characteristic declarations and of Extended Properties descriptors; handle
and type of the User Description, CCCD, SCCD, Presentation and Aggregate Format descriptors. The
CMAC output is a 128-bit number, which the spec prints most significant octet first; like every
ATT value it goes on the wire least significant octet first (Vol 3 Part F 3.3.1), so the
specification's example database (Appendix B), whose hash is F1CA2D48ECF58BAC8A8830BBB9FBA990,
reads as 90 A9 FB B9 ... 2D CA F1 (tests/att/test_database_hash_vector.py), as Bumble and Zephyr
send it.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.cmac import CMAC

from aioble_hci.att.database import AttributeDatabase
from aioble_hci.att.pdus import uuid_att_bytes
from aioble_hci.uuid import UUID

_WITH_VALUE = frozenset(UUID(u) for u in (0x2800, 0x2801, 0x2802, 0x2803, 0x2900))
_WITHOUT_VALUE = frozenset(UUID(u) for u in (0x2901, 0x2902, 0x2903, 0x2904, 0x2905))


def hash_input(db: AttributeDatabase) -> bytes:
    """The message M of Vol 3 Part G 7.3.1."""
    out = bytearray()
    for attr in db:
        if attr.type in _WITH_VALUE:
            out += attr.handle.to_bytes(2, "little") + uuid_att_bytes(attr.type) + attr.value.data
        elif attr.type in _WITHOUT_VALUE:
            out += attr.handle.to_bytes(2, "little") + uuid_att_bytes(attr.type)
    return bytes(out)


def database_hash_number(db: AttributeDatabase) -> bytes:
    """The 128-bit hash of `db` as the specification prints it (most significant octet first)."""
    mac = CMAC(algorithms.AES(bytes(16)))
    mac.update(hash_input(db))
    return mac.finalize()


def database_hash(db: AttributeDatabase) -> bytes:
    """The Database Hash characteristic value of `db` as it goes on the wire (LSB first)."""
    return database_hash_number(db)[::-1]
