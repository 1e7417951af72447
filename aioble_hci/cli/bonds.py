"""`aioble-hci bonds [--delete ADDRESS]`: list the bond store, or remove one bond.

Works on the file only (no controller needed). The controller's resolving list is reloaded from
the store the next time a host attaches its SMP bearer.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aioble_hci.smp.bonds import Bond



def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "bonds",
        help="list or delete stored bonds",
        description="List the bonded peers in the bond store, or delete one with --delete.",
    )
    parser.add_argument("--delete", metavar="ADDRESS", default=None,
                        help="forget this peer (identity address, with or without /public or /random, "
                        "or one of its resolvable private addresses)")
    parser.add_argument("--bonds", metavar="PATH", default=None,
                        help="bond store file (default ~/.local/share/aioble-hci/bonds.json)")
    parser.add_argument("--json", action="store_true", help="print one JSON object (shape: docs/cli.md)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from aioble_hci.host.smp.bond_file import FileBondStore
    from aioble_hci.host.smp.config import default_bond_path

    store = FileBondStore(args.bonds or default_bond_path())
    if args.delete is not None:
        return delete(store, args.delete)
    bonds = sorted(store.bonds(), key=lambda bond: str(bond.peer))
    if args.json:
        print(json.dumps({"store": str(store.path), "bonds": [bond_json(bond) for bond in bonds]}))
        return 0
    if not bonds:
        print(f"No bonds in {store.path}")
        return 0
    print(f"{len(bonds)} bond(s) in {store.path}:")
    for bond in bonds:
        print(describe(bond))
    return 0


def delete(store: Any, text: str) -> int:
    from aioble_hci.address import Address, AddressType

    candidates = [Address.parse(text)] if "/" in text else [
        Address.parse(text, AddressType.PUBLIC), Address.parse(text, AddressType.RANDOM)]
    for address in candidates:
        bond = store.resolve(address)
        if bond is not None:
            store.delete(bond.peer)
            print(f"Deleted the bond with {bond.peer}/{'public' if bond.peer.is_public else 'random'}")
            return 0
    print(f"aioble-hci bonds: no bond with {text} in {store.path}", file=sys.stderr)
    return 1


def bond_json(bond: Bond) -> dict[str, Any]:
    """One bond for `bonds --json` (docs/cli.md): which keys are held, never the keys themselves."""
    return {
        "address": str(bond.peer), "address_type": "public" if bond.peer.is_public else "random",
        "security_level": bond.security_level, "secure_connections": bool(bond.sc),
        "authenticated": bool(bond.authenticated), "key_size": bond.key_size,
        "keys": [name for name, value in (("LTK", bond.ltk or bond.peer_ltk or bond.local_ltk),
                                          ("IRK", bond.peer_irk), ("CSRK", bond.peer_csrk)) if value is not None],
    }


def describe(bond: Bond) -> str:
    kind = "public" if bond.peer.is_public else "random"
    keys = [name for name, value in (("LTK", bond.ltk or bond.peer_ltk or bond.local_ltk), ("IRK", bond.peer_irk),
                                     ("CSRK", bond.peer_csrk)) if value is not None]
    pairing = "LE Secure Connections" if bond.sc else "legacy"
    auth = "authenticated" if bond.authenticated else "unauthenticated"
    return (f"  {bond.peer}/{kind}  level {bond.security_level}  {pairing}, {auth}, "
            f"{bond.key_size}-octet key  keys: {' '.join(keys) or 'none'}")
