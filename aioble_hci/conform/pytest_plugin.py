"""pytest plugin: conformance cases as pytest items (so junit, -k, -x and xdist come free).

Opt in with `-p aioble_hci.conform.pytest_plugin` or `pytest_plugins = ["aioble_hci.conform.pytest_plugin"]`
in a conftest.py. (Not a pytest11 entry point: pytest would then rewrite the asserts of every
module of this distribution in every test run, the `aioble` facade's namespace included.) Options (the first three also from the environment, so each
pytest-xdist worker can get its own dongle and IUT: AIOBLE_CONFORM_TRANSPORT, AIOBLE_CONFORM_IUT,
AIOBLE_CONFORM_IXIT):

    --conform-transport SPEC   the lower tester's controller (e.g. serial:/dev/ttyACM0, usb, air)
    --conform-iut ADDRESS      the peripheral IUT (omit with --conform-iut-central)
    --conform-iut-central      run the cases where the IUT is central
    --conform-ixit FILE        IUT specifics (TOML)
    --conform-catalog          collect the built-in catalog's cases as items
    --conform-case PATTERN     only catalog cases matching this glob (repeatable)
    --conform-captures DIR     one btsnoop capture per case

Fixture `conform` (session scope) runs a case and turns its verdict into the pytest outcome:
pass passes, fail fails, inconclusive fails (marked INCONCLUSIVE), not applicable skips. Users'
own cases are `async def` functions registered on a `Catalog` and run with `conform.verdict(case)`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from .case import Case
from .runner import CaseResult
from .verdicts import Verdict

# Per-worker settings for pytest-xdist campaigns: `--tx popen//env:AIOBLE_CONFORM_TRANSPORT=...`.
ENV_TRANSPORT = "AIOBLE_CONFORM_TRANSPORT"
ENV_IUT = "AIOBLE_CONFORM_IUT"
ENV_IXIT = "AIOBLE_CONFORM_IXIT"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("aioble-hci conform", "conformance lower tester (aioble-hci)")
    group.addoption("--conform-transport", metavar="SPEC", default=os.environ.get(ENV_TRANSPORT),
                    help=f"the lower tester's controller (default ${ENV_TRANSPORT})")
    group.addoption("--conform-iut", metavar="ADDRESS", default=os.environ.get(ENV_IUT),
                    help=f"the peripheral IUT's address (default ${ENV_IUT})")
    group.addoption("--conform-iut-central", action="store_true", help="run the cases where the IUT is central")
    group.addoption("--conform-ixit", metavar="FILE", default=os.environ.get(ENV_IXIT),
                    help=f"IUT specifics (TOML; default ${ENV_IXIT})")
    group.addoption("--conform-catalog", action="store_true", help="collect the built-in catalog as items")
    group.addoption("--conform-case", metavar="PATTERN", action="append", default=None,
                    help="only catalog cases whose ID matches (glob, repeatable)")
    group.addoption("--conform-captures", metavar="DIR", default=None, help="one btsnoop file per case here")


class ConformSession:
    """The lower tester on its host thread, opened once per pytest session (per xdist worker)."""

    def __init__(self, config: pytest.Config) -> None:
        from aioble_hci.cli.peer import resolve_peer
        from aioble_hci.host.api import open_host
        from aioble_hci.host.gap import attach_gap

        from .ixit import Ixit
        from .runner import Runner
        from .tester import LowerTester

        spec = config.getoption("--conform-transport")
        if not spec:
            raise pytest.UsageError("conformance cases need --conform-transport SPEC (the tester's controller)")
        iut = config.getoption("--conform-iut")
        self.ixit = Ixit.load(config.getoption("--conform-ixit"))
        captures = config.getoption("--conform-captures")
        worker = getattr(config, "workerinput", {}).get("workerid")
        if captures and worker:
            captures = str(Path(captures) / worker)
        self.handle = open_host(spec)

        async def make() -> Runner:
            gap = await attach_gap(self.handle.host)
            tester = LowerTester(self.handle.host, self.ixit.timing.timeout)
            # the command line's one rule for a peer's address type (cli/peer.py)
            address = await resolve_peer(gap, iut) if iut else None
            return Runner(tester, address, self.ixit,
                          captures=Path(captures) if captures else None)

        self.runner = self.handle.run(make(), timeout=30)
        self.results: list[CaseResult] = []

    def run(self, case: Case) -> CaseResult:
        result = self.handle.run(self.runner.run_case(case), timeout=None)
        self.results.append(result)
        return result

    def verdict(self, case: Case) -> CaseResult:
        """Run `case` and make its verdict the test's outcome."""
        result = self.run(case)
        if result.verdict is Verdict.NOT_APPLICABLE:
            pytest.skip(f"not applicable: {result.reason}")
        if result.verdict is Verdict.FAIL:
            pytest.fail(f"{case.id}: {result.reason}", pytrace=False)
        if result.verdict is Verdict.INCONCLUSIVE:
            pytest.fail(f"INCONCLUSIVE {case.id}: {result.reason}", pytrace=False)
        return result

    def close(self) -> None:
        self.handle.run(self.runner.tester.close(), timeout=10)
        self.handle.close()


_SESSION = pytest.StashKey["ConformSession"]()


def conform_session(config: pytest.Config) -> ConformSession:
    """The session's lower tester, opened on first use and closed when pytest ends."""
    session = config.stash.get(_SESSION, None)
    if session is None:
        session = config.stash[_SESSION] = ConformSession(config)
    return session


@pytest.fixture(scope="session")
def conform(request: pytest.FixtureRequest) -> ConformSession:
    return conform_session(request.config)


class ConformItem(pytest.Item):
    """One catalog case."""

    def __init__(self, *, case: Case, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.add_marker(pytest.mark.conform)

    def runtest(self) -> None:
        conform_session(self.config).verdict(self.case)

    def reportinfo(self) -> tuple[str, int, str]:
        return self.case.rule, 0, f"{self.case.id}: {self.case.title}"

    def repr_failure(self, excinfo: Any, style: Any = None) -> str:
        return str(excinfo.value)



class ConformCatalog(pytest.Collector):
    """The built-in catalog as a collector under the session."""

    def collect(self) -> list[pytest.Item]:
        from .catalog import CATALOG

        role = "central" if self.config.getoption("--conform-iut-central") else "peripheral"
        return [ConformItem.from_parent(self, name=case.id, case=case)
                for case in CATALOG.select(self.config.getoption("--conform-case"), role)]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "conform: a conformance case run by the aioble-hci lower tester")


@pytest.hookimpl
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--conform-catalog"):
        return
    collector = ConformCatalog.from_parent(session, name="conform-catalog")
    items.extend(collector.collect())


def pytest_unconfigure(config: pytest.Config) -> None:
    session = config.stash.get(_SESSION, None)
    if session is not None:
        session.close()
