"""A conformance case: its SIG test ID, title, the rule it checks and what the IUT must offer."""

from __future__ import annotations

import fnmatch
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .context import CaseContext

CaseFunction = Callable[["CaseContext"], Awaitable[None]]


@dataclass(frozen=True)
class Case:
    """One test case. `iut_role` is the IUT's link role ("peripheral": the tester connects to it;
    "central": the tester advertises and the IUT connects). `connect` False leaves the link to the
    case (discovery cases). `requires` names what the IUT must offer (see `context.FEATURES`)."""

    id: str
    title: str
    rule: str
    run: CaseFunction
    iut_role: str = "peripheral"
    roles: str = "IUT peripheral"
    requires: tuple[str, ...] = ()
    connect: bool = True
    sig: bool = True  # False: our own robustness case (ID prefix AIOBLE/), not a SIG test ID

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "title": self.title, "rule": self.rule, "roles": self.roles,
                "iut_role": self.iut_role, "requires": list(self.requires), "sig_test_id": self.sig}


class Catalog:
    """The cases by ID, in registration order."""

    def __init__(self) -> None:
        self.cases: dict[str, Case] = {}

    def case(self, id: str, title: str, rule: str, *, iut_role: str = "peripheral", roles: str | None = None,
             requires: tuple[str, ...] = (), connect: bool = True) -> Callable[[CaseFunction], CaseFunction]:
        """Decorator registering `async def run(ctx)` as a case."""

        def register(run: CaseFunction) -> CaseFunction:
            if id in self.cases:
                raise ValueError(f"duplicate case {id}")
            self.cases[id] = Case(id, title, rule, run, iut_role, roles or f"IUT {iut_role}", requires, connect,
                                  not id.startswith("AIOBLE/"))
            return run

        return register

    def select(self, patterns: list[str] | None = None, iut_role: str | None = None) -> list[Case]:
        """Cases whose ID matches any glob pattern (all when none given), optionally of one IUT role."""
        chosen = [c for c in self.cases.values() if not patterns or any(fnmatch.fnmatchcase(c.id, p) for p in patterns)]
        return [c for c in chosen if iut_role is None or c.iut_role == iut_role]

    def __len__(self) -> int:
        return len(self.cases)


CATALOG = Catalog()
case = CATALOG.case
