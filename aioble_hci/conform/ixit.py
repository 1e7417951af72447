"""IXIT: the IUT's implementation extra information, from a TOML file (read with tomllib).

Everything is optional: what is missing is discovered from the IUT at run time, and a case
needing something neither given nor found is not applicable. Example::

    [gatt]
    readable_handle = 0x0003          # a value the tester may read
    write_handle = 0x0005             # a value the tester may write
    protected_handle = 0x0009         # a value needing authentication or encryption
    max_length = 20                   # the write_handle's maximum value length

    [l2cap]
    spsm = 0x0080                     # a registered LE CoC server
    echo = true                       # it sends back what it receives
    encrypted_spsm = 0x0081           # one needing an encrypted link

    [sm]
    io_capability = "display-only"    # informative
    passkey = 123456                  # fixed passkey the IUT displays or expects
    min_key_size = 7
    requires_mitm = false

    [link]                            # connection parameters the tester asks for (Vol 4 Part E 7.8.12)
    interval_min = 24                 # x 1.25 ms
    interval_max = 40
    latency = 0
    supervision_timeout = 400         # x 10 ms

    [timing]
    timeout = 2.0                     # seconds to wait for each IUT answer
    silence = 0.3                     # seconds of silence that count as "no answer"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from aioble_hci.host.gap.config import ConnectionParameters


@dataclass
class GattIxit:
    readable_handle: int | None = None
    long_handle: int | None = None
    write_handle: int | None = None
    protected_handle: int | None = None
    max_length: int | None = None


@dataclass
class L2capIxit:
    spsm: int | None = None
    echo: bool = False
    encrypted_spsm: int | None = None
    authenticated_spsm: int | None = None


@dataclass
class SmIxit:
    io_capability: str | None = None
    passkey: int | None = None
    min_key_size: int = 7
    requires_mitm: bool = False


@dataclass
class LinkIxit:
    interval_min: int | None = None
    interval_max: int | None = None
    latency: int = 0
    supervision_timeout: int = 400

    def parameters(self) -> ConnectionParameters | None:
        """The connection parameters to connect with (None: the GAP defaults)."""
        if self.interval_min is None and self.interval_max is None:
            return None
        low = self.interval_min or self.interval_max or 24
        return ConnectionParameters(low, self.interval_max or low, self.latency, self.supervision_timeout)


@dataclass
class TimingIxit:
    timeout: float = 2.0
    silence: float = 0.3


@dataclass
class Ixit:
    gatt: GattIxit = field(default_factory=GattIxit)
    l2cap: L2capIxit = field(default_factory=L2capIxit)
    sm: SmIxit = field(default_factory=SmIxit)
    link: LinkIxit = field(default_factory=LinkIxit)
    timing: TimingIxit = field(default_factory=TimingIxit)

    @classmethod
    def load(cls, path: str | Path | None) -> Ixit:
        """Read an IXIT file; a missing file or an unknown key is a ValueError naming it."""
        if path is None:
            return cls()
        try:
            data = tomllib.loads(Path(path).read_text())
        except OSError as exc:
            raise ValueError(f"cannot read the IXIT file {path}: {exc.strerror}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"the IXIT file {path} is not valid TOML: {exc}") from None
        return cls.from_dict(data, str(path))

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = "IXIT") -> Ixit:
        ixit = cls()
        for section, values in data.items():
            target = getattr(ixit, section, None)
            if target is None or not isinstance(values, dict):
                raise ValueError(f"{where}: unknown section [{section}] (known: gatt, l2cap, sm, link, timing)")
            known = {f.name for f in fields(target)}
            for key, value in values.items():
                if key not in known:
                    raise ValueError(f"{where}: unknown key {section}.{key} (known: {', '.join(sorted(known))})")
                setattr(target, key, value)
        return ixit
