"""The virtual LE controller and the virtual air (no hardware needed).

- `air.Air`: the medium; `controller.VirtualController`: one controller on it.
- Procedures, one file each: `info`, `advertising` (+ `advertising_commands`),
  `scanning`, `connections`, `link`, `procedures`, `encryption`, `privacy`;
  `commands` is the helper kit they share (a leaf), `dispatch` the table that
  joins them and answers each command, `events` the event builders.
- `transport`: the `virtual` and `air[:PATH]` transports; `hub`: the shared air
  between processes (`aioble-hci air`).
"""
