"""The runtime and state machines behind the top-level ``bluetooth.BLE`` (MicroPython's low-level API).

- `runtime`: `use(spec)`, `Runtime` (host thread + Host, call marshalling, ordered HCI operations),
  `default_runtime()`. Its docstring states the threading contract.
- `stack`: activation, configuration, addresses, connections, IRQ dispatch.
- `gap_ll`: advertising, scanning, connecting over legacy HCI commands (as NimBLE does).
- `host_att`, `gatts_ll`, `gattc_ll`: the host's ATT bearer of each link (the one ATT implementation,
  with the options MicroPython's order of events needs), the GATT server and client on it.
- `l2cap_ll`: credit-based channels over the host's L2CAP bearer.
- `smp_ll`: pairing, passkeys and secrets over the host's SMP bearer.
- `hci_ll`: raw HCI commands (``hci_cmd``).
- `irq`: the IRQ event codes and status conventions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aioble_hci.facade.runtime import Runtime, default_runtime, selected_spec, use

__all__ = ["Runtime", "default_runtime", "selected_spec", "use"]


def __getattr__(name: str) -> Any:
    # Lazy: `import bluetooth` and `import aioble` load the host only when the radio is used.
    if name in __all__:
        from aioble_hci.facade import runtime

        return getattr(runtime, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
