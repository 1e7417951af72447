"""A bond-store writer for the durability test, run as `python -m tests.durability.bond_writer PATH`.

It imports the store once, then on each `fork` line from stdin forks a child that
reports `pid N` and loops forever updating one bond (generation n+1, n+2, ...),
writing `committed n` after each `FileBondStore.put` returns. The test SIGKILLs the
child at a random point and sends `reap N`; this process answers `reaped N STATUS`.
The process is single-threaded, so forking it is safe.
"""

from __future__ import annotations

import os
import sys

from aioble_hci.address import Address
from aioble_hci.host.smp.bond_file import FileBondStore
from aioble_hci.smp.bonds import Bond

UPDATED = Address.parse("c0:00:00:00:00:01/random")
CONSTANT = Address.parse("c0:00:00:00:00:02/random")


def generation_bond(n: int) -> Bond:
    """The updated bond at generation `n`: the number is in its LTK; its size varies with n."""
    return Bond(peer=UPDATED, key_size=16, authenticated=bool(n % 2), sc=True, ltk=n.to_bytes(16, "little"),
                peer_irk=bytes(16) if n % 3 else None, peer_csrk=bytes(range(16)) if n % 5 else None)


def constant_bond() -> Bond:
    return Bond(peer=CONSTANT, key_size=7, authenticated=False, sc=False, peer_ltk=bytes(range(16, 32)),
                peer_ediv=0x1234, peer_rand=bytes(range(8)))


def generation(store: FileBondStore) -> int | None:
    """The generation the store holds, or None without the updated bond."""
    bond = store.get(UPDATED)
    return None if bond is None or bond.ltk is None else int.from_bytes(bond.ltk, "little")


def _say(line: str) -> None:
    os.write(1, (line + "\n").encode())


def _child(path: str) -> None:
    _say(f"pid {os.getpid()}")
    store = FileBondStore(path)
    n = generation(store) or 0
    if store.get(CONSTANT) is None:
        store.put(constant_bond())
    while True:
        n += 1
        store.put(generation_bond(n))
        _say(f"committed {n}")


def main(path: str) -> None:
    for line in sys.stdin:
        words = line.split()
        if words == ["fork"]:
            pid = os.fork()
            if pid == 0:
                try:
                    _child(path)
                finally:
                    os._exit(1)
        elif words[:1] == ["reap"]:
            _, status = os.waitpid(int(words[1]), 0)
            _say(f"reaped {words[1]} {status}")


if __name__ == "__main__":
    main(sys.argv[1])
