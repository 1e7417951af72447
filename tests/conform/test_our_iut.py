"""IUT 1: the whole catalog against our own peripheral on the fast virtual air."""

from __future__ import annotations

from pathlib import Path

from aioble_hci.capture.files import read_all
from aioble_hci.conform import Runner, Verdict
from aioble_hci.conform.catalog import CATALOG

# What our peripheral does not offer, so these cases must say "not applicable" (never fail):
# no PPCP characteristic, no privacy (it advertises its identity address).
NOT_OFFERED = {"GAP/GAT/BV-04-C", "GAP/PRIV/CONN/BV-10-C"}


async def test_every_applicable_case_passes_against_our_peripheral(runner: Runner) -> None:
    """Issue 19 (1): every case the IUT can run passes; each verdict cites its rule (Vol/Part/section)."""
    results = await runner.run(list(CATALOG.cases.values()))
    verdicts = {r.case.id: r.verdict for r in results}
    problems = {r.case.id: f"{r.verdict}: {r.reason}" for r in results
                if r.verdict in (Verdict.FAIL, Verdict.INCONCLUSIVE)}
    assert problems == {}
    assert {i for i, v in verdicts.items() if v is Verdict.NOT_APPLICABLE} == NOT_OFFERED
    assert all(r.case.rule.startswith("Vol ") for r in results)


async def test_each_case_leaves_a_btsnoop_capture_of_its_exchange(runner: Runner) -> None:
    """One capture per case, readable by our capture readers, holding the ACL data the case exchanged."""
    cases = CATALOG.select(["GATT/SR/GAR/BI-02-C", "SM/PER/JW/BV-02-C"])
    for result in await runner.run(cases):
        assert result.verdict is Verdict.PASS, result.reason
        assert result.capture is not None and Path(result.capture).name.endswith(".btsnoop")
        records, error = read_all(result.capture)
        assert error is None
        sent = [e.data for e in result.exchanges if e.direction == "LT→IUT" and e.channel in ("ATT", "SMP", "L2CAP")]
        acl = b"".join(r.payload for r in records if int(r.packet_type) == 2)
        assert sent and all(pdu in acl for pdu in sent)
