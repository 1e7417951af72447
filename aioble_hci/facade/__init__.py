"""The runtime and state machines behind the top-level ``bluetooth.BLE`` (MicroPython's low-level API).

- `runtime`: `use(spec)`, `Runtime` (host thread + Host, call marshalling), `default_runtime()`.
- `stack`: activation, configuration, connections, IRQ dispatch.
- `gap_ll`: advertising, scanning, connecting over legacy HCI commands.
- `irq`: the IRQ event codes.
"""

from aioble_hci.facade.runtime import Runtime, default_runtime, selected_spec, use

__all__ = ["Runtime", "default_runtime", "selected_spec", "use"]
