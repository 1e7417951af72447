"""Issue 19 items 3 and 5: `aioble-hci conform` (list, run, JSON, JUnit) and the HTML report."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from aioble_hci.cli.main import main
from aioble_hci.conform import Runner, Verdict
from aioble_hci.conform.catalog import CATALOG
from aioble_hci.conform.report import write_all
from aioble_hci.controller.air import Air
from aioble_hci.controller.transport import VirtualTransport
from aioble_hci.host.thread import HostThread
from aioble_hci.transport import register_scheme
from tests.conform.faulty import Rule
from tests.conform.htmlcheck import check_html
from tests.conform.our_iut import IUT_ADDRESS, TESTER_ADDRESS, OurIut

IUT = f"{IUT_ADDRESS}/public"  # without the suffix a c0:... address reads as random static
IXIT_TOML = """
[l2cap]
spsm = 0x80
echo = true
[sm]
min_key_size = 16
[timing]
timeout = 2.0
silence = 0.2
"""


def test_list_names_every_case_with_its_rule_roles_and_needs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["conform", "--list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [c["id"] for c in listed] == list(CATALOG.cases)
    assert all(c["rule"].startswith("Vol ") and c["roles"].startswith("IUT ") for c in listed)
    assert sum(c["sig_test_id"] for c in listed) >= 80


def test_the_catalog_names_at_least_80_sig_test_ids_in_every_area() -> None:
    """Issue 19 (2): 80+ cases named with SIG test IDs, covering GAP, GATT/SR, GATT/CL, L2CAP and SM."""
    sig = [c.id for c in CATALOG.cases.values() if c.sig]
    assert len(sig) >= 80
    for prefix in ("GAP/DISC", "GAP/CONN", "GAP/PRIV", "GATT/SR", "GATT/CL", "L2CAP/LE/CFC", "L2CAP/LE/CPU",
                   "SM/PER/JW", "SM/PER/SCJW", "SM/PER/PKE", "SM/PER/SCPK", "SM/CEN"):
        assert any(i.startswith(prefix) for i in sig), prefix
    assert all(i.count("/") >= 2 and i.split("/")[-1][:2] in ("BV", "BI") for i in sig)


def test_run_without_address_names_the_fix(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["conform", "-t", "virtual"]) == 1
    assert "give the IUT's ADDRESS" in capsys.readouterr().err


@pytest.fixture
def iut_on_its_thread(tmp_path: Path) -> Iterator[OurIut]:
    """Our peripheral on its own host thread and a fast air, and a `conformtest` transport spec
    that puts the CLI's tester on the same air."""
    air = Air(fast=True)
    thread = HostThread().start()
    iut = thread.run_sync(OurIut.start(air, tmp_path / "iut"), 10)
    register_scheme("conformtest", lambda spec: VirtualTransport("virtual", air=air, address=TESTER_ADDRESS))
    yield iut
    thread.run_sync(iut.close(), 10)
    thread.stop()
    air.close()


def test_cli_run_writes_report_junit_and_one_capture_per_case(iut_on_its_thread: OurIut, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    ixit = tmp_path / "iut.toml"
    ixit.write_text(IXIT_TOML)
    report, junit = tmp_path / "report", tmp_path / "junit.xml"
    code = main(["conform", "-t", "conformtest", IUT, "--case", "GATT/SR/GAR/*", "--case",
                 "L2CAP/LE/CFC/BV-0*", "--ixit", str(ixit), "--report", str(report), "--junit", str(junit)])
    out = capsys.readouterr().out
    assert code == 0, out
    expected = CATALOG.select(["GATT/SR/GAR/*", "L2CAP/LE/CFC/BV-0*"], "peripheral")
    assert out.count("PASS ") == len(expected)
    suite = ET.parse(junit).getroot()
    assert int(suite.get("tests", 0)) == len(expected) and suite.get("failures") == "0"
    for case in expected:
        assert (report / "captures" / (case.id.replace("/", "_") + ".btsnoop")).stat().st_size > 16
    page = check_html((report / "index.html").read_text())
    assert page.errors == []
    captures = [link for link in page.links if link.endswith(".btsnoop")]
    assert len(captures) == 2 * len(expected) and all((report / link).exists() for link in captures)


def test_cli_exit_code_and_json_say_fail_when_a_case_fails(iut_on_its_thread: OurIut,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert iut_on_its_thread.transport is not None
    iut_on_its_thread.transport.rules = [Rule("egress", 4, lambda p: p[:2] == b"\x01\x0a",
                                              lambda p: p[:4] + b"\x0a")]
    code = main(["conform", "-t", "conformtest", IUT, "--case", "GATT/SR/GAR/BI-02-C", "--json"])
    results = json.loads(capsys.readouterr().out)
    assert code == 1
    (case,) = results["cases"]
    assert case["verdict"] == "fail" and "requires INVALID_HANDLE" in case["reason"]
    assert case["exchanges"][0]["pdu"] == "0a0000" and case["exchanges"][0]["direction"] == "LT→IUT"


async def test_report_shows_matrix_sequence_and_links_for_every_verdict(runner: Runner, our_iut: OurIut,
                                                                        tmp_path: Path) -> None:
    """Item 5: the verdict matrix, each case's exchange as a two-lane table, links to captures."""
    cases = CATALOG.select(["GATT/SR/GAR/BI-02-C", "GAP/GAT/BV-04-C", "SM/PER/JW/BV-02-C"])
    results = await runner.run(cases)
    assert {r.verdict for r in results} == {Verdict.PASS, Verdict.NOT_APPLICABLE}
    written = write_all(results, tmp_path / "report", str(IUT_ADDRESS))
    text = written["html"].read_text()
    page = check_html(text)
    assert page.errors == []
    for r in results:
        assert r.case.id in text and r.case.rule in text
        assert "case-" + "".join(ch if ch.isalnum() else "-" for ch in r.case.id) in page.ids
    assert "&#x2500;&#x2500;&#x25B6;" in text and "&#x25C0;&#x2500;&#x2500;" in text  # both lanes
    assert "0a 00 00" in text  # the Read Request of GAR/BI-02-C, byte by byte
    assert json.loads(written["json"].read_text())["summary"]["pass"] == 2


def test_ixit_rejects_unknown_keys_and_gives_connection_parameters(tmp_path: Path) -> None:
    """IUT specifics come from TOML; a typo is a one-line error naming the known keys."""
    from aioble_hci.conform import Ixit

    good = tmp_path / "good.toml"
    good.write_text("[link]\ninterval_min = 40\ninterval_max = 56\n[sm]\npasskey = 123456\n")
    ixit = Ixit.load(good)
    assert ixit.sm.passkey == 123456
    params = ixit.link.parameters()
    assert params is not None and (params.interval_min, params.interval_max) == (40, 56)
    bad = tmp_path / "bad.toml"
    bad.write_text("[sm]\npass_key = 1\n")
    with pytest.raises(ValueError, match=r"unknown key sm.pass_key \(known: .*passkey"):
        Ixit.load(bad)


async def test_the_tester_connects_with_the_ixit_connection_parameters(runner: Runner, our_iut: OurIut) -> None:
    """Issue 19 (1): connect with chosen parameters; the IUT's side of the link shows them."""
    from aioble_hci.conform import Ixit

    runner.ixit = Ixit.from_dict({"link": {"interval_min": 56, "interval_max": 56}, "timing": {"silence": 0.2}})
    result = await runner.run_case(CATALOG.cases["GATT/SR/GAR/BI-02-C"])
    assert result.verdict is Verdict.PASS
    assert our_iut.last_interval == 56
