"""Instance specs: what `-i SPEC` means for one multitest instance.

- `auto` (the default): a CPython instance; on a fresh controller on the test's private virtual air
  when the test imports aioble or bluetooth, else with no controller at all.
- `air`: a CPython instance on a fresh controller on the test's private virtual air, always.
- `none`: a CPython instance for which the runner sets up no controller (AIOBLE_HCI_TRANSPORT is left
  as the environment has it).
- `exec:PROGRAM [ARGS]`: any program taking `-c SCRIPT`, e.g. a MicroPython unix binary.
- anything else is a transport spec given to the instance as AIOBLE_HCI_TRANSPORT
  (`serial:/dev/ttyACM0`, `usb:0`, `air:/tmp/air.sock`, `tcp-client:HOST:PORT`, ...).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from enum import Enum

SILENCE_TIMEOUT_S = 10.0
"""An instance silent this long fails (the harness's silence rule)."""


class Kind(Enum):
    AUTO = "auto"
    AIR = "air"
    NONE = "none"
    EXEC = "exec"
    TRANSPORT = "transport"


@dataclass(frozen=True)
class InstanceSpec:
    kind: Kind
    value: str = ""  # the program for EXEC, the transport spec for TRANSPORT

    @classmethod
    def parse(cls, text: str) -> InstanceSpec:
        text = text.strip()
        if not text:
            raise ValueError("empty instance spec: use auto, air, none, exec:PROGRAM or a transport spec")
        if text in ("auto", "air", "none"):
            return cls(Kind(text))
        if text.startswith("exec:"):
            program = text[len("exec:"):]
            if not shlex.split(program):
                raise ValueError(f"instance spec {text!r}: exec: needs a program, e.g. exec:micropython")
            return cls(Kind.EXEC, program)
        return cls(Kind.TRANSPORT, text)

    def wants_private_air(self, test_uses_bluetooth: bool) -> bool:
        return self.kind is Kind.AIR or (self.kind is Kind.AUTO and test_uses_bluetooth)

    def __str__(self) -> str:
        if self.kind is Kind.EXEC:
            return f"exec:{self.value}"
        if self.kind is Kind.TRANSPORT:
            return self.value
        return self.kind.value


AUTO = InstanceSpec(Kind.AUTO)
