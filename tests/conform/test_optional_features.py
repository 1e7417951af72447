"""The cases our default peripheral cannot run (it has no PPCP and no privacy), run against our
peripheral configured with them: they pass, and fail when it breaks their rule."""

from __future__ import annotations

from pathlib import Path

from aioble_hci.conform import Ixit, LowerTester, Runner, Verdict
from aioble_hci.conform.catalog import CATALOG
from aioble_hci.controller.air import Air
from tests.conform.faulty import Rule
from tests.conform.our_iut import IXIT, OurIut


async def _run(air: Air, tester: LowerTester, tmp_path: Path, case_id: str, rules: list[Rule], **options: bool):
    iut = await OurIut.start(air, tmp_path, **options)
    try:
        address = iut.gap.address  # a private IUT's current RPA: what a scanning tester would find
        runner = Runner(tester, address, Ixit.from_dict(IXIT), upper=iut)
        await runner.discover()
        assert iut.transport is not None
        iut.transport.rules = rules
        return await runner.run_case(CATALOG.cases[case_id])
    finally:
        await iut.close()


async def test_ppcp_case_passes_on_a_peripheral_with_valid_ppcp(air: Air, tester: LowerTester, tmp_path: Path) -> None:
    """GAP/GAT/BV-04-C (Vol 3 Part C 12.3): PPCP of 24-40 x 1.25 ms, latency 0, 4 s is valid."""
    result = await _run(air, tester, tmp_path, "GAP/GAT/BV-04-C", [], ppcp=True)
    assert result.verdict is Verdict.PASS, result.reason


async def test_ppcp_case_fails_on_a_ppcp_with_min_above_max(air: Air, tester: LowerTester, tmp_path: Path) -> None:
    """Vol 3 Part C 12.3: the minimum interval must not exceed the maximum."""
    swap = Rule("egress", 4, lambda p: p[:1] == b"\x09" and len(p) == 12,
                lambda p: p[:4] + p[6:8] + p[4:6] + p[8:])
    result = await _run(air, tester, tmp_path, "GAP/GAT/BV-04-C", [swap], ppcp=True)
    assert result.verdict is Verdict.FAIL and "min interval exceeds max" in result.reason


async def test_privacy_case_passes_on_a_private_peripheral(air: Air, tester: LowerTester, tmp_path: Path) -> None:
    """GAP/PRIV/CONN/BV-10-C (Vol 3 Part C 10.7): the RPA resolves with the IRK the IUT distributed."""
    result = await _run(air, tester, tmp_path, "GAP/PRIV/CONN/BV-10-C", [], private=True)
    assert result.verdict is Verdict.PASS, result.reason


async def test_privacy_case_fails_when_the_distributed_irk_is_not_the_one_in_use(
        air: Air, tester: LowerTester, tmp_path: Path) -> None:
    flip = Rule("egress", 6, lambda p: p[:1] == b"\x08", lambda p: p[:-1] + bytes([p[-1] ^ 0xFF]))
    result = await _run(air, tester, tmp_path, "GAP/PRIV/CONN/BV-10-C", [flip], private=True)
    assert result.verdict is Verdict.FAIL and "does not resolve with its IRK" in result.reason
