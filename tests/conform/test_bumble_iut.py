"""IUT 2: the catalog against Bumble 0.0.236's peripheral on Bumble's emulated controllers.

Every case passes or is not applicable except the ones below, and each of those fails for the
reason docs/conformance.md explains against the spec (the words here must appear in the verdict).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from bumble.link import LocalLink

from aioble_hci.conform import Ixit, LowerTester, Runner, Verdict
from aioble_hci.conform.catalog import CATALOG
from tests.conform.bumble_iut import IUT_ADDRESS, IXIT, BumbleIut, bumble_tester

BUMBLE_FAILS = {
    # its GATT server checks no Readable/Writeable permission (Vol 3 Part F 3.2.5)
    "GATT/SR/GAR/BI-01-C": "where Error Response READ_NOT_PERMITTED was due",
    "GATT/SR/GAR/BI-06-C": "where Error Response READ_NOT_PERMITTED was due",
    "GATT/SR/GAR/BI-12-C": "ATTRIBUTE_NOT_LONG, the rule requires READ_NOT_PERMITTED",
    "GATT/SR/GAR/BI-18-C": "where Error Response READ_NOT_PERMITTED was due",
    "GATT/SR/GAW/BI-03-C": "where Error Response WRITE_NOT_PERMITTED was due",
    "GATT/SR/GAW/BI-08-C": "where Error Response WRITE_NOT_PERMITTED was due",
    # wrong error codes, unanswered requests, no length checks (Vol 3 Part F 3.3, 3.4)
    "GATT/SR/GAR/BI-19-C": "ATTRIBUTE_NOT_FOUND, the rule requires INVALID_HANDLE",
    "GATT/SR/UNS/BI-01-C": "no ATT PDU",
    "AIOBLE/ATT/BI-01": "no ATT PDU",
    "AIOBLE/ATT/BI-04": "ATTRIBUTE_NOT_FOUND, the rule requires INVALID_HANDLE",
    "AIOBLE/ATT/BI-06": "where Error Response INVALID_ATTRIBUTE_VALUE_LENGTH was due",
    "AIOBLE/ATT/BI-07": "where Error Response INVALID_PDU was due",
    "AIOBLE/ATT/BI-10": "where Error Response INVALID_PDU was due",
    # L2CAP signalling and credit-based channels (Vol 3 Part A)
    "L2CAP/LE/CPU/BI-02-C": "no L2CAP_COMMAND_REJECT_RSP",
    "AIOBLE/L2CAP/REJ/BI-01": "no L2CAP_COMMAND_REJECT_RSP",
    "L2CAP/LE/CFC/BV-23-C": "no L2CAP_COMMAND_REJECT_RSP",
    "L2CAP/LE/CFC/BI-01-C": "did not disconnect the channel",
    "L2CAP/LE/CFC/BV-27-C": "did not disconnect the channel",
    "AIOBLE/L2CAP/CFC/BI-02": "the rule requires 0x0009",
    "AIOBLE/L2CAP/CFC/BI-01": "accepted a channel with MTU 22",
    "L2CAP/ECFC/BI-03-C": "no L2CAP_CREDIT_BASED_RECONFIGURE_RSP",
    "L2CAP/ECFC/BI-05-C": "no L2CAP_CREDIT_BASED_RECONFIGURE_RSP",
    "L2CAP/LE/CPU/BI-01-C": "the rule requires 0x0001",
    # SMP (Vol 3 Part H)
    "SM/PER/EKS/BI-02-C": "not Pairing Failed Encryption Key Size",
    "SM/CEN/EKS/BI-01-C": "where Pairing Failed was due",
    "SM/PER/KDU/BV-07-C": "encryption with the distributed LTK failed",
    "AIOBLE/SM/BI-01": "no SMP PDU",
    "AIOBLE/SM/BI-02": "where Pairing Failed was due",
    "SM/CEN/PIS/BV-03-C": "no SMP PDU",
    "SM/CEN/JW/BI-06-C": "accepted its own confirm and random reflected back",
    "SM/CEN/KDU/BI-04-C": "no SMP PDU",
    # Bumble's controller adds a scan-response report carrying the advertising data
    "GAP/DISC/GENM/BV-01-C": "the scan response carries Flags",
}
BUMBLE_NOT_APPLICABLE = {"GATT/SR/GAD/BV-03-C", "L2CAP/LE/CFC/BV-25-C", "L2CAP/LE/CFC/BV-11-C", "GAP/GAT/BV-04-C",
                         "GAP/PRIV/CONN/BV-10-C"}


@pytest.fixture
async def bumble_runner() -> AsyncIterator[Runner]:
    link = LocalLink()
    iut = await BumbleIut.start(link)
    tester: LowerTester = await bumble_tester(link)
    yield Runner(tester, IUT_ADDRESS, Ixit.from_dict(IXIT), upper=iut)
    await tester.close()
    await iut.close()


async def test_the_tester_finds_bumbles_deviations_and_nothing_else(bumble_runner: Runner) -> None:
    """Peripheral cases first, then the IUT-central ones (Bumble's upper tester connects and pairs)."""
    cases = CATALOG.select(None, "peripheral") + CATALOG.select(None, "central")
    results = {r.case.id: r for r in await bumble_runner.run(cases)}
    failed = {i: r.reason for i, r in results.items() if r.verdict is Verdict.FAIL}
    assert set(failed) == set(BUMBLE_FAILS), failed
    for case_id, words in BUMBLE_FAILS.items():
        assert words in failed[case_id], f"{case_id}: {failed[case_id]}"
    assert {i for i, r in results.items() if r.verdict is Verdict.NOT_APPLICABLE} == BUMBLE_NOT_APPLICABLE
    assert not [i for i, r in results.items() if r.verdict is Verdict.INCONCLUSIVE]
