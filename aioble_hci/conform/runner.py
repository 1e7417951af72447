"""Runs cases against an IUT: one fresh link and one btsnoop capture per case, a verdict each."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from aioble_hci.address import Address

from .case import Case
from .context import CaseContext
from .discovery import IutProfile, discover
from .ixit import Ixit
from .link import Exchange
from .tester import LowerTester
from .verdicts import CaseOutcome, Verdict

log = logging.getLogger(__name__)

CASE_TIMEOUT = 30.0


@dataclass
class CaseResult:
    case: Case
    verdict: Verdict
    reason: str = ""
    exchanges: list[Exchange] = field(default_factory=list)
    capture: str | None = None
    duration: float = 0.0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {**self.case.to_dict(), "verdict": str(self.verdict), "reason": self.reason,
                "capture": self.capture, "duration": round(self.duration, 3), "notes": self.notes,
                "exchanges": [{"time": round(e.time, 4), "direction": e.direction, "channel": e.channel,
                               "pdu": e.data.hex(), "summary": e.summary} for e in self.exchanges]}


def capture_name(case_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", case_id) + ".btsnoop"


class Runner:
    """Runs cases on the host loop. `captures` is a directory for one btsnoop file per case."""

    def __init__(self, tester: LowerTester, iut: Address | None, ixit: Ixit | None = None, *, upper: Any = None,
                 captures: Path | None = None, case_timeout: float = CASE_TIMEOUT,
                 fresh_address: bool = True) -> None:
        self.tester = tester
        self.iut = iut
        self.ixit = ixit or Ixit()
        self.upper = upper
        self.captures = captures
        self.case_timeout = case_timeout
        self.fresh_address = fresh_address  # a new random static tester address per case (see LowerTester)
        self.profile: IutProfile | None = None
        self._discovered = False
        tester.timeout = self.ixit.timing.timeout

    async def discover(self) -> IutProfile | None:
        """Discover the peripheral IUT's GATT database once (its own capture: discovery.btsnoop)."""
        if self._discovered or self.iut is None:
            return self.profile
        self._discovered = True
        self._capture("discovery")
        link = None
        try:
            link = await self.tester.connect(self.iut)
            self.profile = await discover(link)
        except Exception as exc:
            log.warning("discovering the IUT's GATT database failed: %s", exc)
        finally:
            if link is not None:
                await link.disconnect()
            self.tester.capture_to(None)
        return self.profile

    def _capture(self, name: str) -> str | None:
        if self.captures is None:
            return None
        self.captures.mkdir(parents=True, exist_ok=True)
        path = self.captures / (name if name.endswith(".btsnoop") else capture_name(name))
        return self.tester.capture_to(str(path))

    async def run(self, cases: list[Case]) -> list[CaseResult]:
        if any(c.iut_role == "peripheral" for c in cases):
            await self.discover()
        return [await self.run_case(case) for case in cases]

    async def run_case(self, case: Case) -> CaseResult:
        if case.iut_role == "peripheral":
            await self.discover()
        capture = self._capture(case.id)
        if self.fresh_address:
            await self.tester.new_address()
        ctx = CaseContext(case, self.tester, self.iut, self.ixit, self.profile, self.upper)
        started = time.monotonic()
        verdict, reason = Verdict.PASS, ""
        try:
            if case.connect:
                await (ctx.connect() if case.iut_role == "peripheral" else ctx.accept())
            await asyncio.wait_for(case.run(ctx), self.case_timeout)
        except CaseOutcome as outcome:
            verdict, reason = outcome.verdict, str(outcome)
        except TimeoutError:
            verdict, reason = Verdict.INCONCLUSIVE, f"the case did not finish within {self.case_timeout:g} s"
        except Exception as exc:
            log.exception("case %s raised", case.id)
            verdict, reason = Verdict.INCONCLUSIVE, f"tester error: {exc!r}"
        finally:
            for link in ctx.links:
                await link.disconnect()
            self.tester.capture_to(None)
        exchanges = sorted((replace(e, time=e.time - started) for link in ctx.links for e in link.exchanges),
                           key=lambda e: e.time)
        if verdict is not Verdict.PASS:
            reason = f"{reason} [{case.rule}]"
        log.info("%s: %s %s", case.id, verdict, reason)
        return CaseResult(case, verdict, reason, exchanges, capture, time.monotonic() - started, ctx.notes)
