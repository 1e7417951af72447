"""ATT and GATT as sans-I/O cores (Core Vol 3 Parts F and G): bytes and events in and out, no I/O.

- `pdus`: every ATT PDU as a dataclass, `decode()` / `.encode()`, `Opcode`, `ErrorCode`.
- `database`: `AttributeDatabase`, `Attribute`, `AttPermissions`, `SecurityState`, `ValueBuffer`.
- `gatt`: `Service` / `Characteristic` / `Descriptor`, `build_database()`, `gap_service()`,
  `gatt_service()`.
- `server`: `AttServer` per bearer; `client`: `AttClient` per bearer; `procedures`: the GATT client
  procedures; `events`, `errors`, `signing`, `hash`.
"""
