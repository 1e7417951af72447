"""Conformance lower tester: our host drives a device under test (the IUT) with exact PDUs.

Public API for writing cases::

    from aioble_hci.conform import LowerTester, case, CaseContext, check

    @case("MY/ATT/BV-01", "Read the device name", "Vol 3 Part C 12.1")
    async def read_name(ctx: CaseContext) -> None:
        answer = await ctx.link.att_request(bytes.fromhex("0a0300"))
        check(answer.attribute_value, "empty name")

`LowerTester` (tester.py) connects with chosen parameters or accepts an IUT central;
`TesterLink` (link.py) sends ATT, SMP and L2CAP signalling PDUs as bytes or typed, expects by
pattern with timeouts and records link events; `Runner` (runner.py) runs cases with one btsnoop
capture each; `report` writes JSON, JUnit and HTML. The catalog of SIG-named cases is
`aioble_hci.conform.catalog`.
"""

from __future__ import annotations

from .case import CATALOG, Case, Catalog, case
from .context import CaseContext, UpperTester
from .ixit import Ixit
from .link import Exchange, LinkEvent, TesterLink
from .runner import CaseResult, Runner
from .smp_peer import PairingPeer
from .tester import LowerTester
from .verdicts import CaseFailed, CaseInconclusive, NotApplicable, Verdict, check

__all__ = [
    "CATALOG",
    "Case",
    "CaseContext",
    "CaseFailed",
    "CaseInconclusive",
    "CaseResult",
    "Catalog",
    "Exchange",
    "Ixit",
    "LinkEvent",
    "LowerTester",
    "NotApplicable",
    "PairingPeer",
    "Runner",
    "TesterLink",
    "UpperTester",
    "Verdict",
    "case",
    "check",
]
