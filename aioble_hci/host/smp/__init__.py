"""The SMP bearer: pairing, bonding, encryption and privacy for a Host (Core Vol 3 Part H).

    smp = await attach_smp(host, SmpHostConfig(bond_path="bonds.json"))
    result = await smp.pair(conn, bond=True, mitm=True)      # method and security level
    smp.on_security_changed(lambda conn, state: ...)         # encrypted/authenticated/bonded/key_size

- ``bearer``: ``Smp`` (one per Host), ``attach_smp``/``get_smp``; ``Smp`` is put together from one
  class per procedure: ``links`` (per-link state, session output), ``pairing``, ``encryption``
  (stored keys, LTK request, Encryption Change), ``bonding`` (peer identity, CCCDs, signing counters).
- ``config``: ``SmpHostConfig`` (policy, bond and IRK paths, headless answers).
- ``prompts``: ``Prompts`` (coroutines), ``HeadlessPrompts``, ``CallbackPrompts`` + ``PasskeyAction``.
- ``state``: ``PairingResult`` and what a pending encryption's key gives; the link's security is
  ``aioble_hci.security.LinkSecurity`` (re-exported here), the type ATT and L2CAP read too.
- ``privacy``: controller resolving list, ``set_private_address``; ``identity``: the local IRK file.
- ``errors``: ``PairingFailedError``, ``EncryptionError``, ``LinkLostError``, ``NoBondError``.
"""

from aioble_hci.host.smp.bearer import (
    IDENTITY_KEY,
    LOCAL_ADDRESS_KEY,
    SECURITY_KEY,
    Smp,
    attach_smp,
    get_smp,
)
from aioble_hci.host.smp.config import SmpHostConfig, default_bond_path, default_data_dir
from aioble_hci.host.smp.errors import (
    BondDowngradeError,
    BondOverwriteError,
    EncryptionError,
    LinkLostError,
    NoBondError,
    PairingFailedError,
    SmpError,
)
from aioble_hci.host.smp.prompts import CallbackPrompts, HeadlessPrompts, PasskeyAction, Prompts
from aioble_hci.host.smp.state import PairingResult
from aioble_hci.security import LinkSecurity, security_level

__all__ = [
    "IDENTITY_KEY",
    "LOCAL_ADDRESS_KEY",
    "SECURITY_KEY",
    "BondDowngradeError",
    "BondOverwriteError",
    "CallbackPrompts",
    "EncryptionError",
    "HeadlessPrompts",
    "LinkLostError",
    "NoBondError",
    "PairingFailedError",
    "PairingResult",
    "PasskeyAction",
    "Prompts",
    "LinkSecurity",
    "Smp",
    "SmpError",
    "SmpHostConfig",
    "attach_smp",
    "default_bond_path",
    "default_data_dir",
    "get_smp",
    "security_level",
]
